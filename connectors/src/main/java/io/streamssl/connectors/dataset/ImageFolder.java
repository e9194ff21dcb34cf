package io.streamssl.connectors.dataset;

import io.streamssl.connectors.ImageRecordHeaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A folder whose sub-folders are class names (torchvision's ImageFolder layout): {@code root/cat/1.png} has
 * the label of "cat", labels numbered in sorted class-name order. PNG and JPEG files are published as they are
 * (no re-encoding); ids are the paths relative to the root.
 */
public final class ImageFolder implements ImageDataset {

    private final Path root;
    private final List<String> classes;
    private final List<Path> files;

    public ImageFolder(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("image folder " + root + " does not exist or is not a directory");
        }
        this.root = root;
        try (Stream<Path> dirs = Files.list(root)) {
            this.classes = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("image folder " + root
                    + " has no class sub-folders: put images in root/<class name>/<file>.png|jpg");
        }
        try (Stream<Path> all = Files.walk(root)) {
            this.files = all.filter(Files::isRegularFile).filter(p -> contentType(p) != null)
                    .filter(p -> p.getParent() != null && !p.getParent().equals(root)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String contentType(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".png")) {
            return ImageRecordHeaders.PNG;
        }
        if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
            return ImageRecordHeaders.JPEG;
        }
        return null;
    }

    @Override
    public String name() {
        return root.getFileName().toString();
    }

    @Override
    public long size() {
        return files.size();
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public Iterator<LabeledImage> iterator() {
        Iterator<Path> it = files.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public LabeledImage next() {
                return load(it.next());
            }
        };
    }

    @Override
    public LabeledImage image(long index) {
        if (index < 0 || index >= files.size()) {
            throw new IndexOutOfBoundsException("image " + index + " of " + files.size() + " in " + root);
        }
        return load(files.get((int) index));
    }

    /** Labels from the files' class folders, without reading the files. */
    @Override
    public int[] labels() {
        return files.stream().mapToInt(this::label).toArray();
    }

    private int label(Path p) {
        return classes.indexOf(root.relativize(p).getName(0).toString());
    }

    private LabeledImage load(Path p) {
        Path rel = root.relativize(p);
        try {
            return new LabeledImage(rel.toString().replace('\\', '/'), Files.readAllBytes(p), contentType(p), 0, 0,
                    label(p));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + p + ": " + e.getMessage(), e);
        }
    }
}
