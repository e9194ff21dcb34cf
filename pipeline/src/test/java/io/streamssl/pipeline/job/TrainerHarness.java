package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * What the trainer operator's harness tests share: the operator in Flink's keyed one-input test harness on the real
 * RocksDB state backend, a small CPU configuration (ResNet-18 of width 8: seconds a step), and the readers of the
 * events it emits.
 */
final class TrainerHarness {

    private TrainerHarness() {
    }

    /**
     * The keys every harness test sets: model {@code model} trained by {@code method} on a ResNet-18 of width 8 on
     * the CPU, batch {@code batch}, {@code size} px views, {@code maxSteps} steps, a 16-wide projector output and
     * metrics after every step. Mutable: a test adds its own keys.
     */
    static Map<String, String> smallConfig(String model, String method, int batch, int size, int maxSteps) {
        Map<String, String> c = new HashMap<>();
        c.put("trainer.model-name", model);
        c.put("trainer.method", method);
        c.put("trainer.width", "8");
        c.put("trainer.batch-size", Integer.toString(batch));
        c.put("trainer.device", "cpu");
        c.put("trainer.max-steps", Integer.toString(maxSteps));
        c.put("augment.size", Integer.toString(size));
        c.put("method.projector-out", "16");
        c.put("metrics.every-steps", "1");
        return c;
    }

    /** {@link #smallConfig} for BYOL with 32-wide hidden layers, every step's trained ids in its event. */
    static Map<String, String> byolConfig(String model, int batch, int size, int maxSteps) {
        Map<String, String> c = smallConfig(model, "byol", batch, size, maxSteps);
        c.put("method.projector-hidden", "32");
        c.put("method.predictor-hidden", "32");
        c.put("metrics.trained-ids", "true");
        return c;
    }

    /** A new trainer operator for {@code config} in a harness keyed by the model name, on RocksDB. */
    static KeyedOneInputStreamOperatorTestHarness<String, TrainingSample, TrainerEvent> open(JobConfig config,
            String runName) throws Exception {
        String model = config.get(StreamsslOptions.MODEL_NAME);
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(new TrainerOperator(config, runName),
                s -> model, Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        return harness;
    }

    /** The events decoded, each checked to be routed as its kind says. */
    static List<TrainerRecord> records(Iterable<TrainerEvent> elements) {
        List<TrainerRecord> out = new ArrayList<>();
        for (TrainerEvent e : elements) {
            TrainerRecord r = TrainerEventCodec.decode(e.json);
            assertThat(e.kind).as("route of " + e).isEqualTo(r.kind().route());
            out.add(r);
        }
        return out;
    }

    /** The one record of {@code type}; fails if there are none or several. */
    static <T extends TrainerRecord> T only(List<TrainerRecord> records, Class<T> type) {
        List<T> of = TrainerEventReader.select(records, null, type);
        assertThat(of).as(type.getSimpleName() + " records").hasSize(1);
        return of.get(0);
    }

    /** Each step's loss from the metrics events of one or more runs (a later run's step overwrites). */
    @SafeVarargs
    static Map<Long, Double> losses(List<TrainerRecord>... runs) {
        Map<Long, Double> out = new HashMap<>();
        for (List<TrainerRecord> run : runs) {
            TrainerEventReader.select(run, null, MetricsEvent.class).forEach(m -> out.put(m.step(), m.loss()));
        }
        return out;
    }
}
