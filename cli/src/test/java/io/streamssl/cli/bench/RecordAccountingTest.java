package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The accounting against a hand-simulated job: records 0..N-1 of one partition, each either dead-lettered or
 * appended to the trainer's buffer, which trains in batches of 4; checkpoints snapshot the source position.
 */
class RecordAccountingTest {

    /** A tiny in-order job: the checkpoint positions it took and the accounting fed with its events. */
    private static final class SimulatedJob {
        final RecordAccounting acc = new RecordAccounting();
        final List<String> buffer = new ArrayList<>();
        final List<Long> checkpointPositions = new ArrayList<>();
        long position;
        long epoch;

        /** Consumes the next record: offsets in {@code dead} are dead-lettered, the rest buffered and trained. */
        void consume(List<Long> dead) {
            long offset = position++;
            if (dead.contains(offset)) {
                acc.deadLetter(0, offset);
                return;
            }
            buffer.add("img-" + offset);
            if (buffer.size() == 4) {
                acc.trained(List.copyOf(buffer), List.of(epoch, epoch, epoch, epoch));
                buffer.clear();
            }
        }

        long checkpoint() {
            acc.checkpoint(checkpointPositions.size() + 1, buffer.size());
            checkpointPositions.add(position);
            return position;
        }
    }

    @Test
    void theCommittedOffsetsOfACheckpointBalanceExactly() {
        SimulatedJob job = new SimulatedJob();
        List<Long> dead = List.of(3L, 11L);
        for (int i = 0; i < 10; i++) {
            job.consume(dead);
        }
        long p1 = job.checkpoint(); // offsets 0..9 consumed
        for (int i = 0; i < 7; i++) {
            job.consume(dead);
        }
        job.checkpoint();
        // checkpoint 1's offsets committed; the topic holds 25 records
        RecordAccounting.Balance b = job.acc.balance(25, Map.of(0, p1));
        assertThat(b.exact()).as(b.toString()).isTrue();
        assertThat(b.checkpointId()).isEqualTo(1);
        // by hand: offsets 0..9, 3 dead; 9 others: 8 trained (two batches), 1 in the partial batch
        assertThat(b.trained()).isEqualTo(8);
        assertThat(b.dead()).isEqualTo(1);
        assertThat(b.pendingInJob()).isEqualTo(1);
        assertThat(b.pendingInKafka()).isEqualTo(15);
        assertThat(b.in()).isEqualTo(b.trained() + b.dead() + b.pending());

        // checkpoint 2 (offsets 0..16, dead 3 and 11; 15 others: 12 trained, 3 pending)
        RecordAccounting.Balance b2 = job.acc.balance(25, Map.of(0, 17L));
        assertThat(b2.exact()).isTrue();
        assertThat(b2.checkpointId()).isEqualTo(2);
        assertThat(b2.trained()).isEqualTo(12);
        assertThat(b2.dead()).isEqualTo(2);
        assertThat(b2.pendingInJob()).isEqualTo(3);
        assertThat(b2.pendingInKafka()).isEqualTo(8);
    }

    @Test
    void aRecordLostInsideTheJobLeavesNoCheckpointThatBalances() {
        SimulatedJob job = new SimulatedJob();
        for (int i = 0; i < 6; i++) {
            job.consume(List.of());
        }
        job.position++; // offset 6 consumed, then dropped: neither trained, nor dead, nor buffered
        for (int i = 0; i < 5; i++) {
            job.consume(List.of());
        }
        long p = job.checkpoint();
        RecordAccounting.Balance b = job.acc.balance(20, Map.of(0, p));
        assertThat(b.exact()).isFalse();
        assertThat(b.matched()).isFalse();
        assertThat(b.toString()).contains("≠", "no checkpoint's figures add up");
    }

    @Test
    void anImageTrainedTwiceInOneEpochFailsTheBalanceButNotInAnotherEpoch() {
        RecordAccounting acc = new RecordAccounting();
        acc.trained(List.of("a", "b"), List.of(0L, 0L));
        acc.trained(List.of("a", "c"), List.of(1L, 0L)); // a again in the next pass: fine
        acc.checkpoint(1, 0);
        assertThat(acc.balance(4, Map.of(0, 4L)).exact()).isTrue();
        acc.trained(List.of("b"), List.of(0L)); // b twice in pass 0
        acc.checkpoint(2, 0);
        RecordAccounting.Balance b = acc.balance(5, Map.of(0, 5L));
        assertThat(acc.duplicates()).isEqualTo(1);
        assertThat(b.exact()).isFalse();
    }

    @Test
    void deadLettersWrittenTwiceCountOnceAndOnlyBelowTheCommittedOffsets() {
        RecordAccounting acc = new RecordAccounting();
        acc.deadLetter(0, 2);
        acc.deadLetter(0, 2); // the at-least-once sink retried after a restart
        acc.deadLetter(0, 9); // consumed after the checkpoint whose offsets are committed
        acc.trained(List.of("0", "1", "3", "4"), List.of(0L, 0L, 0L, 0L));
        acc.checkpoint(7, 1);
        RecordAccounting.Balance b = acc.balance(12, Map.of(0, 6L));
        assertThat(acc.deadLettered()).isEqualTo(2);
        assertThat(b.dead()).isEqualTo(1);
        assertThat(b.exact()).as(b.toString()).isTrue();
        assertThat(b.pending()).isEqualTo(1 + 6);
    }

    @Test
    void partitionsAreSummedAndNothingCommittedIsNoMatch() {
        RecordAccounting acc = new RecordAccounting();
        assertThat(acc.balance(10, Map.of()).matched()).isFalse();
        assertThat(acc.balance(10, Map.of()).toString()).contains("no checkpoint committed yet");
        acc.deadLetter(1, 0);
        acc.trained(List.of("p0-0", "p0-1", "p1-1", "p1-2"), List.of(0L, 0L, 0L, 0L));
        acc.checkpoint(3, 2);
        RecordAccounting.Balance b = acc.balance(10, Map.of(0, 3L, 1, 4L));
        assertThat(b.dead()).isEqualTo(1);
        assertThat(b.exact()).isTrue();
        assertThat(b.pendingInKafka()).isEqualTo(3);
    }

    @Test
    void deadLetterSourcesParseAndBadOnesAreRejected() {
        assertThat(RecordAccounting.parseSource("soak.images-0@123")).hasValueSatisfying(p -> {
            assertThat(p[0]).isEqualTo(0);
            assertThat(p[1]).isEqualTo(123);
        });
        assertThat(RecordAccounting.parseSource("my-images-12@7")).hasValueSatisfying(p -> {
            assertThat(p[0]).isEqualTo(12);
            assertThat(p[1]).isEqualTo(7);
        });
        assertThat(RecordAccounting.parseSource("images@x")).isEmpty();
        assertThat(RecordAccounting.parseSource("")).isEmpty();
        assertThatThrownBy(() -> new RecordAccounting().trained(List.of("a"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
