package org.pymalloc4j.bench.cli;

import java.util.List;
import java.util.Locale;

/**
 * Collection pause against live heap size, log-log, as SVG: one line with markers per
 * implementation, decades labelled on both axes. On log-log axes a linear cost is a straight
 * line of slope 1, drawn dashed for reference through pymalloc4j's first point.
 */
final class PausePlotSvg {
    /** An implementation's (live objects, pause ms) points, in increasing size. */
    record Series(String name, String colour, double[] objects, double[] millis) {
    }

    private static final int WIDTH = 640;
    private static final int HEIGHT = 440;
    private static final int LEFT = 80;
    private static final int RIGHT = 50;
    private static final int TOP = 50;
    private static final int BOTTOM = 100;

    private PausePlotSvg() {
    }

    static String render(String title, List<Series> series) {
        double xMin = Double.MAX_VALUE;
        double xMax = 0;
        double yMin = Double.MAX_VALUE;
        double yMax = 0;
        for (Series s : series) {
            for (int i = 0; i < s.objects().length; i++) {
                xMin = Math.min(xMin, s.objects()[i]);
                xMax = Math.max(xMax, s.objects()[i]);
                yMin = Math.min(yMin, s.millis()[i]);
                yMax = Math.max(yMax, s.millis()[i]);
            }
        }
        double lx0 = Math.floor(Math.log10(xMin));
        double lx1 = Math.max(lx0 + 1, Math.ceil(Math.log10(xMax)));
        double ly0 = Math.floor(Math.log10(yMin));
        double ly1 = Math.max(ly0 + 1, Math.ceil(Math.log10(yMax)));
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        java.util.function.DoubleUnaryOperator px = x -> LEFT + (Math.log10(x) - lx0) / (lx1 - lx0) * plotW;
        java.util.function.DoubleUnaryOperator py = y -> TOP + plotH - (Math.log10(y) - ly0) / (ly1 - ly0) * plotH;
        StringBuilder svg = new StringBuilder(Svg.header(WIDTH, HEIGHT));
        svg.append(Svg.text(WIDTH / 2.0, 26, "middle", "font-size=\"15\" font-weight=\"bold\"", title));
        for (double d = lx0; d <= lx1; d++) {
            double x = px.applyAsDouble(Math.pow(10, d));
            svg.append(Svg.line(x, TOP, x, TOP + plotH, "#dddddd"));
            svg.append(Svg.text(x, TOP + plotH + 18, "middle", "", Svg.tick(Math.pow(10, d))));
        }
        for (double d = ly0; d <= ly1; d++) {
            double y = py.applyAsDouble(Math.pow(10, d));
            svg.append(Svg.line(LEFT, y, LEFT + plotW, y, "#dddddd"));
            svg.append(Svg.text(LEFT - 6, y + 4, "end", "", Svg.tick(Math.pow(10, d))));
        }
        svg.append(Svg.line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "#000000"));
        svg.append(Svg.line(LEFT, TOP, LEFT, TOP + plotH, "#000000"));
        svg.append(Svg.text(LEFT + plotW / 2, TOP + plotH + 40, "middle", "", "live objects (log scale)"));
        svg.append(String.format(Locale.ROOT,
                "<text transform=\"translate(22 %.1f) rotate(-90)\" text-anchor=\"middle\">full collection pause, ms (log scale)</text>%n",
                TOP + plotH / 2));
        if (!series.isEmpty() && series.get(0).objects().length > 0) {
            Series first = series.get(0);
            double x0 = first.objects()[0];
            double y0 = first.millis()[0];
            double x1 = Math.pow(10, lx1);
            double y1 = Math.min(y0 * x1 / x0, Math.pow(10, ly1));
            double xEnd = x0 * y1 / y0;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999999\" "
                    + "stroke-dasharray=\"5,4\"/>%n", px.applyAsDouble(x0), py.applyAsDouble(y0),
                    px.applyAsDouble(xEnd), py.applyAsDouble(y1)));
        }
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < ser.objects().length; i++) {
                double x = px.applyAsDouble(ser.objects()[i]);
                double y = py.applyAsDouble(ser.millis()[i]);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s, %s objects: %s ms</title></circle>%n",
                        x, y, ser.colour(), Svg.escape(ser.name()), Svg.tick(ser.objects()[i]), BenchTables.fmt(ser.millis()[i])));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    points.toString().trim(), ser.colour()));
            double ly = HEIGHT - 36;
            double lx = LEFT + s * 200;
            svg.append(Svg.line(lx, ly - 4, lx + 22, ly - 4, ser.colour()).replace("/>", " stroke-width=\"3\"/>"));
            svg.append(Svg.text(lx + 28, ly, "start", "", ser.name()));
        }
        svg.append(Svg.text(LEFT, HEIGHT - 14, "start", "fill=\"#777777\"",
                "dashed: linear growth from pymalloc4j's smallest heap (slope 1)"));
        return svg.append("</svg>\n").toString();
    }
}
