package io.streamssl.pipeline.config;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the job's held-out evaluator does ({@code eval.*}), read and checked by {@link JobConfig#heldOut()}.
 *
 * @param source where the labelled images come from
 * @param key the config key that named it, for messages ({@code eval.cifar10} …)
 * @param location the directory or the topic
 * @param bankSize labelled images in the kNN bank and the probe's training set
 * @param querySize images scored
 * @param interval at most one evaluation per this interval (the snapshot at {@code maxSteps} always)
 * @param batchSize images per forward pass
 * @param classes labels of a topic must be below this ({@code probe.classes})
 * @param imageSize side of the encoder's input in pixels ({@code augment.size})
 * @param seed splits an image folder, as {@code streamssl eval --seed} does ({@code trainer.seed})
 * @param maxSteps the run's last step, 0 for an endless run
 * @param bootstrapServers the Kafka cluster of a topic
 */
public record HeldOutSettings(Source source, String key, String location, int bankSize, int querySize,
        Duration interval, int batchSize, int classes, int imageSize, long seed, long maxSteps,
        String bootstrapServers) implements Serializable {

    /**
     * Fails at job build time, naming the key, when a directory source does not exist: the evaluator would
     * otherwise fail in every restart of the job. (Its contents are checked when the evaluator loads them.)
     */
    public void checkExists() {
        if (source != Source.TOPIC && !Files.isDirectory(Path.of(location))) {
            throw new IllegalArgumentException("config key '" + key + "': directory " + location + " does not exist"
                    + (source == Source.CIFAR10 ? " (it must hold CIFAR-10's binary files, data_batch_1.bin …"
                            + " test_batch.bin)" : " (it must hold a folder per class)"));
        }
    }

    /** The kinds of held-out set. */
    public enum Source { CIFAR10, FOLDER, TOPIC }
}
