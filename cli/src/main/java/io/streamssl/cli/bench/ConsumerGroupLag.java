package io.streamssl.cli.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer group's lag on one topic, as Kafka's own tools compute it: each partition's end offset minus the
 * group's committed offset. For the job's group, the committed offsets are the source's positions at its last
 * completed checkpoint.
 *
 * <pre>{@code
 * ConsumerGroupLag.Offsets o = new ConsumerGroupLag(admin, "streamssl", "images").read();
 * long lag = o.lag();
 * }</pre>
 */
public final class ConsumerGroupLag {

    /**
     * @param end each partition's end offset (records produced, for a topic that is never compacted or trimmed)
     * @param committed the group's committed offset of each partition that has one
     */
    public record Offsets(Map<Integer, Long> end, Map<Integer, Long> committed) {
        public long produced() {
            return end.values().stream().mapToLong(Long::longValue).sum();
        }

        public long consumed() {
            return committed.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Records produced and not yet consumed as of the group's commits. */
        public long lag() {
            return produced() - consumed();
        }
    }

    private final Admin admin;
    private final String group;
    private final String topic;

    public ConsumerGroupLag(Admin admin, String group, String topic) {
        this.admin = admin;
        this.group = group;
        this.topic = topic;
    }

    /** The committed offsets first, then the end offsets: a commit in between can only make the lag look larger. */
    public Offsets read() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> commits = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<Integer, Long> committed = new HashMap<>();
        commits.forEach((tp, om) -> {
            if (tp.topic().equals(topic) && om != null) {
                committed.put(tp.partition(), om.offset());
            }
        });
        List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                .get(30, TimeUnit.SECONDS);
        Map<Integer, Long> end = new HashMap<>();
        ends.forEach((tp, info) -> end.put(tp.partition(), info.offset()));
        return new Offsets(Map.copyOf(end), Map.copyOf(committed));
    }
}
