package io.streamssl.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The follower against a real broker (one per class), real snapshots of a tiny trainer and announcements written
 * in Kafka transactions, on this module's Flink-free classpath.
 */
class SnapshotFollowerITCase {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path brokerDir;
    static EmbeddedKafka kafka;

    @TempDir
    Path snapshots;
    private String topic;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start(brokerDir);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void createTopic(TestInfo test) throws Exception {
        topic = "snapshots-" + test.getTestMethod().orElseThrow().getName();
        kafka.createTopics(1, topic);
    }

    private SnapshotFollower follower(RecordingListener listener) {
        return SnapshotFollower.builder().setBootstrapServers(kafka.bootstrapServers()).optTopic(topic)
                .optClientProperties(kafka.clientProperties()).optListener(listener).build();
    }

    private TransactionalAnnouncer announcer(String id) {
        return new TransactionalAnnouncer(kafka.bootstrapServers(), topic, topic + "-" + id);
    }

    /** Polls a follower that is not started until {@code done}, at most {@link #WAIT}. */
    private static void pollUntil(SnapshotFollower f, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("within %s s: %s", WAIT.toSeconds(), what).isLessThan(deadline);
            f.pollOnce(Duration.ofMillis(200));
        }
    }

    @Test
    void followsCommittedSnapshotsInOrderNeverAnAbortedOneAndEmbedsWithTheNewest() throws Exception {
        NoFlinkOnClasspathTest.assertNoFlink();
        RecordingListener listener = new RecordingListener();
        try (TinySnapshots trainer = new TinySnapshots(snapshots, 1);
                TransactionalAnnouncer job = announcer("job");
                SnapshotFollower follower = follower(listener)) {
            assertThat(follower.current()).isEmpty();
            assertThatThrownBy(() -> follower.embed(TinySnapshots.images(1, 9), 32, 32))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("no snapshot loaded yet");

            Path s1 = trainer.nextSnapshot();
            job.commit(TinySnapshots.announcement(s1));
            assertThat(follower.awaitStep(1, WAIT).step()).isEqualTo(1);

            Path s2 = trainer.nextSnapshot();
            Path s3 = trainer.nextSnapshot();
            job.abort(TinySnapshots.announcement(s3)); // the newest, but its checkpoint never completed
            job.commit(TinySnapshots.announcement(s1)); // a repeat, as after a training restart
            job.commit(TinySnapshots.announcement(s2));
            ServedSnapshot served = follower.awaitStep(2, WAIT);
            assertThat(served.step()).as("step 3 was aborted: never visible").isEqualTo(2);
            assertThat(served.weightsSha256()).isEqualTo(TinySnapshots.sha256(s2));
            assertThat(served.path()).isEqualTo(s2.toAbsolutePath());
            assertThat(served.manifest().method()).isEqualTo("byol");
            assertThat(listener.swappedTo()).as("in order; the repeat of step 1 skipped").containsExactly(1L, 2L);
            assertThat(listener.refusals()).isEmpty();

            byte[] one = TinySnapshots.images(1, 10);
            Embedding e = follower.embed(one, 32, 32);
            assertThat(e.values()).containsExactly(TinySnapshots.expectedEmbedding(s2, one, 1));
            assertThat(e.step()).isEqualTo(2);
            assertThat(e.weightsSha256()).isEqualTo(TinySnapshots.sha256(s2));
            byte[] three = TinySnapshots.images(3, 11);
            Embedding batch = follower.embed(three, 3, 32, 32);
            assertThat(batch.count()).isEqualTo(3);
            assertThat(batch.dimension()).isEqualTo(64);
            assertThat(batch.values()).containsExactly(TinySnapshots.expectedEmbedding(s2, three, 3));
        }
    }

    @Test
    void aSnapshotChangedAfterItsAnnouncementIsRefusedAndThePreviousKeepsServing() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (TinySnapshots trainer = new TinySnapshots(snapshots, 2);
                TinySnapshots other = new TinySnapshots(snapshots.resolve("other"), 3);
                TransactionalAnnouncer job = announcer("job");
                CapturedLog warnings = new CapturedLog(SnapshotFollower.class, Level.WARN);
                SnapshotFollower follower = follower(listener)) {
            Path s1 = trainer.nextSnapshot();
            job.commit(TinySnapshots.announcement(s1));
            follower.awaitStep(1, WAIT);

            // weights file changed after the announcement: no longer what the manifest says
            Path s2 = trainer.nextSnapshot();
            job.commit(TinySnapshots.announcement(s2));
            TinySnapshots.corruptWeights(s2);
            pollUntil(follower, () -> listener.refusals().size() == 1, "step 2 refused");
            RecordingListener.Refusal refused = listener.refusals().get(0);
            assertThat(refused.announcement().header().step()).isEqualTo(2);
            assertThat(refused.reason()).contains(s2.resolve(SnapshotWriter.WEIGHTS_FILE).toString())
                    .contains("sha256").contains("corrupt or was replaced");
            assertThat(warnings.messages()).as("said in the log too, with the path and the reason").singleElement()
                    .asString().contains("snapshot " + s2 + " (step 2) refused").contains(refused.reason())
                    .contains("still serving step 1");

            byte[] image = TinySnapshots.images(1, 12);
            Embedding e = follower.embed(image, 32, 32);
            assertThat(e.step()).as("the previous one keeps serving").isEqualTo(1);
            assertThat(e.values()).containsExactly(TinySnapshots.expectedEmbedding(s1, image, 1));

            // weights and manifest replaced together by another run's step 3: consistent, but not what was announced
            Path s3 = trainer.nextSnapshot();
            job.commit(TinySnapshots.announcement(s3));
            other.nextSnapshot();
            other.nextSnapshot();
            Path foreign = other.nextSnapshot();
            for (String file : new String[] {SnapshotWriter.WEIGHTS_FILE, SnapshotWriter.MANIFEST_FILE}) {
                Files.copy(foreign.resolve(file), s3.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
            pollUntil(follower, () -> listener.refusals().size() == 2, "step 3 refused");
            assertThat(listener.refusals().get(1).reason()).contains("announced with weights sha256")
                    .contains("replaced after the announcement");
            assertThat(follower.current().orElseThrow().step()).isEqualTo(1);

            Path s4 = trainer.nextSnapshot();
            job.commit(TinySnapshots.announcement(s4));
            assertThat(follower.awaitStep(4, WAIT).step()).as("a good snapshot after refused ones").isEqualTo(4);
            assertThat(listener.swappedTo()).containsExactly(1L, 4L);
        }
    }

    @Test
    void aRestartedFollowerResumesFromTheNewestLoadableAnnouncement() throws Exception {
        try (TinySnapshots trainer = new TinySnapshots(snapshots, 4); TransactionalAnnouncer job = announcer("job")) {
            Path s1 = trainer.nextSnapshot();
            Path s2 = trainer.nextSnapshot();
            job.commit(TinySnapshots.announcement(s1));
            job.commit(TinySnapshots.announcement(s2));
            try (SnapshotFollower first = follower(new RecordingListener())) {
                assertThat(first.awaitStep(2, WAIT).step()).isEqualTo(2);
            }

            Path s3 = trainer.nextSnapshot();
            Path s4 = trainer.nextSnapshot();
            Path s5 = trainer.nextSnapshot();
            job.commit(TinySnapshots.announcement(s3));
            job.commit(TinySnapshots.announcement(s4));
            TinySnapshots.corruptWeights(s4);
            job.abort(TinySnapshots.announcement(s5));

            RecordingListener listener = new RecordingListener();
            try (SnapshotFollower restarted = follower(listener)) {
                ServedSnapshot served = restarted.awaitSnapshot(WAIT);
                assertThat(served.step()).as("4 is corrupt, 5 aborted: the newest loadable is 3").isEqualTo(3);
                assertThat(listener.swappedTo()).as("straight to the newest; 1 and 2 never loaded")
                        .containsExactly(3L);
                assertThat(listener.refusals()).singleElement()
                        .satisfies(r -> assertThat(r.announcement().header().step()).isEqualTo(4));
                byte[] image = TinySnapshots.images(1, 13);
                assertThat(restarted.embed(image, 32, 32).values())
                        .containsExactly(TinySnapshots.expectedEmbedding(s3, image, 1));
            }
        }
    }

    @Test
    void embedsDuringSwapsNeverFailAndEachIsExactlyItsSnapshotsEmbedding() throws Exception {
        int threads = 3;
        int batch = 4;
        byte[] images = TinySnapshots.images(batch, 14);
        RecordingListener listener = new RecordingListener();
        try (TinySnapshots trainer = new TinySnapshots(snapshots, 5);
                TransactionalAnnouncer job = announcer("job");
                SnapshotFollower follower = follower(listener)) {
            follower.start();
            List<String> order = new ArrayList<>(); // weights sha256 of steps 1..4
            Map<String, float[]> expected = new ConcurrentHashMap<>();
            Path s1 = trainer.nextSnapshot();
            order.add(TinySnapshots.sha256(s1));
            expected.put(order.get(0), TinySnapshots.expectedEmbedding(s1, images, batch));
            job.commit(TinySnapshots.announcement(s1));
            follower.awaitStep(1, WAIT);

            List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
            Map<String, List<String>> shasSeen = new ConcurrentHashMap<>();
            AtomicInteger embeds = new AtomicInteger();
            AtomicReference<String> newest = new AtomicReference<>();
            CountDownLatch embedding = new CountDownLatch(threads);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    List<String> seen = new ArrayList<>();
                    shasSeen.put(Thread.currentThread().getName(), seen);
                    boolean counted = false;
                    try {
                        int withNewest = 0;
                        long deadline = System.nanoTime() + WAIT.toNanos() * 2;
                        while (withNewest < 5 && System.nanoTime() < deadline) {
                            Embedding e = follower.embed(images, batch, 32, 32);
                            embeds.incrementAndGet();
                            String sha = e.weightsSha256();
                            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(sha)) {
                                seen.add(sha);
                            }
                            float[] want = expected.get(sha);
                            if (want == null || !Arrays.equals(want, e.values())) {
                                throw new AssertionError("embedding by step " + e.step() + " (" + sha + ") differs"
                                        + " from SnapshotEncoder's for that snapshot");
                            }
                            if (!counted) {
                                embedding.countDown();
                                counted = true;
                            }
                            if (sha.equals(newest.get())) {
                                withNewest++;
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    } finally {
                        if (!counted) {
                            embedding.countDown();
                        }
                    }
                }, "embedder-" + t);
                workers.add(w);
                w.start();
            }
            assertThat(embedding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            List<Long> servedAfter = new ArrayList<>(); // ms from commit to served, for the README's figure
            for (int step = 2; step <= 4; step++) {
                Path s = trainer.nextSnapshot();
                String sha = TinySnapshots.sha256(s);
                order.add(sha);
                expected.put(sha, TinySnapshots.expectedEmbedding(s, images, batch));
                if (step == 4) {
                    newest.set(sha);
                }
                job.commit(TinySnapshots.announcement(s));
                long committed = System.nanoTime();
                assertThat(follower.awaitStep(step, WAIT).step()).isEqualTo(step);
                servedAfter.add((System.nanoTime() - committed) / 1_000_000);
            }
            for (Thread w : workers) {
                w.join(WAIT.toMillis() * 2);
                assertThat(w.isAlive()).as(w.getName() + " finished").isFalse();
            }

            assertThat(errors).isEmpty();
            assertThat(listener.swappedTo()).containsExactly(1L, 2L, 3L, 4L);
            assertThat(shasSeen).hasSize(threads);
            for (Map.Entry<String, List<String>> seen : shasSeen.entrySet()) {
                List<String> by = seen.getValue();
                assertThat(by.get(0)).as(seen.getKey() + " started on step 1").isEqualTo(order.get(0));
                assertThat(by.get(by.size() - 1)).as(seen.getKey() + " ended on step 4").isEqualTo(order.get(3));
                assertThat(by.stream().map(order::indexOf).toList()).as(seen.getKey() + ": never back to an older one")
                        .isSorted().doesNotContain(-1);
            }
            System.out.println("embed calls during the swaps of steps 1..4: " + embeds.get() + " by " + threads
                    + " threads; ms from commit to served, steps 2..4: " + servedAfter);
        }
    }
}
