package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.ViewBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchAssemblerTest {

    /** Sample i: 2 global 4 px views then 1 local 2 px view; byte value = 10·i + view, probe = 100 + i. */
    static TrainingSample sample(int i, boolean withProbe) {
        TrainingSample s = new TrainingSample();
        s.id = "img-" + i;
        s.label = i;
        s.epoch = 0;
        s.size = 4;
        s.viewSizes = new int[] {4, 4, 2};
        s.views = 3;
        s.pixels = new byte[2 * 48 + 12];
        for (int b = 0; b < s.pixels.length; b++) {
            s.pixels[b] = (byte) (10 * i + (b < 48 ? 0 : b < 96 ? 1 : 2));
        }
        if (withProbe) {
            s.probe = new byte[48];
            java.util.Arrays.fill(s.probe, (byte) (100 + i));
        }
        return s;
    }

    @Test
    void viewsOfOneSizeFormAGroupImageMajor() {
        MultiCropBatch batch = BatchAssembler.assemble(List.of(sample(0, true), sample(1, false)));
        assertThat(batch.groups()).hasSize(2);
        ViewBatch global = batch.groups().get(0);
        ViewBatch local = batch.groups().get(1);
        assertThat(List.of(global.size(), global.views(), global.height())).containsExactly(2, 2, 4);
        assertThat(List.of(local.size(), local.views(), local.height())).containsExactly(2, 1, 2);
        // image 0's two global views, then image 1's
        assertThat(global.pixels()[0]).isEqualTo((byte) 0);
        assertThat(global.pixels()[48]).isEqualTo((byte) 1);
        assertThat(global.pixels()[96]).isEqualTo((byte) 10);
        assertThat(global.pixels()[144]).isEqualTo((byte) 11);
        assertThat(local.pixels()[0]).isEqualTo((byte) 2);
        assertThat(local.pixels()[12]).isEqualTo((byte) 12);
        assertThat(global.labels()).containsExactly(0, 1);
        // the probe images go with the first group; a sample without one leaves zeros
        assertThat(global.probePixels()[0]).isEqualTo((byte) 100);
        assertThat(global.probePixels()[48]).isEqualTo((byte) 0);
        assertThat(local.probePixels()).isNull();
    }

    @Test
    void noProbeImagesNoProbeArray() {
        assertThat(BatchAssembler.assemble(List.of(sample(0, false))).groups().get(0).probePixels()).isNull();
    }

    @Test
    void samplesWithOtherViewsOrBytesAreRejected() {
        TrainingSample other = sample(1, false);
        other.viewSizes = new int[] {4, 4, 4};
        assertThatThrownBy(() -> BatchAssembler.assemble(List.of(sample(0, false), other)))
                .hasMessageContaining("same views").hasMessageContaining("img-1");
        TrainingSample shortOne = sample(0, false);
        shortOne.pixels = new byte[2 * 48 + 13];
        assertThatThrownBy(() -> BatchAssembler.assemble(List.of(shortOne))).hasMessageContaining("which need 108");
    }

    @Test
    void everyGroupCarriesTheImagesIdsAndAReplayHasItsFreshUsesId() {
        TrainingSample fresh = sample(0, true);
        TrainingSample replay = sample(0, true);
        replay.replaySlot = 3;
        MultiCropBatch batch = BatchAssembler.assemble(List.of(fresh, sample(1, false), replay));
        long[] ids = batch.instanceIds();
        assertThat(ids).hasSize(3);
        // the high 64 bits of the name-based UUID of the key, computed here by hand from MD5
        assertThat(ids[0]).isEqualTo(md5NameUuidHigh("img-0"));
        assertThat(ids[1]).isEqualTo(md5NameUuidHigh("img-1")).isNotEqualTo(ids[0]);
        assertThat(ids[2]).as("a replay is the same instance").isEqualTo(ids[0]);
        assertThat(batch.groups().get(1).instanceIds()).containsExactly(ids);
    }

    @Test
    void aSampleWithoutAnIdLeavesTheBatchsIdsUnknown() {
        TrainingSample anonymous = sample(1, false);
        anonymous.id = null;
        assertThat(BatchAssembler.assemble(List.of(sample(0, false), anonymous)).instanceIds()).isNull();
    }

    /** RFC 4122 version 3: MD5 of the name, version nibble 3, variant bits 10; the first 8 bytes big-endian. */
    private static long md5NameUuidHigh(String name) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("MD5")
                    .digest(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            d[6] = (byte) ((d[6] & 0x0f) | 0x30);
            return java.nio.ByteBuffer.wrap(d, 0, 8).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void viewTargetsTravelWithTheirGroupImageMajor() {
        TrainingSample a = sample(0, false);
        a.viewTargets = new int[] {3, 1, 7};
        TrainingSample b = sample(1, false); // no targets: -1 for each view
        MultiCropBatch batch = BatchAssembler.assemble(List.of(a, b));
        assertThat(batch.groups().get(0).viewTargets()).containsExactly(3, 1, -1, -1);
        assertThat(batch.groups().get(1).viewTargets()).containsExactly(7, -1);
        assertThat(batch.viewTargets()).isDeepEqualTo(new int[][] {{3, -1}, {1, -1}, {7, -1}});
        assertThat(BatchAssembler.assemble(List.of(sample(0, false))).viewTargets()).isNull();
    }
}
