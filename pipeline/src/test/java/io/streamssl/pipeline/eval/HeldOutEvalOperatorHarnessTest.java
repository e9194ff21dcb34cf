package io.streamssl.pipeline.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.event.EvalEvent;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.pipeline.config.HeldOutSettings;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator operator in Flink's harness: it waits for the commit, emits through the mailbox, keeps what it
 * has not emitted in its state so that a restore evaluates it again (to the same figures), and evaluates the
 * newest snapshot at the end of the input.
 */
class HeldOutEvalOperatorHarnessTest {

    @TempDir
    static Path dir;

    static SnapshotEvent announcement;
    static HeldOutSettings settings;

    @BeforeAll
    static void snapshotAndImages() throws Exception {
        Path snapshots = dir.resolve("snapshots");
        Path written;
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100))) {
            byte[] px = new byte[4 * 2 * 32 * 32 * 3];
            new Random(3).nextBytes(px);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            written = SnapshotWriter.write(snapshots, trainer, Map.of());
        }
        announcement = new SnapshotEvent(new EventHeader("run", "encoder", 1, 4, 0, 0, Instant.EPOCH),
                written.toString(), "byol", SnapshotWriter.sha256(written.resolve(SnapshotWriter.WEIGHTS_FILE)), 1L);
        Path folder = dir.resolve("shapes");
        for (LabeledImage image : new GeneratedShapes(60, 5, 32)) {
            Path file = folder.resolve(GeneratedShapes.CLASSES.get(image.label()))
                    .resolve(image.id().replace('/', '-') + ".png");
            Files.createDirectories(file.getParent());
            BufferedImage b = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            byte[] d = image.data();
            for (int i = 0; i < 32 * 32; i++) {
                b.setRGB(i % 32, i / 32, (d[3 * i] & 255) << 16 | (d[3 * i + 1] & 255) << 8 | (d[3 * i + 2] & 255));
            }
            ImageIO.write(b, "png", file.toFile());
        }
        settings = new HeldOutSettings(HeldOutSettings.Source.FOLDER, "eval.folder", folder.toString(), 40, 20,
                Duration.ZERO, 16, 10, 32, 42, 0, null);
    }

    private static OneInputStreamOperatorTestHarness<TrainerEvent, TrainerEvent> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new HeldOutEvalOperator(settings));
    }

    private static StreamRecord<TrainerEvent> element(SnapshotEvent s) {
        return new StreamRecord<>(TrainerEventCodec.toStreamElement(s));
    }

    /** Runs the task's mails until one emitted an evaluation (the evaluation thread posts it). */
    private static EvalEvent awaitEvaluation(OneInputStreamOperatorTestHarness<TrainerEvent, TrainerEvent> h)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (evaluations(h).isEmpty()) {
            assertThat(System.nanoTime()).as("an evaluation within 2 min").isLessThan(deadline);
            Optional<Mail> mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
            if (mail.isPresent()) {
                mail.get().run();
            } else {
                Thread.sleep(20);
            }
        }
        return evaluations(h).get(0);
    }

    /** Runs the task's mails until {@code done} holds (at most 1 min). */
    private static void runMailsUntil(OneInputStreamOperatorTestHarness<TrainerEvent, TrainerEvent> h,
            BooleanSupplier done, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 1 min").isLessThan(deadline);
            Optional<Mail> mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
            if (mail.isPresent()) {
                mail.get().run();
            } else {
                Thread.sleep(20);
            }
        }
    }

    private static List<EvalEvent> evaluations(OneInputStreamOperatorTestHarness<TrainerEvent, TrainerEvent> h) {
        return h.extractOutputValues().stream().map(e -> (EvalEvent) TrainerEventCodec.decode(e.json)).toList();
    }

    @Test
    void evaluatesOnceCommittedAndAgainAfterARestoreFromBeforeItsResult() throws Exception {
        OperatorSubtaskState beforeResult;
        EvalEvent first;
        try (var h = harness()) {
            h.open();
            h.processElement(element(announcement));
            h.snapshot(1, 1);
            Thread.sleep(200);
            assertThat(h.getTaskMailbox().hasMail()).as("nothing before the commit").isFalse();
            assertThat(h.extractOutputValues()).isEmpty();
            h.notifyOfCompletedCheckpoint(1);
            beforeResult = h.snapshot(2, 2); // the evaluation is running: its result is not out yet
            first = awaitEvaluation(h);
            assertThat(first.step()).isEqualTo(1);
            assertThat(first.snapshot()).isEqualTo(announcement.path());
            assertThat(first.checkpointId()).isEqualTo(1L);
            assertThat(first.bankCount()).isEqualTo(40);
            assertThat(first.queryCount()).isEqualTo(20);
            assertThat(first.knn20()).isBetween(0.0, 1.0);
            h.snapshot(3, 3);
        }
        try (var h = harness()) {
            h.initializeState(beforeResult);
            h.open();
            EvalEvent again = awaitEvaluation(h);
            assertThat(again.step()).isEqualTo(first.step());
            assertThat(again.knn20()).isEqualTo(first.knn20());
            assertThat(again.knn200()).isEqualTo(first.knn200());
            assertThat(again.linear()).isEqualTo(first.linear());
        }
    }

    @Test
    void theEndOfTheInputEvaluatesTheNewestSnapshotBeforeFinishing() throws Exception {
        try (var h = harness()) {
            h.open();
            SnapshotEvent atEnd = new SnapshotEvent(announcement.header(), announcement.path(), "byol",
                    announcement.weightsSha256(), null);
            h.processElement(element(atEnd));
            h.endInput();
            h.getOneInputOperator().finish();
            assertThat(evaluations(h)).hasSize(1);
            assertThat(evaluations(h).get(0).checkpointId()).isNull();
        }
    }

    @Test
    void aSnapshotDeletedByRetentionBeforeItsTurnIsSkippedNotFailed() throws Exception {
        Path gone = Path.of(announcement.path()).resolveSibling(SnapshotWriter.directoryName(2));
        SnapshotEvent deleted = new SnapshotEvent(new EventHeader("run", "encoder", 2, 8, 0, 0, Instant.EPOCH),
                gone.toString(), "byol", announcement.weightsSha256(), 1L);
        SnapshotEvent later = new SnapshotEvent(new EventHeader("run", "encoder", 3, 12, 0, 0, Instant.EPOCH),
                announcement.path(), "byol", announcement.weightsSha256(), 2L);
        Path latest = gone.resolveSibling(SnapshotWriter.LATEST_FILE);
        Files.writeString(latest, SnapshotWriter.directoryName(3) + "\n"); // LATEST moved past step 2
        try (var h = harness()) {
            h.open();
            HeldOutEvalOperator op = (HeldOutEvalOperator) h.getOneInputOperator();
            h.processElement(element(deleted));
            h.snapshot(1, 1);
            h.notifyOfCompletedCheckpoint(1);
            runMailsUntil(h, () -> op.snapshotsRemoved() > 0, "the skip");
            assertThat(op.failures()).as("not a failure").isZero();
            assertThat(h.extractOutputValues()).as("no record for it").isEmpty();

            h.processElement(element(later));
            h.snapshot(2, 2);
            h.notifyOfCompletedCheckpoint(2);
            assertThat(awaitEvaluation(h).step()).as("the next one is evaluated").isEqualTo(3);
            assertThat(op.snapshotsRemoved()).isEqualTo(1);

            // a snapshot root the evaluator cannot see at all (not shared with its machine) is a failure
            SnapshotEvent unseen = new SnapshotEvent(new EventHeader("run", "encoder", 4, 16, 0, 0, Instant.EPOCH),
                    dir.resolve("not-shared").resolve(SnapshotWriter.directoryName(4)).toString(), "byol",
                    announcement.weightsSha256(), 3L);
            h.processElement(element(unseen));
            h.snapshot(3, 3);
            h.notifyOfCompletedCheckpoint(3);
            runMailsUntil(h, () -> op.failures() > 0, "the failure");
            assertThat(op.snapshotsRemoved()).isEqualTo(1);
        } finally {
            Files.delete(latest);
        }
    }
}
