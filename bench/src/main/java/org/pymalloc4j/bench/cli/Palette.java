package org.pymalloc4j.bench.cli;

import java.util.Locale;

/**
 * Colours of the heap map: one hue per size class, stepping round the wheel from red (16-byte
 * blocks) to magenta (512), and a lightness that darkens as a pool fills, so busy pools stand
 * out and nearly empty ones fade towards white. Computed as RGB hex because not every SVG
 * renderer understands CSS {@code hsl()}.
 */
final class Palette {
    /** Hue span: stops short of 360 so class 31 does not come back to class 0's red. */
    private static final double HUE_SPAN = 300;
    private static final double SATURATION = 0.68;
    /** Lightness of a pool with one block in use, and of a full pool. */
    private static final double LIGHTEST = 0.88;
    private static final double DARKEST = 0.40;

    private Palette() {
    }

    /** The colour of size class {@code sizeClass} (0..31) at fullness {@code f} (0..1). */
    static String colour(int sizeClass, double f) {
        double hue = sizeClass * HUE_SPAN / 31;
        double clamped = Math.max(0, Math.min(1, f));
        return hslToHex(hue, SATURATION, LIGHTEST - (LIGHTEST - DARKEST) * clamped);
    }

    /** The colour of a full pool of the class: its colour in the legend. */
    static String colour(int sizeClass) {
        return colour(sizeClass, 1);
    }

    static String hslToHex(double hue, double s, double l) {
        double c = (1 - Math.abs(2 * l - 1)) * s;
        double h = hue / 60;
        double x = c * (1 - Math.abs(h % 2 - 1));
        double r = 0;
        double g = 0;
        double b = 0;
        switch ((int) h % 6) {
            case 0 -> { r = c; g = x; }
            case 1 -> { r = x; g = c; }
            case 2 -> { g = c; b = x; }
            case 3 -> { g = x; b = c; }
            case 4 -> { r = x; b = c; }
            default -> { r = c; b = x; }
        }
        double m = l - c / 2;
        return String.format(Locale.ROOT, "#%02x%02x%02x", channel(r + m), channel(g + m), channel(b + m));
    }

    private static int channel(double v) {
        return (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
    }
}
