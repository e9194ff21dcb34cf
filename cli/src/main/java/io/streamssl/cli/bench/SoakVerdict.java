package io.streamssl.cli.bench;

import java.util.List;
import java.util.Locale;

/**
 * The soak's three verdicts from its minute samples.
 *
 * <ul>
 *   <li><b>Memory flat</b>: the least-squares slopes of the heap after a forced full GC and of the native memory
 *       (RSS − committed heap − committed non-heap, {@link ProcessMemory#nativeBytes()}) over the second half of
 *       the samples (the first minutes are warm-up: JIT, libtorch's allocator pools, RocksDB's memtables filling)
 *       are at most the thresholds, in MiB per minute. RSS's slope is printed for information only: it includes
 *       the heap G1 commits as it grows, which is no leak.
 *   <li><b>Lag bounded by backpressure</b>: the records inside the job never exceeded {@link InFlightBound}, and
 *       the final accounting balanced — so the lag (produced − consumed) is the unconsumed backlog in Kafka,
 *       growing at most at (producer rate − trainer rate), not records lost or piled up in the job's memory.
 *   <li><b>No record lost</b>: {@code in = trained + dead + pending} exactly at the final cut, nothing trained twice,
 *       and the dead letters are exactly the corrupt records the producer sent below the committed offsets.
 * </ul>
 */
public record SoakVerdict(Slope heapAfterGc, Slope nativeMemory, Slope rss, double maxHeapSlope,
        double maxNativeSlope, long maxInJob,
        InFlightBound bound, RecordAccounting.Balance finalBalance, long expectedDead, double lagGrowthPerMinute,
        double allowedLagGrowthPerMinute) {

    /** A slope in MiB per minute over {@code points} samples; NaN with fewer than two. */
    public record Slope(double mibPerMinute, int points) {
        public boolean computed() {
            return !Double.isNaN(mibPerMinute);
        }
    }

    /** One sample's time and value, for {@link #slope}. */
    public record Point(double minute, double value) {}

    /** Least-squares slope of the second half of {@code points} (at least the last two), per minute. */
    public static Slope slope(List<Point> points) {
        int n = points.size();
        if (n < 2) {
            return new Slope(Double.NaN, n);
        }
        List<Point> half = points.subList(Math.min(n / 2, n - 2), n);
        double mx = half.stream().mapToDouble(Point::minute).average().orElseThrow();
        double my = half.stream().mapToDouble(Point::value).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (Point p : half) {
            sxy += (p.minute() - mx) * (p.value() - my);
            sxx += (p.minute() - mx) * (p.minute() - mx);
        }
        return new Slope(sxx == 0 ? Double.NaN : sxy / sxx, half.size());
    }

    public boolean memoryComputed() {
        return heapAfterGc.computed() && nativeMemory.computed();
    }

    public boolean memoryFlat() {
        return memoryComputed() && heapAfterGc.mibPerMinute() <= maxHeapSlope
                && nativeMemory.mibPerMinute() <= maxNativeSlope;
    }

    public boolean lagComputed() {
        return maxInJob >= 0;
    }

    public boolean lagBounded() {
        return lagComputed() && maxInJob <= bound.records() && finalBalance.exact();
    }

    public boolean noRecordLost() {
        return finalBalance.exact() && finalBalance.dead() == expectedDead;
    }

    public boolean passed() {
        return memoryFlat() && lagBounded() && noRecordLost();
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "memory flat: %s — slopes over the last %d samples: heap after a forced"
                + " full GC %+.2f MiB/min (limit %.1f), native (RSS − committed heap and non-heap) %+.2f MiB/min"
                + " (limit %.1f); RSS %+.2f MiB/min (for information: includes heap G1 committed)%n",
                !memoryComputed() ? "NOT COMPUTED" : memoryFlat() ? "yes" : "NO", heapAfterGc.points(),
                heapAfterGc.mibPerMinute(), maxHeapSlope, nativeMemory.mibPerMinute(), maxNativeSlope,
                rss.mibPerMinute()));
        sb.append(String.format(Locale.ROOT, "lag bounded by backpressure: %s — at most %d records inside the job"
                + " (bound: %s); lag grew %.0f records/min over the second half (producer − trainer rate: %.0f/min),"
                + " all of it in Kafka%n", !lagComputed() ? "NOT COMPUTED" : lagBounded() ? "yes" : "NO", maxInJob,
                bound.describe(), lagGrowthPerMinute, allowedLagGrowthPerMinute));
        sb.append(String.format(Locale.ROOT, "no record lost: %s — %s; dead letters %d, corrupt records sent below the"
                + " committed offsets %d%n", noRecordLost() ? "yes" : "NO", finalBalance, finalBalance.dead(),
                expectedDead));
        sb.append("verdict: ").append(passed() ? "PASS" : "FAIL").append(System.lineSeparator());
        return sb.toString();
    }
}
