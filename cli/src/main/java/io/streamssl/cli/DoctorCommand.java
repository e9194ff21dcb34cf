package io.streamssl.cli;

import ai.djl.Device;
import io.streamssl.cli.doctor.DoctorReport;
import io.streamssl.cli.doctor.EngineFacts;
import io.streamssl.models.Devices;
import io.streamssl.models.GpuRequirement;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamssl doctor}: what this machine's Java, DJL and libtorch are, and whether the config can run here. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Print Java, DJL and libtorch versions, where libtorch was loaded from (its flavour and which"
                + " route chose it), libtorch's threads and OMP/MKL/oneDNN settings, CUDA and every GPU with its"
                + " memory; then whether the config's trainer.device can run here, and if not, what to install or"
                + " set.",
                "",
                "Exit code 0 when the config can run here, 1 when it cannot."})
public final class DoctorCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The job's config (YAML) whose trainer.device to check.")
    Path config;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Override a config key, e.g. --set trainer.device=gpu (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String device = JobConfig.load(config, overrides).get(StreamsslOptions.DEVICE).trim();
        EngineFacts facts = EngineFacts.gather();
        DoctorReport.print(facts, out);
        String key = StreamsslOptions.DEVICE.key() + "=" + device;
        if (facts.engineError() != null) {
            out.println(key + ": cannot run here, libtorch did not load (see above). Usual causes: "
                    + GpuRequirement.LIBTORCH_SWITCH + " names a libtorch whose flavour is not PYTORCH_FLAVOR (set "
                    + GpuRequirement.LIBTORCH_SWITCH + "_FLAVOR=cpu for a CPU build; cu128 is the default), or "
                    + GpuRequirement.DOWNLOAD_FLAG + " could not reach https://publish.djl.ai. Without "
                    + GpuRequirement.LIBTORCH_SWITCH + ", " + GpuRequirement.DOWNLOAD_SWITCH + " and PYTORCH_* the"
                    + " CPU libtorch that ships with streamssl is used.");
            return 1;
        }
        Optional<String> unmet = GpuRequirement.unmet(device);
        if (unmet.isPresent()) {
            out.println(key + ": cannot run here.");
            out.println(unmet.get());
            return 1;
        }
        Device chosen = Devices.parse(device);
        out.println(key + ": can run here, on " + (chosen.isGpu() ? "GPU " + chosen.getDeviceId() : "the CPU") + ".");
        return 0;
    }
}
