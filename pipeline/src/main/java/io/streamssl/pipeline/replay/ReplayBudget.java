package io.streamssl.pipeline.replay;

import io.streamssl.pipeline.config.ReplaySettings;

/**
 * How many training samples a record buys: {@code replay.updates-per-sample × (1 − replay.ratio)} fresh uses of
 * itself and {@code replay.updates-per-sample × replay.ratio} replays. Fractions carry over from record to record
 * as credit in millionths (integers, so the split is exact and the same after a restore): with 2 × 0.5 each record
 * is trained once fresh and pays for one replay; with 1 × 0.5 every other record is trained fresh and each pays
 * for half a replay.
 */
final class ReplayBudget {

    static final long UNIT = 1_000_000;

    /** What one record buys. */
    record Spend(int fresh, int replays) {}

    private final long freshPerRecord;
    private final long replaysPerRecord;

    ReplayBudget(ReplaySettings settings) {
        long total = Math.round(settings.updatesPerSample() * UNIT);
        this.replaysPerRecord = Math.round(settings.updatesPerSample() * settings.ratio() * UNIT);
        this.freshPerRecord = total - replaysPerRecord;
    }

    /** Adds one record's credit to {@code c} and takes the whole uses out of it. */
    Spend arrive(ReplayCounters c) {
        c.freshCredit += freshPerRecord;
        c.replayCredit += replaysPerRecord;
        int fresh = (int) (c.freshCredit / UNIT);
        int replays = (int) (c.replayCredit / UNIT);
        c.freshCredit -= fresh * UNIT;
        c.replayCredit -= replays * UNIT;
        return new Spend(fresh, replays);
    }
}
