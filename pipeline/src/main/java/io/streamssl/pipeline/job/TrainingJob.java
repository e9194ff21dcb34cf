package io.streamssl.pipeline.job;

import io.streamssl.connectors.DeadLetter;
import io.streamssl.connectors.DeadLetterSerializationSchema;
import io.streamssl.connectors.ImageRecord;
import io.streamssl.connectors.ImageRecordDeserializationSchema;
import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.TrainerEventSerializationSchema;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.rocksdb.CompressionType;

/**
 * The streamssl topology:
 *
 * <pre>
 * KafkaSource(images) → decode+augment (parallel) ─┬─→ keyBy(model) → trainer → KafkaSink(metrics, snapshots)
 *                                                  └─ dead letters → KafkaSink(images.dlq)
 * </pre>
 *
 * Batches are assembled inside the trainer operator (not in an operator of their own): it is keyed by model
 * like a batcher would be, and a full batch would otherwise cross the network once more as one large record.
 * Every operator has a stable uid, so savepoints survive topology changes.
 */
public final class TrainingJob {

    public static final String UID_SOURCE = "kafka-images";
    public static final String UID_AUGMENT = "decode-augment";
    public static final String UID_TRAINER = "trainer";
    public static final String UID_EVENTS = "trainer-events";
    public static final String UID_DEAD_LETTERS = "dead-letters";

    private TrainingJob() {}

    /** The Flink configuration the job needs: RocksDB without compression, incremental retained checkpoints, no Kryo. */
    public static Configuration flinkConfiguration(JobConfig config) {
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

    /** Adds the topology to {@code env}. */
    public static void build(StreamExecutionEnvironment env, JobConfig config, String runId) {
        String bootstrap = config.get(StreamsslOptions.BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("config key 'kafka.bootstrap-servers' is required (host:port)");
        }
        String model = config.get(StreamsslOptions.MODEL_NAME);
        int augmentParallelism = config.get(StreamsslOptions.AUGMENT_PARALLELISM);

        KafkaSource<ImageRecord> source = KafkaSource.<ImageRecord>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(config.get(StreamsslOptions.IMAGES_TOPIC))
                .setGroupId(config.get(StreamsslOptions.GROUP_ID))
                .setStartingOffsets(startingOffsets(config.get(StreamsslOptions.STARTING_OFFSETS)))
                .setDeserializer(new ImageRecordDeserializationSchema())
                .build();

        SingleOutputStreamOperator<TrainingSample> samples = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "kafka: " + config.get(StreamsslOptions.IMAGES_TOPIC))
                .uid(UID_SOURCE).setParallelism(augmentParallelism)
                .process(new DecodeAugmentFunction(config))
                .returns(TypeInformation.of(TrainingSample.class))
                .uid(UID_AUGMENT).name("decode + augment").setParallelism(augmentParallelism);

        samples.getSideOutput(DecodeAugmentFunction.DEAD_LETTERS)
                .sinkTo(KafkaSink.<DeadLetter>builder()
                        .setBootstrapServers(bootstrap)
                        .setRecordSerializer(new DeadLetterSerializationSchema(
                                config.get(StreamsslOptions.DEAD_LETTER_TOPIC)))
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .build())
                .uid(UID_DEAD_LETTERS).name("kafka: dead letters").setParallelism(augmentParallelism);

        DataStream<TrainerEvent> events = samples
                .keyBy(new ModelKey(model), Types.STRING)
                .transform("trainer: " + model, TypeInformation.of(TrainerEvent.class), new TrainerOperator(config, runId))
                .uid(UID_TRAINER).setParallelism(1).setMaxParallelism(128);

        // exactly-once: metrics and snapshot announcements become visible only when the checkpoint holding the
        // state they describe has completed (read_committed consumers), so nobody sees a rolled-back snapshot
        events.sinkTo(KafkaSink.<TrainerEvent>builder()
                        .setBootstrapServers(bootstrap)
                        .setRecordSerializer(new TrainerEventSerializationSchema(
                                config.get(StreamsslOptions.METRICS_TOPIC), config.get(StreamsslOptions.SNAPSHOTS_TOPIC)))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix("streamssl-" + model)
                        // below the broker's transaction.max.timeout.ms (15 min by default)
                        .setProperty("transaction.timeout.ms", "600000")
                        .build())
                .uid(UID_EVENTS).name("kafka: metrics + snapshots").setParallelism(1);
    }

    private static OffsetsInitializer startingOffsets(String mode) {
        return switch (mode) {
            case "latest" -> OffsetsInitializer.latest();
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default -> OffsetsInitializer.earliest();
        };
    }

    /** Every sample belongs to the one model this job trains. */
    private static final class ModelKey implements KeySelector<TrainingSample, String> {
        private static final long serialVersionUID = 1L;
        private final String model;

        ModelKey(String model) {
            this.model = model;
        }

        @Override
        public String getKey(TrainingSample sample) {
            return model;
        }
    }
}
