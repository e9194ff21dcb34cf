package io.streamssl.pipeline.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every configuration key of a streamssl job, typed, with its default and description. A job YAML is a
 * nested map of these keys ({@code trainer: {batch-size: 256}} is {@code trainer.batch-size}); the CLI's
 * {@code --set key=value} overrides any of them. Method-specific options go under {@code method.} (e.g.
 * {@code method.projector-hidden}) and are checked by the method.
 */
public final class StreamsslOptions {

    private StreamsslOptions() {}

    // ---- kafka
    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("kafka.bootstrap-servers").stringType()
            .noDefaultValue().withDescription("Kafka bootstrap servers, host:port[,host:port]. Required for `run`;"
                    + " `demo` uses its in-process broker.");
    public static final ConfigOption<String> KAFKA_CLUSTER_ID = key("kafka.cluster-id").stringType()
            .noDefaultValue().withDescription("The id of the Kafka cluster the job reads and writes (`demo` sets its"
                    + " broker's). The Kafka source's and the metrics/snapshots sink's operator ids carry it, so that a"
                    + " run resumed on another cluster reads the images from kafka.starting-offsets and drops the old"
                    + " cluster's unfinished output transactions (which the new cluster cannot commit) instead of"
                    + " failing over and over; the trainer's state resumes as always.");
    public static final ConfigOption<String> IMAGES_TOPIC = key("kafka.images-topic").stringType()
            .defaultValue("images").withDescription("Topic the images are read from.");
    public static final ConfigOption<String> METRICS_TOPIC = key("kafka.metrics-topic").stringType()
            .defaultValue("metrics").withDescription("Topic training metrics are written to (JSON).");
    public static final ConfigOption<String> SNAPSHOTS_TOPIC = key("kafka.snapshots-topic").stringType()
            .defaultValue("snapshots").withDescription("Topic snapshot announcements are written to (JSON).");
    public static final ConfigOption<String> DEAD_LETTER_TOPIC = key("kafka.dead-letter-topic").stringType()
            .defaultValue("images.dlq").withDescription("Topic records that cannot be trained on go to, with the reason.");
    public static final ConfigOption<String> GROUP_ID = key("kafka.group-id").stringType()
            .defaultValue("streamssl").withDescription("Consumer group id of the image source.");
    public static final ConfigOption<String> STARTING_OFFSETS = key("kafka.starting-offsets").stringType()
            .defaultValue("earliest").withDescription("Where a new job starts reading: earliest, latest, or committed"
                    + " (the group's committed offsets, else earliest). A restored job resumes from its checkpoint.");

    /**
     * Prefix of the extra Kafka client settings every client of the job gets (source, sinks, readers, producer):
     * {@code kafka.properties.security.protocol=SASL_SSL}, {@code kafka.properties.sasl.jaas.config=…}. Flink's
     * Kafka connector prefix {@link #FLINK_KAFKA_PROPERTIES_PREFIX} is accepted as well. Values of secret keys
     * (see {@code connectors.ConfigRedaction}) never reach logs, metrics or snapshot manifests.
     */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";
    /** Flink's Kafka connector prefix for client settings ({@code properties.security.protocol}), same as above. */
    public static final String FLINK_KAFKA_PROPERTIES_PREFIX = "properties.";

    // ---- trainer
    public static final ConfigOption<String> MODEL_NAME = key("trainer.model-name").stringType()
            .defaultValue("encoder").withDescription("Name of the model being trained: the state key, and the key of"
                    + " metrics and snapshot records.");
    public static final ConfigOption<String> METHOD = key("trainer.method").stringType().defaultValue("byol")
            .withDescription("Self-supervised method (see `streamssl methods`).");
    public static final ConfigOption<String> ENCODER = key("trainer.encoder").stringType().defaultValue("resnet18")
            .withDescription("Backbone architecture.");
    public static final ConfigOption<String> STEM = key("trainer.stem").stringType().defaultValue("cifar")
            .withDescription("ResNet stem: cifar (3x3 conv, no max-pool) or imagenet (7x7/2 conv + max-pool).");
    public static final ConfigOption<Integer> WIDTH = key("trainer.width").intType().defaultValue(64)
            .withDescription("Channels of the first ResNet stage (64 = the published network; smaller = narrower).");
    public static final ConfigOption<Integer> BATCH_SIZE = key("trainer.batch-size").intType().defaultValue(256)
            .withDescription("Images per training step.");
    public static final ConfigOption<Double> LEARNING_RATE = key("trainer.learning-rate").doubleType()
            .noDefaultValue().withDescription("Peak learning rate (after warm-up), cosine-decayed to 0 over"
                    + " trainer.schedule-steps. Unset: the method's, scaled to trainer.batch-size where its recipe"
                    + " says so (see `streamssl methods`).");
    public static final ConfigOption<Long> WARMUP_STEPS = key("trainer.warmup-steps").longType().defaultValue(0L)
            .withDescription("Linear learning-rate warm-up steps.");
    public static final ConfigOption<Long> SCHEDULE_STEPS = key("trainer.schedule-steps").longType()
            .defaultValue(100_000L).withDescription("Horizon of the cosine schedules (learning rate, teacher momentum);"
                    + " on an endless stream they stay at their end values afterwards. Not tied to trainer.max-steps:"
                    + " a schedule that spans a short run ends it at learning rate 0 and τ 1, which measured worse"
                    + " (README \"Recipes at the demo's budget\").");
    public static final ConfigOption<String> OPTIMIZER = key("trainer.optimizer").stringType().noDefaultValue()
            .withDescription("sgd (with momentum), lars (biases and norms excluded from adaptation and decay) or adamw."
                    + " Unset: the method's (see `streamssl methods`).");
    public static final ConfigOption<Boolean> FLAT_BUFFERS = key("trainer.flat-buffers").booleanType()
            .defaultValue(true).withDescription("Keep the student, the teacher and the optimiser slots as views of one"
                    + " flat buffer each, so the EMA and the optimiser update run a few native operators over the"
                    + " whole buffer instead of several per tensor (bit-equal results; see the README's \"The"
                    + " trainer's step\").");
    public static final ConfigOption<Double> MOMENTUM = key("trainer.momentum").doubleType().defaultValue(0.9)
            .withDescription("SGD momentum.");
    public static final ConfigOption<Double> WEIGHT_DECAY = key("trainer.weight-decay").doubleType()
            .defaultValue(1e-5).withDescription("L2 weight decay (not on biases and norms). Unset: the method's own"
                    + " where it has one (MAE 0.05; see `streamssl methods`), else this default.");
    public static final ConfigOption<String> ADAMW_BETAS = key("trainer.adamw-betas").stringType().noDefaultValue()
            .withDescription("AdamW's (β1, β2) as 'b1,b2', each in [0, 1). Unset: the method's own where it has"
                    + " them (MAE 0.9,0.95), else 0.9,0.999.");
    public static final ConfigOption<Long> SEED = key("trainer.seed").longType().defaultValue(42L)
            .withDescription("Seeds weight initialisation and augmentation.");
    public static final ConfigOption<String> DEVICE = key("trainer.device").stringType().defaultValue("auto")
            .withDescription("auto (a GPU if DJL sees one), cpu, gpu, or gpu:N.");
    public static final ConfigOption<Integer> MAX_CONSECUTIVE_SKIPPED_STEPS =
            key("trainer.max-consecutive-skipped-steps").intType().defaultValue(10)
            .withDescription("A batch whose loss is NaN or infinite is skipped (nothing changes) and its images go"
                    + " to the dead-letter topic with reason NON_FINITE_LOSS; this many skipped steps in a row fail"
                    + " the job without restarts, naming the method and the learning rate (at least 1).");
    public static final ConfigOption<Long> MAX_STEPS = key("trainer.max-steps").longType().defaultValue(0L)
            .withDescription("Stop cleanly after this many steps (0 = train forever).");
    public static final ConfigOption<String> NORMALIZE_MEAN = key("trainer.normalize-mean").stringType()
            .defaultValue("0.4914,0.4822,0.4465").withDescription("Per-channel mean (R,G,B in [0,1]) subtracted on the"
                    + " device.");
    public static final ConfigOption<String> NORMALIZE_STD = key("trainer.normalize-std").stringType()
            .defaultValue("0.2470,0.2435,0.2616").withDescription("Per-channel standard deviation (R,G,B).");

    // ---- augmentation
    public static final ConfigOption<Integer> IMAGE_SIZE = key("augment.size").intType().defaultValue(32)
            .withDescription("Side of the square views in pixels. The augmentation is the method's own preset for"
                    + " this size (see `streamssl methods`; method.augmentation=PRESET overrides it).");
    public static final ConfigOption<Integer> AUGMENT_PARALLELISM = key("augment.parallelism").intType()
            .defaultValue(1).withDescription("Parallel decode+augment subtasks.");
    public static final ConfigOption<Integer> MAX_IMAGE_BYTES = key("augment.max-image-bytes").intType()
            .defaultValue(16 << 20).withDescription("Larger encoded images are dead-lettered.");
    public static final ConfigOption<Long> MAX_IMAGE_PIXELS = key("augment.max-image-pixels").longType()
            .defaultValue(40_000_000L).withDescription("Images declaring more pixels are dead-lettered before decoding.");

    // ---- replay (continual pretraining; README "Continual pretraining")
    public static final ConfigOption<String> REPLAY_POLICY = key("replay.policy").stringType().defaultValue("none")
            .withDescription("Replay buffer: none, fifo (the newest samples), reservoir (a uniform sample of"
                    + " everything seen) or minred (MinRed: when full, evict the sample most similar to its nearest"
                    + " neighbour in the buffer). The buffer is keyed Flink state, checkpointed with the model.");
    public static final ConfigOption<Integer> REPLAY_CAPACITY = key("replay.capacity").intType().defaultValue(2048)
            .withDescription("Samples the replay buffer holds (at least trainer.batch-size).");
    public static final ConfigOption<Long> REPLAY_MAX_BYTES = key("replay.max-bytes").longType()
            .defaultValue(1L << 30).withDescription("Bound on the buffer's image bytes (capacity × augment.size² × 3):"
                    + " a larger buffer fails at start.");
    public static final ConfigOption<Double> REPLAY_RATIO = key("replay.ratio").doubleType().defaultValue(0.5)
            .withDescription("Fraction of the training samples replayed from the buffer, in [0, 1] (the rest are"
                    + " fresh records). Ignored with replay.policy=none.");
    public static final ConfigOption<Double> REPLAY_UPDATES_PER_SAMPLE = key("replay.updates-per-sample").doubleType()
            .defaultValue(1.0).withDescription("Training samples each incoming record pays for, on average (the"
                    + " compute budget per record, > 0, at most 64): a record buys updates-per-sample × (1 − ratio)"
                    + " fresh uses of itself and updates-per-sample × ratio replays from the buffer. With"
                    + " replay.policy=none, 2 trains each record twice, with different augmentations.");

    // ---- probe
    public static final ConfigOption<Integer> PROBE_CLASSES = key("probe.classes").intType().defaultValue(10)
            .withDescription("Classes of the online linear probe (labels outside [0, classes) are ignored by it).");
    public static final ConfigOption<Double> PROBE_LEARNING_RATE = key("probe.learning-rate").doubleType()
            .defaultValue(0.5).withDescription("Learning rate of the online linear probe (on standardised features).");

    // ---- held-out evaluation
    public static final ConfigOption<String> EVAL_CIFAR10 = key("eval.cifar10").stringType().noDefaultValue()
            .withDescription("Held-out evaluation on CIFAR-10 (binary format directory): the first eval.bank-size"
                    + " training images form the kNN bank and the probe's training set, the first eval.query-size"
                    + " test images are scored. At most one of eval.cifar10, eval.folder, eval.topic; none = off.");
    public static final ConfigOption<String> EVAL_FOLDER = key("eval.folder").stringType().noDefaultValue()
            .withDescription("Held-out evaluation on an image folder DIR/<class>/<image> (or DIR/train and DIR/test"
                    + " of classes), split with trainer.seed as `streamssl eval --folder` does.");
    public static final ConfigOption<String> EVAL_TOPIC = key("eval.topic").stringType().noDefaultValue()
            .withDescription("Held-out evaluation on a Kafka topic of labelled images (streamssl record format),"
                    + " read to its end when the job starts: the first eval.bank-size labelled records are the bank,"
                    + " the next eval.query-size the queries. Labels must be in [0, probe.classes).");
    public static final ConfigOption<Integer> EVAL_BANK_SIZE = key("eval.bank-size").intType().defaultValue(5000)
            .withDescription("Labelled images in the kNN bank (also the linear probe's training set).");
    public static final ConfigOption<Integer> EVAL_QUERY_SIZE = key("eval.query-size").intType().defaultValue(1000)
            .withDescription("Held-out images scored.");
    public static final ConfigOption<Duration> EVAL_INTERVAL = key("eval.interval").durationType()
            .defaultValue(Duration.ofMinutes(10)).withDescription("At most one evaluation per this interval: the"
                    + " newest committed snapshot is evaluated once it has passed (snapshots committed meanwhile are"
                    + " skipped); the snapshot at trainer.max-steps is always evaluated. 0 = every committed"
                    + " snapshot the evaluator reaches.");
    public static final ConfigOption<Integer> EVAL_BATCH_SIZE = key("eval.batch-size").intType().defaultValue(256)
            .withDescription("Images per forward pass of the evaluator (as `streamssl eval --batch-size`).");

    // ---- outputs
    public static final ConfigOption<Integer> METRICS_EVERY = key("metrics.every-steps").intType().defaultValue(10)
            .withDescription("Publish metrics every this many steps.");
    public static final ConfigOption<Boolean> TRAINED_IDS = key("metrics.trained-ids").booleanType()
            .defaultValue(false).withDescription("Also publish a `trained` event per step on the metrics topic,"
                    + " listing the image ids and epochs the step trained on: an audit trail that, read"
                    + " read_committed, shows each record trained exactly once.");
    public static final ConfigOption<Integer> SNAPSHOT_EVERY = key("snapshots.every-steps").intType()
            .defaultValue(500).withDescription("Write an encoder snapshot every this many steps (and at max-steps).");
    public static final ConfigOption<String> SNAPSHOT_DIR = key("snapshots.dir").stringType()
            .defaultValue("streamssl-out/snapshots").withDescription("Directory snapshots are written to (local or"
                    + " shared filesystem path).");
    public static final ConfigOption<Integer> SNAPSHOT_RETAIN_NEWEST = key("snapshots.retain-newest").intType()
            .defaultValue(5).withDescription("Committed snapshots kept on disk, newest first (>= 1); older ones are"
                    + " deleted when LATEST moves on. The one LATEST names and those not yet committed are never"
                    + " deleted.");
    public static final ConfigOption<Integer> SNAPSHOT_RETAIN_EVERY = key("snapshots.retain-every-steps").intType()
            .defaultValue(0).withDescription("Also keep every snapshot whose step is a multiple of this (a multiple"
                    + " of snapshots.every-steps), e.g. for a learning curve over the whole run. 0 = none.");

    // ---- checkpoints
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("checkpoints.interval").durationType()
            .defaultValue(Duration.ofSeconds(10)).withDescription("Checkpoint interval, e.g. 10 s.");
    public static final ConfigOption<String> CHECKPOINT_DIR = key("checkpoints.dir").stringType()
            .defaultValue("streamssl-out/checkpoints").withDescription("Checkpoint directory: a path or any Flink"
                    + " filesystem URI (file://, s3:// …).");
    public static final ConfigOption<Integer> CHECKPOINTS_RETAINED = key("checkpoints.retained").intType()
            .defaultValue(3).withDescription("Completed checkpoints kept.");
    public static final ConfigOption<Boolean> CHECKPOINTS_UNALIGNED = key("checkpoints.unaligned").booleanType()
            .defaultValue(false).withDescription("Unaligned checkpoints: the barrier overtakes the samples queued"
                    + " for the trainer (they are stored in the checkpoint instead), so a checkpoint no longer waits"
                    + " for the trainer to work through its input queue. Still exactly-once.");
    public static final ConfigOption<String> RESTORE_FROM = key("checkpoints.restore-from").stringType()
            .noDefaultValue().withDescription("A checkpoint or savepoint path to restore the job from.");
    public static final ConfigOption<Boolean> IGNORE_UNCLAIMED_STATE = key("checkpoints.ignore-unclaimed-state")
            .booleanType().defaultValue(false).withDescription("Restore even though the checkpoint holds state that no"
                    + " operator of the job claims (Flink's allowNonRestoredState). Set by `run` and `demo` when"
                    + " kafka.cluster-id changed under a run: the old cluster's source offsets and output"
                    + " transactions are then left behind.");

    // ---- embed job (`streamssl embed`)
    public static final ConfigOption<String> EMBED_OUTPUT_TOPIC = key("embed.output-topic").stringType()
            .defaultValue("embeddings").withDescription("Topic the embed job writes embeddings to: key = image id,"
                    + " value = float32 little-endian vector, headers snapshot-step, snapshot-sha256, model, method."
                    + " Written in Kafka transactions: read it read_committed.");
    public static final ConfigOption<Integer> EMBED_BATCH_SIZE = key("embed.batch-size").intType().defaultValue(32)
            .withDescription("Images the embed job embeds in one forward pass (>= 1); a partial batch is embedded"
                    + " before every checkpoint barrier.");
    public static final ConfigOption<Integer> EMBED_PARALLELISM = key("embed.parallelism").intType().defaultValue(1)
            .withDescription("Parallel subtasks of the embed job's decode and encoder (>= 1); each holds its own copy"
                    + " of the encoder.");
    public static final ConfigOption<String> EMBED_GROUP_ID = key("embed.group-id").stringType()
            .defaultValue("streamssl-embed").withDescription("Consumer group id of the embed job's image source (not"
                    + " the training job's kafka.group-id).");
    public static final ConfigOption<String> EMBED_TRANSACTIONAL_ID_PREFIX = key("embed.transactional-id-prefix")
            .stringType().defaultValue("streamssl-embed").withDescription("Prefix of the embed job's Kafka"
                    + " transactional ids: unique per embed job on the cluster, stable across its restarts.");

    // ---- following the job
    public static final ConfigOption<Integer> MAX_RESTARTS_SAME_CAUSE = key("job.max-restarts-same-cause").intType()
            .defaultValue(5).withDescription("`run` cancels a job that Flink restarted this many times in a row for"
                    + " the same root cause without training past the step it had reached (a missing topic, a"
                    + " batch that fails every time), and prints the cause. 0 = never.");

    // ---- fault drills
    public static final ConfigOption<String> FAIL_AT_STEPS = key("testing.fail-at-steps").stringType()
            .defaultValue("").withDescription("Fault drill, to rehearse recovery: attempt i of the job (0 = the"
                    + " first run, each restart adds one) throws from the trainer when it reaches the i-th step"
                    + " of this list, e.g. 5,12. Empty (the default) = never.");

    public static final ConfigOption<String> EMBED_FAIL_AFTER = key("testing.embed-fail-after").stringType()
            .defaultValue("").withDescription("Fault drill of the embed job: attempt i (0 = the first run) throws once"
                    + " it has embedded the i-th number of this list of images, e.g. 50,20. Empty (the default) ="
                    + " never.");

    public static final ConfigOption<String> POISON_IDS = key("testing.poison-ids").stringType()
            .defaultValue("").withDescription("Fault drill, to rehearse a non-finite loss: a batch holding an image"
                    + " with one of these ids (comma-separated) has its first view set to NaN on the device, so its"
                    + " loss is NaN and the step is skipped. Empty (the default) = never.");

    /** Every option of this class, in declaration order. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> out = new ArrayList<>();
        for (Field f : StreamsslOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                try {
                    out.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
