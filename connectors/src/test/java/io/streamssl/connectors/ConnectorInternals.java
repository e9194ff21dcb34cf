package io.streamssl.connectors;

import java.lang.reflect.Field;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;

/**
 * What Flink's {@link KafkaSource} and {@link KafkaSink} keep private but the builders' tests must see: the
 * properties their Kafka clients get and the sink's delivery guarantee. Field names as in flink-connector-kafka
 * 5.0; should one be renamed, the tests fail here with its name.
 */
final class ConnectorInternals {

    private ConnectorInternals() {}

    static Properties clientProperties(KafkaSource<?> source) {
        return (Properties) field(source, KafkaSource.class, "props");
    }

    static Properties clientProperties(KafkaSink<?> sink) {
        return (Properties) field(sink, KafkaSink.class, "kafkaProducerConfig");
    }

    static DeliveryGuarantee deliveryGuarantee(KafkaSink<?> sink) {
        return (DeliveryGuarantee) field(sink, KafkaSink.class, "deliveryGuarantee");
    }

    static String transactionalIdPrefix(KafkaSink<?> sink) {
        return (String) field(sink, KafkaSink.class, "transactionalIdPrefix");
    }

    private static Object field(Object owner, Class<?> type, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read " + type.getSimpleName() + "." + name
                    + " (renamed in this flink-connector-kafka version?)", e);
        }
    }
}
