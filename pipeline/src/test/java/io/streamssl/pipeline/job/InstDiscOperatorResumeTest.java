package io.streamssl.pipeline.job;

import static io.streamssl.pipeline.job.TrainerHarness.only;
import static io.streamssl.pipeline.job.TrainerHarness.records;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.event.FinalStateEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.pipeline.config.JobConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * InstDisc in the trainer operator on RocksDB: its bank is keyed by the samples' ids (the Kafka keys), which recur
 * in this stream, so steps find images in the bank; train → checkpoint → close → restore → continue gives the
 * losses and every state tensor of the uninterrupted run, the bank's rows and ids included.
 */
class InstDiscOperatorResumeTest {

    private static final int BATCH = 4;
    private static final int SIZE = 16;
    private static final String MODEL = "instdisc";

    @TempDir
    Path work;

    @Test
    void checkpointCloseRestoreContinueEqualsAnUninterruptedRunWithBankHits() throws Exception {
        List<TrainingSample> samples = samples(20); // 5 steps over 6 recurring images

        List<TrainerRecord> straight;
        try (var harness = harness(config(work.resolve("straight")))) {
            harness.open();
            for (TrainingSample s : samples) {
                harness.processElement(s, 0);
            }
            straight = records(harness.extractOutputValues());
        }

        Path dir = work.resolve("interrupted");
        OperatorSubtaskState checkpoint;
        List<TrainerRecord> first;
        try (var harness = harness(config(dir))) {
            harness.open();
            for (TrainingSample s : samples.subList(0, 14)) { // 3 steps, 2 samples pending
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(1);
            checkpoint = harness.snapshot(1, 1);
            first = records(harness.extractOutputValues());
        }
        List<TrainerRecord> second;
        try (var harness = harness(config(dir))) {
            harness.initializeState(checkpoint);
            harness.open();
            for (TrainingSample s : samples.subList(14, 20)) {
                harness.processElement(s, 0);
            }
            second = records(harness.extractOutputValues());
        }

        Map<Long, Double> hits = scalar(straight, "bank-hits");
        assertThat(hits).as("bank hits per step").hasSize(5);
        assertThat(hits.get(1L)).as("the first step finds nothing").isZero();
        assertThat(hits.values()).as("later steps find recurring images").anyMatch(h -> h > 0);
        Map<Long, Double> resumed = new HashMap<>(scalar(first, "loss"));
        resumed.putAll(scalar(second, "loss"));
        assertThat(resumed).as("loss per step").isEqualTo(scalar(straight, "loss"));
        FinalStateEvent expected = only(straight, FinalStateEvent.class);
        FinalStateEvent actual = only(second, FinalStateEvent.class);
        assertThat(expected.tensorSha256().keySet()).contains("bank/rows", "bank/ids", "bank/pointer", "bank/filled");
        assertThat(actual.tensorSha256()).as("every state tensor (SHA-256)").isEqualTo(expected.tensorSha256());
    }

    /** ResNet-18 (CIFAR stem) width 8, batch 4, 16 px, a bank of 8 rows; max 5 steps. */
    private static JobConfig config(Path dir) {
        Map<String, String> c = TrainerHarness.smallConfig(MODEL, "instdisc", BATCH, SIZE, 5);
        c.put("method.bank-size", "8");
        c.put("snapshots.every-steps", "100");
        c.put("snapshots.dir", dir.resolve("snapshots").toString());
        c.put("checkpoints.dir", dir.resolve("checkpoints").toString());
        return JobConfig.of(c);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainingSample, TrainerEvent> harness(
            JobConfig config) throws Exception {
        return TrainerHarness.open(config, "instdisc-run");
    }

    /** Sample i is a fresh augmentation (random bytes) of image {@code img-(i mod 6)}. */
    private static List<TrainingSample> samples(int n) {
        Random random = new Random(11);
        List<TrainingSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TrainingSample s = new TrainingSample();
            s.id = "img-" + (i % 6);
            s.label = i % 6;
            s.size = SIZE;
            s.views = 2;
            s.viewSizes = new int[] {SIZE, SIZE};
            s.pixels = new byte[2 * SIZE * SIZE * 3];
            random.nextBytes(s.pixels);
            out.add(s);
        }
        return out;
    }

    /** The loss ({@code name = loss}) or a method scalar of each step's metrics. */
    private static Map<Long, Double> scalar(List<TrainerRecord> run, String name) {
        Map<Long, Double> out = new HashMap<>();
        for (MetricsEvent m : TrainerEventReader.select(run, null, MetricsEvent.class)) {
            out.put(m.step(), name.equals("loss") ? m.loss() : m.scalars().get(name));
        }
        return out;
    }
}
