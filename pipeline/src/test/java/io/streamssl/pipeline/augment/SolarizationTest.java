package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SolarizationTest {

    @Test
    void valuesFrom128UpAreInverted() {
        assertThat(Solarization.solarize(0)).isZero();
        assertThat(Solarization.solarize(127)).isEqualTo(127);
        assertThat(Solarization.solarize(128)).isEqualTo(127);
        assertThat(Solarization.solarize(200)).isEqualTo(55);
        assertThat(Solarization.solarize(255)).isZero();
    }

    @Test
    void roundingClampsRoundsHalfUpAndSolarizesTheRoundedValue() {
        float[] values = {-3f, 0.49f, 0.5f, 127.4f, 127.5f, 254.6f, 300f};
        byte[] plain = new byte[values.length];
        ViewPipeline.toBytes(values, plain);
        assertThat(plain).containsExactly(0, 0, 1, 127, (byte) 128, (byte) 255, (byte) 255);
        float[] solarizedFloats = values.clone();
        Solarization.solarizeRounded(solarizedFloats, solarizedFloats.length);
        assertThat(solarizedFloats).as("whole numbers, which the final rounding keeps")
                .containsExactly(0f, 0f, 1f, 127f, 127f, 0f, 0f);
        byte[] solarized = new byte[values.length];
        ViewPipeline.toBytes(solarizedFloats, solarized);
        // 127.5 rounds to 128, which PIL's solarize (on the 8-bit image) inverts to 127
        assertThat(solarized).containsExactly(0, 0, 1, 127, 127, 0, 0);
    }
}
