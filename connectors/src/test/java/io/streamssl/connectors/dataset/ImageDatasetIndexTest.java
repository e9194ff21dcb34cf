package io.streamssl.connectors.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageDataset#labels()} and {@link ImageDataset#image} give what iteration gives (CIFAR-10: its own test). */
class ImageDatasetIndexTest {

    @TempDir
    Path dir;

    @Test
    void generatedShapes() {
        assertAgree(new GeneratedShapes(23, 3, 16));
        assertThat(new GeneratedShapes(23, 3, 16).labels()).startsWith(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1);
    }

    @Test
    void imageFolder() throws Exception {
        for (String c : List.of("cat", "dog", "emu")) {
            Files.createDirectories(dir.resolve(c));
        }
        Files.write(dir.resolve("dog/b.png"), new byte[] {1});
        Files.write(dir.resolve("cat/a.jpg"), new byte[] {2});
        Files.write(dir.resolve("emu/c.png"), new byte[] {3});
        Files.write(dir.resolve("dog/a.png"), new byte[] {4});
        ImageFolder folder = new ImageFolder(dir);
        assertAgree(folder);
        assertThat(folder.labels()).containsExactly(0, 1, 1, 2);
        assertThat(folder.image(2).id()).isEqualTo("dog/b.png");
    }

    @Test
    void aDataSetWithoutItsOwnLabelsReadsThemFromItsImages() {
        GeneratedShapes shapes = new GeneratedShapes(12, 1, 16);
        ImageDataset plain = new ImageDataset() {
            @Override
            public String name() {
                return "plain";
            }

            @Override
            public long size() {
                return shapes.size();
            }

            @Override
            public List<String> classes() {
                return shapes.classes();
            }

            @Override
            public LabeledImage image(long index) {
                return shapes.image(index);
            }

            @Override
            public java.util.Iterator<LabeledImage> iterator() {
                return shapes.iterator();
            }
        };
        assertThat(plain.labels()).containsExactly(shapes.labels());
    }

    private static void assertAgree(ImageDataset data) {
        List<LabeledImage> all = new ArrayList<>();
        data.forEach(all::add);
        assertThat(data.labels()).containsExactly(all.stream().mapToInt(LabeledImage::label).toArray());
        for (int i = 0; i < all.size(); i++) {
            assertThat(data.image(i).id()).isEqualTo(all.get(i).id());
            assertThat(data.image(i).label()).isEqualTo(all.get(i).label());
            assertThat(data.image(i).data()).isEqualTo(all.get(i).data());
        }
    }
}
