package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.snapshot.SnapshotRetention;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Announce with the next barrier, LATEST on completion: never a snapshot whose state no checkpoint holds. */
class SnapshotPublisherTest {

    private static final SnapshotRetention KEEP_ALL = new SnapshotRetention(Integer.MAX_VALUE, 0);

    @TempDir
    Path root;

    private List<String> onDisk() throws Exception {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Path fakeSnapshot(long step) throws Exception {
        Path dir = Files.createDirectories(root.resolve(SnapshotWriter.directoryName(step)));
        Files.writeString(dir.resolve(SnapshotWriter.WEIGHTS_FILE), "weights of step " + step);
        return dir;
    }

    private static EventHeader at(long step) {
        return new EventHeader("r", "m", step, step * 4, 0, 0, Instant.EPOCH);
    }

    private String latest() throws Exception {
        Path f = root.resolve(SnapshotWriter.LATEST_FILE);
        return Files.exists(f) ? Files.readString(f).trim() : null;
    }

    @Test
    void announcedWithTheNextBarrierCommittedWhenItCompletes() throws Exception {
        SnapshotPublisher publisher = new SnapshotPublisher(root, KEEP_ALL);
        assertThat(publisher.announce(1L)).isEmpty();
        publisher.written(fakeSnapshot(10), "byol", at(10));
        publisher.written(fakeSnapshot(20), "byol", at(20));
        assertThat(publisher.newest()).isEqualTo(root.resolve("step-000000020").toString());
        assertThat(publisher.newestName()).isEqualTo("step-000000020");

        List<SnapshotEvent> announced = publisher.announce(2L);
        assertThat(announced).extracting(SnapshotEvent::step).containsExactly(10L, 20L);
        assertThat(announced).extracting(SnapshotEvent::checkpointId).containsOnly(2L);
        assertThat(announced.get(0).weightsSha256())
                .isEqualTo(SnapshotWriter.sha256(root.resolve("step-000000010").resolve(SnapshotWriter.WEIGHTS_FILE)));
        assertThat(announced.get(0).method()).isEqualTo("byol");
        assertThat(publisher.announce(3L)).as("announced once").isEmpty();

        publisher.checkpointCompleted(1);
        assertThat(latest()).as("checkpoint 1 holds neither").isNull();
        publisher.checkpointCompleted(3); // 2's notification was lost: a later one commits it too
        assertThat(latest()).isEqualTo("step-000000020");
    }

    @Test
    void atTheEndOfInputTheFinalCheckpointCommits() throws Exception {
        SnapshotPublisher publisher = new SnapshotPublisher(root, KEEP_ALL);
        publisher.announce(4L);
        publisher.written(fakeSnapshot(30), "dino", at(30));
        List<SnapshotEvent> announced = publisher.announce(null);
        assertThat(announced).singleElement().extracting(SnapshotEvent::checkpointId).isNull();
        publisher.checkpointCompleted(4);
        assertThat(latest()).as("checkpoint 4 was before the snapshot").isNull();
        publisher.checkpointCompleted(5);
        assertThat(latest()).isEqualTo("step-000000030");
    }

    @Test
    void aRestoredNewestSnapshotIsCommitted() throws Exception {
        fakeSnapshot(40);
        SnapshotPublisher publisher = new SnapshotPublisher(root, KEEP_ALL);
        publisher.restore("step-000000040");
        assertThat(publisher.newest()).isEqualTo(root.resolve("step-000000040").toString());
        publisher.commitRestored();
        assertThat(latest()).isEqualTo("step-000000040");
        SnapshotPublisher fresh = new SnapshotPublisher(root.resolve("other"), KEEP_ALL);
        fresh.restore(null);
        fresh.commitRestored();
        assertThat(fresh.newest()).isNull();
    }

    @Test
    void retentionRunsWhenLatestMovesAndSparesWhatIsNotCommitted() throws Exception {
        SnapshotPublisher publisher = new SnapshotPublisher(root, new SnapshotRetention(2, 0));
        for (long step = 10; step <= 30; step += 10) {
            publisher.written(fakeSnapshot(step), "byol", at(step));
            publisher.announce(step / 10); // checkpoints 1, 2, 3
        }
        publisher.written(fakeSnapshot(40), "byol", at(40)); // not yet announced
        publisher.checkpointCompleted(1);
        assertThat(onDisk()).as("LATEST = 10: nothing older").containsExactly("LATEST", "step-000000010",
                "step-000000020", "step-000000030", "step-000000040");
        publisher.checkpointCompleted(3);
        assertThat(latest()).isEqualTo("step-000000030");
        assertThat(onDisk()).as("newest 2 committed (20, 30), and 40 awaiting").containsExactly("LATEST",
                "step-000000020", "step-000000030", "step-000000040");
    }

    @Test
    void aFailedWriteIsReportedNotAnnouncedAndTheNextOneGoesThrough() throws Exception {
        SnapshotPublisher publisher = new SnapshotPublisher(root, KEEP_ALL);
        List<String> failures = new ArrayList<>();
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100))) {
            publisher.write(trainer, Map.of(), at(0), failures::add, file -> {
                throw new IOException("No space left on device");
            });
            assertThat(failures).singleElement().asString().contains("No space left on device");
            assertThat(publisher.newest()).isNull();
            assertThat(publisher.announce(1L)).as("nothing announced").isEmpty();
            assertThat(onDisk()).as("nothing half-written").isEmpty();

            publisher.write(trainer, Map.of(), at(0), failures::add);
            assertThat(failures).hasSize(1);
            assertThat(publisher.announce(2L)).singleElement().extracting(SnapshotEvent::step).isEqualTo(0L);
            publisher.checkpointCompleted(2);
            assertThat(latest()).isEqualTo("step-000000000");
        }
    }

    @Test
    void aRestoredSnapshotThatRetentionDeletedIsNotNamedByLatest() throws Exception {
        fakeSnapshot(50);
        Files.writeString(root.resolve(SnapshotWriter.LATEST_FILE), "step-000000050\n");
        SnapshotPublisher publisher = new SnapshotPublisher(root, KEEP_ALL);
        publisher.restore("step-000000030"); // an older savepoint; its snapshot is gone
        publisher.commitRestored();
        assertThat(latest()).isEqualTo("step-000000050");
    }
}
