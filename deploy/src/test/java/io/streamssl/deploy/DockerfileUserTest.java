package io.streamssl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Our Dockerfiles' steps against the user they run as. No Docker engine runs here, so a {@code RUN mkdir /x} that
 * the base image's user may not do would only fail on a user's machine: this test fails first.
 */
class DockerfileUserTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("..")
            .normalize();
    private static final String FLINK_IMAGE = "flink:2.2.1-java17";
    /**
     * The official Flink image ends with {@code USER flink}; flink's home is /opt/flink, which it owns. Source:
     * github.com/apache/flink-docker, 2.2/scala_2.12-java17-ubuntu/Dockerfile (commit 983be3455636, tags
     * 2.2.1-java17 … in release.metadata): {@code useradd --system --home-dir $FLINK_HOME --uid=9999 --gid=flink
     * flink}, {@code chown -R flink:flink .} in {@code WORKDIR $FLINK_HOME}, then {@code USER flink} before the
     * entrypoint. (flink-docker dropped its gosu step-down from root: the image starts as flink.)
     */
    private static final Map<String, String> OFFICIAL_USERS = Map.of(FLINK_IMAGE, "flink");
    private static final Map<String, List<String>> WRITABLE = Map.of("flink", List.of("/opt/flink", "/tmp"));

    @Test
    void theJobImageWritesOutsideFlinksHomeOnlyAsRootAndRunsAsFlink() throws IOException {
        DockerfileSteps job = jobImage();
        assertThat(job.writesOutside(WRITABLE)).isEmpty();
        assertThat(job.finalUser()).as("the user deploy/Dockerfile's containers run as").isEqualTo("flink");
        // the mount points for the named volumes exist (as root) and belong to flink
        assertThat(job.steps()).anyMatch(s -> s.keyword().equals("RUN") && s.user().equals("root")
                && s.arguments().contains("mkdir -p /opt/flink/djl-cache /checkpoints /snapshots")
                && s.arguments().contains("chown -R flink:flink /opt/flink/djl-cache /checkpoints /snapshots"));
    }

    @Test
    void theGpuImageStartsFromTheJobImageFetchesAsRootAndRunsAsFlink() throws IOException {
        DockerfileSteps gpu = DockerfileSteps.parse(Files.readAllLines(ROOT.resolve("deploy/Dockerfile.gpu")),
                Map.of("streamssl-flink:0.1.0", jobImage().finalUser()));
        assertThat(gpu.writesOutside(WRITABLE)).isEmpty();
        assertThat(gpu.finalUser()).as("the user deploy/Dockerfile.gpu's containers run as").isEqualTo("flink");
        assertThat(gpu.steps()).filteredOn(s -> s.keyword().equals("RUN"))
                .allMatch(s -> s.user().equals("root"), "apt-get and the unzip into /opt need root");
    }

    /** What deploy/Dockerfile said before: flink, the base image's user, cannot create /checkpoints. */
    @Test
    void theCheckRefusesTheOldMkdirUnderTheBaseImagesUser() {
        List<String> old = List.of(
                "FROM " + FLINK_IMAGE,
                "COPY --chown=flink:flink deploy/flink/config.yaml /opt/flink/conf/config.yaml",
                "RUN mkdir -p /opt/flink/djl-cache /checkpoints /snapshots \\",
                " && chown -R flink:flink /opt/flink/djl-cache /checkpoints /snapshots");
        List<DockerfileSteps.Violation> violations = DockerfileSteps.parse(old, OFFICIAL_USERS)
                .writesOutside(WRITABLE);
        assertThat(violations).extracting(DockerfileSteps.Violation::path)
                .containsExactly("/checkpoints", "/snapshots", "/checkpoints", "/snapshots");
        assertThat(violations.get(0).toString()).contains("line 3 (USER flink)");
    }

    @Test
    void theParserReadsWhatTheCommandsWrite() {
        assertThat(DockerfileSteps.writtenPaths("set -eu; mkdir -p /a /b && chown -R u:g /c; chmod 755 /d"))
                .containsExactly("/a", "/b", "/c", "/d");
        assertThat(DockerfileSteps.writtenPaths("mv /x /y && ln -s /p /q | cat")).containsExactly("/y", "/q");
        assertThat(DockerfileSteps.writtenPaths("echo mkdir && test -f /z")).isEmpty();
    }

    private static DockerfileSteps jobImage() throws IOException {
        return DockerfileSteps.parse(Files.readAllLines(ROOT.resolve("deploy/Dockerfile")), OFFICIAL_USERS);
    }
}
