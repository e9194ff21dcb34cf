package io.streamssl.pipeline.embed;

import io.streamssl.connectors.DeadLetter;
import io.streamssl.connectors.DeadLetterSink;
import io.streamssl.connectors.ImageRecord;
import io.streamssl.connectors.ImageSource;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.TopicLimits;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The {@code embed} topology: images in, embeddings out, made with the newest committed snapshot.
 *
 * <pre>
 * KafkaSource(images) → decode (embed.parallelism) ─┬─→ embed ──→ KafkaSink(embeddings, exactly once)
 *                                                   └─ dead letters → KafkaSink(images.dlq)
 * KafkaSource(snapshots, read_committed) ─ broadcast ─┘  └─ refused snapshots → KafkaSink(images.dlq)
 * </pre>
 *
 * The snapshots topic is read from its beginning with {@code read_committed}, so the embed operator
 * ({@link EmbedOperator}) only ever sees announcements whose checkpoint completed in the training job, and
 * keeps the newest. The embeddings are written in Kafka transactions that commit with this job's checkpoints:
 * with the image offsets in the same checkpoints, every image is embedded exactly once for a read_committed
 * reader, through failures. Every operator has a stable uid. The Flink configuration is the training job's
 * ({@code JobFlinkConfiguration}): checkpoint interval and directory, RocksDB.
 */
public final class EmbedJob {

    public static final String UID_SOURCE = "embed-kafka-images";
    public static final String UID_DECODE = "embed-decode";
    public static final String UID_SNAPSHOTS = "embed-kafka-snapshots";
    public static final String UID_EMBED = "embed";
    public static final String UID_EMBEDDINGS = "embed-kafka-embeddings";
    public static final String UID_DEAD_LETTERS = "embed-dead-letters";
    public static final String UID_REFUSED = "embed-refused-snapshots";

    // below the broker's transaction.max.timeout.ms (15 min by default), as the trainer's sink
    static final String TRANSACTION_TIMEOUT_MS = "600000";

    private EmbedJob() {}

    /** Adds the topology to {@code env}. */
    public static void build(StreamExecutionEnvironment env, JobConfig config) {
        String bootstrap = config.get(StreamsslOptions.BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("config key 'kafka.bootstrap-servers' is required (host:port)");
        }
        int parallelism = config.get(StreamsslOptions.EMBED_PARALLELISM);
        Map<String, String> clientProperties = config.kafkaClientProperties();
        KafkaClientProperties client = KafkaClientProperties.of(bootstrap, clientProperties);
        String imagesTopic = config.get(StreamsslOptions.IMAGES_TOPIC);
        String snapshotsTopic = config.get(StreamsslOptions.SNAPSHOTS_TOPIC);
        String groupId = config.get(StreamsslOptions.EMBED_GROUP_ID);

        KafkaSource<ImageRecord> images = ImageSource.builder()
                .setBootstrapServers(bootstrap)
                .setTopic(imagesTopic)
                .setGroupId(groupId)
                .optStartingOffsets(config.get(StreamsslOptions.STARTING_OFFSETS))
                .optClientProperties(clientProperties)
                .build();
        SingleOutputStreamOperator<DecodedImage> decoded = env
                .fromSource(images, WatermarkStrategy.noWatermarks(), "kafka: " + imagesTopic)
                .uid(UID_SOURCE).setParallelism(parallelism)
                .process(new DecodeFunction(config.get(StreamsslOptions.MAX_IMAGE_BYTES),
                        config.get(StreamsslOptions.MAX_IMAGE_PIXELS)))
                .returns(TypeInformation.of(DecodedImage.class))
                .uid(UID_DECODE).name("decode").setParallelism(parallelism);
        deadLetters(decoded.getSideOutput(DecodeFunction.DEAD_LETTERS), config, bootstrap,
                TopicLimits.deadLetterProducer(clientProperties, config.get(StreamsslOptions.MAX_IMAGE_BYTES)))
                .uid(UID_DEAD_LETTERS).name("kafka: dead letters").setParallelism(parallelism);

        // the announcements of committed snapshots only: a transaction of the trainer that was rolled back is
        // never seen, nor one whose checkpoint has not completed yet
        KafkaSource<String> announcements = KafkaSource.<String>builder()
                .setProperties(client.connector(Map.of()))
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setTopics(snapshotsTopic)
                .setGroupId(groupId + "-snapshots")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();
        DataStream<String> snapshots = env
                .fromSource(announcements, WatermarkStrategy.noWatermarks(), "kafka: " + snapshotsTopic)
                .uid(UID_SNAPSHOTS).setParallelism(1);

        SingleOutputStreamOperator<Embedding> embeddings = decoded
                .connect(snapshots.broadcast())
                .transform("embed", TypeInformation.of(Embedding.class),
                        new EmbedOperator(config.get(StreamsslOptions.EMBED_BATCH_SIZE), config.embedFailAfter()))
                .uid(UID_EMBED).setParallelism(parallelism);
        deadLetters(embeddings.getSideOutput(EmbedOperator.DEAD_LETTERS), config, bootstrap, clientProperties)
                .uid(UID_REFUSED).name("kafka: refused snapshots").setParallelism(parallelism);

        KafkaSink<Embedding> sink = KafkaSink.<Embedding>builder()
                .setKafkaProducerConfig(client.connector(
                        Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS)))
                .setRecordSerializer(new EmbeddingSerializationSchema(
                        config.get(StreamsslOptions.EMBED_OUTPUT_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.get(StreamsslOptions.EMBED_TRANSACTIONAL_ID_PREFIX))
                .build();
        embeddings.sinkTo(sink).uid(UID_EMBEDDINGS)
                .name("kafka: " + config.get(StreamsslOptions.EMBED_OUTPUT_TOPIC)).setParallelism(parallelism);
    }

    private static org.apache.flink.streaming.api.datastream.DataStreamSink<DeadLetter> deadLetters(
            DataStream<DeadLetter> letters, JobConfig config, String bootstrap, Map<String, String> properties) {
        return letters.sinkTo(DeadLetterSink.builder()
                .setBootstrapServers(bootstrap)
                .setTopic(config.get(StreamsslOptions.DEAD_LETTER_TOPIC))
                .optClientProperties(properties)
                .build());
    }

    /** The job's name on the cluster. */
    public static String jobName(JobConfig config) {
        return "streamssl embed: " + config.get(StreamsslOptions.IMAGES_TOPIC) + " → "
                + config.get(StreamsslOptions.EMBED_OUTPUT_TOPIC);
    }
}
