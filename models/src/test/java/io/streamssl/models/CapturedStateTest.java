package io.streamssl.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

class CapturedStateTest {

    @Test
    void theCaptureKeepsTheStateOfItsStepWhileTrainingGoesOnAndReadsBackBitExactly() throws Exception {
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, SslTrainerTest.N, 1000))) {
            trainer.step(SslTrainerTest.randomBatch(1));
            TrainingState atCapture = trainer.exportState();
            int live = trainer.liveArrays();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (CapturedState captured = trainer.captureState()) {
                assertThat(trainer.liveArrays()).as("the copy is not in the trainer's manager").isEqualTo(live);
                trainer.step(SslTrainerTest.randomBatch(2));
                assertThat(trainer.exportState().sameAs(atCapture)).as("training changed the live state").isFalse();
                assertThat(captured.step()).isEqualTo(atCapture.step());
                assertThat(captured.tensorData().keySet()).isEqualTo(atCapture.tensors().keySet());
                // written after the step: still the state of the capture
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    captured.writeTo(out);
                }
            }
            TrainingState read = CapturedState.readTrainingState(
                    new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(read.sameAs(atCapture)).as("read back = exported at capture, byte for byte").isTrue();
            assertThat(read.images()).isEqualTo(atCapture.images());
        }
    }

    @Test
    void theLastReferenceFreesTheCopyAndALateWriterIsRefused() {
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, SslTrainerTest.N, 1000))) {
            CapturedState captured = trainer.captureState();
            assertThat(captured.retain()).as("writer's reference").isTrue();
            captured.release(); // the taker's
            assertThat(captured.alive()).as("the writer still holds it").isTrue();
            captured.release(); // the writer's
            assertThat(captured.alive()).isFalse();
            assertThat(captured.retain()).as("a writer after the last release").isFalse();
        }
    }
}
