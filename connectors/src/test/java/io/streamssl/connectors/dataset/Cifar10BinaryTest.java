package io.streamssl.connectors.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamssl.connectors.ImageRecordHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10BinaryTest {

    @TempDir
    Path dir;

    /** A record whose red plane is 10, green 20, blue 30 except pixel (x=1, y=0) = (1, 2, 3). */
    private static byte[] record(int label) {
        byte[] r = new byte[Cifar10Binary.RECORD_BYTES];
        r[0] = (byte) label;
        for (int i = 0; i < 1024; i++) {
            r[1 + i] = 10;
            r[1 + 1024 + i] = 20;
            r[1 + 2048 + i] = 30;
        }
        r[1 + 1] = 1;
        r[1 + 1024 + 1] = 2;
        r[1 + 2048 + 1] = 3;
        return r;
    }

    private void writeTrainFiles(int recordsPerFile) throws Exception {
        int label = 0;
        for (String f : Cifar10Binary.TRAIN_FILES) {
            byte[] all = new byte[recordsPerFile * Cifar10Binary.RECORD_BYTES];
            for (int i = 0; i < recordsPerFile; i++) {
                System.arraycopy(record(label++ % 10), 0, all, i * Cifar10Binary.RECORD_BYTES,
                        Cifar10Binary.RECORD_BYTES);
            }
            Files.write(dir.resolve(f), all);
        }
    }

    @Test
    void planarRecordsBecomeInterleavedLabelledImages() throws Exception {
        writeTrainFiles(3);
        Cifar10Binary data = Cifar10Binary.train(dir);
        assertThat(data.size()).isEqualTo(15);
        List<LabeledImage> all = new ArrayList<>();
        data.forEach(all::add);
        assertThat(all).hasSize(15);
        LabeledImage first = all.get(0);
        assertThat(first.contentType()).isEqualTo(ImageRecordHeaders.RAW_RGB8);
        assertThat(first.width()).isEqualTo(32);
        assertThat(first.data()).hasSize(32 * 32 * 3);
        // pixel (0,0) = (10,20,30); pixel (1,0) = (1,2,3): HWC interleaving of the planes
        assertThat(new byte[] {first.data()[0], first.data()[1], first.data()[2]}).containsExactly(10, 20, 30);
        assertThat(new byte[] {first.data()[3], first.data()[4], first.data()[5]}).containsExactly(1, 2, 3);
        assertThat(all).extracting(LabeledImage::label).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4);
        assertThat(all.get(4).id()).isEqualTo("cifar10/data_batch_2/1");
    }

    /** A stream order reads labels alone and then images by index: both must agree with iteration. */
    @Test
    void labelsAndImagesByIndexAgreeWithIteration() throws Exception {
        writeTrainFiles(3);
        Cifar10Binary data = Cifar10Binary.train(dir);
        List<LabeledImage> all = new ArrayList<>();
        data.forEach(all::add);
        assertThat(data.labels()).containsExactly(all.stream().mapToInt(LabeledImage::label).toArray());
        assertThat(data.labels()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4);
        for (int i : new int[] {0, 2, 3, 7, 14}) {
            LabeledImage byIndex = data.image(i);
            assertThat(byIndex.id()).isEqualTo(all.get(i).id());
            assertThat(byIndex.label()).isEqualTo(all.get(i).label());
            assertThat(byIndex.data()).isEqualTo(all.get(i).data());
        }
        assertThat(data.image(3).id()).isEqualTo("cifar10/data_batch_2/0");
        assertThatThrownBy(() -> data.image(15)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aDirectoryWithoutTheFilesIsRejectedNamingTheFile() {
        assertThatThrownBy(() -> Cifar10Binary.train(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("data_batch_1.bin is missing");
    }

    @Test
    void aFileOfPartialRecordsIsRejected() throws Exception {
        writeTrainFiles(1);
        Files.write(dir.resolve("data_batch_3.bin"), new byte[100]);
        assertThatThrownBy(() -> Cifar10Binary.train(dir)).hasMessageContaining("3073-byte");
    }

    @Test
    void theRealDataSetHas50000TrainingImagesBalancedOverTenClasses() {
        Path real = Path.of(System.getProperty("streamssl.shared.dir", "../shared"), "datasets", "cifar10");
        assumeTrue(Cifar10Binary.present(real), "CIFAR-10 not found at " + real.toAbsolutePath() + ": skipped");
        int[] perClass = new int[10];
        long n = 0;
        for (LabeledImage img : Cifar10Binary.train(real)) {
            perClass[img.label()]++;
            n++;
        }
        assertThat(n).isEqualTo(50_000);
        assertThat(perClass).containsOnly(5_000);
        assertThat(Cifar10Binary.train(real).classes()).startsWith("airplane", "automobile");
    }
}
