package org.pymalloc4j.bench.cli;

import java.util.List;
import java.util.Locale;

/**
 * A grouped bar chart as SVG: one group of bars per pattern and size, one bar (and one colour)
 * per implementation, a linear axis from 0. A missing figure (NaN) leaves a gap.
 */
final class BarChartSvg {
    /** One implementation's figures, one per group. */
    record Series(String name, String colour, double[] values) {
    }

    private static final int LEFT = 70;
    private static final int TOP = 60;
    private static final int PLOT_HEIGHT = 320;
    private static final int BAR = 9;
    private static final int GROUP_GAP = 18;

    private BarChartSvg() {
    }

    static String render(String title, String axisLabel, List<String> groups, List<Series> series) {
        int groupWidth = Math.max(1, series.size()) * BAR + GROUP_GAP;
        int width = Math.max(640, LEFT + groups.size() * groupWidth + 30);
        int legendRows = (series.size() + 3) / 4;
        int height = TOP + PLOT_HEIGHT + 70 + legendRows * 18;
        double max = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        double step = niceStep(max / 5);
        double top = Math.max(step, Math.ceil(max / step) * step);
        StringBuilder svg = new StringBuilder(Svg.header(width, height));
        svg.append(Svg.text(width / 2.0, 24, "middle", "font-size=\"15\" font-weight=\"bold\"", title));
        double bottom = TOP + PLOT_HEIGHT;
        for (double t = 0; t <= top + step / 2; t += step) {
            double y = bottom - t / top * PLOT_HEIGHT;
            svg.append(Svg.line(LEFT, y, width - 20, y, "#dddddd"));
            svg.append(Svg.text(LEFT - 6, y + 4, "end", "", Svg.tick(t)));
        }
        svg.append(String.format(Locale.ROOT,
                "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                TOP + PLOT_HEIGHT / 2.0, Svg.escape(axisLabel)));
        for (int g = 0; g < groups.size(); g++) {
            double x0 = LEFT + 10 + g * groupWidth;
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).values()[g];
                if (Double.isNaN(v)) {
                    continue;
                }
                double h = Math.min(v, top) / top * PLOT_HEIGHT;
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>%s, %s: %s</title></rect>%n",
                        x0 + s * BAR, bottom - h, BAR - 1, h, series.get(s).colour(), Svg.escape(series.get(s).name()),
                        Svg.escape(groups.get(g)), BenchTables.fmt(v)));
            }
            svg.append(Svg.text(x0 + series.size() * BAR / 2.0, bottom + 16, "middle", "", groups.get(g)));
        }
        svg.append(Svg.line(LEFT, bottom, width - 20, bottom, "#000000"));
        svg.append(Svg.line(LEFT, TOP, LEFT, bottom, "#000000"));
        double legendY = bottom + 44;
        for (int s = 0; s < series.size(); s++) {
            double x = LEFT + (s % 4) * 170;
            double y = legendY + (s / 4) * 18;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    x, y - 10, series.get(s).colour()));
            svg.append(Svg.text(x + 17, y, "start", "", series.get(s).name()));
        }
        return svg.append("</svg>\n").toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
