package org.pymalloc4j.allocator;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * tracemalloc's {@code _format_size} and the {@code %.1f} of its documented reports, rounding
 * as C's {@code printf} does: the exact binary value, half to even ({@code 2.25} gives
 * {@code 2.2}), where {@code String.format} would round half up.
 */
final class SizeFormat {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private SizeFormat() {
    }

    /**
     * {@code _format_size(size, sign)}: {@code 138 KiB}, {@code 12.5 MiB}, {@code +3.0 KiB}.
     * Three significant digits below 100 of a unit above bytes, else no decimals below 10 240.
     */
    static String size(double size, boolean sign) {
        for (String unit : UNITS) {
            if (Math.abs(size) < 100 && !unit.equals("B")) {
                return fixed(size, 1, sign) + " " + unit;
            }
            if (Math.abs(size) < 10 * 1024 || unit.equals("TiB")) {
                return fixed(size, 0, sign) + " " + unit;
            }
            size /= 1024;
        }
        throw new AssertionError("unreachable");
    }

    /** {@code "%.1f KiB" % (bytes / 1024)}, as tracemalloc's documented {@code display_top}. */
    static String kib(long bytes) {
        return fixed(bytes / 1024.0, 1, false) + " KiB";
    }

    /** C's {@code %.Nf} (with {@code sign}, {@code %+.Nf}) of {@code value}. */
    static String fixed(double value, int decimals, boolean sign) {
        String s = new BigDecimal(value).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        boolean negative = value < 0 || (value == 0 && 1 / value < 0);
        if (negative && !s.startsWith("-")) {
            s = "-" + s; // C keeps the sign of a negative value that rounds to zero
        }
        return sign && !negative ? "+" + s : s;
    }
}
