package io.streamssl.pipeline.eval;

import io.streamssl.connectors.event.EvalEvent;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.models.eval.HeldOutEvaluation;
import io.streamssl.models.eval.LabeledPixels;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.pipeline.config.HeldOutSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The held-out images of a job, decoded once and kept in memory, and the evaluation of one announced snapshot on
 * them: {@link HeldOutEvaluation}, the code {@code streamssl eval} runs, on the images {@code streamssl eval} would
 * pick for the same source and sizes. Flink-free.
 */
public final class HeldOutEvaluator {

    private final String data;
    private final List<LabeledPixels> bank;
    private final List<LabeledPixels> queries;
    private final int classes;
    private final HeldOutEvaluation evaluation;

    private HeldOutEvaluator(String data, List<LabeledPixels> bank, List<LabeledPixels> queries, int classes,
            int batchSize) {
        this.data = data;
        this.bank = List.copyOf(bank);
        this.queries = List.copyOf(queries);
        this.classes = classes;
        this.evaluation = new HeldOutEvaluation(batchSize);
    }

    /** Reads and decodes the held-out images; an unusable source is an error naming its config key. */
    public static HeldOutEvaluator load(HeldOutSettings s, Map<String, String> kafkaClientProperties) {
        HeldOutImages images;
        try {
            images = switch (s.source()) {
                case CIFAR10 -> HeldOutImages.cifar10(Path.of(s.location()), s.bankSize(), s.querySize());
                case FOLDER -> HeldOutImages.folder(Path.of(s.location()), s.bankSize(), s.querySize(), s.seed());
                case TOPIC -> HeldOutImages.topic(s.bootstrapServers(), kafkaClientProperties, s.location(), s.classes(),
                        s.bankSize(), s.querySize(), Duration.ofMinutes(2));
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("config key '" + s.key() + "' = '" + s.location() + "': "
                    + e.getMessage(), e);
        }
        if (images.classes().size() < 2) {
            throw new IllegalArgumentException("config key '" + s.key() + "': " + images.name() + " has "
                    + images.classes().size() + " class(es), held-out evaluation needs at least 2");
        }
        return new HeldOutEvaluator(images.name(), images.trainList(s.imageSize()), images.testList(s.imageSize()),
                images.classes().size(), s.batchSize());
    }

    /** The held-out set's name ({@code cifar10}, a folder's name, {@code kafka:TOPIC}). */
    public String data() {
        return data;
    }

    public int bankCount() {
        return bank.size();
    }

    public int queryCount() {
        return queries.size();
    }

    /**
     * Evaluates the snapshot an announcement names; its weights must be the announced ones.
     *
     * @param attempt the evaluator's attempt, for the record's header
     */
    public EvalEvent evaluate(SnapshotEvent snapshot, int attempt) {
        try (SnapshotEncoder encoder = SnapshotEncoder.load(Path.of(snapshot.path()))) {
            if (!encoder.manifest().weightsSha256().equals(snapshot.weightsSha256())) {
                throw new IllegalStateException("snapshot " + snapshot.path() + " holds weights "
                        + encoder.manifest().weightsSha256() + ", the announcement says " + snapshot.weightsSha256());
            }
            HeldOutEvaluation.Result r = evaluation.evaluate(encoder, bank.iterator(), bank.size(),
                    queries.iterator(), queries.size(), classes, HeldOutEvaluation.Progress.NONE);
            EventHeader h = snapshot.header();
            return new EvalEvent(new EventHeader(h.runId(), h.model(), h.step(), h.images(), h.epoch(), attempt,
                    Instant.now()), snapshot.path(), snapshot.weightsSha256(), snapshot.checkpointId(), data,
                    r.linear().trainCount(), r.linear().testCount(), r.knn(20).top1(), r.knn(200).top1(),
                    r.linear().top1(), r.knn(200).perClassAccuracy(), r.seconds());
        }
    }
}
