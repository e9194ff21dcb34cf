package io.streamssl.connectors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How large a Kafka record of streamssl may be, so that the producer, the topics and the job agree with
 * {@code augment.max-image-bytes} (16 MiB by default) instead of Kafka's 1 MB defaults ({@code max.request.size}
 * of a producer, {@code message.max.bytes} of a broker, {@code max.message.bytes} of a topic).
 *
 * <ul>
 *   <li>An image record is the image plus headers and key: {@link #imageRecordBytes} = image limit + 1 MiB
 *       ({@value #IMAGE_TOPIC_BYTES} for the default). The image producer's {@code max.request.size} and the
 *       images topic's {@code max.message.bytes} are at least that.</li>
 *   <li>A dead letter carries the record's bytes plus the reason and the original headers:
 *       {@link #deadLetterRecordBytes} = image limit + 2 MiB ({@value #DEAD_LETTER_TOPIC_BYTES}).</li>
 * </ul>
 *
 * A producer property the user sets ({@code max.request.size}) wins over these.
 */
public final class TopicLimits {

    /** The job's default image limit ({@code augment.max-image-bytes}): 16 MiB. */
    public static final int DEFAULT_MAX_IMAGE_BYTES = 16 * 1024 * 1024;
    /** Room for an image record's key and headers (id, label, source path, timestamps). */
    public static final int RECORD_HEADROOM_BYTES = 1024 * 1024;
    /** Room for a dead letter's reason, error text and the original headers. */
    public static final int DEAD_LETTER_HEADROOM_BYTES = 2 * 1024 * 1024;
    /** {@code max.message.bytes} of an images topic for the default image limit (16 MiB + 1 MiB). */
    public static final long IMAGE_TOPIC_BYTES = 17_825_792L;
    /** {@code max.message.bytes} of a dead-letter topic for the default image limit (16 MiB + 2 MiB). */
    public static final long DEAD_LETTER_TOPIC_BYTES = 18_874_368L;

    private TopicLimits() {}

    /** The largest image record for images of up to {@code maxImageBytes}. */
    public static long imageRecordBytes(long maxImageBytes) {
        return maxImageBytes + RECORD_HEADROOM_BYTES;
    }

    /** The largest dead letter for images of up to {@code maxImageBytes}. */
    public static long deadLetterRecordBytes(long maxImageBytes) {
        return maxImageBytes + DEAD_LETTER_HEADROOM_BYTES;
    }

    /** {@code clientProperties} with a {@code max.request.size} for image records, unless they set one. */
    public static Map<String, String> imageProducer(Map<String, String> clientProperties, long maxImageBytes) {
        return withRequestSize(clientProperties, imageRecordBytes(maxImageBytes));
    }

    /** {@code clientProperties} with a {@code max.request.size} for dead letters, unless they set one. */
    public static Map<String, String> deadLetterProducer(Map<String, String> clientProperties, long maxImageBytes) {
        return withRequestSize(clientProperties, deadLetterRecordBytes(maxImageBytes));
    }

    private static Map<String, String> withRequestSize(Map<String, String> clientProperties, long bytes) {
        Map<String, String> out = new LinkedHashMap<>(clientProperties);
        out.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(bytes));
        // the producer's buffer must hold one such record (32 MiB by default: enough up to ~30 MiB images)
        long buffer = Long.parseLong(out.getOrDefault(ProducerConfig.BUFFER_MEMORY_CONFIG, "33554432"));
        if (buffer < bytes) {
            out.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(2 * bytes));
        }
        return out;
    }

    /**
     * One line per topic of {@code requiredBytesByTopic} whose effective {@code max.message.bytes} (its own, else
     * the broker's default) is below the bytes it needs, naming the topic, both figures and the command that
     * raises it; a topic that does not exist or cannot be described within {@code timeout} gets a line saying so.
     * Empty when every topic can take its largest record.
     */
    public static List<String> warnings(Admin admin, Map<String, Long> requiredBytesByTopic, Duration timeout) {
        List<String> warnings = new ArrayList<>();
        Map<String, ConfigResource> resources = new LinkedHashMap<>();
        requiredBytesByTopic.keySet().forEach(t -> resources.put(t, new ConfigResource(ConfigResource.Type.TOPIC, t)));
        Map<ConfigResource, org.apache.kafka.common.KafkaFuture<Config>> futures =
                admin.describeConfigs(resources.values()).values();
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> limits = new HashMap<>();
        for (Map.Entry<String, ConfigResource> e : resources.entrySet()) {
            String topic = e.getKey();
            try {
                Config config = futures.get(e.getValue())
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (entry != null && entry.value() != null) {
                    limits.put(topic, Long.parseLong(entry.value()));
                }
            } catch (ExecutionException ex) {
                warnings.add("topic '" + topic + "': cannot read its max.message.bytes ("
                        + ex.getCause().getMessage() + ")");
            } catch (TimeoutException ex) {
                warnings.add("topic '" + topic + "': cannot read its max.message.bytes within " + timeout);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                warnings.add("topic '" + topic + "': interrupted while reading its max.message.bytes");
                break;
            }
        }
        requiredBytesByTopic.forEach((topic, required) -> {
            Long limit = limits.get(topic);
            if (limit != null && limit < required) {
                warnings.add("topic '" + topic + "' takes records of at most " + limit + " bytes"
                        + " (max.message.bytes) but needs " + required + ": larger images will be rejected; raise it"
                        + " with kafka-configs.sh --alter --entity-type topics --entity-name " + topic
                        + " --add-config max.message.bytes=" + required);
            }
        });
        return warnings;
    }
}
