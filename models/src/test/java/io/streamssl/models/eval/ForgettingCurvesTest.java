package io.streamssl.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamssl.models.eval.ForgettingCurves.ClassForgetting;
import org.junit.jupiter.api.Test;

/** Forgetting (Chaudhry et al., 2018) against cases worked by hand, with the numbers written out. */
class ForgettingCurvesTest {

    private static final double NAN = Double.NaN;

    /**
     * Three evaluations, four classes:
     * <pre>
     *   step   c0    c1    c2    c3
     *   100   0.50  0.20  0.40  NaN
     *   200   0.70  0.30  0.40  0.60
     *   300   0.40  0.60  0.10  0.50
     * </pre>
     * c0: best before the end 0.70 (step 200), final 0.40, f = 0.30. c1: best 0.30 (step 200), final 0.60,
     * f = −0.30 (learned more, not clamped). c2: best 0.40, first reached at step 100, final 0.10, f = 0.30.
     * c3: no queries at step 100, so best 0.60 (step 200), final 0.50, f = 0.10.
     * Average over the four: (0.30 − 0.30 + 0.30 + 0.10) / 4 = 0.40 / 4 = 0.10.
     */
    @Test
    void handWorkedRun() {
        ForgettingCurves f = ForgettingCurves.of(new long[] {100, 200, 300}, new double[][] {
                {0.50, 0.20, 0.40, NAN},
                {0.70, 0.30, 0.40, 0.60},
                {0.40, 0.60, 0.10, 0.50}});

        assertThat(f.evaluationCount()).isEqualTo(3);
        assertThat(f.classCount()).isEqualTo(4);
        assertThat(f.steps()).containsExactly(100, 200, 300);
        assertClass(f.ofClass(0), 0.70, 200, 0.40, 0.30);
        assertClass(f.ofClass(1), 0.30, 200, 0.60, -0.30);
        assertClass(f.ofClass(2), 0.40, 100, 0.10, 0.30);
        assertClass(f.ofClass(3), 0.60, 200, 0.50, 0.10);
        assertThat(f.ofClass(0).accuracy()).containsExactly(0.50, 0.70, 0.40);
        assertThat(f.ofClass(3).accuracy()[0]).isNaN();
        assertThat(f.averageForgetting()).isCloseTo(0.10, within(1e-12));
        assertThat(f.averagedClassCount()).isEqualTo(4);
        assertThat(f.classes()).extracting(ClassForgetting::classIndex).containsExactly(0, 1, 2, 3);
    }

    /**
     * Classes whose forgetting is undefined are skipped in the average:
     * <pre>
     *   step   c0    c1    c2
     *   10    0.90  NaN   0.80
     *   20    0.60  0.50  NaN
     * </pre>
     * c0: f = 0.90 − 0.60 = 0.30. c1: no earlier value, f undefined. c2: no final value, f undefined (best 0.80 is
     * still reported). Average over c0 alone: 0.30.
     */
    @Test
    void classesWithoutQueriesAreSkippedInTheAverage() {
        ForgettingCurves f = ForgettingCurves.of(new long[] {10, 20}, new double[][] {
                {0.90, NAN, 0.80},
                {0.60, 0.50, NAN}});

        assertClass(f.ofClass(0), 0.90, 10, 0.60, 0.30);
        assertThat(f.ofClass(1).best()).isNaN();
        assertThat(f.ofClass(1).bestStep()).isEqualTo(-1);
        assertThat(f.ofClass(1).finalAccuracy()).isEqualTo(0.50);
        assertThat(f.ofClass(1).forgetting()).isNaN();
        assertThat(f.ofClass(1).defined()).isFalse();
        assertThat(f.ofClass(2).best()).isEqualTo(0.80);
        assertThat(f.ofClass(2).finalAccuracy()).isNaN();
        assertThat(f.ofClass(2).defined()).isFalse();
        assertThat(f.averageForgetting()).isCloseTo(0.30, within(1e-12));
        assertThat(f.averagedClassCount()).isEqualTo(1);
    }

    /** One evaluation has nothing before it: every f_c is undefined and the average NaN, covering no class. */
    @Test
    void oneEvaluationHasNoForgetting() {
        ForgettingCurves f = ForgettingCurves.of(new long[] {50}, new double[][] {{0.3, 0.7}});
        assertThat(f.ofClass(1).finalAccuracy()).isEqualTo(0.7);
        assertThat(f.ofClass(1).forgetting()).isNaN();
        assertThat(f.averageForgetting()).isNaN();
        assertThat(f.averagedClassCount()).isZero();
    }

    /**
     * The final evaluation is not part of the maximum: a class that peaks at the end has f = max earlier − final,
     * here 0.2 − 0.9 = −0.7, not 0. Two classes: (−0.7 + (0.5 − 0.5)) / 2 = −0.35.
     */
    @Test
    void theLastEvaluationIsNotInTheMaximum() {
        ForgettingCurves f = ForgettingCurves.of(new long[] {1, 2, 3}, new double[][] {
                {0.1, 0.5}, {0.2, 0.5}, {0.9, 0.5}});
        assertClass(f.ofClass(0), 0.2, 2, 0.9, -0.7);
        assertClass(f.ofClass(1), 0.5, 1, 0.5, 0.0);
        assertThat(f.averageForgetting()).isCloseTo(-0.35, within(1e-12));
    }

    @Test
    void copiesAreDefensive() {
        double[][] acc = {{0.1, 0.2}, {0.3, 0.4}};
        long[] steps = {1, 2};
        ForgettingCurves f = ForgettingCurves.of(steps, acc);
        acc[1][0] = 0.0;
        steps[0] = 7;
        f.ofClass(0).accuracy()[1] = 1.0;
        f.steps()[0] = 9;
        assertThat(f.ofClass(0).accuracy()).containsExactly(0.1, 0.3);
        assertThat(f.steps()).containsExactly(1, 2);
    }

    @Test
    void badInputIsRejectedNamingThePlace() {
        assertThatThrownBy(() -> ForgettingCurves.of(new long[0], new double[0][]))
                .hasMessageContaining("at least one evaluation");
        assertThatThrownBy(() -> ForgettingCurves.of(new long[] {1, 2}, new double[][] {{0.1}}))
                .hasMessageContaining("2 steps but 1 rows");
        assertThatThrownBy(() -> ForgettingCurves.of(new long[] {1}, new double[][] {{}}))
                .hasMessageContaining("at least one class");
        assertThatThrownBy(() -> ForgettingCurves.of(new long[] {5, 5}, new double[][] {{0.1}, {0.2}}))
                .hasMessageContaining("step 5 (evaluation 1) follows step 5");
        assertThatThrownBy(() -> ForgettingCurves.of(new long[] {1, 2}, new double[][] {{0.1, 0.2}, {0.3}}))
                .hasMessageContaining("step 2 has 1 classes, the first has 2");
        assertThatThrownBy(() -> ForgettingCurves.of(new long[] {1, 2}, new double[][] {{0.1}, {1.5}}))
                .hasMessageContaining("class 0 at step 2 is 1.5", "[0, 1]");
        assertThatThrownBy(() -> ForgettingCurves.of(new long[] {1}, new double[][] {{Double.POSITIVE_INFINITY}}))
                .hasMessageContaining("is Infinity");
        assertThatThrownBy(() -> ForgettingCurves.of(new long[] {1}, new double[][] {{0.5}}).ofClass(1))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static void assertClass(ClassForgetting c, double best, long bestStep, double fin, double forgetting) {
        assertThat(c.best()).as("best of class %d", c.classIndex()).isCloseTo(best, within(1e-12));
        assertThat(c.bestStep()).as("best step of class %d", c.classIndex()).isEqualTo(bestStep);
        assertThat(c.finalAccuracy()).as("final of class %d", c.classIndex()).isCloseTo(fin, within(1e-12));
        assertThat(c.forgetting()).as("forgetting of class %d", c.classIndex()).isCloseTo(forgetting, within(1e-12));
        assertThat(c.defined()).isTrue();
    }
}
