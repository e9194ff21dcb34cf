package io.streamssl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.engine.Engine;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code doctor} on this machine: the CPU libtorch 2.7.1 from the classpath jar, no CUDA, no GPU. */
class DoctorCommandTest {

    @Test
    void theDefaultConfigRunsHereOnTheCpuLibtorchFromTheClasspathJar() {
        Result r = doctor();
        assertThat(r.code).as(r.out + r.err).isZero();
        assertThat(r.out).contains("DJL              0.35.0 (pytorch-engine 0.35.0, bridge pytorch-jni 2.7.1-0.35.0)",
                "libtorch         2.7.1, flavour cpu\n",
                "  route          the pytorch-native jar on the classpath",
                "  ONEDNN_MAX_CPU_ISA", "  OMP_NUM_THREADS", "  MKL_NUM_THREADS", "Threads          intra-op ",
                "trainer.device=auto: can run here, on the CPU.");
        assertThat(r.out).containsPattern("loaded from +\\S+/pytorch/2\\.7\\.1-\\d+-cpu-linux-x86_64\n");
        assertThat(r.out).doesNotContain("warning:");
    }

    @Test
    void gpuWithoutOneCannotRunAndSaysWhatToInstallOrSet() {
        assumeThat(Engine.getInstance().getGpuCount()).as("this test needs a machine without a GPU").isZero();
        Result r = doctor("--set", "trainer.device=gpu");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).contains("CUDA             not available", "GPUs             none",
                "trainer.device=gpu: cannot run here.", "trainer.device=gpu asks for GPU 0",
                "STREAMSSL_LIBTORCH=/path/to/site-packages/torch/lib ./streamssl", "./streamssl --gpu",
                "PYTORCH_FLAVOR=cu128");
    }

    @Test
    void aBadConfigKeyFailsNamingIt() {
        Result r = doctor("--set", "trainer.device=tpu");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).contains("trainer.device", "auto, cpu, gpu or gpu:N");
    }

    private record Result(int code, String out, String err) {}

    private static Result doctor(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = StreamsslCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "doctor";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cl.execute(all);
        return new Result(code, out.toString(), err.toString());
    }
}
