package io.streamssl.models.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import io.streamssl.models.head.DinoHead;
import io.streamssl.models.head.Prototypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code encoder.safetensors} and {@code heads.safetensors}: PyTorch's names, shapes and our values, bit for bit. */
class TorchvisionExportTest {

    @TempDir
    Path root;

    static TrainerSpec simclr(int width) {
        return TrainerSpec.byolCifar(width, 4, 100).withMethod("simclr",
                Map.of("projector-hidden", "32", "projector-out", "16"));
    }

    /** name → "dtype\tshape" from a fixture written from torchvision's definition. */
    static Map<String, String> fixture(String file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = TorchvisionExportTest.class.getResourceAsStream("/torchvision/" + file)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    String[] f = line.split("\t");
                    out.put(f[0], f[1] + "\t" + f[2]);
                }
            }
        }
        return out;
    }

    static Map<String, String> namesAndShapes(Map<String, SafetensorsParser.Tensor> tensors) {
        Map<String, String> out = new LinkedHashMap<>();
        tensors.forEach((k, t) -> out.put(k, (t.dtype().equals("F32") ? "float32" : t.dtype().equals("I64") ? "int64"
                : t.dtype()) + "\t" + Arrays.toString(t.shape())));
        return out;
    }

    @Test
    void resnet18SnapshotHasTorchvisionsNamesShapesAndOurValuesBitForBit() throws Exception {
        try (SslTrainer trainer = new SslTrainer(simclr(64))) {
            Path dir = SnapshotWriter.write(root, trainer, Map.of());
            Path file = dir.resolve(SnapshotWriter.SAFETENSORS_FILE);
            Map<String, SafetensorsParser.Tensor> tensors = SafetensorsParser.read(file);

            Map<String, String> expected = fixture("resnet18_state_dict.tsv");
            assertThat(expected).hasSize(120);
            assertThat(namesAndShapes(tensors)).containsExactlyInAnyOrderEntriesOf(expected);

            Map<String, Parameter> byName = new LinkedHashMap<>();
            TorchStateDict.ofEncoder(trainer.spec().encoder(), trainer.method().encoder()).entries()
                    .forEach(e -> byName.put(e.name(), e.parameter()));
            int compared = 0;
            for (Map.Entry<String, SafetensorsParser.Tensor> t : tensors.entrySet()) {
                if (t.getKey().endsWith("num_batches_tracked")) {
                    assertThat(t.getValue().longs()).as(t.getKey()).containsExactly(0L);
                    continue;
                }
                float[] ours = byName.get(t.getKey()).getArray().toFloatArray();
                float[] written = t.getValue().floats();
                assertThat(written).as(t.getKey()).hasSameSizeAs(ours);
                for (int i = 0; i < ours.length; i++) {
                    if (Float.floatToRawIntBits(ours[i]) != Float.floatToRawIntBits(written[i])) {
                        throw new AssertionError(t.getKey() + "[" + i + "] is " + written[i] + ", ours " + ours[i]);
                    }
                }
                compared++;
            }
            assertThat(compared).isEqualTo(120 - 20); // 20 batch norms, each with a num_batches_tracked

            SnapshotManifest m = SnapshotEncoder.load(dir).manifest();
            assertThat(m.safetensorsFile()).isEqualTo("encoder.safetensors");
            assertThat(m.safetensorsSha256()).isEqualTo(SnapshotWriter.sha256(file));
        }
    }

    @Test
    void resnet50HasTorchvisionsNamesAndShapes() throws Exception {
        EncoderSpec spec = new EncoderSpec("resnet50", Stem.CIFAR, 64);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block block = spec.build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            Path file = root.resolve("r50.safetensors");
            TorchStateDict.ofEncoder(spec, block).write(file);
            assertThat(namesAndShapes(SafetensorsParser.read(file)))
                    .containsExactlyInAnyOrderEntriesOf(fixture("resnet50_state_dict.tsv"));
        }
    }

    /**
     * torchvision's resnet18 forward pass in plain doubles, reading only encoder.safetensors, agrees with
     * SnapshotEncoder on two images, with batch-norm running statistics far from their initial 0 and 1.
     */
    @Test
    void torchvisionsForwardPassOnTheSafetensorsEmbedsAsSnapshotEncoderDoes() throws Exception {
        try (SslTrainer trainer = new SslTrainer(simclr(16))) {
            byte[] px = new byte[4 * 2 * 32 * 32 * 3];
            new Random(5).nextBytes(px);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            setRunningStatistics(trainer.method().encoder(), new Random(6));
            Path dir = SnapshotWriter.write(root, trainer, Map.of());

            byte[] images = new byte[2 * 32 * 32 * 3];
            new Random(7).nextBytes(images);
            TorchvisionResNetInDoubles reference = new TorchvisionResNetInDoubles(
                    SafetensorsParser.read(dir.resolve(SnapshotWriter.SAFETENSORS_FILE)));
            try (SnapshotEncoder encoder = SnapshotEncoder.load(dir)) {
                float[] ours = encoder.embed(images, 2, 32, 32);
                SnapshotManifest m = encoder.manifest();
                double max = 0;
                double largest = 0;
                for (int n = 0; n < 2; n++) {
                    double[] expected = reference.embed(normalised(images, n, 32, m.mean(), m.std()));
                    assertThat(expected).hasSize(128);
                    for (int i = 0; i < expected.length; i++) {
                        max = Math.max(max, Math.abs(expected[i] - ours[n * 128 + i]));
                        largest = Math.max(largest, Math.abs(expected[i]));
                    }
                }
                assertThat(largest).as("a non-trivial embedding").isGreaterThan(0.01);
                assertThat(max).as("max |torchvision in doubles - SnapshotEncoder|").isLessThan(1e-4);
            }
        }
    }

    /** Running means in [-0.5, 0.5], variances in [0.5, 2]: batch norm then shifts and scales visibly. */
    static void setRunningStatistics(Block encoder, Random random) {
        for (Pair<String, Parameter> p : encoder.getParameters()) {
            boolean mean = p.getKey().endsWith("runningMean");
            if (mean || p.getKey().endsWith("runningVar")) {
                NDArray a = p.getValue().getArray();
                float[] v = new float[(int) a.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = mean ? random.nextFloat() - 0.5f : 0.5f + 1.5f * random.nextFloat();
                }
                a.set(FloatBuffer.wrap(v));
            }
        }
    }

    /** Image {@code n} of HWC uint8 as CHW doubles, (x − 255·mean) / (255·std) as SnapshotEncoder does. */
    static double[][][] normalised(byte[] images, int n, int size, float[] mean, float[] std) {
        double[][][] x = new double[3][size][size];
        for (int y = 0; y < size; y++) {
            for (int xx = 0; xx < size; xx++) {
                for (int c = 0; c < 3; c++) {
                    int v = images[((n * size + y) * size + xx) * 3 + c] & 0xff;
                    x[c][y][xx] = (v - mean[c] * 255f) / (std[c] * 255f);
                }
            }
        }
        return x;
    }

    @Test
    void headsAreSavedAsPyTorchSequentials() throws Exception {
        try (SslTrainer trainer = new SslTrainer(simclr(8))) {
            Path dir = SnapshotWriter.write(root, trainer, Map.of());
            Path heads = dir.resolve(SnapshotWriter.HEADS_FILE);
            assertThat(namesAndShapes(SafetensorsParser.read(heads))).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "projector.0.weight", "float32\t[32, 64]",
                    "projector.1.weight", "float32\t[32]",
                    "projector.1.bias", "float32\t[32]",
                    "projector.1.running_mean", "float32\t[32]",
                    "projector.1.running_var", "float32\t[32]",
                    "projector.1.num_batches_tracked", "int64\t[]",
                    "projector.3.weight", "float32\t[16, 32]",
                    "projector.3.bias", "float32\t[16]"));
            SnapshotManifest m = SnapshotEncoder.load(dir).manifest();
            assertThat(m.headsFile()).isEqualTo("heads.safetensors");
            assertThat(m.headsSha256()).isEqualTo(SnapshotWriter.sha256(heads));
        }
    }

    @Test
    void simclrV2ProjectorIsASequentialWhoseFirstLayerIsProjector0To2() throws Exception {
        TrainerSpec spec = TrainerSpec.byolCifar(8, 4, 100).withMethod("simclrv2",
                Map.of("projector-hidden", "32", "projector-out", "16"));
        try (SslTrainer trainer = new SslTrainer(spec)) {
            Path dir = SnapshotWriter.write(root, trainer, Map.of());
            Map<String, String> expected = new LinkedHashMap<>();
            // Linear(64, 32, bias=False), BN, ReLU, Linear(32, 32, bias=False), BN, ReLU, Linear(32, 16, bias=False), BN
            expected.put("projector.0.weight", "float32\t[32, 64]");
            expected.put("projector.3.weight", "float32\t[32, 32]");
            expected.put("projector.6.weight", "float32\t[16, 32]");
            for (String bn : new String[] {"1", "4", "7"}) {
                String width = bn.equals("7") ? "16" : "32";
                for (String t : new String[] {"weight", "bias", "running_mean", "running_var"}) {
                    expected.put("projector." + bn + "." + t, "float32\t[" + width + "]");
                }
                expected.put("projector." + bn + ".num_batches_tracked", "int64\t[]");
            }
            assertThat(namesAndShapes(SafetensorsParser.read(dir.resolve(SnapshotWriter.HEADS_FILE))))
                    .containsExactlyInAnyOrderEntriesOf(expected);
        }
    }

    @Test
    void dinoHeadAndSwavPrototypesFollowTheOfficialModules() throws Exception {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            DinoHead dino = new DinoHead(12, 6, 20);
            dino.initialize(manager, DataType.FLOAT32, new Shape(2, 8));
            Prototypes prototypes = new Prototypes(10, 6);
            prototypes.initialize(manager, DataType.FLOAT32, new Shape(2, 6));
            Map<String, Block> heads = new LinkedHashMap<>();
            heads.put("head", dino);
            heads.put("prototypes", prototypes);
            Path file = root.resolve("heads.safetensors");
            HeadNames.of(heads).write(file);
            Map<String, SafetensorsParser.Tensor> t = SafetensorsParser.read(file);
            assertThat(namesAndShapes(t)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "head.mlp.0.weight", "float32\t[12, 8]", "head.mlp.0.bias", "float32\t[12]",
                    "head.mlp.2.weight", "float32\t[12, 12]", "head.mlp.2.bias", "float32\t[12]",
                    "head.mlp.4.weight", "float32\t[6, 12]", "head.mlp.4.bias", "float32\t[6]",
                    "head.last_layer.weight_v", "float32\t[20, 6]", "head.last_layer.weight_g", "float32\t[20, 1]",
                    "prototypes.weight", "float32\t[10, 6]"));
            assertThat(t.get("head.last_layer.weight_g").floats()).containsOnly(1f);
        }
    }

    @Test
    void maeDecoderHasMaesNamesWithTimmsBlocks() throws Exception {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            // width 16, 1 block, 2 heads, 64 patches of 4x4x3 = 48 pixels, over 16 visible tokens of D = 24
            io.streamssl.models.head.MaeDecoder decoder = new io.streamssl.models.head.MaeDecoder(16, 1, 2, 64, 48);
            decoder.initialize(manager, DataType.FLOAT32, new Shape(2, 17, 24), new Shape(2, 64));
            Path file = root.resolve("heads.safetensors");
            HeadNames.of(Map.of("decoder", decoder)).write(file);
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("decoder.embed.weight", "float32\t[16, 24]");
            expected.put("decoder.embed.bias", "float32\t[16]");
            expected.put("decoder.mask_token", "float32\t[1, 1, 16]");
            expected.put("decoder.pos_embed", "float32\t[1, 65, 16]");
            expected.put("decoder.blocks.0.norm1.weight", "float32\t[16]");
            expected.put("decoder.blocks.0.norm1.bias", "float32\t[16]");
            expected.put("decoder.blocks.0.attn.qkv.weight", "float32\t[48, 16]");
            expected.put("decoder.blocks.0.attn.qkv.bias", "float32\t[48]");
            expected.put("decoder.blocks.0.attn.proj.weight", "float32\t[16, 16]");
            expected.put("decoder.blocks.0.attn.proj.bias", "float32\t[16]");
            expected.put("decoder.blocks.0.norm2.weight", "float32\t[16]");
            expected.put("decoder.blocks.0.norm2.bias", "float32\t[16]");
            expected.put("decoder.blocks.0.mlp.fc1.weight", "float32\t[64, 16]");
            expected.put("decoder.blocks.0.mlp.fc1.bias", "float32\t[64]");
            expected.put("decoder.blocks.0.mlp.fc2.weight", "float32\t[16, 64]");
            expected.put("decoder.blocks.0.mlp.fc2.bias", "float32\t[16]");
            expected.put("decoder.norm.weight", "float32\t[16]");
            expected.put("decoder.norm.bias", "float32\t[16]");
            expected.put("decoder.pred.weight", "float32\t[48, 16]");
            expected.put("decoder.pred.bias", "float32\t[48]");
            assertThat(namesAndShapes(SafetensorsParser.read(file))).containsExactlyInAnyOrderEntriesOf(expected);
        }
    }

    @Test
    void pixelDecoderIsASequentialOfConvBatchNormReluConvPixelShuffle() throws Exception {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            // colorization's and the context encoder's head: 8 channels of a 4x4 map → 2 channels upscaled by 2
            Block decoder = io.streamssl.models.head.PixelDecoder.build(6, 2, 2);
            decoder.initialize(manager, DataType.FLOAT32, new Shape(2, 8, 4, 4));
            Path file = root.resolve("heads.safetensors");
            HeadNames.of(Map.of("decoder", decoder)).write(file);
            assertThat(namesAndShapes(SafetensorsParser.read(file))).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "decoder.0.weight", "float32\t[6, 8, 3, 3]",
                    "decoder.1.weight", "float32\t[6]", "decoder.1.bias", "float32\t[6]",
                    "decoder.1.running_mean", "float32\t[6]", "decoder.1.running_var", "float32\t[6]",
                    "decoder.1.num_batches_tracked", "int64\t[]",
                    "decoder.3.weight", "float32\t[8, 6, 1, 1]", "decoder.3.bias", "float32\t[8]"));
        }
    }

    @Test
    void visionTransformerHasTimmsNamesAndShapes() throws Exception {
        EncoderSpec spec = new EncoderSpec("vit-tiny", Stem.CIFAR, 8); // D = 3 heads x 8 = 24, patch 4
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block block = spec.build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("cls_token", "float32\t[1, 1, 24]");
            expected.put("pos_embed", "float32\t[1, 65, 24]");
            expected.put("patch_embed.proj.weight", "float32\t[24, 3, 4, 4]");
            expected.put("patch_embed.proj.bias", "float32\t[24]");
            for (int i = 0; i < 12; i++) {
                String b = "blocks." + i + ".";
                expected.put(b + "norm1.weight", "float32\t[24]");
                expected.put(b + "norm1.bias", "float32\t[24]");
                expected.put(b + "attn.qkv.weight", "float32\t[72, 24]");
                expected.put(b + "attn.qkv.bias", "float32\t[72]");
                expected.put(b + "attn.proj.weight", "float32\t[24, 24]");
                expected.put(b + "attn.proj.bias", "float32\t[24]");
                expected.put(b + "norm2.weight", "float32\t[24]");
                expected.put(b + "norm2.bias", "float32\t[24]");
                expected.put(b + "mlp.fc1.weight", "float32\t[96, 24]");
                expected.put(b + "mlp.fc1.bias", "float32\t[96]");
                expected.put(b + "mlp.fc2.weight", "float32\t[24, 96]");
                expected.put(b + "mlp.fc2.bias", "float32\t[24]");
            }
            expected.put("norm.weight", "float32\t[24]");
            expected.put("norm.bias", "float32\t[24]");
            Path file = root.resolve("vit.safetensors");
            TorchStateDict.ofEncoder(spec, block).write(file);
            assertThat(namesAndShapes(SafetensorsParser.read(file))).containsExactlyInAnyOrderEntriesOf(expected);
        }
    }

    @Test
    void aLayerTheMappingDoesNotKnowFailsTheExport() {
        EncoderSpec spec = new EncoderSpec("resnet18", Stem.CIFAR, 8);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            SequentialBlock block = (SequentialBlock) spec.build();
            block.add(Linear.builder().setUnits(3).build());
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            assertThatThrownBy(() -> TorchStateDict.ofEncoder(spec, block)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot name the Linear");
        }
    }

    @Test
    void aSnapshotWrittenBeforeSafetensorsStillLoads() throws Exception {
        try (SslTrainer trainer = new SslTrainer(simclr(8))) {
            Path dir = SnapshotWriter.write(root, trainer, Map.of());
            ObjectMapper json = new ObjectMapper();
            ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve("manifest.json").toFile());
            List<String> removed = new ArrayList<>();
            for (String f : List.of("safetensors_file", "safetensors_sha256", "heads_file", "heads_sha256")) {
                assertThat(manifest.remove(f)).as(f).isNotNull();
                removed.add(f);
            }
            json.writeValue(dir.resolve("manifest.json").toFile(), manifest);
            Files.delete(dir.resolve(SnapshotWriter.SAFETENSORS_FILE));
            Files.delete(dir.resolve(SnapshotWriter.HEADS_FILE));
            try (SnapshotEncoder old = SnapshotEncoder.load(dir)) {
                assertThat(old.manifest().safetensorsFile()).isNull();
                assertThat(old.manifest().headsFile()).isNull();
                assertThat(old.maxCheckDifference()).isEqualTo(0.0);
            }
        }
    }
}
