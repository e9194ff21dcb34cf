package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SoakVerdictTest {

    private static final InFlightBound BOUND = new InFlightBound(1, 32, 9216, 32 * 1024);

    @Test
    void theSlopeIsTheLeastSquaresFitOfTheSecondHalf() {
        // first half climbs steeply (warm-up), second half: 100, 102, 104, 106 at minutes 5..8 → 2 MiB/min
        List<SoakVerdict.Point> points = List.of(new SoakVerdict.Point(1, 10), new SoakVerdict.Point(2, 40),
                new SoakVerdict.Point(3, 70), new SoakVerdict.Point(4, 90), new SoakVerdict.Point(5, 100),
                new SoakVerdict.Point(6, 102), new SoakVerdict.Point(7, 104), new SoakVerdict.Point(8, 106));
        assertThat(SoakVerdict.slope(points).mibPerMinute()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(SoakVerdict.slope(points).points()).isEqualTo(4);
        // three points: the last two
        assertThat(SoakVerdict.slope(points.subList(0, 3)).mibPerMinute()).isCloseTo(30.0,
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(SoakVerdict.slope(points.subList(0, 1)).computed()).isFalse();
    }

    @Test
    void theBoundCountsBuffersRecordsPerBufferTheBatchAndTheAugmentHands() {
        // 1 x (10 + 5) + 1 x 2 + 8 = 25 buffers; 32768 / 9216 = 3, + 2 = 5 records each; + 31 + 1
        assertThat(BOUND.buffers()).isEqualTo(25);
        assertThat(BOUND.recordsPerBuffer()).isEqualTo(5);
        assertThat(BOUND.records()).isEqualTo(25 * 5 + 31 + 1);
    }

    @Test
    void eachVerdictFailsOnItsOwn() {
        RecordAccounting.Balance exact = new RecordAccounting.Balance(100, 80, 2, 3, 15, 9, 0, true);
        SoakVerdict.Slope flat = new SoakVerdict.Slope(0.5, 4);
        SoakVerdict.Slope rising = new SoakVerdict.Slope(40, 4); // RSS alone never fails the verdict
        SoakVerdict ok = new SoakVerdict(flat, flat, rising, 2, 4, 40, BOUND, exact, 2, 100, 120);
        assertThat(ok.passed()).isTrue();
        assertThat(ok.describe()).contains("memory flat: yes", "heap after a forced full GC +0.50 MiB/min (limit 2.0)",
                "native (RSS − committed heap and non-heap) +0.50 MiB/min (limit 4.0)", "RSS +40.00 MiB/min",
                "lag bounded by backpressure: yes",
                "no record lost: yes", "verdict: PASS");
        assertThat(new SoakVerdict(new SoakVerdict.Slope(2.5, 4), flat, flat, 2, 4, 40, BOUND, exact, 2, 100, 120)
                .memoryFlat()).as("heap after GC above its limit").isFalse();
        assertThat(new SoakVerdict(flat, new SoakVerdict.Slope(4.5, 4), flat, 2, 4, 40, BOUND, exact, 2, 100, 120)
                .memoryFlat()).as("native above its limit").isFalse();
        assertThat(new SoakVerdict(flat, flat, rising, 2, 4, BOUND.records() + 1, BOUND, exact, 2, 100, 120)
                .lagBounded()).isFalse();
        assertThat(new SoakVerdict(flat, flat, rising, 2, 4, 40, BOUND, exact, 3, 100, 120).noRecordLost()).isFalse();
        RecordAccounting.Balance off = new RecordAccounting.Balance(100, 80, 2, 3, 14, 9, 0, true);
        assertThat(new SoakVerdict(flat, flat, rising, 2, 4, 40, BOUND, off, 2, 100, 120).passed()).isFalse();
        SoakVerdict notComputed = new SoakVerdict(flat, new SoakVerdict.Slope(Double.NaN, 1), flat, 2, 4, -1, BOUND,
                exact, 2, 100, 120);
        assertThat(notComputed.memoryComputed()).isFalse();
        assertThat(notComputed.lagComputed()).isFalse();
        assertThat(notComputed.describe()).contains("NOT COMPUTED");
    }
}
