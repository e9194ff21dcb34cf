package io.streamssl.models.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.streamssl.models.loss.SinkhornKnopp;
import io.streamssl.models.schedule.CosineSchedule;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stateful parts on their own: teacher EMA, queue, centre, Sinkhorn marginals, byte round trips. */
class StatePartsTest {

    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Parameter parameter(String name, float[] values) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(manager.create(values));
        return p;
    }

    @Test
    void oneEmaUpdateIsTauTimesTeacherPlusOneMinusTauTimesStudentPerTensor() {
        float[] s1 = {1f, -2f, 3f};
        float[] s2 = {0.5f, 4f};
        float[] t1 = {-1f, 0f, 2f};
        float[] t2 = {2f, 2f};
        Map<String, Parameter> student = new LinkedHashMap<>(Map.of("a", parameter("a", s1), "b", parameter("b", s2)));
        Map<String, Parameter> teacher = new LinkedHashMap<>(Map.of("a", parameter("a", t1), "b", parameter("b", t2)));
        MomentumTeacher ema = new MomentumTeacher(student, teacher);
        double tau = 0.9;
        ema.update(tau);
        float[] a = teacher.get("a").getArray().toFloatArray();
        float[] b = teacher.get("b").getArray().toFloatArray();
        for (int i = 0; i < 3; i++) {
            assertThat(a[i]).isCloseTo((float) (tau * t1[i] + (1 - tau) * s1[i]), offset(1e-6f));
        }
        for (int i = 0; i < 2; i++) {
            assertThat(b[i]).isCloseTo((float) (tau * t2[i] + (1 - tau) * s2[i]), offset(1e-6f));
        }
        assertThat(student.get("a").getArray().toFloatArray()).as("the student is untouched").containsExactly(s1);
        assertThatThrownBy(() -> ema.update(1.5)).hasMessageContaining("[0, 1]");
    }

    @Test
    void tauScheduleStartsAtBaseAndEndsAtOne() {
        CosineSchedule tau = CosineSchedule.of(0.996, 1.0, 1000);
        assertThat(tau.valueAt(0)).isEqualTo(0.996);
        assertThat(tau.valueAt(500)).isCloseTo(0.998, offset(1e-12));
        assertThat(tau.valueAt(1000)).isEqualTo(1.0);
        assertThat(tau.valueAt(5000)).as("stays at the end value").isEqualTo(1.0);
        // the BYOL formula: 1 − (1 − τ_base)(cos(πk/K) + 1)/2
        assertThat(tau.valueAt(250)).isCloseTo(1 - 0.004 * (Math.cos(Math.PI / 4) + 1) / 2, offset(1e-12));
    }

    @Test
    void queueIsFifoAndWrapsAround() {
        FeatureQueue q = new FeatureQueue("test queue", manager, 5, 2, false);
        assertThat(q.isFull()).isFalse();
        q.push(rows(1, 2, 3)); // rows valued 1, 2, 3
        assertThat(q.pointer()).isEqualTo(3);
        assertThat(firstColumn(q)).containsExactly(1f, 2f, 3f, 0f, 0f);
        q.push(rows(4, 5, 6)); // 4, 5 fill the end, 6 wraps round over the oldest (1)
        assertThat(q.pointer()).isEqualTo(1);
        assertThat(q.isFull()).isTrue();
        assertThat(firstColumn(q)).containsExactly(6f, 2f, 3f, 4f, 5f);
        q.push(rows(7, 8));
        assertThat(firstColumn(q)).as("2 and 3 were the oldest").containsExactly(6f, 7f, 8f, 4f, 5f);
        assertThatThrownBy(() -> q.push(rows(1, 2, 3, 4, 5, 6))).hasMessageContaining("N <= 5");
    }

    @Test
    void randomQueueStartsFullOfUnitVectors() {
        FeatureQueue q = new FeatureQueue("moco", manager, 16, 4, true);
        assertThat(q.isFull()).isTrue();
        float[] norms = q.rows().norm(new int[] {1}).toFloatArray();
        for (float n : norms) {
            assertThat(n).isCloseTo(1f, offset(1e-5f));
        }
    }

    NDArray rows(float... firstValues) {
        float[] data = new float[firstValues.length * 2];
        for (int i = 0; i < firstValues.length; i++) {
            data[2 * i] = firstValues[i];
            data[2 * i + 1] = -firstValues[i];
        }
        return manager.create(data, new Shape(firstValues.length, 2));
    }

    static float[] firstColumn(FeatureQueue q) {
        return q.rows().get(":, 0").toFloatArray();
    }

    @Test
    void centerFollowsTheEmaFormula() {
        DinoCenter center = new DinoCenter(manager, 3, 0.9);
        NDArray t0 = manager.create(new float[] {1, 2, 3, 3, 2, 1}, new Shape(2, 3));
        NDArray t1 = manager.create(new float[] {0, 0, 6, 4, 0, 2}, new Shape(2, 3));
        center.update(java.util.List.of(t0, t1));
        // batch mean over 4 rows: (8/4, 4/4, 12/4) = (2, 1, 3); c = 0.9·0 + 0.1·mean
        assertThat(center.value().toFloatArray()).containsExactly(new float[] {0.2f, 0.1f, 0.3f}, offset(1e-6f));
        center.update(java.util.List.of(t0));
        // mean of t0 = (2, 2, 2): c = 0.9·(0.2, 0.1, 0.3) + 0.1·2
        assertThat(center.value().toFloatArray()).containsExactly(new float[] {0.38f, 0.29f, 0.47f}, offset(1e-6f));
        assertThatThrownBy(() -> new DinoCenter(manager, 3, 1.0)).hasMessageContaining("[0, 1)");
    }

    /**
     * Rows of the plan (samples) sum to 1/B exactly after any number of iterations, since each iteration ends by
     * normalising them; columns (prototypes) approach 1/K as iterations proceed. SwAV's 3 iterations leave a
     * few per cent on the columns for peaked scores (measured below), so the 1e-3 check on columns uses enough
     * iterations to converge, and the 3-iteration error is only required to be smaller than after 1.
     */
    @Test
    void sinkhornPlanHasUniformMarginals() {
        Random r = new Random(3);
        int b = 32;
        int k = 10;
        float[] s = new float[b * k];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.tanh(r.nextGaussian() * 0.3); // cosine-like scores
        }
        NDArray scores = manager.create(s, new Shape(b, k));
        double[] errors = new double[4];
        int[] iterations = {1, 3, 10, 50};
        for (int n = 0; n < iterations.length; n++) {
            float[] plan = new SinkhornKnopp(iterations[n], 0.05).plan(scores).toFloatArray();
            for (int i = 0; i < b; i++) {
                double row = 0;
                for (int j = 0; j < k; j++) {
                    row += plan[i * k + j];
                }
                assertThat(row * b).as("row %d after %d iterations sums to 1/B", i, iterations[n])
                        .isCloseTo(1.0, offset(1e-3));
            }
            for (int j = 0; j < k; j++) {
                double col = 0;
                for (int i = 0; i < b; i++) {
                    col += plan[i * k + j];
                }
                errors[n] = Math.max(errors[n], Math.abs(col * k - 1));
            }
        }
        System.out.printf("sinkhorn: max relative column-marginal error after 1/3/10/50 iterations: %.2e %.2e %.2e %.2e%n",
                errors[0], errors[1], errors[2], errors[3]);
        assertThat(errors[1]).as("3 iterations improve on 1").isLessThan(errors[0]);
        assertThat(errors[3]).as("columns sum to 1/K within 1e-3 (relative) once converged").isLessThan(1e-3);
    }

    @Test
    void everyStatePieceRoundTripsThroughBytes() {
        FeatureQueue q = new FeatureQueue("q", manager, 6, 3, true);
        q.push(manager.randomNormal(new Shape(4, 3)));
        FeatureQueue copyQ = new FeatureQueue("q", manager, 6, 3, false);
        assertRoundTrip(q, copyQ);
        assertThat(copyQ.pointer()).isEqualTo(4);
        assertThat(copyQ.isFull()).isTrue();

        DinoCenter c = new DinoCenter(manager, 5, 0.9);
        c.update(java.util.List.of(manager.randomNormal(new Shape(3, 5))));
        assertRoundTrip(c, new DinoCenter(manager, 5, 0.9));

        Map<String, Parameter> s = Map.of("w", parameter("w", new float[] {1, 2}));
        MomentumTeacher t = new MomentumTeacher(s, Map.of("w", parameter("w", new float[] {5, 6})));
        MomentumTeacher other = new MomentumTeacher(s, Map.of("w", parameter("w", new float[] {0, 0})));
        assertRoundTrip(t, other);

        ScalarMovingAverage mean = new ScalarMovingAverage("m", manager, 0.5, 0.99);
        float next = mean.next(10);
        assertThat(next).as("0.99 · 0.5 + 0.01 · 10").isEqualTo((float) (0.99 * 0.5 + 0.01 * 10));
        assertThat(mean.value()).as("next() changes nothing").isEqualTo(0.5f);
        mean.set(next);
        assertRoundTrip(mean, new ScalarMovingAverage("m", manager, 0.5, 0.99));

        assertThatThrownBy(() -> new DinoCenter(manager, 4, 0.9).restore(c.toBytes(), manager))
                .hasMessageContaining("different model configuration");
    }

    static void assertRoundTrip(TensorState original, TensorState copy) {
        assertThat(copy.toBytes()).as("differs before the restore").isNotEqualTo(original.toBytes());
        try (NDManager scratch = manager.newSubManager()) {
            copy.restore(original.toBytes(), scratch);
        }
        original.stateTensors().forEach((name, array) -> {
            NDArray restored = copy.stateTensors().get(name);
            assertThat(restored.getDataType()).isEqualTo(array.getDataType());
            assertThat(restored.getShape()).isEqualTo(array.getShape());
            assertThat(restored.toByteBuffer()).as(name).isEqualTo(array.toByteBuffer());
        });
        assertThat(copy.toBytes()).isEqualTo(original.toBytes());
    }

    @Test
    void queuePointerIsAnIntegerTensor() {
        assertThat(new FeatureQueue("q", manager, 4, 2, false).stateTensors().get("pointer").getDataType())
                .isEqualTo(DataType.INT64);
    }
}
