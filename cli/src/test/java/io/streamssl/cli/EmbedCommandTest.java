package io.streamssl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code embed}'s options and config fail before anything starts, saying what to fix. */
class EmbedCommandTest {

    @Test
    void bootstrapServersAreRequired() {
        Result r = run();
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).contains("'kafka.bootstrap-servers' is required for `embed`");
    }

    @Test
    void badOptionsNameTheOption() {
        assertThat(run("--max-images", "-1").err).contains("--max-images must be >= 0");
        assertThat(run("--detach").err).contains("--detach needs --cluster HOST:PORT");
        assertThat(run("--job-jar", "x.jar").err).contains("--job-jar goes with --cluster");
        assertThat(run("--cluster", "localhost").err).contains("expected HOST:PORT");
        assertThat(run("--set", "embed.batch-size=0").err).contains("'embed.batch-size' must be >= 1");
    }

    @Test
    void checkpointsGoBesideTheTrainersAndANewJobStartsAtCommittedOffsets() {
        JobConfig c = io.streamssl.pipeline.program.EmbedCommand.config(JobConfig.of(Map.of("checkpoints.dir", "/data/ckpt/")), null);
        assertThat(c.get(StreamsslOptions.CHECKPOINT_DIR)).isEqualTo("/data/ckpt-embed");
        assertThat(c.get(StreamsslOptions.STARTING_OFFSETS)).isEqualTo("committed");
        JobConfig given = io.streamssl.pipeline.program.EmbedCommand.config(JobConfig.of(Map.of("kafka.starting-offsets", "earliest")), "/x");
        assertThat(given.get(StreamsslOptions.CHECKPOINT_DIR)).isEqualTo("/x");
        assertThat(given.get(StreamsslOptions.STARTING_OFFSETS)).isEqualTo("earliest");
    }

    @Test
    void helpDocumentsTheOptions() {
        StringWriter out = new StringWriter();
        CommandLine cl = StreamsslCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.execute("embed", "--help");
        assertThat(out.toString()).contains("--cluster=HOST:PORT", "--max-images=N", "snapshot-sha256",
                "read_committed");
    }

    private record Result(int code, String err) {}

    private static Result run(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("embed"));
        all.addAll(List.of(args));
        StringWriter err = new StringWriter();
        CommandLine cl = StreamsslCommand.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(all.toArray(String[]::new));
        return new Result(code, err.toString());
    }
}
