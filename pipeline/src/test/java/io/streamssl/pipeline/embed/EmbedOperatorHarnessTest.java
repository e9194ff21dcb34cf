package io.streamssl.pipeline.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.DeadLetter;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.pipeline.job.ProbeView;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embed operator in Flink's harness: images that come before any snapshot wait in its state through a
 * snapshot and restore and are embedded once one is announced; a partial batch goes out before a barrier; a
 * newer snapshot takes over and is re-loaded from the broadcast state after a restore; an older announcement is
 * ignored and one whose weights are not the announced ones is refused, the previous encoder staying. Every
 * embedding is compared with {@link SnapshotEncoder#embed} of the same image, one at a time.
 */
class EmbedOperatorHarnessTest {

    @TempDir
    static Path dir;

    static SnapshotEvent first;
    static SnapshotEvent second;
    static List<DecodedImage> images = new ArrayList<>();

    @BeforeAll
    static void twoSnapshotsAndImages() throws Exception {
        Path root = dir.resolve("snapshots");
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100))) {
            byte[] px = new byte[4 * 2 * 32 * 32 * 3];
            new Random(3).nextBytes(px);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            first = announce(SnapshotWriter.write(root, trainer, Map.of()), 1);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            second = announce(SnapshotWriter.write(root, trainer, Map.of()), 2);
        }
        assertThat(first.weightsSha256()).isNotEqualTo(second.weightsSha256());
        int i = 0;
        for (LabeledImage image : new GeneratedShapes(11, 7, 32)) {
            images.add(DecodedImage.of(image.id(), "images-0@" + i++, new RgbImage(32, 32, image.data())));
        }
        byte[] large = new byte[40 * 48 * 3]; // resized to the snapshot's 32×32 as held-out evaluation does
        new Random(5).nextBytes(large);
        images.add(DecodedImage.of("large", "images-0@" + i, new RgbImage(48, 40, large)));
    }

    private static SnapshotEvent announce(Path written, long step) throws Exception {
        return new SnapshotEvent(new EventHeader("run", "encoder", step, 4 * step, 0, 0, Instant.EPOCH),
                written.toString(), "byol", SnapshotWriter.sha256(written.resolve(SnapshotWriter.WEIGHTS_FILE)), step);
    }

    private static TwoInputStreamOperatorTestHarness<DecodedImage, String, Embedding> harness() throws Exception {
        return new TwoInputStreamOperatorTestHarness<>(new EmbedOperator(4, List.of()));
    }

    private static EmbedOperator operator(TwoInputStreamOperatorTestHarness<DecodedImage, String, Embedding> h) {
        return (EmbedOperator) h.getOperator();
    }

    @Test
    void imagesWaitForTheFirstSnapshotThenTheNewestTakesOver() throws Exception {
        OperatorSubtaskState waited;
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 5; i++) {
                h.processElement1(new StreamRecord<>(images.get(i)));
            }
            h.prepareSnapshotPreBarrier(1);
            assertThat(h.extractOutputValues()).as("no snapshot yet: nothing to embed with").isEmpty();
            assertThat(operator(h).pendingCount()).isEqualTo(5);
            waited = h.snapshot(1, 1);
        }

        OperatorSubtaskState switched;
        try (var h = harness()) {
            h.initializeState(waited);
            h.open();
            assertThat(operator(h).pendingCount()).as("the waiting images, restored").isEqualTo(5);
            h.processElement2(new StreamRecord<>(TrainerEventCodec.encode(first)));
            assertEmbedded(h.extractOutputValues(), images.subList(0, 5), first);

            for (int i = 5; i < 8; i++) {
                h.processElement1(new StreamRecord<>(images.get(i)));
            }
            assertThat(h.extractOutputValues()).as("a partial batch waits for the barrier").hasSize(5);
            h.prepareSnapshotPreBarrier(2);
            assertEmbedded(h.extractOutputValues().subList(5, 8), images.subList(5, 8), first);

            h.processElement2(new StreamRecord<>(TrainerEventCodec.encode(second)));
            h.processElement2(new StreamRecord<>(TrainerEventCodec.encode(first))); // older: ignored
            assertThat(operator(h).snapshotInUse()).isEqualTo(second);
            h.processElement1(new StreamRecord<>(images.get(8)));
            h.prepareSnapshotPreBarrier(3);
            assertEmbedded(h.extractOutputValues().subList(8, 9), images.subList(8, 9), second);
            switched = h.snapshot(3, 3);
        }

        try (var h = harness()) {
            h.initializeState(switched);
            h.open();
            assertThat(operator(h).snapshotInUse()).as("re-loaded from the broadcast state").isEqualTo(second);
            assertThat(operator(h).pendingCount()).isZero();
            // a newer step whose weights are not the announced ones: refused, the encoder in use stays
            SnapshotEvent tampered = new SnapshotEvent(new EventHeader("run", "encoder", 3, 12, 0, 0, Instant.EPOCH),
                    first.path(), "byol", "0".repeat(64), 3L);
            h.processElement2(new StreamRecord<>(TrainerEventCodec.encode(tampered)));
            assertThat(operator(h).snapshotInUse()).isEqualTo(second);
            List<DeadLetter> refused = new ArrayList<>();
            h.getSideOutput(EmbedOperator.DEAD_LETTERS).forEach(r -> refused.add(r.getValue()));
            assertThat(refused).singleElement().satisfies(d -> {
                assertThat(d.stage).isEqualTo(EmbedOperator.STAGE);
                assertThat(d.reason).isEqualTo("SNAPSHOT_REFUSED");
                assertThat(d.detail).contains("0".repeat(64)).contains(first.weightsSha256());
            });
            for (int i = 9; i < 12; i++) {
                h.processElement1(new StreamRecord<>(images.get(i)));
            }
            h.endInput1();
            assertEmbedded(h.extractOutputValues(), images.subList(9, 12), second);
        }
    }

    /** Ids, snapshot headers and values (< 1e-5 from the snapshot's encoder, one image at a time) of the output. */
    private static void assertEmbedded(List<Embedding> out, List<DecodedImage> in, SnapshotEvent snapshot) {
        assertThat(out).extracting(e -> e.id).containsExactlyElementsOf(in.stream().map(d -> d.id).toList());
        assertThat(out).allSatisfy(e -> {
            assertThat(e.sha256).isEqualTo(snapshot.weightsSha256());
            assertThat(e.step).isEqualTo(snapshot.step());
            assertThat(e.model).isEqualTo("resnet18");
            assertThat(e.method).isEqualTo("byol");
        });
        try (SnapshotEncoder reference = SnapshotEncoder.load(Path.of(snapshot.path()))) {
            for (int i = 0; i < in.size(); i++) {
                float[] expected = reference.embed(ProbeView.of(in.get(i).rgb(), 32), 32, 32);
                float[] actual = out.get(i).vector;
                assertThat(actual).hasSize(expected.length);
                double max = 0;
                for (int k = 0; k < expected.length; k++) {
                    max = Math.max(max, Math.abs(expected[k] - actual[k]));
                }
                assertThat(max).as("largest difference of %s's embedding", in.get(i).id).isLessThan(1e-5);
            }
        }
    }
}
