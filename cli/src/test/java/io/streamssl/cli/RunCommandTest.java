package io.streamssl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.engine.Engine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code run}'s cluster options fail before anything starts, saying what to fix. */
class RunCommandTest {

    @TempDir
    Path dir;

    @Test
    void detachNeedsACluster() {
        Result r = run("--detach");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).contains("--detach needs --cluster HOST:PORT");
    }

    @Test
    void jobJarGoesWithCluster() {
        assertThat(run("--job-jar", "x.jar").err).contains("--job-jar goes with --cluster");
    }

    @Test
    void clusterAddressMustBeHostAndPort() {
        assertThat(run("--cluster", "localhost").err).contains("expected HOST:PORT");
        assertThat(run("--cluster", "localhost:http").err).contains("the port is not a number");
        assertThat(run("--cluster", "localhost:70000").err).contains("is not a TCP port");
    }

    @Test
    void aMissingOrForeignJobJarNamesTheBuild() throws IOException {
        assertThat(run("--cluster", "localhost:8081", "--job-jar", dir.resolve("none.jar").toString()).err)
                .contains("no such file", "mvn -B -DskipTests package");
        Path foreign = dir.resolve("foreign.jar");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(foreign))) {
            z.putNextEntry(new ZipEntry("a.txt"));
        }
        assertThat(run("--cluster", "localhost:8081", "--job-jar", foreign.toString()).err)
                .contains("is not streamssl's shaded job jar", "mvn -B -DskipTests package");
    }

    @Test
    void anUnreachableClusterNamesTheAddressAndWhatMustRunThere() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path jar = jobJarLookalike();
        Result r = run("--cluster", "localhost:" + closed, "--job-jar", jar.toString());
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).contains("no Flink REST endpoint answers at http://localhost:" + closed,
                "session cluster must be running there", "--cluster HOST:PORT");
    }

    @Test
    void aGpuDeviceWithoutAGpuFailsBeforeKafkaIsAsked() {
        assumeThat(Engine.getInstance().getGpuCount()).as("this test needs a machine without a GPU").isZero();
        Result r = run("--set", "trainer.device=gpu"); // nothing listens at localhost:9092: the GPU check comes first
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).contains("error: trainer.device=gpu asks for GPU 0", "STREAMSSL_LIBTORCH=", "--gpu")
                .doesNotContain("kafka.bootstrap-servers");
    }

    @Test
    void helpDocumentsTheClusterOptions() {
        StringWriter out = new StringWriter();
        CommandLine cl = StreamsslCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.execute("run", "--help");
        assertThat(out.toString()).contains("--cluster=HOST:PORT", "--job-jar=PATH", "--detach", "--run-id=ID",
                "flink run JAR run ...");
    }

    @Test
    void clusterOptionIsRefusedUnderFlinksCli() {
        StreamContextEnvironment.setAsContext(new DefaultExecutorServiceLoader(),
                Configuration.fromMap(Map.of("execution.target", "remote", "execution.attached", "false")),
                RunCommandTest.class.getClassLoader(), true, true);
        try {
            Result r = run("--cluster", "localhost:8081");
            assertThat(r.code).isEqualTo(1);
            assertThat(r.err).contains("--cluster submits from outside a cluster", "drop --cluster");
        } finally {
            StreamContextEnvironment.unsetAsContext();
        }
    }

    private Path jobJarLookalike() throws IOException {
        Path jar = dir.resolve("job.jar");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            z.putNextEntry(new ZipEntry("io/streamssl/pipeline/job/TrainingJob.class"));
            z.putNextEntry(new ZipEntry("org/apache/flink/connector/kafka/source/KafkaSource.class"));
        }
        return jar;
    }

    @Test
    void seedWithoutATeacherFailsAtStartNamingMethodTeacher() {
        Result r = run("--set", "trainer.method=seed");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).contains("option 'teacher' is required (method.teacher in a job config)");
        // what the demo recognises to train a stand-in teacher instead; any other config error it passes on
        IllegalArgumentException missing = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> io.streamssl.pipeline.config.JobConfig.of(Map.of("trainer.method", "seed")),
                IllegalArgumentException.class);
        assertThat(DemoTeacher.isMissingTeacher(missing)).isTrue();
        IllegalArgumentException other = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> io.streamssl.pipeline.config.JobConfig.of(Map.of("trainer.method", "seed",
                        "method.teacher", dir.resolve("absent").toString())), IllegalArgumentException.class);
        assertThat(other).hasMessageContaining("no such file or directory");
        assertThat(DemoTeacher.isMissingTeacher(other)).isFalse();
    }

    private record Result(int code, String err) {}

    private static Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("run", "--set", "kafka.bootstrap-servers=localhost:9092"));
        all.addAll(List.of(args));
        StringWriter err = new StringWriter();
        CommandLine cl = StreamsslCommand.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(all.toArray(String[]::new));
        return new Result(code, err.toString());
    }
}
