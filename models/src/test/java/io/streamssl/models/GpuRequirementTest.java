package io.streamssl.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

/** {@code trainer.device=gpu} without a GPU fails at the trainer's start, saying what to install or set. */
class GpuRequirementTest {

    @Test
    void gpuWithoutOneFailsNamingTheKeyAndBothRoutes() {
        assumeThat(Engine.getInstance().getGpuCount()).as("this test needs a machine without a GPU").isZero();
        assertThatThrownBy(() -> Devices.parse("gpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainer.device=gpu asks for GPU 0")
                .hasMessageContaining("STREAMSSL_LIBTORCH=/path/to/site-packages/torch/lib")
                .hasMessageContaining("./streamssl --gpu")
                .hasMessageContaining("PYTORCH_LIBRARY_PATH=/path/to/torch/lib PYTORCH_VERSION=2.7.1"
                        + " PYTORCH_FLAVOR=cu128")
                .hasMessageContaining("a CPU build")
                .hasMessageContaining("trainer.device=cpu");
        assertThatThrownBy(() -> Devices.parse("gpu:1")).hasMessageContaining("trainer.device=gpu:1 asks for GPU 1");
    }

    @Test
    void theTrainerFailsAtItsStartWithTheSameText() {
        assumeThat(Engine.getInstance().getGpuCount()).as("this test needs a machine without a GPU").isZero();
        assertThat(GpuRequirement.unmet("gpu")).hasValueSatisfying(m -> assertThatThrownBy(() -> Devices.parse("gpu"))
                .hasMessage(m));
    }

    @Test
    void cpuAndAutoAlwaysRun() {
        assertThat(GpuRequirement.unmet("cpu")).isEmpty();
        assertThat(GpuRequirement.unmet(" AUTO ")).isEmpty();
        assertThat(Devices.parse("cpu")).isEqualTo(Device.cpu());
    }

    @Test
    void requestedGpuIndex() {
        assertThat(GpuRequirement.requestedGpu("gpu")).isEqualTo(0);
        assertThat(GpuRequirement.requestedGpu("GPU:3")).isEqualTo(3);
        assertThat(GpuRequirement.requestedGpu("cpu")).isEqualTo(-1);
        assertThat(GpuRequirement.requestedGpu("auto")).isEqualTo(-1);
    }

    @Test
    void theMessageSaysWhichOfTheThreeCasesItIs() {
        assertThat(GpuRequirement.message("gpu:2", 2, 2, 2, true, "PyTorch 2.7.1", "/x"))
                .startsWith("trainer.device=gpu:2 asks for GPU 2, but the engine sees only 2 GPU(s) (gpu:0 … gpu:1).");
        assertThat(GpuRequirement.message("gpu", 0, 0, 1, false, "PyTorch 2.7.1", "/cache/2.7.1-cpu"))
                .contains("the CUDA runtime sees 1 GPU(s) and the loaded libtorch does not use them: PyTorch 2.7.1"
                        + " from /cache/2.7.1-cpu (a CPU build)");
        assertThat(GpuRequirement.message("gpu", 0, 0, 0, true, "PyTorch 2.7.1", "/opt/torch/lib"))
                .contains("there is no GPU here", "PyTorch 2.7.1 from /opt/torch/lib (a CUDA build)");
    }

    @Test
    void theLibtorchVersionIsTheOneTheJniBridgeIsBuiltFor() {
        assertThat(GpuRequirement.libtorchVersion()).isEqualTo("2.7.1");
    }
}
