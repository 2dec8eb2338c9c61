package org.pymalloc4j.bench.cli;

import java.util.List;
import java.util.Locale;

/**
 * {@code versus}'s ratios as SVG: a row a pattern on a log-scale ratio axis (so 0.5x and 2x lie
 * as far from 1 on either side), the range of every round's ratio as a grey bar, each JVM's
 * median ratio as a blue dot, the median of all rounds as a black bar, and a line at 1 with
 * "pymalloc4j faster" to its left and "CPython faster" to its right.
 */
final class RatioPlotSvg {
    /** A pattern's ratios: the median of all rounds, each fork's median, and the range of all rounds. */
    record Row(String label, double median, double[] forkMedians, double min, double max) {
    }

    /** pymalloc4j's colour in the other pictures. */
    private static final String BLUE = Svg.COLOURS.get(0);
    private static final int WIDTH = 720;
    private static final int LEFT = 200;
    private static final int RIGHT = 30;
    private static final int TOP = 64;
    private static final int ROW = 26;
    private static final int BOTTOM = 72;

    private RatioPlotSvg() {
    }

    /** The axis: whole powers of two around every ratio, and at least 1/4 to 2. */
    static double[] axis(List<Row> rows) {
        double lo = 0.25;
        double hi = 2;
        for (Row r : rows) {
            lo = Math.min(lo, r.min());
            hi = Math.max(hi, r.max());
        }
        return new double[] {Math.pow(2, Math.floor(Math.log(lo) / Math.log(2))),
            Math.pow(2, Math.ceil(Math.log(hi) / Math.log(2)))};
    }

    /** A power of two as a tick label: 1/8x, 1/4x, 1/2x, 1x, 2x, 4x... */
    static String tick(double powerOfTwo) {
        return powerOfTwo >= 1 ? Math.round(powerOfTwo) + "x" : "1/" + Math.round(1 / powerOfTwo) + "x";
    }

    static String render(String title, List<Row> rows) {
        // the label column as wide as the longest label (a trace's file name, ', against'), at
        // about 7 px a character of the 12 px font: a fixed 200 px cut longer ones off the left edge
        int longest = rows.stream().mapToInt(r -> r.label().length()).max().orElse(0);
        int left = Math.max(LEFT, 20 + 7 * longest);
        int width = WIDTH - LEFT + left;
        int height = TOP + ROW * rows.size() + BOTTOM;
        double[] axis = axis(rows);
        double l0 = Math.log(axis[0]);
        double l1 = Math.log(axis[1]);
        double plotW = width - left - RIGHT;
        java.util.function.DoubleUnaryOperator px = v -> left + (Math.log(v) - l0) / (l1 - l0) * plotW;
        double bottom = TOP + ROW * rows.size();
        StringBuilder svg = new StringBuilder(Svg.header(width, height));
        svg.append(Svg.text(width / 2.0, 24, "middle", "font-size=\"15\" font-weight=\"bold\"", title));
        double one = px.applyAsDouble(1);
        svg.append(Svg.text(one - 8, TOP - 10, "end", "fill=\"" + BLUE + "\"", "\u2190 pymalloc4j faster"));
        svg.append(Svg.text(one + 8, TOP - 10, "start", "", "CPython faster \u2192"));
        for (double v = axis[0]; v <= axis[1] * 1.0001; v *= 2) {
            double x = px.applyAsDouble(v);
            svg.append(Svg.line(x, TOP - 4, x, bottom, "#dddddd"));
            svg.append(Svg.text(x, bottom + 18, "middle", "", tick(v)));
        }
        svg.append(Svg.line(one, TOP - 4, one, bottom, "#000000"));
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            double y = TOP + ROW * i + ROW / 2.0;
            svg.append(Svg.text(left - 10, y + 4, "end", "", r.label()));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"8\" fill=\"#cccccc\">"
                    + "<title>%s: every round's ratio, %.2f to %.2f</title></rect>%n", px.applyAsDouble(r.min()), y - 4,
                    Math.max(1, px.applyAsDouble(r.max()) - px.applyAsDouble(r.min())), Svg.escape(r.label()), r.min(), r.max()));
            for (double f : r.forkMedians()) {
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"" + BLUE + "\" "
                        + "fill-opacity=\"0.7\"><title>one JVM's median ratio: %.2f</title></circle>%n", px.applyAsDouble(f), y, f));
            }
            double m = px.applyAsDouble(r.median());
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000000\" "
                    + "stroke-width=\"3\"><title>%s: median ratio %.2f</title></line>%n", m, y - 9, m, y + 9,
                    Svg.escape(r.label()), r.median()));
        }
        svg.append(Svg.text(left + plotW / 2, bottom + 38, "middle", "", "time of pymalloc4j / time of CPython (log scale)"));
        svg.append(Svg.text(left + plotW / 2, bottom + 56, "middle", "fill=\"#777777\"",
                "grey: every round's ratio; blue: each JVM's median; black: the median of all rounds"));
        return svg.append("</svg>\n").toString();
    }
}
