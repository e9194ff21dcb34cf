package io.streamssl.pipeline.program;

import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.TopicLimits;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.ConfigOption;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What {@code run} checks before it submits the job, so that a wrong broker address or a missing topic fails at
 * once with the config key, its value and what to do, instead of a job that Flink restarts over and over: the
 * broker answers at {@code kafka.bootstrap-servers}, and every topic the job reads or writes exists. It returns
 * warnings (a topic with fewer partitions than the job reads in parallel, a topic whose {@code max.message.bytes}
 * is below {@code augment.max-image-bytes} and the headers) for the caller to print.
 */
public final class KafkaStartupCheck {

    /** How long the broker may take to answer: a reachable broker answers in milliseconds. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final JobConfig config;
    private final Map<String, String> clientProperties;
    private final Duration timeout;

    /**
     * @param clientProperties extra Kafka client properties (security settings) the job's clients get as well
     */
    public KafkaStartupCheck(JobConfig config, Map<String, String> clientProperties, Duration timeout) {
        this.config = config;
        this.clientProperties = clientProperties;
        this.timeout = timeout;
    }

    /** The topics the job reads or writes, by the config key that names them. */
    Map<ConfigOption<String>, Integer> topics() {
        Map<ConfigOption<String>, Integer> t = new LinkedHashMap<>();
        // images: one partition per parallel reader is what lets augment.parallelism read in parallel
        t.put(StreamsslOptions.IMAGES_TOPIC, Math.max(1, config.get(StreamsslOptions.AUGMENT_PARALLELISM)));
        t.put(StreamsslOptions.METRICS_TOPIC, 1);
        t.put(StreamsslOptions.SNAPSHOTS_TOPIC, 1);
        t.put(StreamsslOptions.DEAD_LETTER_TOPIC, 1);
        if (config.contains(StreamsslOptions.EVAL_TOPIC) && !config.get(StreamsslOptions.EVAL_TOPIC).isBlank()) {
            t.put(StreamsslOptions.EVAL_TOPIC, 1);
        }
        return t;
    }

    /**
     * The largest record each topic must take: an image of {@code augment.max-image-bytes} with its headers, and
     * on the dead-letter topic the same bytes with the reason.
     */
    Map<String, Long> recordBytesByTopic() {
        long maxImage = config.get(StreamsslOptions.MAX_IMAGE_BYTES);
        Map<String, Long> bytes = new LinkedHashMap<>();
        bytes.put(config.get(StreamsslOptions.IMAGES_TOPIC), TopicLimits.imageRecordBytes(maxImage));
        bytes.merge(config.get(StreamsslOptions.DEAD_LETTER_TOPIC), TopicLimits.deadLetterRecordBytes(maxImage),
                Math::max);
        return bytes;
    }

    /**
     * Checks the broker and the topics; throws {@link IllegalArgumentException} naming the key, its value and the
     * fix on the first problem, else returns warnings (empty when all is well).
     */
    public List<String> check() {
        String servers = config.get(StreamsslOptions.BOOTSTRAP_SERVERS);
        Properties p = new Properties();
        p.putAll(KafkaClientProperties.of(servers, clientProperties).admin());
        int millis = (int) timeout.toMillis();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        // an unresolvable or refusing address: no endless reconnects behind the timeout
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        try (Admin admin = Admin.create(p)) {
            reachable(admin, servers);
            Map<ConfigOption<String>, Integer> wanted = topics();
            List<String> warnings = new ArrayList<>();
            for (Map.Entry<ConfigOption<String>, Integer> e : wanted.entrySet()) {
                String topic = config.get(e.getKey());
                TopicDescription d = describe(admin, e.getKey(), topic, e.getValue(), servers);
                int partitions = d.partitions().size();
                if (e.getKey() == StreamsslOptions.IMAGES_TOPIC && partitions < e.getValue()) {
                    warnings.add("warning: topic '" + topic + "' (" + e.getKey().key() + ") has " + partitions
                            + " partition(s), fewer than augment.parallelism=" + e.getValue() + ": "
                            + (e.getValue() - partitions) + " reader(s) stay idle (kafka-topics.sh --bootstrap-server "
                            + servers + " --alter --topic " + topic + " --partitions " + e.getValue() + ")");
                }
            }
            TopicLimits.warnings(admin, recordBytesByTopic(), timeout).forEach(w -> warnings.add("warning: " + w));
            return warnings;
        }
    }

    private void reachable(Admin admin, String servers) {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).nodes()
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalArgumentException("no Kafka broker answered at kafka.bootstrap-servers='" + servers
                    + "' within " + timeout.toSeconds() + " s (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + "). Check that the broker"
                    + " runs, that this address and port are its listener as reachable from here (host names of"
                    + " advertised.listeners must resolve here too), and that no firewall is in the way; set the"
                    + " right address with --set kafka.bootstrap-servers=HOST:PORT", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while contacting Kafka at " + servers, e);
        }
    }

    private TopicDescription describe(Admin admin, ConfigOption<String> key, String topic, int partitions,
            String servers) {
        KafkaFuture<TopicDescription> f = admin.describeTopics(List.of(topic),
                new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis())).topicNameValues().get(topic);
        try {
            return f.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalArgumentException("topic '" + topic + "' (config key " + key.key() + ") does not"
                        + " exist at kafka.bootstrap-servers='" + servers + "'. Create it: " + createCommand(servers,
                                topic, partitions) + " — or set " + key.key() + " to an existing topic");
            }
            throw new IllegalArgumentException("cannot describe topic '" + topic + "' (config key " + key.key()
                    + ") at kafka.bootstrap-servers='" + servers + "': " + e.getCause().getMessage()
                    + " (an authorization error needs the principal allowed to Describe, Read and Write it)",
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalArgumentException("Kafka at kafka.bootstrap-servers='" + servers + "' did not describe"
                    + " topic '" + topic + "' (" + key.key() + ") within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topic " + topic, e);
        }
    }

    /** Kafka's own command that creates {@code topic}. */
    static String createCommand(String servers, String topic, int partitions) {
        return "kafka-topics.sh --bootstrap-server " + servers + " --create --topic " + topic + " --partitions "
                + partitions;
    }
}
