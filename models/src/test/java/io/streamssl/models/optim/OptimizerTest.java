package io.streamssl.models.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One step of each optimiser against the update worked out by hand in double precision. */
class OptimizerTest {

    static final float[] W = {0.5f, -1f, 2f, 0.25f}; // a (2, 2) weight
    static final float[] G = {0.1f, 0.2f, -0.3f, 0.4f}; // its gradient
    static final float[] B = {1f, -2f}; // a bias
    static final float[] GB = {0.5f, 0.5f};

    /** Parameters w (2, 2) and b (2) whose gradients are exactly G and GB (the loss is Σ w·G + Σ b·GB). */
    static Map<String, Parameter> parameters(NDManager m) {
        Parameter w = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
        Parameter b = Parameter.builder().setName("b").setType(Parameter.Type.BIAS).build();
        w.setArray(m.create(W, new Shape(2, 2)));
        b.setArray(m.create(B));
        w.getArray().setRequiresGradient(true);
        b.getArray().setRequiresGradient(true);
        try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
            NDArray loss = w.getArray().mul(m.create(G, new Shape(2, 2))).sum()
                    .add(b.getArray().mul(m.create(GB)).sum());
            c.backward(loss);
        }
        Map<String, Parameter> p = new LinkedHashMap<>();
        p.put("w", w);
        p.put("b", b);
        return p;
    }

    static void step(ParameterOptimizer opt, Map<String, Parameter> p, float lr, float wd) {
        ai.djl.pytorch.jni.JniUtils.setGradMode(false); // in-place updates of leaves need grad mode off
        opt.step(p, lr, wd);
    }

    @Test
    void sgdDecaysWeightsButNotBiases() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> p = parameters(m);
            step(new SgdMomentum(0.9f), p, 0.1f, 0.01f);
            float[] w = p.get("w").getArray().toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertThat(w[i]).isCloseTo((float) (W[i] - 0.1 * (G[i] + 0.01 * W[i])), offset(1e-6f));
            }
            float[] b = p.get("b").getArray().toFloatArray();
            for (int i = 0; i < 2; i++) {
                assertThat(b[i]).as("bias: no decay").isCloseTo((float) (B[i] - 0.1 * GB[i]), offset(1e-6f));
            }
        }
    }

    @Test
    void larsScalesByTrustRatioAndLeavesBiasesAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> p = parameters(m);
            double wd = 1e-3;
            double eta = 0.02;
            step(new Lars(0.9f, (float) eta), p, 0.5f, (float) wd);
            double wNorm = 0;
            double gNorm = 0;
            double[] g = new double[4];
            for (int i = 0; i < 4; i++) {
                g[i] = G[i] + wd * W[i];
                wNorm += W[i] * W[i];
                gNorm += g[i] * g[i];
            }
            double trust = eta * Math.sqrt(wNorm) / Math.sqrt(gNorm);
            float[] w = p.get("w").getArray().toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertThat(w[i]).isCloseTo((float) (W[i] - 0.5 * trust * g[i]), offset(1e-6f));
            }
            float[] b = p.get("b").getArray().toFloatArray();
            for (int i = 0; i < 2; i++) {
                assertThat(b[i]).as("bias: plain SGD").isCloseTo((float) (B[i] - 0.5 * GB[i]), offset(1e-6f));
            }
        }
    }

    @Test
    void adamWFirstStepIsSignedLearningRatePlusDecoupledDecay() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> p = parameters(m);
            AdamW adam = new AdamW(0.9f, 0.999f, 1e-8f);
            step(adam, p, 0.01f, 0.05f);
            float[] w = p.get("w").getArray().toFloatArray();
            for (int i = 0; i < 4; i++) {
                // after bias correction m̂ = g and v̂ = g², so the step is lr·g/(|g| + ε)
                double expected = W[i] * (1 - 0.01 * 0.05) - 0.01 * G[i] / (Math.abs(G[i]) + 1e-8);
                assertThat(w[i]).isCloseTo((float) expected, offset(1e-6f));
            }
            float[] b = p.get("b").getArray().toFloatArray();
            assertThat(b[0]).as("bias: no decay").isCloseTo((float) (B[0] - 0.01), offset(1e-6f));
            assertThat(adam.slots()).containsKeys("adam-step", "adam-m/w", "adam-v/w", "adam-m/b");
            assertThat(adam.slots().get("adam-step").getLong(0)).isEqualTo(1L);
        }
    }

    @Test
    void adamWTakesTheBetasItIsGiven() {
        // two steps, gradient g then 3g: m̂₂ = (β1 + 3)/(1 + β1)·g and v̂₂ = (β2 + 9)/(1 + β2)·g² after bias correction,
        // so the second step tells β2 = 0.95 (MAE's) from 0.999 (~1 % of the step)
        for (double beta2 : new double[] {0.95, 0.999}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Map<String, Parameter> p = parameters(m);
                ParameterOptimizer adam = ParameterOptimizer.create("adamw", 0.9, 0.02, 0.9, beta2);
                step(adam, p, 0.01f, 0f);
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    c.backward(p.get("w").getArray().mul(m.create(G, new Shape(2, 2))).sum().mul(3));
                }
                step(adam, p, 0.01f, 0f);
                float[] w = p.get("w").getArray().toFloatArray();
                for (int i = 0; i < 4; i++) {
                    double w1 = W[i] - 0.01 * G[i] / (Math.abs(G[i]) + 1e-8);
                    double mHat = (0.9 + 3) / (1 + 0.9) * G[i];
                    double vHat = (beta2 + 9) / (1 + beta2) * G[i] * G[i];
                    assertThat(w[i]).as("β2 %s, w[%d]", beta2, i)
                            .isCloseTo((float) (w1 - 0.01 * mHat / (Math.sqrt(vHat) + 1e-8)), offset(1e-6f));
                }
            }
        }
    }

    @Test
    void optimizersAreSelectedByNameAndValidated() {
        assertThat(ParameterOptimizer.create("sgd", 0.9, 0.02)).isInstanceOf(SgdMomentum.class);
        assertThat(ParameterOptimizer.create("LARS", 0.9, 0.02)).isInstanceOf(Lars.class);
        assertThat(ParameterOptimizer.create("adamw", 0.9, 0.02)).isInstanceOf(AdamW.class);
        assertThatThrownBy(() -> ParameterOptimizer.create("adam", 0.9, 0.02))
                .hasMessageContaining("allowed are sgd, lars, adamw");
        assertThatThrownBy(() -> new Lars(0.9f, 0f)).hasMessageContaining("eta must be in (0, 1]");
        assertThatThrownBy(() -> new AdamW(1f, 0.999f, 1e-8f)).hasMessageContaining("betas must be in [0, 1)");
    }
}
