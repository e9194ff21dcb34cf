package io.streamssl.pipeline.augment;

import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.models.pretext.PermutationSet;
import java.util.SplittableRandom;

/**
 * A jigsaw view (Noroozi &amp; Favaro 2016; PIRL, Misra &amp; van der Maaten 2019, §4: nine 64-px tiles from the
 * cells of a 3×3 grid over a 255-px crop, shuffled): the image is cropped and coloured by a {@link ViewPipeline}
 * to a square region of 3 × {@code cell} pixels, each of its 3×3 cells gives a {@code tile}-pixel square at a
 * random offset inside the cell, and the tiles are laid out, without gaps, in the order of a permutation drawn
 * from a {@link PermutationSet}: output position {@code i} (row-major) shows source cell {@code permutation[i]}.
 * The output is a 3·tile square, so it travels and batches like any view; a method cuts it back into its 9
 * tiles on the device (position {@code i} is rows {@code (i/3)·tile…}, columns {@code (i%3)·tile…}).
 *
 * <p>The random offsets leave up to {@code cell − tile} pixels between neighbouring tiles (the paper's gap and
 * jitter): edges and lines do not continue from one tile to the next, which would otherwise solve the puzzle
 * without looking at the content. The paper's ratio, 64 of 85, is {@link #cellFor(int)}.
 *
 * <p>Random draws, in order: the permutation index (exactly one {@link PermutationSet#draw}, first, so the label
 * of a view is a function of the view's seed alone: {@link #permutationIndex(long)}); then the region's draws
 * ({@link ViewPipeline}'s order); then per source cell, in row-major order, the row offset and the column offset.
 * Immutable and thread-safe.
 */
public final class JigsawView implements ViewTransform {

    /** Cells per side of the grid. */
    public static final int GRID = 3;

    /** A shuffled view and the index of its permutation in the set: the jigsaw task's label. */
    public record Shuffled(RgbImage view, int permutationIndex) {
    }

    private final ViewPipeline region;
    private final int tile;
    private final int cell;
    private final PermutationSet permutations;

    /**
     * @param region makes the square region the grid is laid over; its output side must be 3 × the cell
     * @param tile the side of each tile, at most the cell's
     */
    public JigsawView(ViewPipeline region, int tile, PermutationSet permutations) {
        if (region.outputSize() % GRID != 0) {
            throw new IllegalArgumentException("the jigsaw region's side must be a multiple of 3, got "
                    + region.outputSize());
        }
        int cellSide = region.outputSize() / GRID;
        if (tile < 1 || tile > cellSide) {
            throw new IllegalArgumentException("a jigsaw tile must be 1 to " + cellSide + " px (the cell), got "
                    + tile);
        }
        if (permutations.size() < 1) {
            throw new IllegalArgumentException("the jigsaw needs at least one permutation");
        }
        this.region = region;
        this.tile = tile;
        this.cell = cellSide;
        this.permutations = permutations;
    }

    /** The cell side for {@code tile}-pixel tiles at the paper's ratio, 85 px cells for 64 px tiles (rounded). */
    public static int cellFor(int tile) {
        return Math.max(tile, (int) Math.round(tile * 85.0 / 64));
    }

    @Override
    public RgbImage apply(RgbImage source, SplittableRandom random) {
        return shuffle(source, random).view();
    }

    /** The view and its permutation index. */
    public Shuffled shuffle(RgbImage source, SplittableRandom random) {
        int index = permutations.draw(random);
        RgbImage grid = region.apply(source, random);
        return new Shuffled(place(grid, permutations.permutation(index), random), index);
    }

    /**
     * The permutation index of the view made with a generator seeded {@code viewSeed} (e.g.
     * {@link MultiViewAugmenter#seed(String, long, int, int)}): the first draw, recomputed without making the view.
     */
    public int permutationIndex(long viewSeed) {
        return permutations.draw(new SplittableRandom(viewSeed));
    }

    @Override
    public boolean hasTarget() {
        return true;
    }

    /** The permutation index: {@link #permutationIndex(long)}. */
    @Override
    public int target(long viewSeed) {
        return permutationIndex(viewSeed);
    }

    /** Cuts a tile at a random offset out of each cell of {@code grid} and lays them out in {@code order}. */
    private RgbImage place(RgbImage grid, byte[] order, SplittableRandom random) {
        int gridSide = grid.width();
        int side = GRID * tile;
        int[] top = new int[GRID * GRID];
        int[] left = new int[GRID * GRID];
        for (int k = 0; k < GRID * GRID; k++) {
            top[k] = (k / GRID) * cell + random.nextInt(cell - tile + 1);
            left[k] = (k % GRID) * cell + random.nextInt(cell - tile + 1);
        }
        byte[] src = grid.pixels();
        byte[] out = new byte[side * side * 3];
        for (int i = 0; i < GRID * GRID; i++) {
            int k = order[i];
            int outTop = (i / GRID) * tile;
            int outLeft = (i % GRID) * tile;
            for (int y = 0; y < tile; y++) {
                System.arraycopy(src, ((top[k] + y) * gridSide + left[k]) * 3, out,
                        ((outTop + y) * side + outLeft) * 3, tile * 3);
            }
        }
        return new RgbImage(side, side, out);
    }

    @Override
    public int outputSize() {
        return GRID * tile;
    }

    public int tile() {
        return tile;
    }

    public int cell() {
        return cell;
    }

    /** The pipeline that makes the region before it is cut. */
    public ViewPipeline region() {
        return region;
    }

    public PermutationSet permutations() {
        return permutations;
    }

    @Override
    public String toString() {
        return "JigsawView(" + GRID + "×" + GRID + " tiles of " + tile + " px in cells of " + cell + ", "
                + permutations.size() + " permutations, region " + region + ")";
    }
}
