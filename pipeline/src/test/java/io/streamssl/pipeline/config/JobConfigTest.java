package io.streamssl.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.models.TrainerSpec;
import io.streamssl.models.method.OptimizerDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

    @TempDir
    Path tmp;

    @Test
    void defaultsDescribeResNet18ByolOnCifar() {
        TrainerSpec spec = JobConfig.of(Map.of()).trainerSpec();
        assertThat(spec.method()).isEqualTo("byol");
        assertThat(spec.encoder().arch()).isEqualTo("resnet18");
        assertThat(spec.encoder().width()).isEqualTo(64);
        assertThat(spec.encoder().featureDim()).isEqualTo(512);
        assertThat(spec.imageSize()).isEqualTo(32);
        assertThat(spec.mean()).containsExactly(0.4914f, 0.4822f, 0.4465f);
    }

    @Test
    void unsetOptimizerAndLearningRateTakeTheMethodsDefaultsAndGivenOnesWin() {
        TrainerSpec byol = JobConfig.of(Map.of("trainer.batch-size", "64")).trainerSpec();
        assertThat(byol.optimizer()).isEqualTo("sgd");
        assertThat(byol.learningRate()).isEqualTo(0.05);

        // VICReg's recipe: LARS at 0.3 × batch/256 (solo-learn's CIFAR config)
        TrainerSpec vicreg = JobConfig.of(Map.of("trainer.method", "vicreg", "trainer.batch-size", "64"))
                .trainerSpec();
        assertThat(vicreg.optimizer()).isEqualTo("lars");
        assertThat(vicreg.learningRate()).isCloseTo(0.075, org.assertj.core.data.Offset.offset(1e-12));

        TrainerSpec given = JobConfig.of(Map.of("trainer.method", "vicreg", "trainer.optimizer", "sgd",
                "trainer.learning-rate", "0.01")).trainerSpec();
        assertThat(given.optimizer()).isEqualTo("sgd");
        assertThat(given.learningRate()).isEqualTo(0.01);
        TrainerSpec onlyLr = JobConfig.of(Map.of("trainer.method", "barlowtwins", "trainer.learning-rate", "0.2"))
                .trainerSpec();
        assertThat(onlyLr.optimizer()).isEqualTo("lars");
        assertThat(onlyLr.learningRate()).isEqualTo(0.2);
    }

    @Test
    void maesWeightDecayAndAdamBetasAreItsDefaultsAndGivenOnesWin() {
        Map<String, String> mae = Map.of("trainer.method", "mae", "trainer.encoder", "vit-tiny");
        TrainerSpec paper = JobConfig.of(mae).trainerSpec();
        assertThat(paper.optimizer()).isEqualTo("adamw");
        assertThat(paper.weightDecay()).isEqualTo(0.05);
        assertThat(paper.adamBetas()).isEqualTo(new OptimizerDefaults.AdamBetas(0.9, 0.95));

        java.util.HashMap<String, String> given = new java.util.HashMap<>(mae);
        given.put("trainer.weight-decay", "0.1");
        given.put("trainer.adamw-betas", "0.8, 0.99");
        TrainerSpec user = JobConfig.of(given).trainerSpec();
        assertThat(user.weightDecay()).isEqualTo(0.1);
        assertThat(user.adamBetas()).isEqualTo(new OptimizerDefaults.AdamBetas(0.8, 0.99));

        // a method without its own keeps the trainer's defaults
        TrainerSpec byol = JobConfig.of(Map.of()).trainerSpec();
        assertThat(byol.weightDecay()).isEqualTo(1e-5);
        assertThat(byol.adamBetas()).isEqualTo(OptimizerDefaults.AdamBetas.DEFAULT);
        assertThat(JobConfig.of(Map.of("trainer.method", "mae", "trainer.encoder", "vit-tiny",
                "trainer.optimizer", "sgd")).trainerSpec().adamBetas()).isEqualTo(OptimizerDefaults.AdamBetas.DEFAULT);

        given.put("trainer.adamw-betas", "0.9");
        assertThatThrownBy(() -> JobConfig.of(given).trainerSpec())
                .hasMessageContaining("trainer.adamw-betas").hasMessageContaining("'b1,b2'");
        given.put("trainer.adamw-betas", "0.9,1");
        assertThatThrownBy(() -> JobConfig.of(given).trainerSpec())
                .hasMessageContaining("trainer.adamw-betas").hasMessageContaining("[0, 1)");
    }

    @Test
    void flatBuffersReachTheTrainerAndANonBooleanIsRefusedNamingTheKey() {
        assertThat(JobConfig.of(Map.of()).trainerSpec().flatBuffers()).isTrue();
        assertThat(JobConfig.of(Map.of("trainer.flat-buffers", "false")).trainerSpec().flatBuffers()).isFalse();
        assertThatThrownBy(() -> JobConfig.of(Map.of("trainer.flat-buffers", "maybe")).trainerSpec())
                .hasMessageContaining("trainer.flat-buffers");
    }

    @Test
    void nestedYamlIsFlattenedAndOverridesWin() throws Exception {
        Path yaml = tmp.resolve("job.yaml");
        Files.writeString(yaml, """
                kafka:
                  bootstrap-servers: broker:9092
                trainer:
                  batch-size: 128
                  width: 32
                method:
                  projector-hidden: 512
                checkpoints:
                  interval: 30 s
                """);
        JobConfig c = JobConfig.load(yaml, Map.of("trainer.width", "16"));
        assertThat(c.get(StreamsslOptions.BOOTSTRAP_SERVERS)).isEqualTo("broker:9092");
        assertThat(c.get(StreamsslOptions.BATCH_SIZE)).isEqualTo(128);
        assertThat(c.get(StreamsslOptions.WIDTH)).isEqualTo(16);
        assertThat(c.get(StreamsslOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.methodOptions()).containsEntry("projector-hidden", "512");
    }

    @Test
    void aMisspelledKeyFailsAndSuggestsTheRightOne() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("trainer.bach-size", "64")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown config key 'trainer.bach-size'")
                .hasMessageContaining("did you mean 'trainer.batch-size'");
    }

    @Test
    void aValueOfTheWrongTypeNamesTheKey() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("trainer.batch-size", "many")))
                .hasMessageContaining("'trainer.batch-size'").hasMessageContaining("many");
    }

    @Test
    void outOfRangeAndUnknownChoicesNameWhatIsAllowed() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("trainer.batch-size", "1")))
                .hasMessageContaining("'trainer.batch-size' must be >= 2");
        assertThatThrownBy(() -> JobConfig.of(Map.of("trainer.device", "tpu")))
                .hasMessageContaining("auto, cpu, gpu or gpu:N");
        assertThatThrownBy(() -> JobConfig.of(Map.of("trainer.method", "nope")))
                .hasMessageContaining("'trainer.method' must be one of").hasMessageContaining("byol");
        assertThatThrownBy(() -> JobConfig.of(Map.of("kafka.starting-offsets", "middle")))
                .hasMessageContaining("earliest, latest or committed");
        assertThatThrownBy(() -> JobConfig.of(Map.of("trainer.stem", "tiny")))
                .hasMessageContaining("allowed are cifar, imagenet");
    }

    @Test
    void replayKeysAreCheckedAtStartNamingTheKey() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("replay.policy", "lru")))
                .hasMessageContaining("'replay.policy' must be one of [none, fifo, reservoir, minred], got 'lru'");
        assertThatThrownBy(() -> JobConfig.of(Map.of("replay.ratio", "1.5")))
                .hasMessageContaining("'replay.ratio' must be in [0, 1]");
        assertThatThrownBy(() -> JobConfig.of(Map.of("replay.ratio", "-0.1")))
                .hasMessageContaining("'replay.ratio' must be in [0, 1]");
        assertThatThrownBy(() -> JobConfig.of(Map.of("replay.updates-per-sample", "0")))
                .hasMessageContaining("'replay.updates-per-sample' must be > 0");
        assertThatThrownBy(() -> JobConfig.of(Map.of("replay.policy", "fifo", "trainer.batch-size", "64",
                "replay.capacity", "32")))
                .hasMessageContaining("'replay.capacity' must be at least trainer.batch-size (64)"
                        + " with replay.policy=fifo, got 32");
        // 100,000 images of 32×32×3 bytes = 307,200,000 bytes > 100 MB
        assertThatThrownBy(() -> JobConfig.of(Map.of("replay.policy", "reservoir", "replay.capacity", "100000",
                "replay.max-bytes", "100000000")))
                .hasMessageContaining("'replay.capacity': 100000 images of 32×32×3 bytes need 307200000 bytes,"
                        + " more than 'replay.max-bytes' (100000000)");
        // policy none: no buffer, its capacity is not checked; only repeats when updates-per-sample ≠ 1
        assertThat(JobConfig.of(Map.of("replay.capacity", "1")).replay().reuses()).isFalse();
        assertThat(JobConfig.of(Map.of("replay.updates-per-sample", "2")).replay().reuses()).isTrue();
        assertThat(JobConfig.of(Map.of("replay.policy", "MinRed", "trainer.batch-size", "64")).replay().policy())
                .isEqualTo(io.streamssl.pipeline.replay.ReplayPolicy.MINRED);
    }

    @Test
    void snapshotRetentionKeysAreChecked() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("snapshots.retain-newest", "0")))
                .hasMessageContaining("'snapshots.retain-newest' must be >= 1, got 0");
        assertThatThrownBy(() -> JobConfig.of(Map.of("snapshots.every-steps", "500",
                "snapshots.retain-every-steps", "1200")))
                .hasMessageContaining("'snapshots.retain-every-steps' must be 0 (none) or a multiple of"
                        + " snapshots.every-steps (500), got 1200");
        assertThatThrownBy(() -> JobConfig.of(Map.of("snapshots.retain-every-steps", "-5")))
                .hasMessageContaining("'snapshots.retain-every-steps'");
        // defaults: newest 5, none every M-th; with 10-step snapshots, keep every 1000th: 1000 is kept though old
        assertThat(JobConfig.of(Map.of()).snapshotRetention().toDelete(java.util.List.of("step-000000001",
                "step-000000002", "step-000000003", "step-000000004", "step-000000005", "step-000000006"),
                "step-000000006", java.util.Set.of())).containsExactly("step-000000001");
        assertThat(JobConfig.of(Map.of("snapshots.every-steps", "10", "snapshots.retain-newest", "1",
                "snapshots.retain-every-steps", "1000")).snapshotRetention().toDelete(java.util.List.of(
                "step-000001000", "step-000001010", "step-000001020"), "step-000001020", java.util.Set.of()))
                .containsExactly("step-000001010");
    }

    @Test
    void anUnknownMethodOptionIsRejectedByTheMethod() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("method.projector-hiden", "64")))
                .hasMessageContaining("'projector-hiden'").hasMessageContaining("projector-hidden");
    }

    @Test
    void aQueueThatDoesNotFitTheBatchFailsWhenTheConfigIsLoadedNamingBothKeys() {
        assertThatThrownBy(() -> JobConfig.load(null, Map.of("trainer.method", "mocov2", "method.queue-size", "100",
                "trainer.batch-size", "256")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("method.queue-size = 100 must be at least trainer.batch-size = 256")
                .hasMessageContaining("allowed are method.queue-size >= 256, or trainer.batch-size <= 100");
        assertThatThrownBy(() -> JobConfig.of(Map.of("trainer.method", "swav", "method.queue-size", "1000",
                "trainer.batch-size", "256")))
                .hasMessageContaining("method.queue-size = 1000 must be 0 (no queue) or a multiple of"
                        + " trainer.batch-size = 256")
                .hasMessageContaining("e.g. 768 or 1024");
        assertThat(JobConfig.of(Map.of("trainer.method", "mocov2", "method.queue-size", "256",
                "trainer.batch-size", "256")).trainerSpec().methodSettings().batchSize()).isEqualTo(256);
    }

    @Test
    void aMissingConfigFileIsNamed() {
        assertThatThrownBy(() -> JobConfig.load(tmp.resolve("nope.yaml"), Map.of()))
                .hasMessageContaining("nope.yaml does not exist");
    }

    @Test
    void faultDrillStepsAreAnIncreasingList() {
        assertThat(JobConfig.of(Map.of()).failAtSteps()).isEmpty();
        assertThat(JobConfig.of(Map.of("testing.fail-at-steps", "5, 12")).failAtSteps()).containsExactly(5L, 12L);
        assertThatThrownBy(() -> JobConfig.of(Map.of("testing.fail-at-steps", "12,5")))
                .hasMessageContaining("'testing.fail-at-steps' must list increasing steps");
        assertThatThrownBy(() -> JobConfig.of(Map.of("testing.fail-at-steps", "0")))
                .hasMessageContaining("'testing.fail-at-steps'");
    }

    @Test
    void savepointPathsAsFlinkPrintsThemStayUris() {
        // Flink prints savepoints as file:/dir (one slash); before this was handled, such a path became
        // file:///cwd/file:/dir
        assertThat(io.streamssl.pipeline.job.JobFlinkConfiguration.uri("file:/tmp/sp-1")).isEqualTo("file:/tmp/sp-1");
        assertThat(io.streamssl.pipeline.job.JobFlinkConfiguration.uri("s3://b/c")).isEqualTo("s3://b/c");
        // a path that does not exist (an existing directory's URI ends in '/': what /tmp/x is must not matter)
        String missing = "/tmp/streamssl-missing-" + java.util.UUID.randomUUID();
        assertThat(io.streamssl.pipeline.job.JobFlinkConfiguration.uri(missing)).isEqualTo("file://" + missing);
    }

    @Test
    void heldOutEvaluationTakesOneSourceAndChecksItsSizes() {
        assertThat(JobConfig.of(Map.of()).heldOut()).isNull();
        HeldOutSettings h = JobConfig.of(Map.of("eval.topic", "heldout", "eval.bank-size", "300", "trainer.max-steps",
                "40", "kafka.bootstrap-servers", "k:9092")).heldOut();
        assertThat(h.source()).isEqualTo(HeldOutSettings.Source.TOPIC);
        assertThat(h.key()).isEqualTo("eval.topic");
        assertThat(h.bankSize()).isEqualTo(300);
        assertThat(h.querySize()).isEqualTo(1000);
        assertThat(h.interval()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(h.maxSteps()).isEqualTo(40);
        assertThat(h.bootstrapServers()).isEqualTo("k:9092");
        assertThatThrownBy(() -> JobConfig.of(Map.of("eval.cifar10", "/d", "eval.topic", "t")))
                .hasMessageContaining("eval.cifar10").hasMessageContaining("eval.topic").hasMessageContaining("one source");
        assertThatThrownBy(() -> JobConfig.of(Map.of("eval.cifar10", "/d", "eval.query-size", "0")))
                .hasMessageContaining("eval.query-size");
        assertThatThrownBy(() -> JobConfig.of(Map.of("eval.interval", "-1 s"))).hasMessageContaining("eval.interval");
        assertThatThrownBy(() -> JobConfig.of(Map.of("eval.cifar10", "/no/such/dir")).heldOut().checkExists())
                .hasMessageContaining("eval.cifar10").hasMessageContaining("/no/such/dir");
    }
}
