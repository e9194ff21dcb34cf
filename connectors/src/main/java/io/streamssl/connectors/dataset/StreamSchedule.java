package io.streamssl.connectors.dataset;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.LongFunction;

/**
 * A {@link StreamOrder} applied to one data set's labels: the image indices to send, as a series of stretches.
 * A stretch is one pass over the (possibly subsampled) data set, or, for a class-incremental order, one repeat
 * of one phase. Stretches are computed one at a time, so a long or endless run holds one {@code int[]} of
 * indices, not the whole sequence.
 */
public final class StreamSchedule {

    /**
     * A phase of a class-incremental order.
     *
     * @param index 0-based
     * @param count phases in all
     * @param classes the labels of this phase, in their order
     */
    public record Phase(int index, int count, List<Integer> classes) {

        /** {@code phase 2/5 classes [4, 7]} (1-based, as a user counts). */
        @Override
        public String toString() {
            return "phase " + (index + 1) + "/" + count + " classes " + classes;
        }
    }

    /**
     * Image indices sent in a row, all with header {@code epoch}.
     *
     * @param phase the class-incremental phase, or null for an order without phases
     */
    public record Stretch(int[] indices, long epoch, Phase phase) {}

    /** The indices of a phase's repeat. */
    @FunctionalInterface
    interface PhaseIndices {
        int[] of(int phase, long repeat);
    }

    private final int passLength;
    private final List<Phase> phases;
    private final LongFunction<int[]> pass; // for an order without phases
    private final PhaseIndices phased; // for a class-incremental order

    private StreamSchedule(int passLength, List<Phase> phases, LongFunction<int[]> pass, PhaseIndices phased) {
        this.passLength = passLength;
        this.phases = phases;
        this.pass = pass;
        this.phased = phased;
    }

    /** Pass {@code p} sends {@code pass.apply(p)}, {@code length} indices, with epoch {@code p}. */
    static StreamSchedule passes(int length, LongFunction<int[]> pass) {
        return new StreamSchedule(length, List.of(), pass, null);
    }

    /**
     * Each phase in turn, each repeated {@code repeat} times in a row (epoch = the repeat); {@code length} indices
     * over all phases once.
     */
    static StreamSchedule phased(int length, List<Phase> phases, PhaseIndices indices) {
        return new StreamSchedule(length, List.copyOf(phases), null, indices);
    }

    /** Images sent for {@code repeat = 1}: a pass, or all phases once. */
    public int passLength() {
        return passLength;
    }

    /** The phases of a class-incremental order, in order; empty for the others. */
    public List<Phase> phases() {
        return phases;
    }

    /** Records sent for {@code repeat} (0 = forever: -1). */
    public long total(long repeat) {
        return repeat == 0 ? -1 : passLength * repeat;
    }

    /**
     * The stretches of {@code repeat} passes (0 = forever). For a class-incremental order, each phase's images
     * {@code repeat} times in a row, then the next phase.
     *
     * @throws IllegalArgumentException for {@code repeat} 0 with phases, which would never leave the first
     */
    public Iterator<Stretch> stretches(long repeat) {
        if (repeat < 0) {
            throw new IllegalArgumentException("repeat must be >= 0 (0 = forever), got " + repeat);
        }
        if (phased != null && repeat == 0) {
            throw new IllegalArgumentException("repeat (--repeat) 0 (forever) cannot go with a class-incremental"
                    + " order: the first phase would never end; give a number of repeats per phase");
        }
        long count = phased != null ? phases.size() * repeat : repeat;
        return new Iterator<>() {
            private long next;

            @Override
            public boolean hasNext() {
                return count == 0 || next < count;
            }

            @Override
            public Stretch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                long k = next++;
                if (phased == null) {
                    return new Stretch(pass.apply(k), k, null);
                }
                int phase = (int) (k / repeat);
                long r = k % repeat;
                return new Stretch(phased.of(phase, r), r, phases.get(phase));
            }
        };
    }

    /** The whole sequence of {@code repeat >= 1} passes, concatenated: for tests and small data sets. */
    public int[] sequence(long repeat) {
        if (repeat < 1 || passLength * repeat > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sequence needs 1 <= repeat and a sequence an array can hold, got "
                    + repeat + " x " + passLength);
        }
        int[] out = new int[(int) (passLength * repeat)];
        int at = 0;
        for (Iterator<Stretch> it = stretches(repeat); it.hasNext(); ) {
            int[] s = it.next().indices();
            System.arraycopy(s, 0, out, at, s.length);
            at += s.length;
        }
        return at == out.length ? out : Arrays.copyOf(out, at);
    }
}
