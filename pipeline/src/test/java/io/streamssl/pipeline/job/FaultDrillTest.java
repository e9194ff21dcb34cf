package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaultDrillTest {

    @Test
    void eachListedAttemptFailsAtItsStepOnly() {
        List<Long> steps = List.of(6L, 12L);
        FaultDrill first = new FaultDrill(steps, 0);
        assertThatCode(() -> first.afterStep(5)).doesNotThrowAnyException();
        assertThatThrownBy(() -> first.afterStep(6)).isInstanceOf(FaultDrill.FaultDrillException.class)
                .hasMessage("fault drill (testing.fail-at-steps): attempt 0 fails at step 6");
        FaultDrill second = new FaultDrill(steps, 1);
        assertThatCode(() -> second.afterStep(6)).doesNotThrowAnyException();
        assertThatThrownBy(() -> second.afterStep(12)).hasMessageContaining("attempt 1 fails at step 12");
        FaultDrill third = new FaultDrill(steps, 2);
        assertThatCode(() -> third.afterStep(6)).doesNotThrowAnyException();
        assertThatCode(() -> third.afterStep(12)).doesNotThrowAnyException();
    }
}
