package io.streamssl.pipeline.replay;

import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.pipeline.augment.MultiViewAugmenter;
import io.streamssl.pipeline.config.ReplaySettings;
import io.streamssl.pipeline.job.TrainingSample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The trainer's replay buffer and the mix of fresh and replayed samples (README "Continual pretraining"), in keyed
 * Flink state of the model's key: one RocksDB entry per slot ({@value #STATE_ENTRIES}), written when the slot
 * changes, so an incremental checkpoint carries only what changed; the counters ({@value #STATE_COUNTERS}) and
 * the records waiting to enter ({@value #STATE_ARRIVALS}) are written by {@link #write} in the trainer's flush.
 * The caller sets the current key.
 *
 * <p>Each record that {@link #arrive}s buys fresh uses of itself and replays ({@link ReplayBudget}); replays are
 * drawn uniformly from the entries ({@link ReplayDraws}) and augmented anew with their use count, a pure function
 * of (seed, id, epoch, use). The record waits until after the next step and then meets the policy's
 * {@link EvictionRule} ({@link #afterStep}): after, because minred compares embeddings, which the encoder of that
 * step gives for all the step's arrivals in one batch. Until then it is not drawn, so a record never meets itself
 * as a replay in the batch that trains it fresh. With {@code replay.policy=none} there is no buffer, only repeats.
 *
 * <p>Nothing here reads a clock or a shared generator: the choices are functions of the seed and the counters,
 * which go to state with the entries, so a restored job draws, admits and evicts exactly as the failed one did.
 */
public final class ReplayBuffer {

    /** State names (README "State"). */
    public static final String STATE_ENTRIES = "replay-buffer";
    public static final String STATE_COUNTERS = "replay-counters";
    public static final String STATE_ARRIVALS = "replay-arrivals";

    /** The encoder's embeddings of (S, S, 3) uint8 images, in inference mode; for minred. */
    @FunctionalInterface
    public interface Embedder {
        float[][] embed(List<byte[]> images, int size);
    }

    private final ReplaySettings settings;
    private final MultiViewAugmenter augmenter;
    private final ReplayBudget budget;
    /** Null without a buffer (policy none). */
    private final EvictionRule rule;
    private final MapState<Integer, ReplayEntry> entries;
    private final ValueState<ReplayCounters> countersState;
    private final MapState<Integer, ReplayEntry> arrivalsState;

    private ReplayCounters counters = new ReplayCounters();
    /** Records since the last step, in arrival order, waiting for {@link #afterStep}. */
    private final List<ReplayEntry> arrivals = new ArrayList<>();

    public ReplayBuffer(ReplaySettings settings, MultiViewAugmenter augmenter, KeyedStateStore store) {
        this.settings = settings;
        this.augmenter = augmenter;
        this.budget = new ReplayBudget(settings);
        this.rule = settings.buffered() ? EvictionRule.of(settings.policy(), settings.capacity(), settings.seed())
                : null;
        entries = store.getMapState(new MapStateDescriptor<>(STATE_ENTRIES, Types.INT,
                TypeInformation.of(ReplayEntry.class)));
        countersState = store.getState(new ValueStateDescriptor<>(STATE_COUNTERS,
                TypeInformation.of(ReplayCounters.class)));
        arrivalsState = store.getMapState(new MapStateDescriptor<>(STATE_ARRIVALS, Types.INT,
                TypeInformation.of(ReplayEntry.class)));
    }

    /** Reads the state back after a restore and rebuilds the rule's view of the entries. */
    public void restore() throws Exception {
        ReplayCounters c = countersState.value();
        if (c == null) {
            return;
        }
        if (rule != null && c.size > settings.capacity()) {
            // the rules address slots below the capacity: a larger buffer would never shrink (and minred fails)
            throw new IllegalStateException("replay buffer: the checkpoint holds " + c.size + " samples, more than"
                    + " replay.capacity=" + settings.capacity() + " of this run: restore with replay.capacity >= "
                    + c.size + " (a buffer does not shrink on restore), or start without this checkpoint");
        }
        counters = c;
        TreeMap<Integer, ReplayEntry> waiting = new TreeMap<>();
        arrivalsState.entries().forEach(e -> waiting.put(e.getKey(), e.getValue()));
        arrivals.clear();
        if (rule != null) { // with replay.policy=none now, the buffer of an earlier policy is dropped
            arrivals.addAll(waiting.values());
        }
        if (rule != null && rule.needsEmbeddings()) {
            for (int slot = 0; slot < counters.size; slot++) {
                ReplayEntry e = entries.get(slot);
                if (e == null) {
                    throw new IllegalStateException("replay buffer: slot " + slot + " of " + counters.size
                            + " is missing from state '" + STATE_ENTRIES + "': the checkpoint is damaged");
                }
                if (e.embedding == null) {
                    throw new IllegalStateException("replay buffer: the checkpoint's samples have no embeddings (it"
                            + " was written with a replay.policy other than minred); replay.policy=minred needs them:"
                            + " restore with the policy it was written with, or start without this checkpoint");
                }
                rule.written(slot, e.embedding, e.sequence);
            }
        }
    }

    /** Writes the counters and the waiting records: part of the trainer's flush before a checkpoint barrier. */
    public void write() throws Exception {
        countersState.update(counters);
        arrivalsState.clear();
        for (int i = 0; i < arrivals.size(); i++) {
            arrivalsState.put(i, arrivals.get(i));
        }
    }

    /**
     * A fresh record: returns what it buys to train on, in order (its first use is {@code fresh} itself, further
     * uses and replays are augmented anew), and keeps it to meet the admission rule after the next step.
     *
     * @param fresh a sample with its probe image ({@link TrainingSample#probe}), as the augmentation makes it
     *     when {@link ReplaySettings#reuses()}
     */
    public List<TrainingSample> arrive(TrainingSample fresh) throws Exception {
        if (fresh.probe == null) {
            throw new IllegalStateException("sample " + fresh.id + " has no image to replay from (probe)");
        }
        ReplayBudget.Spend spend = budget.arrive(counters);
        int freshUses = spend.fresh();
        int replays = spend.replays();
        if (counters.size == 0) {
            freshUses += replays; // nothing to replay yet: the budget goes to the record itself
            replays = 0;
        }
        List<TrainingSample> out = new ArrayList<>(freshUses + replays);
        for (int use = 0; use < freshUses; use++) {
            out.add(use == 0 ? fresh : augmented(fresh.id, fresh.position, fresh.label, fresh.epoch, use,
                    fresh.probe));
        }
        for (int r = 0; r < replays; r++) {
            int slot = ReplayDraws.replaySlot(settings.seed(), counters.draws++, counters.size);
            ReplayEntry e = entries.get(slot);
            TrainingSample s = augmented(e.id, e.position, e.label, e.epoch, e.uses, e.pixels);
            s.replaySlot = slot;
            s.replaySequence = e.sequence;
            e.uses++;
            entries.put(slot, e);
            out.add(s);
        }
        counters.replayed += replays;
        if (rule != null) {
            ReplayEntry waiting = new ReplayEntry();
            waiting.id = fresh.id;
            waiting.position = fresh.position;
            waiting.label = fresh.label;
            waiting.epoch = fresh.epoch;
            waiting.uses = freshUses;
            waiting.pixels = fresh.probe;
            arrivals.add(waiting);
        }
        return out;
    }

    /**
     * After a step on {@code trained}: the waiting records meet the admission rule in arrival order (minred first
     * refreshes the embeddings of the replays it trained on, then embeds the arrivals, in one batch). After a
     * skipped step (non-finite loss) the records trained fresh in that batch do not enter: they went to the
     * dead-letter topic (its replays stay in the buffer).
     */
    public void afterStep(List<TrainingSample> trained, boolean skipped, Embedder embedder) throws Exception {
        if (rule == null) {
            return;
        }
        List<ReplayEntry> admit = new ArrayList<>(arrivals);
        arrivals.clear();
        if (skipped) { // the records trained fresh in it, not those replayed (the same id may come again later)
            Set<String> dead = new HashSet<>();
            trained.stream().filter(s -> !s.replayed()).forEach(s -> dead.add(s.id + "@" + s.position));
            admit.removeIf(e -> dead.contains(e.id + "@" + e.position));
        }
        float[][] arrivalEmbeddings = null;
        if (rule.needsEmbeddings()) {
            List<Integer> refreshSlots = new ArrayList<>();
            List<ReplayEntry> refresh = new ArrayList<>();
            if (!skipped) {
                for (TrainingSample s : trained) {
                    ReplayEntry e = s.replayed() ? entries.get(s.replaySlot) : null;
                    if (e != null && e.sequence == s.replaySequence && !refreshSlots.contains(s.replaySlot)) {
                        refreshSlots.add(s.replaySlot);
                        refresh.add(e);
                    }
                }
            }
            List<byte[]> images = new ArrayList<>();
            refresh.forEach(e -> images.add(e.pixels));
            admit.forEach(e -> images.add(e.pixels));
            float[][] embedded = images.isEmpty() ? new float[0][] : embedder.embed(images, settings.imageSize());
            for (int i = 0; i < refresh.size(); i++) {
                ReplayEntry e = refresh.get(i);
                e.embedding = embedded[i];
                entries.put(refreshSlots.get(i), e);
                rule.written(refreshSlots.get(i), e.embedding, e.sequence);
            }
            arrivalEmbeddings = new float[admit.size()][];
            System.arraycopy(embedded, refresh.size(), arrivalEmbeddings, 0, admit.size());
        }
        for (int i = 0; i < admit.size(); i++) {
            ReplayEntry e = admit.get(i);
            e.embedding = arrivalEmbeddings == null ? null : arrivalEmbeddings[i];
            e.sequence = counters.arrivals;
            int slot = rule.slotFor(counters.arrivals, counters.size, e.embedding);
            counters.arrivals++;
            if (slot == EvictionRule.REJECT) {
                continue;
            }
            entries.put(slot, e);
            rule.written(slot, e.embedding, e.sequence);
            counters.admitted++;
            if (slot == counters.size) {
                counters.size++;
            }
        }
    }

    /** Entries held. */
    public int size() {
        return counters.size;
    }

    /** Samples drawn from the buffer so far. */
    public long replayed() {
        return counters.replayed;
    }

    /** Records waiting for the next step to meet the admission rule. */
    public int waiting() {
        return arrivals.size();
    }

    /**
     * SHA-256 (hex) over everything the buffer holds, in slot order — each entry's id, position, label, epoch, use
     * count, arrival number, pixels and embedding — then the counters and the waiting records: two buffers with
     * the same digest will make the same choices. Reads every entry: for audits (final state), not per step.
     */
    public String digest() throws Exception {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        java.io.DataOutputStream out = new java.io.DataOutputStream(
                new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), sha));
        for (int slot = 0; slot < counters.size; slot++) {
            digestEntry(out, entries.get(slot));
        }
        out.writeLong(counters.arrivals);
        out.writeLong(counters.draws);
        out.writeInt(counters.size);
        out.writeLong(counters.freshCredit);
        out.writeLong(counters.replayCredit);
        for (ReplayEntry e : arrivals) {
            digestEntry(out, e);
        }
        out.flush();
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    private static void digestEntry(java.io.DataOutputStream out, ReplayEntry e) throws java.io.IOException {
        out.writeUTF(e.id);
        out.writeUTF(String.valueOf(e.position));
        out.writeInt(e.label);
        out.writeLong(e.epoch);
        out.writeInt(e.uses);
        out.writeLong(e.sequence);
        out.writeInt(e.pixels.length);
        out.write(e.pixels);
        if (e.embedding != null) {
            out.writeInt(e.embedding.length);
            for (float f : e.embedding) {
                out.writeInt(Float.floatToRawIntBits(f));
            }
        } else {
            out.writeInt(-1);
        }
    }

    /** The entry in {@code slot}, or null; for tests and tools. */
    public ReplayEntry entry(int slot) throws Exception {
        return entries.get(slot);
    }

    private TrainingSample augmented(String id, String position, int label, long epoch, int use, byte[] image) {
        int size = settings.imageSize();
        RgbImage[] views = augmenter.apply(new RgbImage(size, size, image), id, epoch, use);
        TrainingSample s = TrainingSample.of(id, position, label, epoch, size, augmenter.viewSizes(), views, image);
        s.uses = use;
        s.viewTargets = augmenter.targets(id, epoch, use);
        return s;
    }
}
