package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.schedule.CosineSchedule;
import io.streamssl.models.state.MomentumTeacher;
import io.streamssl.models.tensor.NamedParameters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BYOL (Grill et al. 2020, "Bootstrap Your Own Latent"): an online network (encoder → projector → predictor)
 * regresses the projection of the other view made by a momentum teacher (encoder → projector), with the
 * symmetrised normalised-MSE loss; the teacher follows the student with τ rising from τ_base to 1 on a cosine.
 *
 * <p>Options: {@code projector-hidden} (4096), {@code projector-out} (256), {@code predictor-hidden} (4096),
 * {@code tau-base} (0.99), {@code tau-end} (1.0).
 */
public final class Byol implements SslMethod {

    public static final String NAME = "byol";
    private static final Set<String> OPTIONS =
            Set.of("projector-hidden", "projector-out", "predictor-hidden", "tau-base", "tau-end");

    private final MethodSettings settings;
    private final MlpHead projectorSpec;
    private final MlpHead predictorSpec;
    private final CosineSchedule tau;

    private Block encoder;
    private Block projector;
    private Block predictor;
    private Block teacherEncoder;
    private Block teacherProjector;
    private NamedParameters student;
    private NamedParameters teacher;
    private MomentumTeacher momentumTeacher;

    public Byol(MethodSettings settings) {
        settings.requireOnly(NAME, OPTIONS);
        this.settings = settings;
        int hidden = settings.intOption("projector-hidden", 4096);
        int out = settings.intOption("projector-out", 256);
        this.projectorSpec = MlpHead.byol(hidden, out);
        this.predictorSpec = MlpHead.byol(settings.intOption("predictor-hidden", 4096), out);
        double tauBase = settings.doubleOption("tau-base", 0.99);
        double tauEnd = settings.doubleOption("tau-end", 1.0);
        if (!(tauBase >= 0 && tauBase <= tauEnd && tauEnd <= 1)) {
            throw new IllegalArgumentException(
                    "byol needs 0 <= tau-base <= tau-end <= 1, got " + tauBase + " and " + tauEnd);
        }
        this.tau = CosineSchedule.of(tauBase, tauEnd, settings.scheduleSteps());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int viewsPerImage() {
        return 2;
    }

    @Override
    public void initialize(NDManager manager, Shape viewShape) {
        int dim = settings.encoder().featureDim();
        Shape features = new Shape(viewShape.get(0), dim);
        Shape projection = new Shape(viewShape.get(0), projectorSpec.outDim());
        encoder = init(settings.encoder().build(), manager, viewShape);
        projector = init(projectorSpec.block(), manager, features);
        predictor = init(predictorSpec.block(), manager, projection);
        teacherEncoder = init(settings.encoder().build(), manager, viewShape);
        teacherProjector = init(projectorSpec.block(), manager, features);
        for (Block b : List.of(teacherEncoder, teacherProjector)) {
            b.getParameters().values().forEach(p -> p.getArray().setRequiresGradient(false));
        }
        student = new NamedParameters().add("encoder", encoder).add("projector", projector);
        teacher = new NamedParameters().add("encoder", teacherEncoder).add("projector", teacherProjector);
        momentumTeacher = new MomentumTeacher(student.all(), teacher.all());
        momentumTeacher.copyFromStudent();
        student.add("predictor", predictor);
    }

    private static Block init(Block block, NDManager manager, Shape input) {
        block.initialize(manager, DataType.FLOAT32, input);
        return block;
    }

    @Override
    public Block encoder() {
        return encoder;
    }

    @Override
    public Map<String, Parameter> trainableParameters() {
        return student.trainable();
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        student.all().forEach((k, v) -> out.put("student/" + k, v.getArray()));
        teacher.all().forEach((k, v) -> out.put("teacher/" + k, v.getArray()));
        return out;
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        if (views.size() != 2) {
            throw new IllegalArgumentException("byol trains on 2 views per image, got " + views.size());
        }
        NDArray y0 = encoder.forward(ps, new NDList(views.get(0)), true).singletonOrThrow();
        NDArray y1 = encoder.forward(ps, new NDList(views.get(1)), true).singletonOrThrow();
        NDArray p0 = predict(ps, y0);
        NDArray p1 = predict(ps, y1);
        NDArray z0 = teacherProject(ps, views.get(0));
        NDArray z1 = teacherProject(ps, views.get(1));
        NDArray loss = NormalizedMseLoss.compute(p0, z1).add(NormalizedMseLoss.compute(p1, z0));
        return new Forward(loss, y0.stopGradient());
    }

    private NDArray predict(ParameterStore ps, NDArray features) {
        NDArray z = projector.forward(ps, new NDList(features), true).singletonOrThrow();
        return predictor.forward(ps, new NDList(z), true).singletonOrThrow();
    }

    private NDArray teacherProject(ParameterStore ps, NDArray view) {
        NDArray y = teacherEncoder.forward(ps, new NDList(view), true).singletonOrThrow();
        return teacherProjector.forward(ps, new NDList(y), true).singletonOrThrow().stopGradient();
    }

    @Override
    public void afterOptimizerStep(long step) {
        momentumTeacher.update(tau.valueAt(step));
    }

    @Override
    public Map<String, Double> scalars(long step) {
        return Map.of("tau", tau.valueAt(step));
    }
}
