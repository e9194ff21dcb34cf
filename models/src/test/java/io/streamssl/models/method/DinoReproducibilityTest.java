package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The open problem behind the disabled DINO case of the pipeline's bit-exact resume test: eight DINO trainers
 * built alike and fed the same batches (with probe images and labels, as in the pipeline), one after another in
 * one fresh JVM with one intra-op thread, should report the same losses. Seen failing in most fresh JVMs: one
 * of the eight runs (run 0, 1 or 3) diverges at step 2 or 3, by up to 1e-2 (3.2770844 vs 3.3087597 at step 2),
 * too large for rounding order — it looks like a read of uninitialised or freed native memory. Loading the
 * engine on another thread first does not prevent it. BYOL and MoCo v2 fed the same way agreed. Tagged {@code long} (not in the default build) until the cause is found; run with
 * {@code mvn -pl models test -Dmodels.excluded.groups=none -Dgroups=long -Dtest=DinoReproducibilityTest}.
 */
@Tag("long")
class DinoReproducibilityTest {

    private static final int BATCH = 16;

    @Test
    void identicalRunsGiveIdenticalLosses() throws Exception {
        TrainerSpec spec = TrainerSpec.byolCifar(8, BATCH, 100_000).withMethod("dino", Map.of("out-dim", "256",
                "head-hidden", "128", "head-bottleneck", "64", "local-views", "2"));
        List<List<Float>> runs = new ArrayList<>();
        for (int run = 0; run < 8; run++) {
            ExecutorService thread = Executors.newSingleThreadExecutor(); // a new thread per trainer, as in Flink
            try {
                runs.add(thread.submit(() -> {
                    List<Float> losses = new ArrayList<>();
                    try (SslTrainer trainer = new SslTrainer(spec)) {
                        for (int step = 0; step < 6; step++) {
                            losses.add(trainer.step(batch(trainer, step)).loss());
                        }
                    }
                    return losses;
                }).get());
            } finally {
                thread.shutdown();
            }
            System.out.println("run " + run + ": " + runs.get(run));
        }
        assertThat(runs).allMatch(r -> r.equals(runs.get(0)));
    }

    private static MultiCropBatch batch(SslTrainer trainer, int step) {
        Random random = new Random(1000 + step);
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = random.nextInt(10);
        }
        List<ViewBatch> groups = new ArrayList<>();
        for (ViewPlan.CropGroup g : trainer.viewPlan().groups()) {
            byte[] pixels = new byte[BATCH * g.views() * g.size() * g.size() * 3];
            random.nextBytes(pixels);
            byte[] probe = null;
            if (groups.isEmpty()) {
                probe = new byte[BATCH * g.size() * g.size() * 3];
                random.nextBytes(probe);
            }
            groups.add(new ViewBatch(BATCH, g.views(), g.size(), g.size(), pixels, labels, probe));
        }
        return new MultiCropBatch(groups);
    }
}
