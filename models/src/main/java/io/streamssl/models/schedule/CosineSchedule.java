package io.streamssl.models.schedule;

/**
 * A value that moves from {@code start} to {@code end} along half a cosine over {@code steps} steps, after an
 * optional linear warm-up from 0 to {@code start}; it stays at {@code end} afterwards. Used for the learning
 * rate (warm-up + cosine decay, Loshchilov &amp; Hutter 2017) and for the teacher momentum τ of BYOL/DINO:
 * {@code τ(k) = 1 − (1 − τ_base)·(cos(πk/K) + 1)/2}.
 */
public record CosineSchedule(double start, double end, long warmupSteps, long steps) {

    public CosineSchedule {
        if (steps <= 0) {
            throw new IllegalArgumentException("schedule length must be positive, got " + steps);
        }
        if (warmupSteps < 0 || warmupSteps >= steps) {
            throw new IllegalArgumentException(
                    "warm-up steps must be in [0, " + steps + "), got " + warmupSteps);
        }
    }

    /** A schedule without warm-up. */
    public static CosineSchedule of(double start, double end, long steps) {
        return new CosineSchedule(start, end, 0, steps);
    }

    public double valueAt(long step) {
        if (step < warmupSteps) {
            return start * (step + 1) / warmupSteps;
        }
        if (step >= steps) {
            return end;
        }
        double progress = (double) (step - warmupSteps) / (steps - warmupSteps);
        return end - (end - start) * (Math.cos(Math.PI * progress) + 1) / 2;
    }
}
