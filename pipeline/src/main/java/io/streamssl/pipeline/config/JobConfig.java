package io.streamssl.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streamssl.connectors.ConfigRedaction;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import io.streamssl.models.method.BatchSizeConflict;
import io.streamssl.models.method.OptimizerDefaults;
import io.streamssl.models.method.SslMethods;
import io.streamssl.models.method.ViewPlan;
import io.streamssl.models.snapshot.SnapshotRetention;
import io.streamssl.pipeline.replay.ReplayPolicy;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * A validated job configuration: the keys of {@link StreamsslOptions} plus {@code method.*} options, from a
 * YAML file and {@code key=value} overrides. Construction fails on the first problem with a message naming the
 * key and what is allowed, so a bad config stops the job before it starts.
 */
public final class JobConfig implements Serializable {

    private static final long serialVersionUID = 1L;
    public static final String METHOD_PREFIX = "method.";

    private final TreeMap<String, String> values;
    private transient Configuration flink;

    private JobConfig(Map<String, String> values) {
        this.values = new TreeMap<>(values);
        validate();
    }

    /** A config from flattened keys (validated). */
    public static JobConfig of(Map<String, String> values) {
        return new JobConfig(values);
    }

    /** Reads a YAML file (nested maps, or flat dotted keys) and applies {@code overrides} on top. */
    public static JobConfig load(Path yaml, Map<String, String> overrides) {
        Map<String, String> flat = new LinkedHashMap<>();
        if (yaml != null) {
            if (!Files.isRegularFile(yaml)) {
                throw new IllegalArgumentException("config file " + yaml + " does not exist");
            }
            try {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
                if (root != null && !root.isNull()) {
                    if (!root.isObject()) {
                        throw new IllegalArgumentException("config file " + yaml + " must be a YAML map of keys");
                    }
                    flatten("", root, flat);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("config file " + yaml + " is not valid YAML: " + e.getMessage(), e);
            }
        }
        flat.putAll(overrides);
        return new JobConfig(flat);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            StringBuilder sb = new StringBuilder();
            node.forEach(n -> sb.append(sb.length() == 0 ? "" : ",").append(n.asText()));
            out.put(prefix, sb.toString());
        } else {
            out.put(prefix, node.asText());
        }
    }

    /** A copy with more overrides applied. */
    public JobConfig with(Map<String, String> overrides) {
        Map<String, String> v = new TreeMap<>(values);
        v.putAll(overrides);
        return new JobConfig(v);
    }

    private Configuration flink() {
        if (flink == null) {
            flink = Configuration.fromMap(values);
        }
        return flink;
    }

    public <T> T get(ConfigOption<T> option) {
        try {
            return flink().get(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config key '" + option.key() + "' has a bad value '"
                    + values.get(option.key()) + "': " + rootMessage(e), e);
        }
    }

    public boolean contains(ConfigOption<?> option) {
        return values.containsKey(option.key());
    }

    /** All keys as given (flattened), secrets included: to build another config from, never to show. */
    public Map<String, String> asMap() {
        return java.util.Collections.unmodifiableMap(values);
    }

    /**
     * All keys with the values of secret keys ({@link ConfigRedaction#isSecret}: password, secret, jaas, token,
     * credential, …key) replaced by {@value ConfigRedaction#MASK}: what manifests, logs and metrics may show.
     */
    public Map<String, String> redacted() {
        return java.util.Collections.unmodifiableMap(ConfigRedaction.redact(values));
    }

    /**
     * The extra Kafka client properties every client of the job gets, without their prefix
     * ({@code kafka.properties.sasl.mechanism=PLAIN} → {@code sasl.mechanism=PLAIN}); Flink's {@code properties.}
     * prefix counts the same. Empty when none are set.
     */
    public Map<String, String> kafkaClientProperties() {
        Map<String, String> out = new TreeMap<>();
        Map<String, String> keyOf = new TreeMap<>();
        values.forEach((k, v) -> {
            String prefix = k.startsWith(StreamsslOptions.KAFKA_PROPERTIES_PREFIX) ? StreamsslOptions.KAFKA_PROPERTIES_PREFIX
                    : k.startsWith(StreamsslOptions.FLINK_KAFKA_PROPERTIES_PREFIX)
                            ? StreamsslOptions.FLINK_KAFKA_PROPERTIES_PREFIX : null;
            if (prefix == null) {
                return;
            }
            String name = k.substring(prefix.length());
            if (name.isBlank()) {
                throw new IllegalArgumentException("config key '" + k + "' names no Kafka client property: write "
                        + StreamsslOptions.KAFKA_PROPERTIES_PREFIX + "<property>=<value>, e.g. "
                        + StreamsslOptions.KAFKA_PROPERTIES_PREFIX + "security.protocol=SASL_SSL");
            }
            if (keyOf.containsKey(name) && !out.get(name).equals(v)) {
                throw new IllegalArgumentException("config keys '" + keyOf.get(name) + "' and '" + k + "' set the"
                        + " same Kafka client property '" + name + "' to different values: keep one");
            }
            out.put(name, v);
            keyOf.put(name, k);
        });
        for (String name : out.keySet()) {
            if (KafkaClientProperties.RESERVED.contains(name)) {
                throw new IllegalArgumentException("config key '" + keyOf.get(name) + "' is not allowed: "
                        + (name.equals("bootstrap.servers") ? "set kafka.bootstrap-servers instead"
                                : name.equals("group.id") ? "set kafka.group-id instead"
                                : "streamssl's records have byte[] keys and values"));
            }
        }
        return out;
    }

    /** The {@code method.*} options without their prefix. */
    public Map<String, String> methodOptions() {
        Map<String, String> m = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(METHOD_PREFIX)) {
                m.put(k.substring(METHOD_PREFIX.length()), v);
            }
        });
        return m;
    }

    /** The views the configured method wants at the configured size. */
    public ViewPlan viewPlan() {
        TrainerSpec spec = trainerSpec();
        return SslMethods.create(spec.method(), spec.methodSettings()).viewPlan(spec.imageSize());
    }

    public EncoderSpec encoderSpec() {
        return new EncoderSpec(get(StreamsslOptions.ENCODER), Stem.parse(get(StreamsslOptions.STEM)),
                get(StreamsslOptions.WIDTH));
    }

    /**
     * The trainer's spec. {@code trainer.optimizer} and {@code trainer.learning-rate} have no global default: each
     * one that the config does not set takes the method's (see {@code streamssl methods}), so VICReg gets LARS at
     * its batch-scaled rate while a value the user gives always wins.
     */
    public TrainerSpec trainerSpec() {
        OptimizerDefaults methodDefaults = SslMethods.descriptor(get(StreamsslOptions.METHOD)).optimizerDefaults();
        int batchSize = get(StreamsslOptions.BATCH_SIZE);
        double learningRate = contains(StreamsslOptions.LEARNING_RATE) ? get(StreamsslOptions.LEARNING_RATE)
                : methodDefaults.learningRate(batchSize);
        String optimizer = contains(StreamsslOptions.OPTIMIZER) ? get(StreamsslOptions.OPTIMIZER)
                : methodDefaults.optimizer();
        double weightDecay = contains(StreamsslOptions.WEIGHT_DECAY) || methodDefaults.weightDecay() == null
                ? get(StreamsslOptions.WEIGHT_DECAY) : methodDefaults.weightDecay();
        TrainerSpec spec = new TrainerSpec(get(StreamsslOptions.METHOD), methodOptions(), encoderSpec(),
                get(StreamsslOptions.IMAGE_SIZE), batchSize, learningRate, get(StreamsslOptions.WARMUP_STEPS),
                get(StreamsslOptions.SCHEDULE_STEPS), get(StreamsslOptions.MOMENTUM),
                weightDecay, get(StreamsslOptions.SEED), get(StreamsslOptions.DEVICE),
                floats(StreamsslOptions.NORMALIZE_MEAN), floats(StreamsslOptions.NORMALIZE_STD),
                get(StreamsslOptions.PROBE_CLASSES), get(StreamsslOptions.PROBE_LEARNING_RATE))
                .withTrainerOption("optimizer", optimizer)
                .withTrainerOption("flat-buffers", Boolean.toString(get(StreamsslOptions.FLAT_BUFFERS)));
        if (contains(StreamsslOptions.ADAMW_BETAS)) {
            try {
                OptimizerDefaults.AdamBetas.parse(get(StreamsslOptions.ADAMW_BETAS));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("config key '" + StreamsslOptions.ADAMW_BETAS.key() + "': "
                        + e.getMessage(), e);
            }
            return spec.withTrainerOption("adamw-betas", get(StreamsslOptions.ADAMW_BETAS).trim());
        }
        // the method's betas are AdamW's: with another optimiser the user chose they do not apply
        return methodDefaults.adamBetas() == null || !optimizer.equals("adamw") ? spec
                : spec.withTrainerOption("adamw-betas", methodDefaults.adamBetas().format());
    }

    /**
     * The held-out evaluation the job runs on its committed snapshots, or null when no {@code eval.} source is set.
     */
    public HeldOutSettings heldOut() {
        List<ConfigOption<String>> sources = List.of(StreamsslOptions.EVAL_CIFAR10, StreamsslOptions.EVAL_FOLDER,
                StreamsslOptions.EVAL_TOPIC);
        List<ConfigOption<String>> set = sources.stream().filter(o -> contains(o) && !get(o).isBlank()).toList();
        if (set.size() > 1) {
            throw new IllegalArgumentException("config keys " + set.stream().map(ConfigOption::key).toList()
                    + " are all set: held-out evaluation takes one source, eval.cifar10, eval.folder or eval.topic");
        }
        positive(StreamsslOptions.EVAL_BANK_SIZE, 1);
        positive(StreamsslOptions.EVAL_QUERY_SIZE, 1);
        positive(StreamsslOptions.EVAL_BATCH_SIZE, 1);
        if (get(StreamsslOptions.EVAL_INTERVAL).isNegative()) {
            throw new IllegalArgumentException("config key 'eval.interval' must be >= 0, got "
                    + get(StreamsslOptions.EVAL_INTERVAL));
        }
        if (set.isEmpty()) {
            return null;
        }
        ConfigOption<String> source = set.get(0);
        HeldOutSettings.Source kind = source == StreamsslOptions.EVAL_CIFAR10 ? HeldOutSettings.Source.CIFAR10
                : source == StreamsslOptions.EVAL_FOLDER ? HeldOutSettings.Source.FOLDER : HeldOutSettings.Source.TOPIC;
        return new HeldOutSettings(kind, source.key(), get(source).trim(), get(StreamsslOptions.EVAL_BANK_SIZE),
                get(StreamsslOptions.EVAL_QUERY_SIZE), get(StreamsslOptions.EVAL_INTERVAL),
                get(StreamsslOptions.EVAL_BATCH_SIZE), get(StreamsslOptions.PROBE_CLASSES),
                get(StreamsslOptions.IMAGE_SIZE), get(StreamsslOptions.SEED), get(StreamsslOptions.MAX_STEPS),
                get(StreamsslOptions.BOOTSTRAP_SERVERS));
    }

    private float[] floats(ConfigOption<String> option) {
        String[] parts = get(option).split(",");
        if (parts.length != 3) {
            throw new IllegalArgumentException("config key '" + option.key() + "' needs 3 comma-separated numbers"
                    + " (R,G,B), got '" + get(option) + "'");
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            try {
                out[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("config key '" + option.key() + "' needs numbers, got '"
                        + get(option) + "'");
            }
        }
        return out;
    }

    private void validate() {
        Map<String, ConfigOption<?>> known = new TreeMap<>();
        StreamsslOptions.all().forEach(o -> known.put(o.key(), o));
        for (String k : values.keySet()) {
            if (!known.containsKey(k) && !k.startsWith(METHOD_PREFIX)
                    && !k.startsWith(StreamsslOptions.KAFKA_PROPERTIES_PREFIX)
                    && !k.startsWith(StreamsslOptions.FLINK_KAFKA_PROPERTIES_PREFIX)) {
                throw new IllegalArgumentException("unknown config key '" + k + "'" + suggestion(k, known)
                        + " (all keys: `streamssl run --help`, or README.md \"Configuration\")");
            }
        }
        for (ConfigOption<?> o : known.values()) {
            get(o); // type check, names the key on failure
        }
        positive(StreamsslOptions.BATCH_SIZE, 2);
        positive(StreamsslOptions.WIDTH, 8);
        positive(StreamsslOptions.IMAGE_SIZE, 8);
        positive(StreamsslOptions.AUGMENT_PARALLELISM, 1);
        positive(StreamsslOptions.METRICS_EVERY, 1);
        positive(StreamsslOptions.SNAPSHOT_EVERY, 1);
        positive(StreamsslOptions.SNAPSHOT_RETAIN_NEWEST, 1);
        snapshotRetention(); // checks snapshots.retain-every-steps
        positive(StreamsslOptions.CHECKPOINTS_RETAINED, 1);
        positive(StreamsslOptions.PROBE_CLASSES, 2);
        positive(StreamsslOptions.MAX_RESTARTS_SAME_CAUSE, 0);
        if (get(StreamsslOptions.MAX_STEPS) < 0) {
            throw new IllegalArgumentException("config key 'trainer.max-steps' must be >= 0 (0 = forever), got "
                    + get(StreamsslOptions.MAX_STEPS));
        }
        if (get(StreamsslOptions.CHECKPOINT_INTERVAL).toMillis() < 100) {
            throw new IllegalArgumentException("config key 'checkpoints.interval' must be at least 100 ms, got "
                    + get(StreamsslOptions.CHECKPOINT_INTERVAL));
        }
        failAtSteps(); // checks the list
        positive(StreamsslOptions.EMBED_BATCH_SIZE, 1);
        positive(StreamsslOptions.EMBED_PARALLELISM, 1);
        for (ConfigOption<String> o : List.of(StreamsslOptions.EMBED_OUTPUT_TOPIC, StreamsslOptions.EMBED_GROUP_ID,
                StreamsslOptions.EMBED_TRANSACTIONAL_ID_PREFIX)) {
            if (get(o).isBlank()) {
                throw new IllegalArgumentException("config key '" + o.key() + "' must not be empty");
            }
        }
        embedFailAfter(); // checks the list
        if (get(StreamsslOptions.MAX_CONSECUTIVE_SKIPPED_STEPS) < 1) {
            throw new IllegalArgumentException("config key 'trainer.max-consecutive-skipped-steps' must be at least 1,"
                    + " got " + get(StreamsslOptions.MAX_CONSECUTIVE_SKIPPED_STEPS));
        }
        kafkaClientProperties(); // checks the kafka.properties.* keys
        heldOut(); // checks the eval.* keys
        replay(); // checks the replay.* keys
        String offsets = get(StreamsslOptions.STARTING_OFFSETS);
        if (!offsets.equals("earliest") && !offsets.equals("latest") && !offsets.equals("committed")) {
            throw new IllegalArgumentException("config key 'kafka.starting-offsets' must be earliest, latest or"
                    + " committed, got '" + offsets + "'");
        }
        String device = get(StreamsslOptions.DEVICE).trim().toLowerCase(java.util.Locale.ROOT);
        if (!device.matches("auto|cpu|gpu|gpu:\\d+")) {
            throw new IllegalArgumentException("config key 'trainer.device' must be auto, cpu, gpu or gpu:N, got '"
                    + device + "'");
        }
        if (!SslMethods.names().contains(get(StreamsslOptions.METHOD))) {
            throw new IllegalArgumentException("config key 'trainer.method' must be one of " + SslMethods.names()
                    + ", got '" + get(StreamsslOptions.METHOD) + "'");
        }
        try {
            TrainerSpec spec = trainerSpec();
            // checks every option, also against the batch, and that those training needs are set
            SslMethods.create(spec.method(), spec.methodSettings()).requireReadyToTrain();
        } catch (BatchSizeConflict e) {
            throw new IllegalArgumentException("bad trainer configuration: " + e.describe(
                    METHOD_PREFIX + e.option(), StreamsslOptions.BATCH_SIZE.key()), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad trainer configuration: " + e.getMessage(), e);
        }
        // The augmentation (augment.AugmentationPresets#forViewPlan) makes the plan's views in a global and a
        // local group at most: checked here, so such a plan stops the job at config load, not in a running task.
        ViewPlan plan = viewPlan();
        if (plan.groups().size() > 2) {
            throw new IllegalArgumentException("config key 'trainer.method': " + get(StreamsslOptions.METHOD)
                    + " wants " + plan.groups().size() + " view sizes (" + plan.describe() + "); the pipeline makes"
                    + " at most two (global and local crops)");
        }
    }

    /** The {@code replay.*} keys, checked against each other, the batch size and the image size. */
    public ReplaySettings replay() {
        ReplayPolicy policy = ReplayPolicy.parse(StreamsslOptions.REPLAY_POLICY.key(),
                get(StreamsslOptions.REPLAY_POLICY));
        double ratio = get(StreamsslOptions.REPLAY_RATIO);
        double updates = get(StreamsslOptions.REPLAY_UPDATES_PER_SAMPLE);
        int capacity = get(StreamsslOptions.REPLAY_CAPACITY);
        int size = get(StreamsslOptions.IMAGE_SIZE);
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("config key '" + StreamsslOptions.REPLAY_RATIO.key()
                    + "' must be in [0, 1] (the fraction of training samples replayed), got " + ratio);
        }
        if (!(updates > 0 && updates <= 64)) {
            throw new IllegalArgumentException("config key '" + StreamsslOptions.REPLAY_UPDATES_PER_SAMPLE.key()
                    + "' must be > 0 and <= 64 (training samples per incoming record), got " + updates);
        }
        if (policy == ReplayPolicy.NONE) {
            return new ReplaySettings(policy, 0, 0, updates, size, get(StreamsslOptions.SEED));
        }
        int batch = get(StreamsslOptions.BATCH_SIZE);
        if (capacity < batch) {
            throw new IllegalArgumentException("config key '" + StreamsslOptions.REPLAY_CAPACITY.key() + "' must be"
                    + " at least trainer.batch-size (" + batch + ") with replay.policy=" + policy.configName()
                    + ", got " + capacity);
        }
        ReplaySettings settings = new ReplaySettings(policy, capacity, ratio, updates, size,
                get(StreamsslOptions.SEED));
        long bytes = settings.imageBytes() * capacity;
        if (bytes > get(StreamsslOptions.REPLAY_MAX_BYTES)) {
            throw new IllegalArgumentException("config key '" + StreamsslOptions.REPLAY_CAPACITY.key() + "': "
                    + capacity + " images of " + size + "×" + size + "×3 bytes need " + bytes + " bytes, more than"
                    + " '" + StreamsslOptions.REPLAY_MAX_BYTES.key() + "' (" + get(StreamsslOptions.REPLAY_MAX_BYTES)
                    + "): lower the capacity or raise the bound");
        }
        return settings;
    }

    /** {@code testing.poison-ids}: the image ids whose batches the non-finite-loss drill poisons (may be empty). */
    public Set<String> poisonIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (String part : get(StreamsslOptions.POISON_IDS).split(",")) {
            if (!part.isBlank()) {
                ids.add(part.trim());
            }
        }
        return ids;
    }

    /** {@code snapshots.retain-newest} and {@code snapshots.retain-every-steps}. */
    public SnapshotRetention snapshotRetention() {
        int every = get(StreamsslOptions.SNAPSHOT_RETAIN_EVERY);
        int written = get(StreamsslOptions.SNAPSHOT_EVERY);
        if (every < 0 || (every > 0 && every % written != 0)) {
            throw new IllegalArgumentException("config key '" + StreamsslOptions.SNAPSHOT_RETAIN_EVERY.key()
                    + "' must be 0 (none) or a multiple of " + StreamsslOptions.SNAPSHOT_EVERY.key() + " (" + written
                    + "), got " + every);
        }
        return new SnapshotRetention(get(StreamsslOptions.SNAPSHOT_RETAIN_NEWEST), every);
    }

    /** {@code testing.fail-at-steps}: increasing steps ≥ 1, comma-separated (empty = none). */
    public List<Long> failAtSteps() {
        String text = get(StreamsslOptions.FAIL_AT_STEPS).trim();
        List<Long> steps = new ArrayList<>();
        if (text.isEmpty()) {
            return steps;
        }
        for (String part : text.split("[,;]")) {
            long step;
            try {
                step = Long.parseLong(part.trim());
            } catch (NumberFormatException e) {
                step = -1;
            }
            if (step < 1 || (!steps.isEmpty() && step <= steps.get(steps.size() - 1))) {
                throw new IllegalArgumentException("config key 'testing.fail-at-steps' must list increasing steps"
                        + " >= 1, comma-separated (e.g. 5,12), got '" + text + "'");
            }
            steps.add(step);
        }
        return steps;
    }

    /** {@code testing.embed-fail-after}: image counts >= 1, one per attempt, comma-separated (empty = none). */
    public List<Long> embedFailAfter() {
        String text = get(StreamsslOptions.EMBED_FAIL_AFTER).trim();
        List<Long> counts = new ArrayList<>();
        if (text.isEmpty()) {
            return counts;
        }
        for (String part : text.split("[,;]")) {
            long n;
            try {
                n = Long.parseLong(part.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1) {
                throw new IllegalArgumentException("config key '" + StreamsslOptions.EMBED_FAIL_AFTER.key() + "' must"
                        + " list image counts >= 1, comma-separated (e.g. 50,20), got '" + text + "'");
            }
            counts.add(n);
        }
        return counts;
    }

    private void positive(ConfigOption<Integer> option, int min) {
        if (get(option) < min) {
            throw new IllegalArgumentException("config key '" + option.key() + "' must be >= " + min + ", got "
                    + get(option));
        }
    }

    private static String suggestion(String key, Map<String, ConfigOption<?>> known) {
        return known.keySet().stream().min(Comparator.comparingInt(k -> distance(k, key)))
                .filter(k -> distance(k, key) <= Math.max(3, key.length() / 4))
                .map(k -> ": did you mean '" + k + "'?").orElse("");
    }

    private static int distance(String a, String b) {
        // commons-text comes with Flink (flink-core depends on it)
        return LevenshteinDistance.getDefaultInstance().apply(a, b);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
