package io.streamssl.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A markdown table gathered in a file run by run ({@code bench … --table FILE}). */
final class MarkdownTableFile {

    private MarkdownTableFile() {}

    /** Appends {@code rows} to {@code file}, after {@code header} when the file is new or empty. */
    static void append(Path file, String header, String rows) throws IOException {
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, (fresh ? header : "") + rows, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
