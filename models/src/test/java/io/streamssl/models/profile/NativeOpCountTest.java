package io.streamssl.models.profile;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class NativeOpCountTest {

    @Test
    void countsThreeAddsAndOneMulAsFourCalls() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new ai.djl.ndarray.types.Shape(4));
            NDArray b = m.ones(new ai.djl.ndarray.types.Shape(4));
            NativeOpCount count = NativeOpCount.of(() -> {
                a.addi(b);
                a.addi(b);
                a.addi(b);
                a.muli(b);
            });
            assertThat(count.topLevel()).isEqualTo(4);
            assertThat(count.topLevelByName()).containsEntry("aten::add_", 3L).containsEntry("aten::mul_", 1L);
            assertThat(count.all()).isGreaterThanOrEqualTo(4);
            assertThat(a.toFloatArray()).containsExactly(4f, 4f, 4f, 4f); // the work really ran: (1 + 3·1)·1
        }
    }

    @Test
    void nothingDoneCountsZero() {
        assertThat(NativeOpCount.of(() -> {}).topLevel()).isZero();
    }
}
