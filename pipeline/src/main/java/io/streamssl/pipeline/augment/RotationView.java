package io.streamssl.pipeline.augment;

import io.streamssl.connectors.decode.RgbImage;
import java.util.SplittableRandom;

/**
 * A rotation view (Gidaris et al. 2018, "Unsupervised Representation Learning by Predicting Image Rotations"): a
 * {@link ViewPipeline} view turned counter-clockwise by 0, 90, 180 or 270 degrees; the number of quarter turns,
 * 0..3, is the view's target. Either fixed ({@code quarterTurns} 0..3: the paper's batch, every image in all four
 * rotations, when a preset gives view v the turns v mod 4) or drawn from the view's generator ({@code -1}).
 *
 * <p>Random draws, in order: one {@code nextInt(4)}, always (so the turns of a view are a function of its seed
 * alone, {@link #target(long)}, and a fixed and a drawn view consume the same draws); then the pipeline's.
 * Immutable and thread-safe.
 */
public final class RotationView implements ViewTransform {

    /** The four rotations. */
    public static final int ROTATIONS = 4;

    private final ViewPipeline view;
    private final int quarterTurns;

    /** @param quarterTurns 0..3 for a fixed rotation, -1 for one drawn per view */
    public RotationView(ViewPipeline view, int quarterTurns) {
        if (quarterTurns < -1 || quarterTurns >= ROTATIONS) {
            throw new IllegalArgumentException("quarter turns must be 0..3, or -1 to draw them, got " + quarterTurns);
        }
        this.view = view;
        this.quarterTurns = quarterTurns;
    }

    @Override
    public RgbImage apply(RgbImage source, SplittableRandom random) {
        int turns = turns(random);
        return rotate(view.apply(source, random), turns);
    }

    private int turns(SplittableRandom random) {
        int drawn = random.nextInt(ROTATIONS);
        return quarterTurns >= 0 ? quarterTurns : drawn;
    }

    @Override
    public boolean hasTarget() {
        return true;
    }

    /** The quarter turns of the view made from {@code viewSeed}. */
    @Override
    public int target(long viewSeed) {
        return turns(new SplittableRandom(viewSeed));
    }

    /**
     * {@code image} (square) turned counter-clockwise by {@code turns} quarter turns: output pixel (y, x) is input
     * (x, S−1−y) for one turn, (S−1−y, S−1−x) for two, (S−1−x, y) for three.
     */
    public static RgbImage rotate(RgbImage image, int turns) {
        int s = image.width();
        if (image.height() != s) {
            throw new IllegalArgumentException("a rotation view must be square, got " + image.width() + "x"
                    + image.height());
        }
        if (turns == 0) {
            return image;
        }
        byte[] in = image.pixels();
        byte[] out = new byte[in.length];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                int sy;
                int sx;
                switch (turns) {
                    case 1 -> { sy = x; sx = s - 1 - y; }
                    case 2 -> { sy = s - 1 - y; sx = s - 1 - x; }
                    default -> { sy = s - 1 - x; sx = y; }
                }
                System.arraycopy(in, (sy * s + sx) * 3, out, (y * s + x) * 3, 3);
            }
        }
        return new RgbImage(s, s, out);
    }

    @Override
    public int outputSize() {
        return view.outputSize();
    }

    /** The pipeline that makes the view before it is turned. */
    public ViewPipeline view() {
        return view;
    }

    /** The fixed quarter turns, or -1 when drawn. */
    public int quarterTurns() {
        return quarterTurns;
    }

    @Override
    public String toString() {
        return "RotationView(" + (quarterTurns >= 0 ? quarterTurns * 90 + "°" : "random quarter turns") + ", " + view
                + ")";
    }
}
