package io.streamssl.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.streamssl.cli.StreamsslCommand;
import io.streamssl.connectors.TopicLimits;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.program.JobProgram;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The deployment files are only ever read by Docker, Compose, Flink and Kubernetes, none of which runs here:
 * this test holds them to what the build and the pinned Flink actually provide, so that a renamed Flink key,
 * a version bump in the pom or a moved build output fails the build instead of the first deployment.
 */
class ClusterManifestsTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("..")
            .normalize();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String JOB_JAR = "/opt/flink/usrlib/streamssl-job.jar";
    private static final String CLI_JAR = "/opt/streamssl/streamssl-cli.jar";
    /** Reporters are plugins (plugins/metrics-*), not on the classpath: their options cannot be listed. */
    private static final Pattern REPORTER_KEY = Pattern.compile("metrics\\.reporter\\.[A-Za-z0-9_-]+\\..+");

    private static Document parentPom;
    private static Document deployPom;
    private static JsonNode compose;
    private static JsonNode flinkConf;
    private static JsonNode flinkDeployment;
    private static JsonNode gpuFlinkDeployment;
    private static List<String> dockerfile;
    private static Set<String> flinkKeys;

    @BeforeAll
    static void load() throws Exception {
        parentPom = xml(ROOT.resolve("pom.xml"));
        deployPom = xml(ROOT.resolve("deploy/pom.xml"));
        compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        flinkConf = YAML.readTree(ROOT.resolve("deploy/flink/config.yaml").toFile());
        List<JsonNode> k8s = YAML.readerFor(JsonNode.class)
                .<JsonNode>readValues(ROOT.resolve("deploy/k8s/flink-deployment.yaml").toFile()).readAll();
        flinkDeployment = k8s.stream().filter(d -> d.path("kind").asText().equals("FlinkDeployment")).findFirst()
                .orElseThrow(() -> new AssertionError("no FlinkDeployment in deploy/k8s/flink-deployment.yaml"));
        gpuFlinkDeployment = YAML.readerFor(JsonNode.class)
                .<JsonNode>readValues(ROOT.resolve("deploy/k8s/flink-deployment-gpu.yaml").toFile()).readAll().stream()
                .filter(d -> d.path("kind").asText().equals("FlinkDeployment")).findFirst()
                .orElseThrow(() -> new AssertionError("no FlinkDeployment in deploy/k8s/flink-deployment-gpu.yaml"));
        dockerfile = Files.readAllLines(ROOT.resolve("deploy/Dockerfile"));
        flinkKeys = flinkConfigKeys();
    }

    @Test
    void flinkOptionScanSeesTheOptionClassesItMustCheckAgainst() {
        // if the scan silently found nothing (a renamed jar, a moved package) every key check below would be
        // vacuous: these keys come from CheckpointingOptions, StateBackendOptions, RocksDBOptions,
        // TaskManagerOptions, MetricOptions and a deprecated fallback key
        assertThat(flinkKeys).contains("state.backend.type", "execution.checkpointing.dir",
                "execution.checkpointing.incremental", "state.backend.rocksdb.localdir",
                "taskmanager.numberOfTaskSlots", "metrics.reporters", "state.checkpoints.dir");
        assertThat(flinkKeys).hasSizeGreaterThan(500).doesNotContain("state.backend.typ");
    }

    @Test
    void everyServiceTheReadmeNamesExistsAndEveryServiceIsDocumented() throws IOException {
        Set<String> documented = readmeServices();
        Set<String> services = names(compose.path("services"));
        assertThat(documented).as("services in README's 'Run on a cluster' table").isNotEmpty();
        assertThat(services).as("docker-compose.yml services").containsExactlyInAnyOrderElementsOf(documented);
    }

    @Test
    void imageTagsArePinnedToTheParentPom() {
        String flink = property("flink.version");
        String kafka = property("kafka.version");
        Map<String, String> images = new LinkedHashMap<>();
        compose.path("services").fields().forEachRemaining(s -> images.put(s.getKey(), s.getValue().path("image").asText()));
        images.put("FlinkDeployment", flinkDeployment.path("spec").path("image").asText());
        for (String line : dockerfile) {
            if (line.startsWith("FROM ")) {
                images.put("Dockerfile", line.substring(5).trim());
            }
        }
        assertThat(images).containsKey("Dockerfile");
        images.forEach((where, image) -> {
            assertThat(image).as("image of %s", where).matches("[^:]+:[^:]+");
            String repo = image.substring(0, image.lastIndexOf(':'));
            String tag = image.substring(image.lastIndexOf(':') + 1);
            assertThat(tag).as("tag of %s", where).isNotBlank().isNotEqualTo("latest");
            if (repo.equals("flink")) {
                assertThat(tag).as("Flink tag of %s (flink.version)", where).isEqualTo(flink + "-java17");
            }
            if (repo.equals("apache/kafka")) {
                assertThat(tag).as("Kafka tag of %s (kafka.version)", where).isEqualTo(kafka);
            }
        });
        assertThat(images.get("Dockerfile")).startsWith("flink:");
        assertThat(images).containsValue("apache/kafka:" + kafka);
        String[] v = flink.split("\\.");
        assertThat(flinkDeployment.path("spec").path("flinkVersion").asText()).isEqualTo("v" + v[0] + "_" + v[1]);
    }

    @Test
    void everyFlinkConfigurationKeyIsOneFlinkKnows() {
        Map<String, Set<String>> used = new LinkedHashMap<>();
        used.put("deploy/flink/config.yaml", flatten(flinkConf).keySet());
        used.put("FlinkDeployment.spec.flinkConfiguration",
                flatten(flinkDeployment.path("spec").path("flinkConfiguration")).keySet());
        used.put("GPU FlinkDeployment.spec.flinkConfiguration",
                flatten(gpuFlinkDeployment.path("spec").path("flinkConfiguration")).keySet());
        compose.path("services").fields().forEachRemaining(s -> {
            String props = s.getValue().path("environment").path("FLINK_PROPERTIES").asText("");
            if (!props.isBlank()) {
                used.put("FLINK_PROPERTIES of " + s.getKey(), flatten(yaml(props)).keySet());
            }
        });
        assertThat(used.get("deploy/flink/config.yaml")).contains("state.backend.type", "env.java.opts.all");
        Map<String, List<String>> unknown = new LinkedHashMap<>();
        used.forEach((where, keys) -> {
            List<String> bad = keys.stream()
                    .filter(k -> !flinkKeys.contains(k) && !REPORTER_KEY.matcher(k).matches()).toList();
            if (!bad.isEmpty()) {
                unknown.put(where, bad);
            }
        });
        assertThat(unknown).as("configuration keys unknown to Flink %s", property("flink.version")).isEmpty();
    }

    /**
     * The operator mounts the ConfigMap it generates from {@code flinkConfiguration} over /opt/flink/conf, so on
     * Kubernetes the image's config.yaml is never read: every key it sets must be in the FlinkDeployment with the
     * same value, or be one that differs there for a stated reason.
     */
    @Test
    void theFlinkDeploymentRepeatsTheImageConfigurationTheOperatorHidesFromIt() {
        JsonNode spec = flinkDeployment.path("spec");
        Map<String, String> image = flatten(flinkConf);
        Map<String, String> k8s = flatten(spec.path("flinkConfiguration"));
        Map<String, String> differOnPurpose = Map.of(
                "execution.checkpointing.dir", "an object store on Kubernetes, a named volume in compose",
                "execution.checkpointing.savepoint-dir", "likewise",
                "taskmanager.memory.process.size", "the operator sets it from spec.taskManager.resource.memory",
                "jobmanager.memory.process.size", "the operator sets it from spec.jobManager.resource.memory",
                "rest.port", "the operator's REST service",
                "rest.bind-address", "the operator binds the pods' addresses",
                "jobmanager.bind-host", "likewise",
                "taskmanager.bind-host", "likewise");
        assertThat(image).containsKeys(differOnPurpose.keySet().toArray(String[]::new));
        List<String> missing = new ArrayList<>();
        image.forEach((key, value) -> {
            if (!differOnPurpose.containsKey(key)) {
                String there = k8s.get(key);
                if (there == null || !words(there).equals(words(value))) {
                    missing.add(key + ": config.yaml " + value + ", FlinkDeployment " + there);
                }
            }
        });
        assertThat(missing).as("keys of deploy/flink/config.yaml missing or different in flinkConfiguration").isEmpty();
        // the ones the issue names, explicitly: without the off-heap room libtorch gets the pod OOM-killed
        assertThat(k8s).containsKeys("taskmanager.memory.task.off-heap.size", "taskmanager.memory.managed.fraction",
                "execution.checkpointing.interval", "parallelism.default");
        assertThat(spec.path("taskManager").path("resource").path("memory").asText())
                .isEqualTo(image.get("taskmanager.memory.process.size"));
    }

    @Test
    void kafkaKeepsItsLogInItsVolume() {
        JsonNode kafka = compose.path("services").path("kafka");
        String logDirs = kafka.path("environment").path("KAFKA_LOG_DIRS").asText("");
        // without KAFKA_LOG_DIRS the apache/kafka image logs to /tmp/kraft-combined-logs, outside every volume
        assertThat(logDirs).as("kafka's KAFKA_LOG_DIRS").isNotBlank();
        Set<String> volumes = namedVolumeTargets(kafka);
        for (String dir : logDirs.split(",")) {
            assertThat(volumes).as("a named volume of kafka holds its log dir %s", dir)
                    .anyMatch(v -> dir.equals(v) || dir.startsWith(v + "/"));
        }
    }

    @Test
    void aReadWriteManyClaimSaysWhichStorageClassItNeeds() throws IOException {
        List<JsonNode> k8s = YAML.readerFor(JsonNode.class)
                .<JsonNode>readValues(ROOT.resolve("deploy/k8s/flink-deployment.yaml").toFile()).readAll();
        List<JsonNode> rwx = k8s.stream().filter(d -> d.path("kind").asText().equals("PersistentVolumeClaim"))
                .filter(d -> strings(d.path("spec").path("accessModes")).contains("ReadWriteMany")).toList();
        assertThat(rwx).as("the snapshot claim").isNotEmpty();
        String manifest = Files.readString(ROOT.resolve("deploy/k8s/flink-deployment.yaml"));
        String readme = Files.readString(ROOT.resolve("README.md"));
        // a cluster's default class is often ReadWriteOnce only: the claim then stays Pending unless a class is named
        for (JsonNode claim : rwx) {
            if (claim.path("spec").path("storageClassName").isMissingNode()) {
                assertThat(manifest).contains("# storageClassName:");
                assertThat(readme).contains("ReadWriteMany").contains("storageClassName");
            }
        }
    }

    @Test
    void clusterJvmsRunDjlOfflineWithFlinksJava17Flags() {
        List<String> opens = List.of(property("flink.jvm.opens").trim().split("\\s+"));
        for (JsonNode conf : List.of(flinkConf, flinkDeployment.path("spec").path("flinkConfiguration"))) {
            List<String> opts = List.of(flatten(conf).get("env.java.opts.all").trim().split("\\s+"));
            assertThat(opts).contains("-Dai.djl.offline=true", "-DENGINE_CACHE_DIR=/opt/flink/djl-cache")
                    .containsAll(opens);
        }
        for (JsonNode conf : List.of(flinkConf, flinkDeployment.path("spec").path("flinkConfiguration"))) {
            Map<String, String> c = flatten(conf);
            assertThat(c).containsEntry("state.backend.type", "rocksdb")
                    .containsEntry("execution.checkpointing.incremental", "true")
                    .containsEntry("metrics.reporter.prom.factory.class",
                            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                    .containsEntry("metrics.reporter.prom.port", "9249");
        }
        assertThat(dockerfile).contains("ENV OMP_WAIT_POLICY=PASSIVE");
    }

    @Test
    void whatTheImageCopiesFromTheBuildIsWhatTheBuildProducesAndTheContextLetsThrough() throws IOException {
        Set<String> produced = producedPaths();
        List<String> ignore = Files.readAllLines(ROOT.resolve(".dockerignore"));
        List<String> sources = new ArrayList<>();
        for (String line : dockerfile) {
            if (line.startsWith("COPY ")) {
                List<String> parts = new ArrayList<>(List.of(line.substring(5).trim().split("\\s+")));
                parts.removeIf(p -> p.startsWith("--"));
                sources.addAll(parts.subList(0, parts.size() - 1));
            }
        }
        assertThat(sources).isNotEmpty();
        for (String source : sources) {
            String clean = source.replaceAll("/$", "");
            if (clean.startsWith("deploy/target/")) {
                assertThat(produced).as("COPY %s: a directory or file the deploy module's build writes", source)
                        .anyMatch(p -> clean.equals(p) || clean.startsWith(p + "/"));
            } else {
                assertThat(ROOT.resolve(clean)).as("COPY %s: a file in the repository", source).exists();
            }
            assertThat(ignore).as(".dockerignore lets %s into the build context", source)
                    .anyMatch(l -> l.startsWith("!") && clean.startsWith(l.substring(1).replaceAll("/$", "")));
        }
        assertThat(dockerfile).anyMatch(l -> l.startsWith("COPY ") && l.endsWith(" " + JOB_JAR));
        assertThat(dockerfile).anyMatch(l -> l.startsWith("COPY ") && l.contains("deploy/target/flink-lib")
                && l.endsWith(" /opt/flink/lib/"));
        // host paths bound into containers (none today: the image carries the build) must exist or be built
        compose.path("services").fields().forEachRemaining(s -> s.getValue().path("volumes").forEach(v -> {
            String host = v.asText().split(":")[0];
            if (host.startsWith(".") || host.startsWith("/")) {
                String rel = ROOT.relativize(ROOT.resolve(host).normalize()).toString();
                assertThat(produced.contains(rel) || Files.exists(ROOT.resolve(rel)))
                        .as("%s mounts %s: neither in the repository nor produced by the build", s.getKey(), host)
                        .isTrue();
            }
        }));
    }

    @Test
    void theClusterLibHasDjlAndItsNativesButNotWhatTheFlinkImageBrings() {
        Element copy = execution("flink-lib");
        assertThat(text(copy, "includeScope")).isEqualTo("runtime");
        assertThat(List.of(text(copy, "excludeGroupIds").split("\\s*,\\s*")))
                .contains("org.apache.flink", "org.slf4j", "org.apache.logging.log4j");
        Map<String, Element> deps = new LinkedHashMap<>();
        NodeList nodes = ((Element) deployPom.getDocumentElement().getElementsByTagName("dependencies").item(0))
                .getElementsByTagName("dependency");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element d = (Element) nodes.item(i);
            deps.put(text(d, "groupId") + ":" + text(d, "artifactId"), d);
        }
        for (String ga : List.of("ai.djl:api", "ai.djl.pytorch:pytorch-engine", "ai.djl.pytorch:pytorch-jni",
                "ai.djl.pytorch:pytorch-native-cpu", "net.java.dev.jna:jna")) {
            assertThat(deps).as("deploy/pom.xml dependencies").containsKey(ga);
            assertThat(text(deps.get(ga), "version")).as("%s: version only from the parent pom", ga).isEmpty();
            assertThat(text(deps.get(ga), "scope")).as("%s: copied by copy-dependencies (runtime)", ga)
                    .isIn("", "compile", "runtime");
        }
        assertThat(text(deps.get("ai.djl.pytorch:pytorch-native-cpu"), "classifier")).isEqualTo("linux-x86_64");
    }

    @Test
    void submitProducerAndKubernetesJobArgsAreAcceptedByOurCli() {
        JsonNode services = compose.path("services");
        String bootstrap = advertisedListener(services.path("kafka"), "PLAINTEXT");

        List<String> submit = strings(services.path("submit").path("command"));
        // attached: `run` follows the job and `docker compose stop submit` stops it with a savepoint (with -d it
        // would submit and exit, see LaunchMode)
        assertThat(submit.subList(0, 2)).containsExactly("flink", "run");
        assertThat(submit.subList(0, submit.indexOf(JOB_JAR))).doesNotContain("-d", "--detached");
        List<String> submitArgs = submit.subList(submit.indexOf(JOB_JAR) + 1, submit.size());
        Map<String, String> sets = cliRun(submitArgs);
        assertThat(sets).containsEntry(StreamsslOptions.BOOTSTRAP_SERVERS.key(), bootstrap)
                .containsEntry(StreamsslOptions.CHECKPOINT_DIR.key(), flatten(flinkConf).get("execution.checkpointing.dir"));
        String checkpoints = sets.get(StreamsslOptions.CHECKPOINT_DIR.key()).replaceFirst("^file://", "");
        String snapshots = sets.get(StreamsslOptions.SNAPSHOT_DIR.key());
        // one checkpoint storage for the JobManager and the TaskManager; the trainer (TaskManager) writes snapshots
        for (String flinkService : List.of("jobmanager", "taskmanager")) {
            assertThat(namedVolumeTargets(services.path(flinkService))).as("%s volumes", flinkService)
                    .contains(checkpoints, snapshots);
        }

        List<String> producer = strings(services.path("producer").path("command"));
        List<String> produceArgs = producer.subList(producer.indexOf(StreamsslCommand.class.getName()) + 1,
                producer.size());
        assertThat(produceArgs.get(0)).isEqualTo("produce");
        assertThat(produceArgs.get(produceArgs.indexOf("-b") + 1)).isEqualTo(bootstrap);
        assertThatCode(() -> StreamsslCommand.commandLine().parseArgs(produceArgs.toArray(String[]::new)))
                .doesNotThrowAnyException();
        assertThat(producer.get(producer.indexOf("-cp") + 1).split(":")).contains(CLI_JAR, JOB_JAR, "/opt/flink/lib/*");
        assertThat(dockerfile).anyMatch(l -> l.startsWith("COPY ") && l.endsWith(" " + CLI_JAR));

        JsonNode job = flinkDeployment.path("spec").path("job");
        assertThat(job.path("jarURI").asText()).isEqualTo("local://" + JOB_JAR);
        assertThat(cliRun(strings(job.path("args")))).containsKey(StreamsslOptions.BOOTSTRAP_SERVERS.key());
        // inside the JobManager `run` must submit and return, not follow the job
        assertThat(strings(job.path("args"))).contains("--detach");
    }

    @Test
    void theOperatorResumesFromTheLastStateWhichNeedsHighAvailability() {
        JsonNode spec = flinkDeployment.path("spec");
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("last-state");
        Map<String, String> conf = flatten(spec.path("flinkConfiguration"));
        // last-state finds the newest checkpoint through HA's pointers: without them the operator refuses it
        assertThat(conf).containsEntry("high-availability.type", "kubernetes");
        String haDir = conf.get("high-availability.storageDir");
        assertThat(haDir).as("HA storage must outlive the pods: an object store").startsWith("s3://");
        // a JobManager pod restarted by Kubernetes (HA off would lose the job) resumes from retained checkpoints
        assertThat(conf).containsEntry("execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        assertThat(conf.get("execution.checkpointing.dir")).isNotBlank().isNotEqualTo(haDir);
    }

    @Test
    void composeSubmitterSeesTheCheckpointsItResumesFrom() {
        JsonNode submit = compose.path("services").path("submit");
        List<String> args = strings(submit.path("command"));
        String checkpoints = cliRun(args.subList(args.indexOf(JOB_JAR) + 1, args.size()))
                .get(StreamsslOptions.CHECKPOINT_DIR.key()).replaceFirst("^file://", "");
        // `run` looks for the newest checkpoint of the run in checkpoints.dir from the submitting container
        assertThat(namedVolumeTargets(submit)).contains(checkpoints);
    }

    @Test
    void topicsServiceCreatesEveryTopicTheJobUses() {
        String script = String.join("\n", strings(compose.path("services").path("topics").path("command")));
        for (ConfigOption<String> topic : List.of(StreamsslOptions.IMAGES_TOPIC, StreamsslOptions.METRICS_TOPIC,
                StreamsslOptions.SNAPSHOTS_TOPIC, StreamsslOptions.DEAD_LETTER_TOPIC)) {
            assertThat(script).as("topics service creates %s", topic.key())
                    .containsPattern("(^|\\s)" + Pattern.quote(topic.defaultValue()) + ":\\d+");
        }
    }

    /**
     * Every place that creates the topics gives images and dead letters room for the largest image the job takes
     * ({@code augment.max-image-bytes}) plus headers, as the producer sends them ({@link TopicLimits}); Kafka's
     * 1 MB default would refuse a phone photo. Metrics and snapshot records are small: no setting needed.
     */
    @Test
    void everyTopicCreationFitsTheLargestImageAndDeadLetter() throws IOException {
        long image = TopicLimits.imageRecordBytes(StreamsslOptions.MAX_IMAGE_BYTES.defaultValue());
        long deadLetter = TopicLimits.deadLetterRecordBytes(StreamsslOptions.MAX_IMAGE_BYTES.defaultValue());
        Map<String, Long> required = Map.of(StreamsslOptions.IMAGES_TOPIC.defaultValue(), image,
                StreamsslOptions.DEAD_LETTER_TOPIC.defaultValue(), deadLetter);

        String script = String.join("\n", strings(compose.path("services").path("topics").path("command")));
        String readme = Files.readString(ROOT.resolve("README.md"));
        String readmeLoop = readme.lines().filter(l -> l.startsWith("for t in images:")).findFirst()
                .orElseThrow(() -> new AssertionError("README has no topic-creation loop 'for t in images:…'"));
        assertThat(script).contains("--config max.message.bytes=");
        assertThat(readme).contains("--config max.message.bytes=");
        List<JsonNode> topics = YAML.readerFor(JsonNode.class)
                .<JsonNode>readValues(ROOT.resolve("deploy/k8s/kafka-topics.yaml").toFile()).readAll();
        required.forEach((topic, bytes) -> {
            for (Map.Entry<String, String> where : Map.of("docker-compose.yml topics service", script,
                    "README topic loop", readmeLoop).entrySet()) {
                Matcher m = Pattern.compile("(^|\\s)" + Pattern.quote(topic) + ":\\d+:(\\d+)").matcher(where.getValue());
                assertThat(m.find()).as("%s gives %s a max.message.bytes (name:partitions:bytes)", where.getKey(), topic)
                        .isTrue();
                assertThat(Long.parseLong(m.group(2))).as("%s: %s max.message.bytes", where.getKey(), topic)
                        .isGreaterThanOrEqualTo(bytes);
            }
            JsonNode k8s = topics.stream().filter(t -> t.path("metadata").path("name").asText().equals(topic))
                    .findFirst().orElseThrow(() -> new AssertionError("no KafkaTopic " + topic));
            assertThat(k8s.path("spec").path("config").path("max.message.bytes").asLong())
                    .as("deploy/k8s/kafka-topics.yaml: %s max.message.bytes", topic).isGreaterThanOrEqualTo(bytes);
        });
    }

    /**
     * Parses {@code args} as the job jar's program does ({@code flink run JAR run …}, application mode) as a `run`
     * command; returns its --set pairs, validated as a config.
     */
    private static Map<String, String> cliRun(List<String> args) {
        assertThat(args).as("program arguments").isNotEmpty().first().isEqualTo("run");
        assertThatCode(() -> JobProgram.commandLine(new JobProgram()).parseArgs(args.toArray(String[]::new)))
                .as("streamssl %s", args).doesNotThrowAnyException();
        Map<String, String> sets = new LinkedHashMap<>();
        for (int i = 1; i < args.size() - 1; i++) {
            if (args.get(i).equals("--set") || args.get(i).equals("-s")) {
                String[] kv = args.get(i + 1).split("=", 2);
                sets.put(kv[0], kv[1]);
            }
        }
        // unknown keys and ill-typed values fail here exactly as they would at the job's start
        assertThatCode(() -> JobConfig.of(sets)).as("config %s", sets).doesNotThrowAnyException();
        return sets;
    }

    private static String advertisedListener(JsonNode kafka, String name) {
        Matcher m = Pattern.compile(name + "://([^,]+)")
                .matcher(kafka.path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText());
        assertThat(m.find()).as("kafka advertises a %s listener", name).isTrue();
        return m.group(1);
    }

    private static Set<String> namedVolumeTargets(JsonNode service) {
        Set<String> declared = names(compose.path("volumes"));
        Set<String> targets = new LinkedHashSet<>();
        service.path("volumes").forEach(v -> {
            String[] parts = v.asText().split(":");
            if (declared.contains(parts[0])) {
                targets.add(parts[1]);
            }
        });
        return targets;
    }

    /** Service names in the README table that follows the "## Run on a cluster" heading. */
    private static Set<String> readmeServices() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("## Run on a cluster");
        assertThat(start).as("README has a 'Run on a cluster' section").isGreaterThanOrEqualTo(0);
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Set<String> names = new LinkedHashSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z0-9-]+)` \\|").matcher(section);
        while (row.find()) {
            names.add(row.group(1));
        }
        return names;
    }

    /** Where the deploy module's dependency plugin writes, relative to the repository root. */
    private static Set<String> producedPaths() {
        Set<String> produced = new TreeSet<>();
        NodeList executions = deployPom.getElementsByTagName("execution");
        for (int i = 0; i < executions.getLength(); i++) {
            Element e = (Element) executions.item(i);
            String dir = text(e, "outputDirectory");
            if (dir.isEmpty()) {
                continue;
            }
            String rel = dir.replace("${project.build.directory}", "deploy/target");
            String file = text(e, "destFileName");
            produced.add(file.isEmpty() ? rel : rel + "/" + file);
        }
        assertThat(produced).as("output directories in deploy/pom.xml").isNotEmpty();
        return produced;
    }

    private static Element execution(String id) {
        NodeList executions = deployPom.getElementsByTagName("execution");
        for (int i = 0; i < executions.getLength(); i++) {
            Element e = (Element) executions.item(i);
            if (id.equals(text(e, "id"))) {
                return e;
            }
        }
        throw new AssertionError("no execution '" + id + "' in deploy/pom.xml");
    }

    /**
     * Every key of every {@code ConfigOption} constant in Flink's {@code *Options} classes on the test classpath,
     * with their deprecated and fallback keys: what Flink 2.2 accepts in its configuration.
     */
    private static Set<String> flinkConfigKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        ClassLoader loader = ClusterManifestsTest.class.getClassLoader();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            File jar = new File(entry);
            if (!jar.getName().startsWith("flink-") || !jar.getName().endsWith(".jar")) {
                continue;
            }
            try (JarFile jf = new JarFile(jar)) {
                for (String name : jf.stream().map(e -> e.getName())
                        .filter(n -> n.startsWith("org/apache/flink/") && n.endsWith("Options.class") && !n.contains("$"))
                        .toList()) {
                    Class<?> type;
                    try {
                        type = Class.forName(name.replace('/', '.').replace(".class", ""), true, loader);
                    } catch (ReflectiveOperationException | LinkageError e) {
                        continue; // an options class whose optional dependencies are absent here
                    }
                    for (Field f : type.getDeclaredFields()) {
                        if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                            try {
                                f.setAccessible(true);
                                ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                                keys.add(option.key());
                                StreamSupport.stream(option.fallbackKeys().spliterator(), false)
                                        .map(FallbackKey::getKey).forEach(keys::add);
                            } catch (ReflectiveOperationException | RuntimeException e) {
                                // a private constant Java's module rules hide: not a user-facing key
                            }
                        }
                    }
                }
            }
        }
        return keys;
    }

    /** Dotted keys of a YAML map, nested or flat, to their scalar values. */
    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node instanceof ObjectNode) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (!node.isMissingNode()) {
            out.put(prefix, node.asText());
        }
    }

    private static List<String> words(String value) {
        return List.of(value.trim().split("\\s+"));
    }

    private static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not YAML: " + text, e);
        }
    }

    private static Set<String> names(JsonNode map) {
        Set<String> names = new LinkedHashSet<>();
        map.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        if (list.isArray()) {
            list.forEach(n -> out.add(n.asText()));
        } else if (!list.isMissingNode()) {
            out.add(list.asText());
        }
        return out;
    }

    private static String property(String name) {
        NodeList props = parentPom.getElementsByTagName(name);
        assertThat(props.getLength()).as("<%s> in the parent pom", name).isEqualTo(1);
        return props.item(0).getTextContent().trim();
    }

    /** Text of the first {@code tag} element under {@code e} (empty when absent). */
    private static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagName(tag);
        return n.getLength() == 0 ? "" : n.item(0).getTextContent().trim();
    }

    private static Document xml(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }
}
