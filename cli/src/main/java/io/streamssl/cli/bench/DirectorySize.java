package io.streamssl.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The bytes of the regular files under a directory. RocksDB and Flink's checkpoint retention add and delete files
 * while it walks: a file or folder that vanishes meanwhile counts as absent, not as an error.
 */
public final class DirectorySize {

    private DirectorySize() {}

    /** Bytes under {@code dir}; 0 if it does not exist. */
    public static long of(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (NoSuchFileException e) {
            return total[0];
        } catch (IOException e) {
            throw new UncheckedIOException("could not measure " + dir, e);
        }
        return total[0];
    }
}
