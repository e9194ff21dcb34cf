package io.streamssl.cli.bench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** CIFAR-10 for the benchmarks' end-to-end tests: it is not in the repository, so a test without it is skipped. */
final class SharedCifar10 {

    private SharedCifar10() {}

    /** {@code <streamssl.shared.dir, ../shared>/datasets/cifar10}; skips the test, naming {@code what}, if absent. */
    static Path orSkip(String what) {
        Path cifar = Path.of(System.getProperty("streamssl.shared.dir", "../shared"), "datasets", "cifar10");
        assumeTrue(Files.isRegularFile(cifar.resolve("test_batch.bin")), "CIFAR-10 not found at "
                + cifar.toAbsolutePath() + " (set -Dstreamssl.shared.dir): skipping " + what);
        return cifar;
    }
}
