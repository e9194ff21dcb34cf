package io.streamssl.pipeline.program;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import io.streamssl.pipeline.job.TrainingJob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which checkpoint a restarted {@code run} resumes from, on directory trees laid out as Flink lays them out. */
class ResumePointTest {

    private static final String JOB_A = "aaaaaa00000000000000000000000001";
    private static final String JOB_B = "bbbbbb00000000000000000000000002";
    private static final String OTHER = "cccccc00000000000000000000000003";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);

    @Test
    void theNewestCompleteCheckpointOfTheLineageWins() throws IOException {
        checkpoint(JOB_A, 7, 1_000);
        checkpoint(JOB_B, 2, 2_000);
        checkpoint(JOB_B, 3, 3_000);
        Files.createDirectories(dir.resolve(JOB_B).resolve("chk-4")); // cut short: no _metadata
        checkpoint(OTHER, 9, 9_000); // a job of an earlier, --fresh-replaced lineage
        Files.createDirectories(dir.resolve(JOB_B).resolve("shared"));

        ResumePoint p = ResumePoint.newest(dir.toString(), manifest(JOB_A, JOB_B)).orElseThrow();

        assertThat(p.jobId()).isEqualTo(JOB_B);
        assertThat(p.checkpointId()).isEqualTo(3);
        assertThat(p.savepoint()).isFalse();
        assertThat(p.path()).endsWith(JOB_B + "/chk-3");
    }

    @Test
    void anEmptyMetadataFileIsNotACompleteCheckpoint() throws IOException {
        checkpoint(JOB_A, 2, 1_000);
        Path cut = Files.createDirectories(dir.resolve(JOB_A).resolve("chk-3"));
        Files.write(cut.resolve("_metadata"), new byte[0]);

        assertThat(ResumePoint.newest(dir.toString(), manifest(JOB_A)).orElseThrow().checkpointId()).isEqualTo(2);
    }

    @Test
    void aNewerSavepointOfTheLineageWinsOverItsCheckpoints() throws IOException {
        checkpoint(JOB_A, 5, 1_000);
        complete(dir.resolve("savepoints").resolve("savepoint-aaaaaa-0123456789ab"), 2_000);
        complete(dir.resolve("savepoints").resolve("savepoint-cccccc-0123456789ab"), 5_000); // not ours

        ResumePoint p = ResumePoint.newest(dir.toString(), manifest(JOB_A)).orElseThrow();

        assertThat(p.savepoint()).isTrue();
        assertThat(p.path()).endsWith("savepoint-aaaaaa-0123456789ab");
        assertThat(p.describe()).startsWith("savepoint of job " + JOB_A);
    }

    @Test
    void nothingToResumeInAnEmptyOrMissingDirectory() throws IOException {
        assertThat(ResumePoint.newest(dir.toString(), manifest(JOB_A))).isEmpty();
        assertThat(ResumePoint.newest(dir.resolve("missing").toString(), manifest(JOB_A))).isEmpty();
    }

    @Test
    void aRestartResumesTheNewestCheckpointAndSaysWhich() throws IOException {
        JobConfig config = config(Map.of());
        RunManifest.of(config).withJob(JOB_A).write(dir.toString());
        checkpoint(JOB_A, 6, 1_000);

        AutoResume r = AutoResume.prepare(config, false, console);

        assertThat(r.config().get(StreamsslOptions.RESTORE_FROM)).endsWith(JOB_A + "/chk-6");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("resuming from checkpoint 6 of job " + JOB_A);
        r.submitted(JOB_B);
        assertThat(RunManifest.read(dir.toString()).jobIds()).containsExactly(JOB_A, JOB_B);
    }

    @Test
    void freshStartsANewLineage() throws IOException {
        JobConfig config = config(Map.of());
        RunManifest.of(config).withJob(JOB_A).write(dir.toString());
        checkpoint(JOB_A, 6, 1_000);

        AutoResume r = AutoResume.prepare(config, true, console);
        r.submitted(JOB_B);

        assertThat(r.config().contains(StreamsslOptions.RESTORE_FROM)).isFalse();
        assertThat(RunManifest.read(dir.toString()).jobIds()).containsExactly(JOB_B);
        assertThat(ResumePoint.newest(dir.toString(), RunManifest.read(dir.toString()))).isEmpty();
    }

    @Test
    void anotherMethodRefusesToResumeNamingTheKeyBothValuesAndTheWaysOut() throws IOException {
        RunManifest.of(config(Map.of())).withJob(JOB_A).write(dir.toString());
        checkpoint(JOB_A, 6, 1_000);

        assertThatThrownBy(() -> AutoResume.prepare(config(Map.of("trainer.method", "simclr")), false, console))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'trainer.method' was 'byol'")
                .hasMessageContaining("is 'simclr' now")
                .hasMessageContaining("--fresh")
                .hasMessageContaining("another checkpoints.dir");
        assertThatThrownBy(() -> AutoResume.prepare(config(Map.of("trainer.width", "16")), false, console))
                .hasMessageContaining("'trainer.width' was '8'").hasMessageContaining("is '16' now");
    }

    @Test
    void aChangedLearningRateOrSeedStillResumes() throws IOException {
        RunManifest.of(config(Map.of())).withJob(JOB_A).write(dir.toString());
        checkpoint(JOB_A, 6, 1_000);

        AutoResume r = AutoResume.prepare(config(Map.of("trainer.learning-rate", "0.01", "trainer.seed", "7")),
                false, console);

        assertThat(r.config().contains(StreamsslOptions.RESTORE_FROM)).isTrue();
    }

    @Test
    void onAnotherKafkaClusterTheModelResumesAndTheOldClustersOffsetsAndTransactionsAreLeftBehind() throws IOException {
        RunManifest.of(config(Map.of("kafka.cluster-id", "old-cluster"))).withJob(JOB_A).write(dir.toString());
        checkpoint(JOB_A, 6, 1_000);

        JobConfig same = AutoResume.prepare(config(Map.of("kafka.cluster-id", "old-cluster")), false, console).config();
        assertThat(same.get(StreamsslOptions.IGNORE_UNCLAIMED_STATE)).isFalse();
        assertThat(TrainingJob.onCluster(TrainingJob.UID_EVENTS, same)).isEqualTo("trainer-events@old-cluster");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("kafka.cluster-id was");

        AutoResume moved = AutoResume.prepare(config(Map.of("kafka.cluster-id", "new-cluster")), false, console);
        JobConfig c = moved.config();
        assertThat(c.get(StreamsslOptions.RESTORE_FROM)).endsWith(JOB_A + "/chk-6");
        assertThat(c.get(StreamsslOptions.IGNORE_UNCLAIMED_STATE)).isTrue();
        assertThat(JobFlinkConfiguration.of(c).get(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE)).isTrue();
        // the source's and the sink's state had the old cluster in their ids: the restore does not claim it
        assertThat(TrainingJob.onCluster(TrainingJob.UID_SOURCE, c)).isEqualTo("kafka-images@new-cluster");
        assertThat(TrainingJob.onCluster(TrainingJob.UID_TRAINER, config(Map.of()))).isEqualTo("trainer");
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("kafka.cluster-id was 'old-cluster', is 'new-cluster'");
        moved.submitted(JOB_B);
        RunManifest now = RunManifest.read(dir.toString());
        assertThat(now.jobIds()).containsExactly(JOB_A, JOB_B);
        assertThat(now.kafkaClusterId()).isEqualTo("new-cluster");
    }

    @Test
    void anExplicitRestorePointWinsOverTheNewestCheckpoint() throws IOException {
        RunManifest.of(config(Map.of())).withJob(JOB_A).write(dir.toString());
        checkpoint(JOB_A, 6, 1_000);

        AutoResume r = AutoResume.prepare(config(Map.of("checkpoints.restore-from", "/elsewhere/chk-1")), false,
                console);

        assertThat(r.config().get(StreamsslOptions.RESTORE_FROM)).isEqualTo("/elsewhere/chk-1");
        assertThatThrownBy(() -> AutoResume.prepare(config(Map.of("checkpoints.restore-from", "/x")), true, console))
                .hasMessageContaining("--fresh and checkpoints.restore-from");
    }

    private JobConfig config(Map<String, String> more) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("trainer.width", "8",
                "checkpoints.dir", dir.toString()));
        m.putAll(more);
        return JobConfig.of(m);
    }

    private static RunManifest manifest(String... jobs) {
        return new RunManifest("encoder", Map.of(), List.of(jobs), null);
    }

    private void checkpoint(String job, int n, long modified) throws IOException {
        complete(dir.resolve(job).resolve("chk-" + n), modified);
    }

    private static void complete(Path checkpointDir, long modified) throws IOException {
        Files.createDirectories(checkpointDir);
        Path metadata = checkpointDir.resolve("_metadata");
        Files.write(metadata, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(modified));
    }
}
