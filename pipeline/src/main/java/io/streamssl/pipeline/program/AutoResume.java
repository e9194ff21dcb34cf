package io.streamssl.pipeline.program;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@code run} and {@code demo} start: from the newest checkpoint or savepoint of the same model in
 * {@code checkpoints.dir} (a crashed or stopped run continues), unless told to start fresh ({@code --fresh}) or
 * given {@code checkpoints.restore-from}. A stored state that the config no longer fits (another method, width,
 * …) refuses the start, naming the key; once the job is submitted its id joins the run's {@link RunManifest}.
 */
public final class AutoResume {

    private final JobConfig config;
    private final RunManifest lineage;
    private final String checkpointsDir;

    private AutoResume(JobConfig config, RunManifest lineage) {
        this.config = config;
        this.lineage = lineage;
        this.checkpointsDir = config.get(StreamsslOptions.CHECKPOINT_DIR);
    }

    /** Decides where the job starts and says so on {@code console}. */
    public static AutoResume prepare(JobConfig config, boolean fresh, PrintStream console) throws IOException {
        String dir = config.get(StreamsslOptions.CHECKPOINT_DIR);
        RunManifest current = RunManifest.of(config);
        if (fresh && config.contains(StreamsslOptions.RESTORE_FROM)) {
            throw new IllegalArgumentException("--fresh and checkpoints.restore-from contradict each other: drop one");
        }
        RunManifest stored = RunManifest.read(dir);
        if (config.contains(StreamsslOptions.RESTORE_FROM)) {
            console.println("restoring from " + config.get(StreamsslOptions.RESTORE_FROM)
                    + " (checkpoints.restore-from)");
            boolean sameLineage = stored != null && stored.difference(current) == null;
            return new AutoResume(config, sameLineage ? stored : current);
        }
        Optional<ResumePoint> newest = stored == null ? Optional.empty() : ResumePoint.newest(dir, stored);
        if (fresh) {
            if (newest.isPresent()) {
                console.println("starting fresh (--fresh): not resuming from " + newest.get().describe());
            }
            return new AutoResume(config, current);
        }
        if (newest.isEmpty()) {
            return new AutoResume(config, current);
        }
        String difference = stored.difference(current);
        if (difference != null) {
            throw new IllegalArgumentException("cannot resume from " + newest.get().describe() + ": config key "
                    + difference + ", and the stored state does not fit the new value. Either start fresh with"
                    + " --fresh (the old checkpoints stay where they are), or give this run another checkpoints.dir"
                    + " (now " + dir + ")");
        }
        console.println("resuming from " + newest.get().describe() + " (--fresh starts over); the trainer reports"
                + " the step it restored");
        Map<String, String> restore = new HashMap<>(Map.of(StreamsslOptions.RESTORE_FROM.key(), newest.get().path()));
        if (!Objects.equals(stored.kafkaClusterId(), current.kafkaClusterId())) {
            // the Kafka source's offsets and the sink's unfinished transactions belong to the old cluster; their
            // operator ids carry the cluster id (TrainingJob.onCluster), so the restore leaves them behind
            console.println("the Kafka cluster is not the one of the stored state (kafka.cluster-id was "
                    + describe(stored.kafkaClusterId()) + ", is " + describe(current.kafkaClusterId()) + "): the"
                    + " model and the trainer's state resume; the images are read from kafka.starting-offsets, and"
                    + " the old cluster's unfinished metrics/snapshot transactions are dropped");
            restore.put(StreamsslOptions.IGNORE_UNCLAIMED_STATE.key(), "true");
        }
        return new AutoResume(config.with(restore), stored.onCluster(current.kafkaClusterId()));
    }

    private static String describe(String clusterId) {
        return clusterId == null ? "unknown" : "'" + clusterId + "'";
    }

    /** The config to run: with {@code checkpoints.restore-from} set when resuming. */
    public JobConfig config() {
        return config;
    }

    /** Records the submitted job in the run's manifest, so that the next start resumes from its checkpoints. */
    public void submitted(String jobId) {
        try {
            lineage.withJob(jobId).write(checkpointsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + RunManifest.location(checkpointsDir)
                    + ": a restart could not resume this run", e);
        }
    }
}
