package io.streamssl.pipeline.program;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamssl.models.TrainerSpec;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * {@code streamssl-run.json} in {@code checkpoints.dir}: which model the checkpoints there belong to, the config
 * that shapes its state, and the Flink jobs (oldest first) whose checkpoints continue one another. {@link
 * ResumePoint} resumes only from checkpoints of these jobs, and only when the new config shapes the state alike.
 *
 * @param modelName {@code trainer.model-name}
 * @param state the keys that decide the state's tensors or their meaning, with their resolved values
 * @param jobIds the Flink job ids of this lineage, oldest first
 * @param kafkaClusterId {@code kafka.cluster-id} of the newest job, or null when unknown (not set, or a manifest
 *     written before it was recorded)
 */
public record RunManifest(String modelName, Map<String, String> state, List<String> jobIds, String kafkaClusterId) {

    public static final String FILE_NAME = "streamssl-run.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public RunManifest {
        state = new TreeMap<>(state);
        jobIds = List.copyOf(jobIds);
    }

    /** A manifest for {@code config} with no job yet. */
    public static RunManifest of(JobConfig config) {
        return new RunManifest(config.get(StreamsslOptions.MODEL_NAME), stateShaping(config), List.of(),
                config.contains(StreamsslOptions.KAFKA_CLUSTER_ID) ? config.get(StreamsslOptions.KAFKA_CLUSTER_ID) : null);
    }

    /**
     * The config that decides what the stored state is: the method and its options, the encoder, the optimizer
     * (its slots), batch size and image size (queues, views), the probe's classes. Defaults resolved, so that a
     * default that another release changes still counts as a change. A change of seed, learning rate or topics
     * does not change what the state means, and a restore takes it (the trainer reports a changed seed).
     */
    static Map<String, String> stateShaping(JobConfig config) {
        TrainerSpec spec = config.trainerSpec();
        Map<String, String> s = new TreeMap<>();
        s.put(StreamsslOptions.MODEL_NAME.key(), config.get(StreamsslOptions.MODEL_NAME));
        s.put(StreamsslOptions.METHOD.key(), config.get(StreamsslOptions.METHOD));
        s.put(StreamsslOptions.ENCODER.key(), config.get(StreamsslOptions.ENCODER));
        s.put(StreamsslOptions.STEM.key(), config.get(StreamsslOptions.STEM));
        s.put(StreamsslOptions.WIDTH.key(), Integer.toString(config.get(StreamsslOptions.WIDTH)));
        s.put(StreamsslOptions.BATCH_SIZE.key(), Integer.toString(config.get(StreamsslOptions.BATCH_SIZE)));
        s.put(StreamsslOptions.IMAGE_SIZE.key(), Integer.toString(config.get(StreamsslOptions.IMAGE_SIZE)));
        s.put(StreamsslOptions.PROBE_CLASSES.key(), Integer.toString(config.get(StreamsslOptions.PROBE_CLASSES)));
        s.put(StreamsslOptions.OPTIMIZER.key(), String.valueOf(spec.trainerOptions().get("optimizer")));
        config.methodOptions().forEach((k, v) -> s.put(JobConfig.METHOD_PREFIX + k, v));
        return s;
    }

    /** This manifest with {@code jobId} appended (once). */
    public RunManifest withJob(String jobId) {
        LinkedHashSet<String> ids = new LinkedHashSet<>(jobIds);
        ids.add(jobId);
        return new RunManifest(modelName, state, new ArrayList<>(ids), kafkaClusterId);
    }

    /** This manifest with its jobs now on the Kafka cluster {@code clusterId}. */
    public RunManifest onCluster(String clusterId) {
        return new RunManifest(modelName, state, jobIds, clusterId);
    }

    /**
     * The first key whose value differs between this stored manifest and {@code current}, as "key: stored →
     * new", or null when the state fits.
     */
    public String difference(RunManifest current) {
        TreeMap<String, String> keys = new TreeMap<>(state);
        current.state.forEach(keys::putIfAbsent);
        for (String key : keys.keySet()) {
            String stored = state.get(key);
            String now = current.state.get(key);
            if (stored == null ? now != null : !stored.equals(now)) {
                return "'" + key + "' was " + (stored == null ? "unset" : "'" + stored + "'") + " for the stored state"
                        + " and is " + (now == null ? "unset" : "'" + now + "'") + " now";
            }
        }
        return null;
    }

    /** Where the manifest of {@code checkpointsDir} lives. */
    public static Path location(String checkpointsDir) {
        return new Path(JobFlinkConfiguration.uri(checkpointsDir).replaceAll("/$", "") + "/" + FILE_NAME);
    }

    /** The manifest in {@code checkpointsDir}, or null when there is none. */
    public static RunManifest read(String checkpointsDir) throws IOException {
        Path p = location(checkpointsDir);
        FileSystem fs = p.getFileSystem();
        if (!fs.exists(p)) {
            return null;
        }
        try (InputStream in = fs.open(p)) {
            return JSON.readValue(in, RunManifest.class);
        } catch (IOException e) {
            throw new IOException("cannot read " + p + " (" + e.getMessage() + "): delete it to start fresh, or"
                    + " choose another checkpoints.dir", e);
        }
    }

    /** Writes (replaces) the manifest of {@code checkpointsDir}. */
    public void write(String checkpointsDir) throws IOException {
        Path p = location(checkpointsDir);
        FileSystem fs = p.getFileSystem();
        fs.mkdirs(p.getParent());
        try (OutputStream out = fs.create(p, FileSystem.WriteMode.OVERWRITE)) {
            JSON.writeValue(out, this);
        }
    }
}
