package io.streamssl.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.streamssl.pipeline.config.JobConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GPU route through an image (deploy/Dockerfile.gpu, compose's {@code gpu} profile, the GPU FlinkDeployment),
 * held to what it must be without a GPU or Docker here: the libtorch it fetches is the pinned one and checked, it
 * lands where STREAMSSL_LIBTORCH points, it starts from the job image, and the GPU manifest is the CPU one with
 * only the GPU changes.
 */
class GpuDeploymentTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("..")
            .normalize();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern ARG = Pattern.compile("(?m)^ARG ([A-Z0-9_]+)=(.*)$");
    private static final Pattern ENV_LIBTORCH = Pattern.compile("(?m)^ENV STREAMSSL_LIBTORCH=(\\S+)");

    private static String dockerfile;
    private static Map<String, String> args;
    private static JsonNode cpuDeployment;
    private static JsonNode gpuDeployment;
    private static JsonNode services;

    @BeforeAll
    static void load() throws IOException {
        dockerfile = Files.readString(ROOT.resolve("deploy/Dockerfile.gpu"));
        args = new LinkedHashMap<>();
        Matcher m = ARG.matcher(dockerfile);
        while (m.find()) {
            args.put(m.group(1), m.group(2).strip());
        }
        cpuDeployment = flinkDeployment("deploy/k8s/flink-deployment.yaml");
        gpuDeployment = flinkDeployment("deploy/k8s/flink-deployment-gpu.yaml");
        services = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile()).path("services");
    }

    @Test
    void theImageFetchesThePinnedLibtorchAndChecksItsDigest() throws Exception {
        String pytorch = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(ROOT.resolve("pom.xml").toFile()).getElementsByTagName("pytorch.version").item(0)
                .getTextContent().trim();
        // DJL's pytorch-jni 2.7.1 carries the bridge for exactly this libtorch and this CUDA flavour
        assertThat(args).containsEntry("LIBTORCH_VERSION", pytorch).containsEntry("LIBTORCH_CUDA", "cu128");
        assertThat(args.get("LIBTORCH_SHA256")).matches("[0-9a-f]{64}");
        assertThat(dockerfile)
                .contains("https://download.pytorch.org/libtorch/${LIBTORCH_CUDA}/"
                        + "libtorch-cxx11-abi-shared-with-deps-${LIBTORCH_VERSION}%2B${LIBTORCH_CUDA}.zip")
                .contains("echo \"${LIBTORCH_SHA256}  /tmp/libtorch.zip\" | sha256sum -c -")
                // an empty digest (--build-arg LIBTORCH_SHA256=) fails the build instead of skipping the check
                .contains("if [ -z \"${LIBTORCH_SHA256}\" ]; then");
        assertThat(dockerfile.indexOf("sha256sum -c")).as("checked before it is unpacked")
                .isLessThan(dockerfile.indexOf("unzip -q"));
    }

    @Test
    void libtorchLandsWhereStreamsslLibtorchPoints() {
        Matcher env = ENV_LIBTORCH.matcher(dockerfile);
        assertThat(env.find()).as("Dockerfile.gpu sets STREAMSSL_LIBTORCH").isTrue();
        String lib = env.group(1);
        // unzip 'libtorch/lib/*' -d /opt → /opt/libtorch/lib; the final stage copies exactly that directory
        assertThat(dockerfile).contains("unzip -q /tmp/libtorch.zip 'libtorch/lib/*' -d /opt")
                .contains("test -f " + lib + "/libtorch.so")
                .contains("COPY --from=libtorch " + lib + " " + lib);
        assertThat(lib).isEqualTo("/opt/libtorch/lib");
        assertThat(dockerfile).contains("STREAMSSL_LIBTORCH_FLAVOR=cu128");
    }

    @Test
    void theGpuImageStartsFromTheJobImageEverywhere() {
        String base = args.get("BASE_IMAGE");
        // docker build: the job image as the README and the FlinkDeployment tag it
        assertThat(base).isEqualTo(cpuDeployment.path("spec").path("image").asText());
        assertThat(gpuDeployment.path("spec").path("image").asText()).isEqualTo(base + "-gpu");
        // compose: the image the jobmanager service builds from deploy/Dockerfile, as a named build context
        JsonNode gpu = services.path("taskmanager-gpu");
        JsonNode build = gpu.path("build");
        assertThat(build.path("dockerfile").asText()).isEqualTo("deploy/Dockerfile.gpu");
        String context = build.path("args").path("BASE_IMAGE").asText();
        String source = build.path("additional_contexts").path(context).asText();
        assertThat(source).as("additional_contexts.%s", context).startsWith("service:");
        JsonNode job = services.path(source.substring("service:".length()));
        assertThat(job.path("build").path("dockerfile").asText()).isEqualTo("deploy/Dockerfile");
        assertThat(gpu.path("image").asText()).isEqualTo(job.path("image").asText() + "-gpu");
        assertThat(gpu.path("profiles")).containsExactly(YAML.getNodeFactory().textNode("gpu"));
        JsonNode device = gpu.path("deploy").path("resources").path("reservations").path("devices").path(0);
        assertThat(device.path("driver").asText()).isEqualTo("nvidia");
        assertThat(device.path("capabilities").toString()).contains("gpu");
        assertThat(gpu.path("command").asText()).isEqualTo("taskmanager");
    }

    @Test
    void theGpuManifestIsTheCpuOneWithAGpuImageAGpuLimitAndTrainerDeviceGpu() {
        ObjectNode expected = cpuDeployment.deepCopy();
        ObjectNode spec = (ObjectNode) expected.path("spec");
        spec.put("image", spec.path("image").asText() + "-gpu");
        ObjectNode container = YAML.createObjectNode().put("name", "flink-main-container");
        container.putObject("resources").putObject("limits").put("nvidia.com/gpu", 1);
        ((ObjectNode) spec.path("taskManager")).putObject("podTemplate").putObject("spec").putArray("containers")
                .add(container);
        ((ArrayNode) spec.path("job").path("args")).add("--set").add("trainer.device=gpu");
        assertThat(gpuDeployment).isEqualTo(expected);

        List<String> jobArgs = YAML.convertValue(gpuDeployment.path("spec").path("job").path("args"),
                YAML.getTypeFactory().constructCollectionType(List.class, String.class));
        Map<String, String> sets = new LinkedHashMap<>();
        for (int i = 0; i < jobArgs.size() - 1; i++) {
            if (jobArgs.get(i).equals("--set")) {
                String[] kv = jobArgs.get(i + 1).split("=", 2);
                sets.put(kv[0], kv[1]);
            }
        }
        assertThat(sets).containsEntry("trainer.device", "gpu");
        assertThatCode(() -> JobConfig.of(sets)).doesNotThrowAnyException();
    }

    private static JsonNode flinkDeployment(String file) throws IOException {
        return YAML.readerFor(JsonNode.class).<JsonNode>readValues(ROOT.resolve(file).toFile()).readAll().stream()
                .filter(d -> d.path("kind").asText().equals("FlinkDeployment")).findFirst()
                .orElseThrow(() -> new AssertionError("no FlinkDeployment in " + file));
    }
}
