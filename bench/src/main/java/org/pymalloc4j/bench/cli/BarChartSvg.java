package org.pymalloc4j.bench.cli;

import java.util.List;
import java.util.Locale;

/**
 * A grouped bar chart as SVG: one group of bars per pattern and size, one bar (and one colour)
 * per implementation. The axis is logarithmic, labelled by decade: the figures span 1 ns to
 * microseconds, and a linear axis flattens every fast bar to nothing. A missing figure (NaN)
 * leaves a gap.
 */
final class BarChartSvg {
    /** One implementation's figures, one per group. */
    record Series(String name, String colour, double[] values) {
    }

    private static final int LEFT = 70;
    private static final int TOP = 60;
    private static final int PLOT_HEIGHT = 320;
    private static final int BAR = 10;
    private static final int GROUP_GAP = 16;
    /** Wide enough for a label such as "random mix 1-512 B". */
    private static final int MIN_GROUP_WIDTH = 124;
    private static final int LEGEND_COLUMNS = 4;
    private static final int LEGEND_COLUMN_WIDTH = 170;
    /** From a legend entry's swatch to its text. */
    private static final int LEGEND_TEXT = 17;

    private BarChartSvg() {
    }

    static String render(String title, String axisLabel, List<String> groups, List<Series> series) {
        int groupWidth = Math.max(MIN_GROUP_WIDTH, series.size() * BAR + GROUP_GAP);
        int width = Math.max(720, LEFT + groups.size() * groupWidth + 30);
        for (int s = 0; s < series.size(); s++) { // a legend entry's text, at about 7 px a character, ends inside
            width = Math.max(width, legendX(s) + LEGEND_TEXT + 7 * series.get(s).name().length() + 10);
        }
        int legendRows = (series.size() + LEGEND_COLUMNS - 1) / LEGEND_COLUMNS;
        int height = TOP + PLOT_HEIGHT + 60 + legendRows * 18;
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (v > 0) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        // a decade below the smallest figure, strictly: a figure on the axis's first line has no bar to show
        double low = max > 0 ? Math.ceil(Math.log10(min)) - 1 : 0;
        double high = max > 0 ? Math.max(low + 1, Math.ceil(Math.log10(max))) : 1;
        double bottom = TOP + PLOT_HEIGHT;
        StringBuilder svg = new StringBuilder(Svg.header(width, height));
        svg.append(Svg.text(width / 2.0, 24, "middle", "font-size=\"15\" font-weight=\"bold\"", title));
        for (double d = low; d <= high; d++) {
            double y = bottom - (d - low) / (high - low) * PLOT_HEIGHT;
            svg.append(Svg.line(LEFT, y, width - 20, y, "#dddddd"));
            svg.append(Svg.text(LEFT - 6, y + 4, "end", "", Svg.tick(Math.pow(10, d))));
        }
        svg.append(String.format(Locale.ROOT,
                "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                TOP + PLOT_HEIGHT / 2.0, Svg.escape(axisLabel + " (log scale)")));
        for (int g = 0; g < groups.size(); g++) {
            double x0 = LEFT + g * groupWidth + (groupWidth - series.size() * BAR) / 2.0;
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).values()[g];
                if (!(v > 0)) {
                    continue;
                }
                double h = (Math.log10(v) - low) / (high - low) * PLOT_HEIGHT;
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>%s, %s: %s</title></rect>%n",
                        x0 + s * BAR, bottom - h, BAR - 1, h, series.get(s).colour(), Svg.escape(series.get(s).name()),
                        Svg.escape(groups.get(g)), BenchTables.fmt(v)));
            }
            svg.append(Svg.text(LEFT + (g + 0.5) * groupWidth, bottom + 16, "middle", "", groups.get(g)));
        }
        svg.append(Svg.line(LEFT, bottom, width - 20, bottom, "#000000"));
        svg.append(Svg.line(LEFT, TOP, LEFT, bottom, "#000000"));
        double legendY = bottom + 44;
        for (int s = 0; s < series.size(); s++) {
            double x = legendX(s);
            double y = legendY + (s / LEGEND_COLUMNS) * 18;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    x, y - 10, series.get(s).colour()));
            svg.append(Svg.text(x + LEGEND_TEXT, y, "start", "", series.get(s).name()));
        }
        return svg.append("</svg>\n").toString();
    }

    /** Where series {@code s}'s legend entry starts: its swatch. */
    private static int legendX(int s) {
        return LEFT + (s % LEGEND_COLUMNS) * LEGEND_COLUMN_WIDTH;
    }
}
