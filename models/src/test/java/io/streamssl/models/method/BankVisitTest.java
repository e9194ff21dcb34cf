package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.streamssl.models.state.InstanceBank;
import org.junit.jupiter.api.Test;

/**
 * The negatives a batch sees at a bank that has wrapped around: only the rows appended last (counted back from the
 * pointer, cyclically), never an image's own row, never the image itself among the batch's; worked by hand.
 */
class BankVisitTest {

    @Test
    void onlyTheRowsAppendedLastAreNegativesAndAnImageIsNeverItsOwnNegative() {
        try (NDManager m = NDManager.newBaseManager()) {
            InstanceBank bank = new InstanceBank("test bank", m, 5, 2);
            bank.update(new long[] {1, 2, 3}, unitRows(m, 3), 0.5);
            // 4 → row 3, 5 → row 4, 6 → row 0 (evicting 1): ages in appends 0 (row 0), 1 (row 4), 2 (row 3),
            // 3 (row 2, id 3), 4 (row 1, id 2)
            bank.update(new long[] {4, 5, 6}, unitRows(m, 3), 0.5);
            assertThat(bank.pointer()).isEqualTo(1);
            long[] ids = {2, 9}; // a hit at row 1, a new image

            boolean[] recent = new BankVisit(bank, ids, 2, 2, 3).excluded(m).toBooleanArray();
            assertThat(recent).containsExactly(
                    false, true, true, false, false, true, false, // rows 1, 2 too old (row 1 also its own)
                    false, true, true, false, false, false, true);

            boolean[] all = new BankVisit(bank, ids, 2, 2, 5).excluded(m).toBooleanArray();
            assertThat(all).containsExactly(
                    false, true, false, false, false, true, false, // only its own row
                    false, false, false, false, false, false, true);

            assertThat(new BankVisit(bank, ids, 2, 2, 0).excluded(m).toBooleanArray()).as("no bank rows at all")
                    .containsExactly(true, true, true, true, true, true, false, true, true, true, true, true, false,
                            true);
        }
    }

    private static ai.djl.ndarray.NDArray unitRows(NDManager m, int n) {
        float[] v = new float[n * 2];
        for (int i = 0; i < n; i++) {
            v[2 * i] = 1;
        }
        return m.create(v, new Shape(n, 2));
    }
}
