package io.streamssl.pipeline.augment;

import io.streamssl.connectors.decode.RgbImage;
import java.util.SplittableRandom;

/**
 * One patch of a relative-patch-location pair (Doersch, Gupta &amp; Efros 2015, "Unsupervised Visual Representation
 * Learning by Context Prediction"): a {@link ViewPipeline} makes a square region, a 3×3 grid of {@code patch}-px
 * cells with {@code gap} pixels between them is laid over it, and the pair is the centre cell's patch and one of
 * its 8 neighbours'; which neighbour, 0..7 in row-major order (0 top-left, 1 top, 2 top-right, 3 left, 4 right,
 * 5 bottom-left, 6 bottom, 7 bottom-right), is the neighbour view's target. Each patch is moved by up to
 * {@code jitter} pixels in each direction. Two views of the same image, a {@link Role#CENTRE} and the
 * {@link Role#NEIGHBOUR} after it, make the pair: the neighbour is seeded with the centre's seed
 * ({@link #seedView(int)}), so both draw the same region, position and jitter, and a replay re-makes both.
 *
 * <p>Against trivial shortcuts (the paper's §3.1): the gap (half a patch, 48 px for 96) and the jitter (7 px for
 * 96) keep low-level cues, lines and textures continuing across the boundary, from solving the task; and, against
 * chromatic aberration (lenses shift the colour channels by position in the frame, which tells where a patch lay),
 * colour dropping: each patch keeps one of its three channels, drawn per patch, and the other two are replaced by
 * noise of about one level around mid-grey (the paper's Gaussian noise of σ ≈ 1/100 of the kept channel's spread,
 * which is a level or less in 8 bits). The paper's other remedy, projecting towards grey along the green-magenta
 * axis, is not used; neither is its random downsampling of patches against pixelation.
 *
 * <p>Random draws, in order (the same for both roles): the position {@code nextInt(8)} (first, so a view's target
 * is a function of its seed alone, {@link #target(long)}); the region's draws ({@link ViewPipeline}'s order); the
 * centre's row and column jitter; the neighbour's; the channel each keeps ({@code nextInt(3)}, centre then
 * neighbour); a seed for each one's noise ({@code nextLong()}, centre then neighbour). Immutable and thread-safe.
 */
public final class RelativePatchView implements ViewTransform {

    /** The neighbours of the centre cell: the task's classes. */
    public static final int POSITIONS = 8;

    /** Which patch of the pair a view shows. */
    public enum Role { CENTRE, NEIGHBOUR }

    /** Both patches, where they were cut from the region (top-left corners) and the neighbour's position. */
    public record Pair(RgbImage centre, RgbImage neighbour, int position, int centreTop, int centreLeft,
            int neighbourTop, int neighbourLeft) {
    }

    private final ViewPipeline region;
    private final int patch;
    private final int gap;
    private final int jitter;
    private final Role role;
    private final boolean dropColour;

    /**
     * @param region makes the square region; its side must be {@link #regionSide}(patch, gap, jitter)
     * @param dropColour whether each patch keeps only one channel (the paper's colour dropping)
     */
    public RelativePatchView(ViewPipeline region, int patch, int gap, int jitter, Role role, boolean dropColour) {
        if (patch < 1 || gap < 0 || jitter < 0) {
            throw new IllegalArgumentException("a relative patch needs patch >= 1, gap >= 0 and jitter >= 0 px, got "
                    + patch + ", " + gap + ", " + jitter);
        }
        if (region.outputSize() != regionSide(patch, gap, jitter)) {
            throw new IllegalArgumentException("the relative-patch region must be 3·patch + 2·gap + 2·jitter = "
                    + regionSide(patch, gap, jitter) + " px, got " + region.outputSize());
        }
        this.region = region;
        this.patch = patch;
        this.gap = gap;
        this.jitter = jitter;
        this.role = role;
        this.dropColour = dropColour;
    }

    /** The paper's gap for a patch: half its side (48 px for 96). */
    public static int gapFor(int patch) {
        return Math.round(patch / 2f);
    }

    /** The paper's jitter for a patch: 7 px for 96, scaled, at least 1. */
    public static int jitterFor(int patch) {
        return Math.max(1, (int) Math.round(patch * 7.0 / 96));
    }

    /** The side of the region the grid fits in, jitter included. */
    public static int regionSide(int patch, int gap, int jitter) {
        return 3 * patch + 2 * gap + 2 * jitter;
    }

    /** The grid cell (row-major 0..8, 4 the centre) of neighbour {@code position} 0..7. */
    public static int gridCell(int position) {
        if (position < 0 || position >= POSITIONS) {
            throw new IllegalArgumentException("a neighbour position is 0..7, got " + position);
        }
        return position < 4 ? position : position + 1;
    }

    @Override
    public RgbImage apply(RgbImage source, SplittableRandom random) {
        Pair pair = cut(source, random);
        return role == Role.CENTRE ? pair.centre() : pair.neighbour();
    }

    /** Both patches of the pair made with {@code random} (what either role's view shows). */
    public Pair cut(RgbImage source, SplittableRandom random) {
        int position = random.nextInt(POSITIONS);
        RgbImage r = region.apply(source, random);
        int cell = gridCell(position);
        int centreTop = origin(1) + shift(random);
        int centreLeft = origin(1) + shift(random);
        int neighbourTop = origin(cell / 3) + shift(random);
        int neighbourLeft = origin(cell % 3) + shift(random);
        int centreChannel = random.nextInt(3);
        int neighbourChannel = random.nextInt(3);
        long centreNoise = random.nextLong();
        long neighbourNoise = random.nextLong();
        RgbImage centre = patchAt(r, centreTop, centreLeft, centreChannel, centreNoise);
        RgbImage neighbour = patchAt(r, neighbourTop, neighbourLeft, neighbourChannel, neighbourNoise);
        return new Pair(centre, neighbour, position, centreTop, centreLeft, neighbourTop, neighbourLeft);
    }

    /** The unjittered top (or left) of grid row (or column) {@code index}. */
    private int origin(int index) {
        return jitter + index * (patch + gap);
    }

    private int shift(SplittableRandom random) {
        return random.nextInt(2 * jitter + 1) - jitter;
    }

    private RgbImage patchAt(RgbImage r, int top, int left, int keptChannel, long noiseSeed) {
        byte[] src = r.pixels();
        byte[] out = new byte[patch * patch * 3];
        for (int y = 0; y < patch; y++) {
            System.arraycopy(src, ((top + y) * r.width() + left) * 3, out, y * patch * 3, patch * 3);
        }
        if (dropColour) {
            SplittableRandom noise = new SplittableRandom(noiseSeed);
            for (int p = 0; p < patch * patch; p++) {
                for (int c = 0; c < 3; c++) {
                    if (c != keptChannel) {
                        out[p * 3 + c] = (byte) (127 + noise.nextInt(3)); // 127..129
                    }
                }
            }
        }
        return new RgbImage(patch, patch, out);
    }

    /** A neighbour is made from the centre view's seed, the view before it: both cut from one region. */
    @Override
    public int seedView(int view) {
        if (role == Role.CENTRE) {
            return view;
        }
        if (view < 1) {
            throw new IllegalArgumentException("a relative-patch neighbour view follows its centre view, so it "
                    + "cannot be view 0");
        }
        return view - 1;
    }

    @Override
    public boolean hasTarget() {
        return role == Role.NEIGHBOUR;
    }

    /** The neighbour's position 0..7 for the pair made from {@code viewSeed}; -1 for a centre view. */
    @Override
    public int target(long viewSeed) {
        return role == Role.NEIGHBOUR ? new SplittableRandom(viewSeed).nextInt(POSITIONS) : -1;
    }

    @Override
    public int outputSize() {
        return patch;
    }

    public ViewPipeline region() {
        return region;
    }

    public int patch() {
        return patch;
    }

    public int gap() {
        return gap;
    }

    public int jitter() {
        return jitter;
    }

    public Role role() {
        return role;
    }

    @Override
    public String toString() {
        return "RelativePatchView(" + role + ", " + patch + " px patches, gap " + gap + ", jitter " + jitter
                + (dropColour ? ", colour dropping" : "") + ", region " + region + ")";
    }
}
