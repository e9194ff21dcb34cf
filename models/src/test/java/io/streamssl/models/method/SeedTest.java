package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.streamssl.models.GradMode;
import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.TrainingState;
import io.streamssl.models.snapshot.ReferenceImage;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.models.snapshot.TeacherSnapshot;
import io.streamssl.models.state.FrozenTeacher;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEED's teacher: read from a snapshot (encoder + projector) and from the torchvision-named export of the same
 * snapshot (encoder), giving the features {@link SnapshotEncoder} gives and, through the projector, what plain
 * double arithmetic on the exported head gives; a missing or unreadable teacher fails naming the option; and a run
 * resumed from a checkpoint uses the checkpoint's teacher even when the file now holds another.
 */
class SeedTest {

    static final int BATCH = 8;

    @Test
    void aSnapshotTeacherIsItsEncoderAndProjectorInInferenceMode() throws Exception {
        Path dir = SeedTeacher.snapshot();
        int size = 32;
        byte[] rgb = ReferenceImage.pixels(size);
        float[] features;
        try (SnapshotEncoder reference = SnapshotEncoder.load(dir)) {
            features = reference.embed(rgb, size, size);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            GradMode.disable();
            FrozenTeacher fromSnapshot = TeacherSnapshot.load("teacher", dir, manager, new Shape(2, 3, size, size));
            FrozenTeacher fromTorchvision = TeacherSnapshot.load("teacher", dir.resolve(SnapshotWriter.SAFETENSORS_FILE),
                    manager, new Shape(2, 3, size, size));
            assertThat(fromSnapshot.hasProjector()).isTrue();
            assertThat(fromSnapshot.outDim()).isEqualTo(SeedTeacher.OUT_DIM);
            assertThat(fromTorchvision.hasProjector()).isFalse();
            assertThat(fromTorchvision.outDim()).isEqualTo(features.length);
            assertThat(fromTorchvision.description()).startsWith("resnet18 cifar width 8 encoder features");
            assertThat(fromTorchvision.stateTensors().keySet()).isEqualTo(
                    new java.util.LinkedHashSet<>(fromSnapshot.stateTensors().keySet().stream()
                            .filter(k -> k.startsWith("encoder/")).toList()));

            NDArray x = normalized(manager, rgb, size);
            ParameterStore ps = new ParameterStore(manager, false);
            float[] viaTorchvision = fromTorchvision.embed(ps, x).toFloatArray();
            assertThat(maxDifference(viaTorchvision, features)).as("torchvision-named teacher vs SnapshotEncoder")
                    .isLessThan(1e-5);
            float[] projected = fromSnapshot.embed(ps, x).toFloatArray();
            double[] expected = projectorInDoubles(dir.resolve(SnapshotWriter.HEADS_FILE), features, manager);
            assertThat(maxDifference(projected, expected)).as("snapshot teacher vs its head in doubles")
                    .isLessThan(1e-4 * Math.max(1, maxAbs(expected)));
            assertThat(fromSnapshot.stateTensors().values()).allMatch(a -> !a.hasGradient());
        }
    }

    @Test
    void aMissingOrUnreadableTeacherFailsNamingTheOption(@TempDir Path tmp) throws Exception {
        TrainerSpec none = TrainerSpec.byolCifar(8, BATCH, 100).withMethod("seed", Map.of());
        assertThatThrownBy(() -> new SslTrainer(none)).hasMessageContaining("option 'teacher' is required")
                .hasMessageContaining("method.teacher").hasMessageContaining("snapshot directory");
        assertThatThrownBy(() -> SslMethods.create("seed", settings(tmp.resolve("absent").toString())))
                .hasMessageContaining("option 'teacher' = ").hasMessageContaining("no such file or directory")
                .hasMessageContaining(".safetensors file");
        assertThatThrownBy(() -> SslMethods.create("seed", settings(tmp.toString())))
                .hasMessageContaining("no manifest.json");
        Path text = Files.writeString(tmp.resolve("teacher.txt"), "not weights");
        assertThatThrownBy(() -> SslMethods.create("seed", settings(text.toString())))
                .hasMessageContaining("must end in .safetensors");
        Path junk = Files.writeString(tmp.resolve("teacher.safetensors"), "not weights");
        TrainerSpec bad = TrainerSpec.byolCifar(8, BATCH, 100).withMethod("seed", Map.of("teacher", junk.toString()));
        assertThatThrownBy(() -> new SslTrainer(bad)).hasMessageContaining("option 'teacher' = " + junk);
        // a heads file is no encoder: named as such
        Path heads = SeedTeacher.snapshot().resolve(SnapshotWriter.HEADS_FILE);
        TrainerSpec headsOnly = TrainerSpec.byolCifar(8, BATCH, 100).withMethod("seed",
                Map.of("teacher", heads.toString()));
        assertThatThrownBy(() -> new SslTrainer(headsOnly)).hasMessageContaining("no 4-d conv1.weight");
        assertThat(SslMethods.create("seed", SslMethodsTest.DEFAULTS).options()).containsEntry("teacher", "")
                .containsEntry("student-temperature", "0.2").containsEntry("teacher-temperature", "0.01")
                .containsEntry("queue-size", "4096").containsEntry("projector-hidden", "512");
    }

    private static MethodSettings settings(String teacher) {
        return SslMethodsTest.withBatch(BATCH, "teacher", teacher);
    }

    /**
     * Exactly-once with respect to the teacher: a run saved mid-way and restored by a trainer whose teacher option
     * now names another snapshot (same network, other weights) continues bit for bit as the uninterrupted run,
     * because the teacher's weights are in the checkpoint.
     */
    @Test
    void aResumedRunKeepsTheTeacherItStartedWithEvenWhenTheFileChanged(@TempDir Path tmp) throws Exception {
        Path teacher = tmp.resolve("teacher");
        copyDirectory(SeedTeacher.snapshot(), teacher);
        Map<String, String> options = Map.of("teacher", teacher.toString(), "queue-size", "24",
                "projector-hidden", "32");
        TrainerSpec spec = TrainerSpec.byolCifar(8, BATCH, 100).withMethod("seed", options).withLearningRate(0.05);
        TrainingImages images = TrainingImages.load(64, 9);
        List<MultiCropBatch> batches = new ArrayList<>();
        float[] uninterrupted = new float[3];
        TrainingState saved;
        TrainingState end;
        try (SslTrainer trainer = new SslTrainer(spec)) {
            assertThat(trainer.viewPlan().describe()).isEqualTo("1×32px cifar-symmetric; teacher: 0");
            for (int i = 0; i < 6; i++) {
                batches.add(images.batch(BATCH, trainer.viewPlan()));
            }
            for (int i = 0; i < 3; i++) {
                trainer.step(batches.get(i));
            }
            saved = trainer.exportState();
            for (int i = 0; i < 3; i++) {
                uninterrupted[i] = trainer.step(batches.get(3 + i)).loss();
            }
            end = trainer.exportState();
        }
        assertThat(saved.tensors().keySet()).anyMatch(k -> k.startsWith("teacher/encoder/"))
                .anyMatch(k -> k.startsWith("teacher/projector/")).contains("queue/rows");
        // the file now holds a teacher trained for fewer steps
        deleteDirectory(teacher);
        copyDirectory(SeedTeacher.snapshot(5), teacher);
        float[] resumed = new float[3];
        try (SslTrainer restored = new SslTrainer(spec)) {
            String firstConv = saved.tensors().keySet().stream().filter(k -> k.startsWith("teacher/encoder/"))
                    .findFirst().orElseThrow();
            assertThat(restored.exportState().tensors().get(firstConv)).as("the new file's teacher differs")
                    .isNotEqualTo(saved.tensors().get(firstConv));
            restored.importState(saved);
            for (int i = 0; i < 3; i++) {
                resumed[i] = restored.step(batches.get(3 + i)).loss();
            }
            assertThat(resumed).containsExactly(uninterrupted);
            assertThat(restored.exportState().sameAs(end)).isTrue();
        }
        for (float l : uninterrupted) {
            assertThat(l).as("the queue has rows from step 1 on: the loss is no longer 0").isGreaterThan(0);
        }
    }

    // ---- helpers ----

    private static NDArray normalized(NDManager m, byte[] rgb, int size) {
        float[] mean = TrainerSpec.CIFAR_MEAN;
        float[] std = TrainerSpec.CIFAR_STD;
        NDArray x = m.create(ByteBuffer.wrap(rgb), new Shape(1, size, size, 3), DataType.UINT8)
                .toType(DataType.FLOAT32, false);
        x = x.sub(m.create(new float[] {mean[0] * 255, mean[1] * 255, mean[2] * 255}))
                .div(m.create(new float[] {std[0] * 255, std[1] * 255, std[2] * 255}));
        NDArray one = x.transpose(0, 3, 1, 2);
        return one.concat(one); // a batch of 2: inference mode, so each row is the image's own
    }

    /** SimCLR's exported head, Linear(no bias) → BN (running statistics, ε 1e-5) → ReLU → Linear, in doubles. */
    private static double[] projectorInDoubles(Path heads, float[] x, NDManager m) throws Exception {
        Map<String, float[]> t = new HashMap<>();
        Map<String, Shape> shapes = new HashMap<>();
        try (NDManager scratch = m.newSubManager(); InputStream in = Files.newInputStream(heads)) {
            for (NDArray a : NDList.decode(scratch, in)) {
                if (a.getDataType() == DataType.FLOAT32) {
                    t.put(a.getName(), a.toFloatArray());
                    shapes.put(a.getName(), a.getShape());
                }
            }
        }
        double[] h = linear(t.get("projector.0.weight"), null, shapes.get("projector.0.weight"), x);
        for (int i = 0; i < h.length; i++) {
            double v = (h[i] - t.get("projector.1.running_mean")[i])
                    / Math.sqrt(t.get("projector.1.running_var")[i] + 1e-5) * t.get("projector.1.weight")[i]
                    + t.get("projector.1.bias")[i];
            h[i] = Math.max(0, v);
        }
        float[] hf = new float[h.length];
        for (int i = 0; i < h.length; i++) {
            hf[i] = (float) h[i];
        }
        return linear(t.get("projector.3.weight"), t.get("projector.3.bias"), shapes.get("projector.3.weight"), hf);
    }

    private static double[] linear(float[] w, float[] b, Shape shape, float[] x) {
        int out = (int) shape.get(0);
        int in = (int) shape.get(1);
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = b == null ? 0 : b[o];
            for (int i = 0; i < in; i++) {
                s += (double) w[o * in + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    private static double maxDifference(float[] a, float[] b) {
        double[] bd = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            bd[i] = b[i];
        }
        return maxDifference(a, bd);
    }

    /** Over the first row of {@code a} (a batch of identical rows), against {@code b}. */
    private static double maxDifference(float[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < b.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static double maxAbs(double[] a) {
        double max = 0;
        for (double v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static void copyDirectory(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static void deleteDirectory(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
