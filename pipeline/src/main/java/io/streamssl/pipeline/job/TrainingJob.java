package io.streamssl.pipeline.job;

import io.streamssl.connectors.DeadLetterSink;
import io.streamssl.connectors.ImageRecord;
import io.streamssl.connectors.ImageSource;
import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.TrainerEventSink;
import io.streamssl.connectors.TopicLimits;
import io.streamssl.pipeline.config.HeldOutSettings;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.eval.HeldOutEvalOperator;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streamssl topology:
 *
 * <pre>
 * KafkaSource(images) → decode+augment (parallel) ─┬─→ keyBy(model) → trainer → KafkaSink(metrics, snapshots)
 *                                                  └─ dead letters → KafkaSink(images.dlq)
 *   trainer ─ images of steps skipped for a non-finite loss → KafkaSink(images.dlq)
 *   trainer ─ snapshot announcements → held-out eval (with eval.*, own task) ─ eval records ─→ KafkaSink(metrics)
 * </pre>
 *
 * Batches are assembled inside the trainer operator (not in an operator of their own): it is keyed by model
 * like a batcher would be, and a full batch would otherwise cross the network once more as one large record.
 * Every operator has a stable uid, so savepoints survive topology changes. The Flink configuration the job needs
 * is {@link JobFlinkConfiguration}.
 */
public final class TrainingJob {

    public static final String UID_SOURCE = "kafka-images";
    public static final String UID_AUGMENT = "decode-augment";
    public static final String UID_TRAINER = "trainer";
    public static final String UID_EVENTS = "trainer-events";
    public static final String UID_DEAD_LETTERS = "dead-letters";
    public static final String UID_TRAINER_DEAD_LETTERS = "trainer-dead-letters";
    public static final String UID_EVAL = "held-out-eval";

    private TrainingJob() {}

    /** Adds the topology to {@code env}. */
    public static void build(StreamExecutionEnvironment env, JobConfig config, String runId) {
        String bootstrap = config.get(StreamsslOptions.BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("config key 'kafka.bootstrap-servers' is required (host:port)");
        }
        String model = config.get(StreamsslOptions.MODEL_NAME);
        int augmentParallelism = config.get(StreamsslOptions.AUGMENT_PARALLELISM);
        Map<String, String> clientProperties = config.kafkaClientProperties();

        KafkaSource<ImageRecord> images = ImageSource.builder()
                .setBootstrapServers(bootstrap)
                .setTopic(config.get(StreamsslOptions.IMAGES_TOPIC))
                .setGroupId(config.get(StreamsslOptions.GROUP_ID))
                .optStartingOffsets(config.get(StreamsslOptions.STARTING_OFFSETS))
                .optClientProperties(clientProperties)
                .build();
        SingleOutputStreamOperator<TrainingSample> samples = env
                .fromSource(images, WatermarkStrategy.noWatermarks(), "kafka: " + config.get(StreamsslOptions.IMAGES_TOPIC))
                .uid(onCluster(UID_SOURCE, config)).setParallelism(augmentParallelism)
                .process(new DecodeAugmentFunction(config))
                .returns(TypeInformation.of(TrainingSample.class))
                .uid(UID_AUGMENT).name("decode + augment").setParallelism(augmentParallelism);

        samples.getSideOutput(DecodeAugmentFunction.DEAD_LETTERS)
                .sinkTo(DeadLetterSink.builder()
                        .setBootstrapServers(bootstrap)
                        .setTopic(config.get(StreamsslOptions.DEAD_LETTER_TOPIC))
                        .optClientProperties(TopicLimits.deadLetterProducer(clientProperties,
                                config.get(StreamsslOptions.MAX_IMAGE_BYTES)))
                        .build())
                .uid(UID_DEAD_LETTERS).name("kafka: dead letters").setParallelism(augmentParallelism);

        SingleOutputStreamOperator<TrainerEvent> trainer = samples
                .keyBy(new ModelKey(model), Types.STRING)
                .transform("trainer: " + model, TypeInformation.of(TrainerEvent.class), new TrainerOperator(config, runId))
                .uid(UID_TRAINER).setParallelism(1).setMaxParallelism(128);
        DataStream<TrainerEvent> events = trainer;

        trainer.getSideOutput(TrainerOperator.DEAD_LETTERS)
                .sinkTo(DeadLetterSink.builder()
                        .setBootstrapServers(bootstrap)
                        .setTopic(config.get(StreamsslOptions.DEAD_LETTER_TOPIC))
                        .optClientProperties(clientProperties) // ids and reasons only: no image bytes
                        .build())
                .uid(UID_TRAINER_DEAD_LETTERS).name("kafka: trainer dead letters").setParallelism(1);

        HeldOutSettings heldOut = config.heldOut();
        if (heldOut != null) {
            heldOut.checkExists();
            DataStream<TrainerEvent> evaluations = events
                    .filter(new SnapshotAnnouncements()).name("snapshot announcements").setParallelism(1)
                    .transform("held-out eval", TypeInformation.of(TrainerEvent.class),
                            new HeldOutEvalOperator(heldOut, clientProperties))
                    .uid(UID_EVAL).setParallelism(1).disableChaining();
            events = events.union(evaluations);
        }

        events.sinkTo(TrainerEventSink.builder()
                        .setBootstrapServers(bootstrap)
                        .setMetricsTopic(config.get(StreamsslOptions.METRICS_TOPIC))
                        .setSnapshotsTopic(config.get(StreamsslOptions.SNAPSHOTS_TOPIC))
                        .setTransactionalIdPrefix("streamssl-" + model)
                        .optClientProperties(clientProperties)
                        .build())
                .uid(onCluster(UID_EVENTS, config)).name("kafka: metrics + snapshots").setParallelism(1);
    }

    /**
     * The operator id of a Kafka source or transactional sink: {@code uid@kafka.cluster-id} when the cluster is
     * known. Its state (offsets, unfinished transactions) belongs to one cluster; on another a restore must not
     * hand it over (a transaction the new cluster never saw fails its commit with InvalidPidMappingException).
     */
    public static String onCluster(String uid, JobConfig config) {
        return config.contains(StreamsslOptions.KAFKA_CLUSTER_ID)
                ? uid + "@" + config.get(StreamsslOptions.KAFKA_CLUSTER_ID) : uid;
    }

    /** The trainer's snapshot announcements: what the held-out evaluator reads. */
    private static final class SnapshotAnnouncements implements FilterFunction<TrainerEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(TrainerEvent event) {
            return TrainerEvent.SNAPSHOT.equals(event.kind);
        }
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
