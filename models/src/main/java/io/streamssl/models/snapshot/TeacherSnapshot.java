package io.streamssl.models.snapshot;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.ResNet;
import io.streamssl.models.encoder.Stem;
import io.streamssl.models.state.FrozenTeacher;
import io.streamssl.models.tensor.TensorCodec;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a distillation teacher ({@link FrozenTeacher}) from one of two sources:
 * <ul>
 *   <li>a streamssl snapshot directory (or a directory whose {@code LATEST} file names one): its manifest gives the
 *       encoder's architecture, which may differ from the student's (e.g. a ResNet-50 teacher for a ResNet-18
 *       student); the weights are checked against the manifest's SHA-256. When the snapshot's heads include a
 *       {@code projector}, it is rebuilt from {@code heads.safetensors} (its layers read off the tensor names and
 *       shapes, see {@link HeadNames}) and the teacher's output is the projector's, as SEED's teachers are whole
 *       self-supervised models (Fang et al. 2021, §3);</li>
 *   <li>a {@code .safetensors} file of a ResNet under torchvision's names (what {@code streamssl export} writes, or
 *       a torchvision {@code state_dict} saved as safetensors; {@code fc.*} is ignored): the architecture, the stem
 *       and the width are read off the tensors (blocks per stage, a bottleneck's {@code conv3}, {@code conv1}'s
 *       kernel and channels), so nothing has to be repeated in options that could contradict the file. The
 *       output is the encoder's features.</li>
 * </ul>
 * Every failure names {@code option} and what it accepts.
 */
public final class TeacherSnapshot {

    /** What the teacher option accepts, for error messages. */
    public static final String ACCEPTS = "a streamssl snapshot directory (with manifest.json, or a LATEST file naming"
            + " one) or a .safetensors file of a ResNet with torchvision's names";

    private TeacherSnapshot() {}

    /**
     * Fails unless {@code path} looks like a teacher this class can read (a snapshot directory or a .safetensors
     * file), without reading the weights: what a config check does at start.
     */
    public static void requireReadable(String option, Path path) {
        if (Files.isDirectory(path)) {
            Path dir = resolveLatest(option, path);
            if (!Files.isRegularFile(dir.resolve(SnapshotWriter.MANIFEST_FILE))) {
                throw bad(option, path, "the directory has no " + SnapshotWriter.MANIFEST_FILE + " and no "
                        + SnapshotWriter.LATEST_FILE);
            }
        } else if (Files.isRegularFile(path)) {
            if (!path.getFileName().toString().endsWith(".safetensors")) {
                throw bad(option, path, "a file must end in .safetensors");
            }
            if (!Files.isReadable(path)) {
                throw bad(option, path, "the file is not readable");
            }
        } else {
            throw bad(option, path, "no such file or directory");
        }
    }

    /** Loads the teacher at {@code path} onto {@code manager} for views of {@code viewShape}. */
    public static FrozenTeacher load(String option, Path path, NDManager manager, Shape viewShape) {
        requireReadable(option, path);
        try {
            return Files.isDirectory(path) ? fromSnapshot(option, resolveLatest(option, path), manager, viewShape)
                    : fromTorchvision(option, path, manager, viewShape);
        } catch (IOException e) {
            throw bad(option, path, "cannot read it: " + e.getMessage());
        }
    }

    private static IllegalArgumentException bad(String option, Path path, String why) {
        return new IllegalArgumentException("option '" + option + "' = " + path + ": " + why + "; it accepts "
                + ACCEPTS);
    }

    private static Path resolveLatest(String option, Path dir) {
        Path latest = dir.resolve(SnapshotWriter.LATEST_FILE);
        if (!Files.isRegularFile(latest)) {
            return dir;
        }
        try {
            return dir.resolve(Files.readString(latest).trim());
        } catch (IOException e) {
            throw bad(option, dir, "cannot read " + latest + ": " + e.getMessage());
        }
    }

    private static FrozenTeacher fromSnapshot(String option, Path dir, NDManager manager, Shape viewShape)
            throws IOException {
        SnapshotManifest m = SnapshotManifest.read(dir);
        Path weights = dir.resolve(m.weightsFile());
        if (!SnapshotWriter.sha256(weights).equals(m.weightsSha256())) {
            throw bad(option, dir, "its weights " + weights + " do not match the manifest's sha256 (corrupt or"
                    + " replaced)");
        }
        EncoderSpec spec = new EncoderSpec(m.encoder().arch(), Stem.parse(m.encoder().stem()), m.encoder().width());
        Block encoder = spec.build();
        encoder.initialize(manager, DataType.FLOAT32, viewShape);
        try (InputStream is = new BufferedInputStream(Files.newInputStream(weights));
                DataInputStream in = new DataInputStream(is)) {
            encoder.loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw bad(option, dir, "its weights do not fit " + m.encoder() + ": " + e.getMessage());
        }
        String what = describe(spec) + " (" + m.method() + ", step " + m.step() + ")";
        if (m.headsFile() == null) {
            return new FrozenTeacher(encoder, null, spec.featureDim(), what + " encoder features, from " + dir);
        }
        Path heads = dir.resolve(m.headsFile());
        if (!SnapshotWriter.sha256(heads).equals(m.headsSha256())) {
            throw bad(option, dir, "its heads " + heads + " do not match the manifest's sha256 (corrupt or replaced)");
        }
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> tensors = decode(scratch, heads);
            Block projector = projector(option, dir, tensors);
            if (projector == null) {
                return new FrozenTeacher(encoder, null, spec.featureDim(), what + " encoder features (no projector"
                        + " among its heads), from " + dir);
            }
            projector.initialize(manager, DataType.FLOAT32, new Shape(viewShape.get(0), spec.featureDim()));
            copyByName(option, dir, HeadNames.of(Map.of("projector", projector)), tensors);
            int out = (int) projector.getOutputShapes(new Shape[] {new Shape(1, spec.featureDim())})[0].get(1);
            return new FrozenTeacher(encoder, projector, out, what + " + its projector, from " + dir);
        }
    }

    private static FrozenTeacher fromTorchvision(String option, Path file, NDManager manager, Shape viewShape)
            throws IOException {
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> tensors = decode(scratch, file);
            EncoderSpec spec = torchvisionSpec(option, file, tensors);
            Block encoder = spec.build();
            encoder.initialize(manager, DataType.FLOAT32, viewShape);
            copyByName(option, file, TorchStateDict.ofEncoder(spec, encoder), tensors);
            return new FrozenTeacher(encoder, null, spec.featureDim(), describe(spec) + " encoder features, from "
                    + file);
        }
    }

    private static String describe(EncoderSpec spec) {
        return spec.arch() + " " + spec.stem().name().toLowerCase(java.util.Locale.ROOT) + " width " + spec.width();
    }

    private static Map<String, NDArray> decode(NDManager scratch, Path file) throws IOException {
        Map<String, NDArray> out = new HashMap<>();
        NDList tensors;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            tensors = NDList.decode(scratch, in);
        } catch (IllegalArgumentException e) { // DJL's "Malformed data"
            throw new IOException("it is not a safetensors file (" + e.getMessage() + ")", e);
        }
        for (NDArray a : tensors) {
            out.put(a.getName(), a);
        }
        return out;
    }

    /** The ResNet a torchvision state dict describes: architecture, stem and width read off its tensors. */
    static EncoderSpec torchvisionSpec(String option, Path file, Map<String, NDArray> tensors) {
        NDArray conv1 = tensors.get("conv1.weight");
        if (conv1 == null || conv1.getShape().dimension() != 4) {
            throw bad(option, file, "it has no 4-d conv1.weight, so it is no torchvision ResNet (names found: "
                    + new TreeMap<>(tensors).keySet().stream().limit(5).toList() + " …)");
        }
        boolean bottleneck = tensors.containsKey("layer1.0.conv3.weight");
        int[] blocks = new int[4];
        for (int s = 0; s < 4; s++) {
            while (tensors.containsKey("layer" + (s + 1) + "." + blocks[s] + ".conv1.weight")) {
                blocks[s]++;
            }
        }
        long kernel = conv1.getShape().get(2);
        Stem stem = kernel == 3 ? Stem.CIFAR : kernel == 7 ? Stem.IMAGENET : null;
        if (stem == null) {
            throw bad(option, file, "conv1 has a " + kernel + "×" + kernel + " kernel; a ResNet stem has 3×3 (CIFAR)"
                    + " or 7×7 (ImageNet)");
        }
        for (String arch : EncoderSpec.ARCHITECTURES) {
            if (!arch.startsWith("vit-") && ResNet.bottleneck(arch) == bottleneck
                    && Arrays.equals(ResNet.blocksPerStage(arch), blocks)) {
                return new EncoderSpec(arch, stem, (int) conv1.getShape().get(0));
            }
        }
        throw bad(option, file, "its blocks per stage " + Arrays.toString(blocks) + (bottleneck ? " (bottleneck)" : "")
                + " are none of resnet18, resnet34, resnet50");
    }

    /**
     * The projector a snapshot's heads hold, as the {@code nn.Sequential} {@link HeadNames} wrote: index i is a
     * {@code Linear} ({@code projector.i.weight} 2-d, with {@code bias} if it has one), a {@code BatchNorm1d}
     * ({@code projector.i.running_mean}) or, having no tensors, a ReLU (the only parameter-free layer our heads
     * have). Null when there is no projector.
     */
    static Block projector(String option, Path dir, Map<String, NDArray> tensors) {
        int last = -1;
        for (String name : tensors.keySet()) {
            if (name.startsWith("projector.")) {
                String index = name.substring("projector.".length(), name.indexOf('.', "projector.".length()));
                last = Math.max(last, Integer.parseInt(index));
            }
        }
        if (last < 0) {
            return null;
        }
        SequentialBlock seq = new SequentialBlock();
        for (int i = 0; i <= last; i++) {
            String p = "projector." + i + ".";
            if (tensors.containsKey(p + "running_mean")) {
                seq.add(BatchNorm.builder().build());
            } else if (tensors.containsKey(p + "weight") && tensors.get(p + "weight").getShape().dimension() == 2) {
                seq.add(Linear.builder().setUnits(tensors.get(p + "weight").getShape().get(0))
                        .optBias(tensors.containsKey(p + "bias")).build());
            } else if (tensors.keySet().stream().noneMatch(n -> n.startsWith(p))) {
                seq.add(Activation.reluBlock());
            } else {
                throw bad(option, dir, "its projector layer " + i + " is neither Linear nor BatchNorm1d");
            }
        }
        return seq;
    }

    /** Copies each named tensor of {@code file} into the parameter {@code dict} gives that name, checking shapes. */
    private static void copyByName(String option, Path file, TorchStateDict dict, Map<String, NDArray> tensors) {
        List<String> missing = new ArrayList<>();
        for (TorchStateDict.Entry e : dict.entries()) {
            if (e.parameter() == null) {
                continue; // num_batches_tracked and the like: made on export, not ours
            }
            NDArray source = tensors.get(e.name());
            if (source == null) {
                missing.add(e.name());
                continue;
            }
            NDArray target = e.parameter().getArray();
            if (!source.getShape().equals(target.getShape())) {
                throw bad(option, file, "tensor " + e.name() + " is " + source.getShape() + ", the network needs "
                        + target.getShape());
            }
            TensorCodec.copy(source.toType(DataType.FLOAT32, false), target);
        }
        if (!missing.isEmpty()) {
            throw bad(option, file, "it lacks " + missing.size() + " tensors, e.g. " + missing.get(0));
        }
    }
}
