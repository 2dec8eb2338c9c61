package org.pymalloc4j.bench.cli;

import java.util.List;
import java.util.Locale;

/** What the tool's SVG pictures share: colours, text escaping, number formatting. */
final class Svg {
    /**
     * One colour per implementation, in a fixed order (Okabe and Ito's colour-blind-safe set):
     * pymalloc4j always first and blue, CPython always black.
     */
    static final List<String> COLOURS = List.of("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00",
            "#f0e442", "#999999", "#8c510a", "#762a83", "#1b7837", "#e7298a", "#66a61e", "#b2182b", "#2166ac",
            "#bf812d");
    static final String CPYTHON_COLOUR = "#000000";
    static final String FONT = "font-family=\"DejaVu Sans, Arial, sans-serif\"";

    private Svg() {
    }

    static String header(int width, int height) {
        return String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" %s font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
                width, height, width, height, FONT);
    }

    static String text(double x, double y, String anchor, String extra, String content) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>%n",
                x, y, anchor, extra.isEmpty() ? "" : " " + extra, escape(content));
    }

    static String line(double x1, double y1, double x2, double y2, String stroke) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, stroke);
    }

    /**
     * {@code s} as XML text or an attribute value. Characters XML 1.0 forbids even escaped (the C0
     * controls but tab and newlines, lone surrogates, U+FFFE and U+FFFF), which a file name can
     * hold, become U+FFFD: one would make the whole picture unreadable to a browser.
     */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> b.appendCodePoint(allowedInXml(c) ? c : '\uFFFD');
            }
        });
        return b.toString();
    }

    private static boolean allowedInXml(int c) {
        return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }

    /** A tick label: integers without decimals, small values with up to two. */
    static String tick(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v)
                : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }
}
