package io.streamssl.models.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The id-keyed bank against a plain-double FIFO written here, hand-worked cases, and its byte round trip. */
class InstanceBankTest {

    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void aRepeatedIdIsAppendedOnceThenBlendedAndAFullBankEvictsTheOldest() {
        InstanceBank bank = new InstanceBank("test bank", manager, 3, 2);
        assertThat(bank.lookup(new long[] {7})).containsExactly(-1);
        try (NDManager step = manager.newSubManager()) {
            // 7 twice in one batch: appended at its first occurrence, blended with m = 0.5 at its second
            bank.update(new long[] {7, 7, 9}, step.create(new float[] {1, 0, 0, 1, -1, 0}, new Shape(3, 2)), 0.5);
        }
        assertThat(bank.filled()).isEqualTo(2);
        assertThat(bank.lookup(new long[] {9, 7, 8})).containsExactly(1, 0, -1);
        float h = (float) Math.sqrt(0.5);
        assertThat(bank.rows().toFloatArray()).containsExactly(new float[] {h, h, -1, 0, 0, 0}, offset(1e-6f));
        try (NDManager step = manager.newSubManager()) {
            // 8 fills the last row; 5 evicts the oldest (7, row 0); then 9 is a hit: (0.5·(−1, 0) + 0.5·(0, 1)) / ‖·‖
            bank.update(new long[] {8, 5, 9}, step.create(new float[] {0, -1, 1, 0, 0, 1}, new Shape(3, 2)), 0.5);
        }
        assertThat(bank.filled()).isEqualTo(3);
        assertThat(bank.lookup(new long[] {7, 9, 8, 5})).containsExactly(-1, 1, 2, 0);
        assertThat(bank.rows().toFloatArray()).containsExactly(new float[] {1, 0, -h, h, 0, -1}, offset(1e-6f));
    }

    @Test
    void manyUpdatesMatchAPlainDoubleFifo() {
        int capacity = 12;
        int dim = 5;
        double momentum = 0.5;
        NDManager own = manager.newSubManager();
        InstanceBank bank = new InstanceBank("test bank", own, capacity, dim);
        DoubleBank reference = new DoubleBank(capacity);
        Random random = new Random(3);
        for (int batch = 0; batch < 30; batch++) {
            int n = 1 + random.nextInt(6);
            long[] ids = new long[n];
            float[] features = new float[n * dim];
            for (int i = 0; i < n; i++) {
                ids[i] = random.nextInt(20) - 10; // a pool of 20 ids over 12 rows: hits, misses, evictions, repeats
                double norm = 0;
                for (int j = 0; j < dim; j++) {
                    features[i * dim + j] = (float) random.nextGaussian();
                    norm += features[i * dim + j] * features[i * dim + j];
                }
                for (int j = 0; j < dim; j++) {
                    features[i * dim + j] /= (float) Math.sqrt(norm);
                }
            }
            try (NDManager step = manager.newSubManager()) {
                bank.update(ids, step.create(features, new Shape(n, dim)), momentum);
            }
            reference.update(ids, features, dim, momentum);
            assertThat(bank.filled()).isEqualTo(reference.ids.size());
            long[] probe = new long[20];
            for (int i = 0; i < 20; i++) {
                probe[i] = i - 10;
            }
            int[] rows = bank.lookup(probe);
            float[] values = bank.rows().toFloatArray();
            for (int i = 0; i < 20; i++) {
                int at = reference.ids.indexOf(probe[i]);
                assertThat(rows[i] >= 0).as("batch %d: id %d held", batch, probe[i]).isEqualTo(at >= 0);
                if (at >= 0) {
                    assertThat(rows[i]).as("its row").isEqualTo(reference.slot.get(at));
                    for (int j = 0; j < dim; j++) {
                        assertThat((double) values[rows[i] * dim + j]).isCloseTo(reference.rows.get(at)[j],
                                offset(1e-5));
                    }
                }
            }
        }
        assertThat(own.getManagedArrays()).as("only the bank's own tensors stay in its manager").hasSize(4);
        own.close();
    }

    @Test
    void restoredStateIsSeenByTheNextLookup() {
        InstanceBank a = new InstanceBank("a", manager, 4, 2);
        InstanceBank b = new InstanceBank("b", manager, 4, 2);
        try (NDManager step = manager.newSubManager()) {
            a.update(new long[] {1, 2, 3}, step.create(new float[] {1, 0, 0, 1, -1, 0}, new Shape(3, 2)), 0.5);
            b.update(new long[] {4}, step.create(new float[] {0, -1}, new Shape(1, 2)), 0.5);
        }
        assertThat(b.lookup(new long[] {1, 4})).containsExactly(-1, 0);
        try (NDManager scratch = manager.newSubManager()) {
            b.restore(a.toBytes(), scratch);
        }
        assertThat(b.lookup(new long[] {1, 2, 3, 4})).containsExactly(0, 1, 2, -1);
        assertThat(b.rows().toFloatArray()).containsExactly(a.rows().toFloatArray());
        assertThat(b.filled()).isEqualTo(3);
        // the pointer came too: the next miss goes to row 3 in both
        try (NDManager step = manager.newSubManager()) {
            NDArray f = step.create(new float[] {0, 1}, new Shape(1, 2));
            a.update(new long[] {9}, f, 0.5);
            b.update(new long[] {9}, f, 0.5);
        }
        assertThat(b.lookup(new long[] {9})).containsExactly(3);
        assertThat(b.toBytes()).isEqualTo(a.toBytes());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatThrownBy(() -> new InstanceBank("bank", manager, 0, 2)).hasMessageContaining(">= 1");
        InstanceBank bank = new InstanceBank("bank", manager, 2, 2);
        try (NDManager step = manager.newSubManager()) {
            assertThatThrownBy(() -> bank.update(new long[] {1, 2, 3}, step.zeros(new Shape(3, 2)), 0.5))
                    .hasMessageContaining("N <= 2");
            assertThatThrownBy(() -> bank.update(new long[] {1}, step.zeros(new Shape(1, 3)), 0.5))
                    .hasMessageContaining("(N, 2)");
            assertThatThrownBy(() -> bank.update(new long[] {1}, step.zeros(new Shape(1, 2)), 1.5))
                    .hasMessageContaining("[0, 1]");
        }
    }

    /** The bank in plain doubles: parallel lists in insertion order, each entry with its row number. */
    static final class DoubleBank {
        final int capacity;
        final List<Long> ids = new ArrayList<>();
        final List<double[]> rows = new ArrayList<>();
        final List<Integer> slot = new ArrayList<>();
        int next;

        DoubleBank(int capacity) {
            this.capacity = capacity;
        }

        void update(long[] batchIds, float[] features, int dim, double m) {
            for (int i = 0; i < batchIds.length; i++) {
                double[] f = new double[dim];
                for (int j = 0; j < dim; j++) {
                    f[j] = features[i * dim + j];
                }
                int at = ids.indexOf(batchIds[i]);
                if (at >= 0) {
                    double[] v = rows.get(at);
                    double norm = 0;
                    for (int j = 0; j < dim; j++) {
                        v[j] = m * v[j] + (1 - m) * f[j];
                        norm += v[j] * v[j];
                    }
                    for (int j = 0; j < dim; j++) {
                        v[j] /= Math.sqrt(norm);
                    }
                } else {
                    if (ids.size() == capacity) { // the oldest entry leaves
                        ids.remove(0);
                        rows.remove(0);
                        slot.remove(0);
                    }
                    ids.add(batchIds[i]);
                    rows.add(f);
                    slot.add(next);
                    next = (next + 1) % capacity;
                }
            }
        }
    }
}
