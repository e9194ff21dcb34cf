package io.streamssl.pipeline.job;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.rocksdb.CompressionType;

/** The Flink configuration {@link TrainingJob} needs, wherever it runs (MiniCluster, session cluster, operator). */
public final class JobFlinkConfiguration {

    private JobFlinkConfiguration() {}

    /** RocksDB without compression, incremental retained checkpoints, no Kryo; the savepoint to restore, if any. */
    public static Configuration of(JobConfig config) {
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, uri(config.get(StreamsslOptions.CHECKPOINT_DIR)));
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.get(StreamsslOptions.CHECKPOINT_INTERVAL));
        c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, config.get(StreamsslOptions.CHECKPOINTS_RETAINED));
        c.set(CheckpointingOptions.ENABLE_UNALIGNED, config.get(StreamsslOptions.CHECKPOINTS_UNALIGNED));
        c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        c.set(PipelineOptions.GENERIC_TYPES, false);
        // the state is float32 tensors, which RocksDB's default Snappy does not shrink (byol-r18's full checkpoint:
        // 180.2 MiB with it, 180.3 without) but runs at every flush and compaction, on the trainer's thread in the
        // checkpoint's synchronous part and in the background beside training (see the README's figures)
        c.set(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL, List.of(CompressionType.NO_COMPRESSION));
        if (config.contains(StreamsslOptions.RESTORE_FROM)) {
            c.set(StateRecoveryOptions.SAVEPOINT_PATH, uri(config.get(StreamsslOptions.RESTORE_FROM)));
            c.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE,
                    config.get(StreamsslOptions.IGNORE_UNCLAIMED_STATE));
        }
        return c;
    }

    /**
     * A path or URI as a URI string (relative paths become absolute file URIs). {@code file:/x} counts as a URI:
     * it is how Flink prints savepoint paths.
     */
    public static String uri(String pathOrUri) {
        if (pathOrUri.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
            return pathOrUri;
        }
        return Path.of(pathOrUri).toAbsolutePath().normalize().toUri().toString();
    }
}
