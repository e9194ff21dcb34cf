package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.loss.SeedLoss;
import io.streamssl.models.snapshot.TeacherSnapshot;
import io.streamssl.models.state.FeatureQueue;
import io.streamssl.models.state.FrozenTeacher;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * SEED (Fang et al. 2021, "SEED: Self-supervised Distillation for Visual Representation"): a frozen self-supervised
 * teacher (e.g. a ResNet-50) is distilled into the student (e.g. a ResNet-18): each image's view goes through both,
 * the student's encoder → MLP head must reproduce the teacher's softmax similarities to itself and to a queue of past
 * teacher embeddings ({@link SeedLoss}, eq. 4, τ_s 0.2, τ_t 0.01). The queue takes the batch's teacher embeddings
 * after each optimiser step; it starts empty, and only its written rows take part (the paper's is always full).
 *
 * <p>The teacher ({@link TeacherSnapshot}): option {@code teacher}, a streamssl snapshot directory or a
 * torchvision-named {@code .safetensors} ResNet; its output is its projector's when the snapshot has one, else its
 * encoder's features, and the student's head ends at that width. It runs in inference mode and takes no gradient.
 * Its weights are checkpointed state: a restore overwrites what was read at start with the weights the run started
 * with, so a changed file cannot change a resumed run (the file must still be readable, since the network is built
 * from it). The views are normalised with the student's mean and std (the teacher's manifest may record others).
 *
 * <p>Options: {@code teacher} (required to train; empty by default so that {@code streamssl methods} can list it),
 * {@code queue-size} (4096, at least the batch size; the paper's is 65536), {@code student-temperature} (0.2),
 * {@code teacher-temperature} (0.01), {@code projector-hidden} (the student's feature width, as MoCo v2's head that
 * SEED's student uses), {@code augmentation}. One view per image, seen by both networks, as in the paper's code.
 */
public final class Seed extends BaseMethod {

    public static final String NAME = "seed";
    // the paper: SGD at 0.03 for batch 256 (its §4.1), as MoCo v2
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "SEED (Fang et al. 2021): distils a frozen SSL teacher's similarity distribution over a queue",
            OptimizerDefaults.scaled("sgd", 0.03, 256), Seed::new);
    public static final String TEACHER = "teacher";

    private final SeedLoss loss;
    private final int queueSize;
    private final int projectorHidden;
    private final String teacherPath;
    private FrozenTeacher teacher;
    private Block projector;
    private FeatureQueue queue;
    private NDArray pendingKeys; // this step's teacher embeddings: enqueued after the optimiser step
    private Shape viewShape;

    public Seed(MethodSettings settings) {
        super(NAME, settings);
        teacherPath = pathOption(TEACHER);
        if (!teacherPath.isEmpty()) {
            TeacherSnapshot.requireReadable(TEACHER, Path.of(teacherPath));
        }
        queueSize = intOption("queue-size", 4096, 1);
        int batch = settings.batchSize();
        requireFitsBatch(queueSize >= batch, "queue-size", "%1$s = " + queueSize + " must be at least %2$s = "
                + batch + " (each step enqueues a whole batch of teacher embeddings); allowed are %1$s >= " + batch
                + ", or %2$s <= " + queueSize);
        loss = new SeedLoss(doubleOption("student-temperature", 0.2, 1e-3, 10),
                doubleOption("teacher-temperature", 0.01, 1e-3, 10));
        projectorHidden = intOption("projector-hidden", settings.encoder().featureDim(), 1);
        rejectUnknownOptions();
    }

    @Override
    public void requireReadyToTrain() {
        if (teacherPath.isEmpty()) {
            throw new RequiredOptionMissing(TEACHER, NAME + ": option '" + TEACHER + "' is required (method." + TEACHER
                    + " in a job config): the teacher to distil, " + TeacherSnapshot.ACCEPTS
                    + ", e.g. method.teacher=streamssl-out/demo/snapshots");
        }
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(1, imageSize, preset(imageSize, "cifar-symmetric", "mocov2"), List.of(0));
    }

    @Override
    protected Block createEncoder(Shape views) {
        this.viewShape = views;
        return super.createEncoder(views);
    }

    @Override
    protected void createHeads(Shape features) {
        requireReadyToTrain();
        teacher = addState("teacher", TeacherSnapshot.load(TEACHER, Path.of(teacherPath), manager, viewShape));
        MlpHead head = MlpHead.projection(2, projectorHidden, teacher.outDim(), false, false);
        projector = addStudent("projector", head.block(), features);
        queue = addState("queue", new FeatureQueue("seed queue", manager, queueSize, teacher.outDim(), false));
    }

    /** The teacher, once initialised: what it is and where it was read from. */
    public FrozenTeacher teacher() {
        return teacher;
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray view = views.get(0);
        NDArray y = encode(ps, view);
        NDArray zs = run(projector, ps, y);
        NDArray zt = teacher.embed(ps, view);
        pendingKeys = NormalizedMseLoss.l2Normalize(zt);
        NDArray anchors = queue.rows();
        long filled = queue.filled(); // one read of the fill count per step
        if (filled < queue.length()) { // only the rows written so far; the slice belongs to the step, not the queue
            anchors = anchors.get("0:" + filled);
            anchors.attach(view.getManager());
        }
        return new Forward(loss.compute(zs, zt, anchors), y, zs);
    }

    @Override
    public void afterOptimizerStep(long step) {
        queue.push(pendingKeys);
        pendingKeys = null;
    }

    @Override
    public Map<String, Double> scalars(long step) {
        return Map.of("queue-filled", (double) queue.filled());
    }
}
