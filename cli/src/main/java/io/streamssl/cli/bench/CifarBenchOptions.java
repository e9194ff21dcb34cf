package io.streamssl.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options and the output of the benchmarks that train on CIFAR-10 and print a result ({@code bench quality},
 * {@code bench continual}): where CIFAR-10 is, the table or {@code --json}, and {@code --table FILE}.
 */
public final class CifarBenchOptions {

    /** Appends a result's markdown rows to a file. */
    @FunctionalInterface
    public interface RowWriter {
        void append(Path file) throws IOException;
    }

    @Option(names = "--cifar10", paramLabel = "DIR", description = "CIFAR-10, binary version (data_batch_1.bin …"
            + " data_batch_5.bin, test_batch.bin); default: <streamssl.shared.dir, ../shared>/datasets/cifar10.")
    Path cifar10;

    @Option(names = "--json", description = "Print one JSON object instead of the table (progress goes to stderr).")
    boolean json;

    @Option(names = "--table", paramLabel = "FILE",
            description = "Append the result as markdown table rows to FILE (with a header when FILE is new).")
    Path table;

    /** {@code --cifar10}, or {@code <streamssl.shared.dir, ../shared>/datasets/cifar10}. */
    public Path cifar10() {
        return cifar10 != null ? cifar10
                : Path.of(System.getProperty("streamssl.shared.dir", "../shared"), "datasets", "cifar10");
    }

    /** Where progress goes: stderr when stdout carries the JSON. */
    public PrintStream progress() {
        return json ? System.err : System.out;
    }

    /**
     * Prints {@code json} or, after a blank line, {@code table} and where {@code resultFile} is; then appends the
     * rows to {@code --table}'s file when given.
     */
    public void report(PrintWriter out, String json, String table, Path resultFile, RowWriter rows)
            throws IOException {
        if (this.json) {
            out.println(json);
        } else {
            out.println();
            out.print(table);
            out.println("result: " + resultFile);
        }
        if (this.table != null) {
            rows.append(this.table);
            if (!this.json) {
                out.println("rows appended to " + this.table);
            }
        }
        out.flush();
    }
}
