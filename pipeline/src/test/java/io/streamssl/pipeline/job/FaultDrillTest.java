package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaultDrillTest {

    @Test
    void eachListedAttemptFailsAtItsStepOnceACheckpointPastStepZeroCompleted() {
        List<Long> steps = List.of(6L, 12L);
        FaultDrill first = new FaultDrill(steps, 0);
        first.checkpointTaken(1, 0);
        first.checkpointCompleted(1); // a checkpoint of step 0: a restart from it would restore nothing trained
        assertThatCode(() -> first.afterStep(6)).doesNotThrowAnyException();
        first.checkpointTaken(2, 4);
        first.checkpointTaken(3, 7);
        assertThatCode(() -> first.afterStep(7)).doesNotThrowAnyException(); // taken, not yet completed
        first.checkpointCompleted(2);
        assertThatCode(() -> first.afterStep(5)).doesNotThrowAnyException(); // before the listed step
        assertThatThrownBy(() -> first.afterStep(8)).isInstanceOf(FaultDrill.FaultDrillException.class)
                .hasMessage("fault drill (testing.fail-at-steps): attempt 0 fails at step 8 (listed: 6)");
        FaultDrill second = new FaultDrill(steps, 1);
        second.checkpointTaken(4, 9);
        second.checkpointCompleted(4);
        assertThatCode(() -> second.afterStep(11)).doesNotThrowAnyException();
        assertThatThrownBy(() -> second.afterStep(12)).hasMessageContaining("attempt 1 fails at step 12");
        FaultDrill third = new FaultDrill(steps, 2);
        third.checkpointTaken(5, 13);
        third.checkpointCompleted(5);
        assertThatCode(() -> third.afterStep(12)).doesNotThrowAnyException();
        assertThatCode(() -> third.afterStep(30)).doesNotThrowAnyException();
    }
}
