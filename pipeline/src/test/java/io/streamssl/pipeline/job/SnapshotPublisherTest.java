package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Announce with the next barrier, LATEST on completion: never a snapshot whose state no checkpoint holds. */
class SnapshotPublisherTest {

    @TempDir
    Path root;

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
        SnapshotPublisher publisher = new SnapshotPublisher(root);
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
        SnapshotPublisher publisher = new SnapshotPublisher(root);
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
        SnapshotPublisher publisher = new SnapshotPublisher(root);
        publisher.restore("step-000000040");
        assertThat(publisher.newest()).isEqualTo(root.resolve("step-000000040").toString());
        publisher.commitRestored();
        assertThat(latest()).isEqualTo("step-000000040");
        SnapshotPublisher fresh = new SnapshotPublisher(root.resolve("other"));
        fresh.restore(null);
        fresh.commitRestored();
        assertThat(fresh.newest()).isNull();
    }
}
