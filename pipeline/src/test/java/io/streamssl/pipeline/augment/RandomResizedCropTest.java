package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomResizedCropTest {

    @Test
    void boxesStayInsideTheImageWithAreaAndAspectInRange() {
        RandomResizedCrop crop = new RandomResizedCrop(224, 0.08, 1.0, 3.0 / 4, 4.0 / 3);
        SplittableRandom random = new SplittableRandom(1);
        int width = 320;
        int height = 240;
        double area = width * height;
        for (int i = 0; i < 10_000; i++) {
            CropBox box = crop.sample(width, height, random);
            assertThat(box.fitsIn(width, height)).as("%s in %dx%d", box, width, height).isTrue();
            // w and h are rounded to integers, so area and aspect are within rounding of the ranges
            double fraction = box.width() * (double) box.height() / area;
            double aspect = box.width() / (double) box.height();
            double slack = 1.0 / box.height() + 1.0 / box.width();
            assertThat(fraction).as("area fraction of %s", box).isBetween(0.08 * (1 - 2 * slack), 1.0);
            assertThat(aspect).as("aspect of %s", box).isBetween(0.75 * (1 - 2 * slack), 4.0 / 3 * (1 + 2 * slack));
        }
    }

    @Test
    void areaAndLogAspectAreUniformWhenEveryDrawFits() {
        // on a large square image with scale <= 0.5 every first try fits, so the area fraction is U(0.1, 0.5) and
        // the log aspect U(log 3/4, log 4/3), up to the rounding of w and h to whole pixels
        RandomResizedCrop crop = new RandomResizedCrop(32, 0.1, 0.5, 3.0 / 4, 4.0 / 3);
        SplittableRandom random = new SplittableRandom(2);
        int side = 2000;
        int draws = 10_000;
        double sum = 0;
        int below03 = 0;
        double logAspectSum = 0;
        double logAspectSquares = 0;
        for (int i = 0; i < draws; i++) {
            CropBox box = crop.sample(side, side, random);
            double fraction = box.width() * (double) box.height() / ((double) side * side);
            sum += fraction;
            below03 += fraction < 0.3 ? 1 : 0;
            double logAspect = Math.log(box.width() / (double) box.height());
            logAspectSum += logAspect;
            logAspectSquares += logAspect * logAspect;
        }
        double half = Math.log(4.0 / 3);
        assertThat(logAspectSum / draws).isCloseTo(0.0, offset(0.006)); // sd/√n ≈ 0.0017
        assertThat(logAspectSquares / draws).isCloseTo(half * half / 3, offset(0.002)); // variance of U(−a, a)
        assertThat(sum / draws).isCloseTo(0.3, offset(0.005)); // uniform mean (0.1 + 0.5)/2, sd/√n ≈ 0.0012
        assertThat(below03 / (double) draws).isCloseTo(0.5, offset(0.02));
    }

    @Test
    void cornersAreUniformOverTheFreePositions() {
        // scale 0.25 with ratio 1 on 8x8 gives a 4x4 box with 5 free positions per axis
        RandomResizedCrop crop = new RandomResizedCrop(4, 0.25, 0.25, 1, 1);
        SplittableRandom random = new SplittableRandom(3);
        int[] lefts = new int[8];
        for (int i = 0; i < 5_000; i++) {
            CropBox box = crop.sample(8, 8, random);
            assertThat(box.width()).isEqualTo(4);
            assertThat(box.height()).isEqualTo(4);
            lefts[box.left()]++;
        }
        for (int left = 0; left <= 4; left++) {
            assertThat(lefts[left] / 5_000.0).as("left=%d", left).isCloseTo(0.2, offset(0.03));
        }
        assertThat(lefts[5] + lefts[6] + lefts[7]).isZero();
    }

    @Test
    void fallsBackToTorchvisionsCentreCropWhenNoTryFits() {
        RandomResizedCrop crop = new RandomResizedCrop(32, 0.08, 1.0, 3.0 / 4, 4.0 / 3);
        // a 100x4 strip: any area >= 0.08·400 = 32 px² at aspect <= 4/3 needs h >= 5 > 4, so all tries fail;
        // fallback: in_ratio 25 > 4/3, so h = 4, w = round(4·4/3) = 5, centred: left = (100−5)//2 = 47
        CropBox box = crop.sample(100, 4, new SplittableRandom(4));
        assertThat(box).isEqualTo(new CropBox(0, 47, 4, 5));
        // tall strip: in_ratio < 3/4, w = 4, h = round(4/(3/4)) = 5, top = (100−5)//2 = 47
        assertThat(crop.sample(4, 100, new SplittableRandom(5))).isEqualTo(new CropBox(47, 0, 5, 4));
        // in range: the whole image
        assertThat(crop.centerFallback(10, 9)).isEqualTo(new CropBox(0, 0, 9, 10));
    }

    @Test
    void tinyImagesGetACropNotAnError() {
        RandomResizedCrop crop = new RandomResizedCrop(224, 0.08, 1.0, 3.0 / 4, 4.0 / 3);
        assertThat(crop.sample(1, 1, new SplittableRandom(6))).isEqualTo(new CropBox(0, 0, 1, 1));
        CropBox box = crop.sample(3, 2, new SplittableRandom(7));
        assertThat(box.fitsIn(3, 2)).isTrue();
    }

    @Test
    void badParametersAreRejected() {
        assertThatThrownBy(() -> new RandomResizedCrop(0, 0.08, 1, 0.75, 1.33)).hasMessageContaining("size");
        assertThatThrownBy(() -> new RandomResizedCrop(32, 0.5, 0.2, 0.75, 1.33)).hasMessageContaining("scale");
        assertThatThrownBy(() -> new RandomResizedCrop(32, 0.08, 1.5, 0.75, 1.33)).hasMessageContaining("scale");
        assertThatThrownBy(() -> new RandomResizedCrop(32, 0.08, 1, 0, 1.33)).hasMessageContaining("ratio");
    }
}
