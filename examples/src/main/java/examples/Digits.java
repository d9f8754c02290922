package examples;

import dev.nabla.data.Dataset;
import java.util.SplittableRandom;

/**
 * Handwritten-like digits, made here so that the example needs no download: each image is 8x8
 * pixels valued 0 to 16, as scikit-learn's digits are, drawn from a 5x7 glyph of its digit placed
 * anywhere it fits, with uneven ink, strokes that smear into the next pixel, pixels that drop out
 * and specks of noise. The same seed gives the same images.
 */
final class Digits {
    static final int SIDE = 8;
    static final int PIXELS = SIDE * SIDE;
    static final int CLASSES = 10;

    private static final String[][] GLYPHS = {
        {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."},
        {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."},
        {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"},
        {"####.", "....#", "....#", ".###.", "....#", "....#", "####."},
        {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."},
        {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."},
        {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."},
        {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."},
        {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."},
        {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."},
    };
    private static final int GLYPH_ROWS = 7;
    private static final int GLYPH_COLS = 5;

    private Digits() {}

    /**
     * {@code count} images with their classes one-hot: inputs {@code count x 64}, targets
     * {@code count x 10}; the digits cycle 0 to 9, so every class has its share.
     */
    static Dataset generate(String name, int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] inputs = new double[count * PIXELS];
        double[] targets = new double[count * CLASSES];
        for (int s = 0; s < count; s++) {
            int digit = s % CLASSES;
            draw(GLYPHS[digit], rng, inputs, s * PIXELS);
            targets[s * CLASSES + digit] = 1;
        }
        return new Dataset(name, count, PIXELS, CLASSES, inputs, targets);
    }

    private static void draw(String[] glyph, SplittableRandom rng, double[] image, int offset) {
        int top = rng.nextInt(SIDE - GLYPH_ROWS + 1);
        int left = rng.nextInt(SIDE - GLYPH_COLS + 1);
        double ink = 10 + 6 * rng.nextDouble();
        double[] canvas = new double[PIXELS];
        for (int r = 0; r < GLYPH_ROWS; r++) {
            for (int c = 0; c < GLYPH_COLS; c++) {
                if (glyph[r].charAt(c) != '#' || rng.nextDouble() < 0.05) {
                    continue; // blank in the glyph, or a pixel the pen skipped
                }
                int p = (top + r) * SIDE + left + c;
                canvas[p] += ink * (0.75 + 0.25 * rng.nextDouble());
                if (left + c + 1 < SIDE && rng.nextDouble() < 0.3) {
                    canvas[p + 1] += ink * 0.4; // a broad stroke smears right
                }
            }
        }
        for (int p = 0; p < PIXELS; p++) {
            if (rng.nextDouble() < 0.03) {
                canvas[p] += 8 * rng.nextDouble(); // a speck
            }
            // Whole values in 0..16, as scikit-learn's digits are stored.
            image[offset + p] = Math.min(16, Math.round(canvas[p]));
        }
    }
}
