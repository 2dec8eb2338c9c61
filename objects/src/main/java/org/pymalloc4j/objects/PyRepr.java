package org.pymalloc4j.objects;

import java.util.Locale;

/**
 * Python's {@code repr} of a float ({@code float_repr}) and of a str or bytes value
 * ({@code unicode_repr}, {@code bytes_repr}) for the layout tables, the latter cut, when longer
 * than {@code max} characters or bytes, to their first {@code max - 1} and "…": the quote Python picks
 * ({@code "} when the value holds {@code '} and no {@code "}), {@code \t \n \r}, and every other
 * unprintable character escaped, so a control character read from memory never reaches the
 * terminal raw. A cut value's quote is picked from its first {@code max + 1} characters or bytes,
 * not the whole value as Python's {@code repr} does: the table reads no more of a value than it
 * shows. Printable is asked of the JDK's Unicode database (16.0 in JDK 25), where 3.11's
 * is 14.0: a character assigned since (U+31350, CJK extension H) is shown as itself here and
 * escaped by 3.11's {@code repr} ({@code '\U00031350'}); older ones are shown alike.
 */
final class PyRepr {
    private PyRepr() {
    }

    /**
     * {@code repr(x)}: the shortest digits that read back as {@code x} (Java's {@code Double.toString},
     * but one digit where Java insists on two),
     * laid out as {@code PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0)} does: positional
     * while the decimal point falls within 16 digits and no further than 4 zeros after it,
     * else an exponent of at least two digits; {@code nan}, {@code inf}, {@code -inf}.
     */
    static String ofFloat(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x) || x == 0) {
            return x == 0 ? (1 / x < 0 ? "-0.0" : "0.0") : x < 0 ? "-inf" : "inf";
        }
        java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(Math.abs(x))).stripTrailingZeros();
        if (d.precision() == 2) { // Java gives two digits where one reads back (4.9e-324): Python gives one
            java.math.BigDecimal one = d.round(new java.math.MathContext(1, java.math.RoundingMode.HALF_EVEN));
            if (Double.parseDouble(one.toString()) == Math.abs(x)) {
                d = one.stripTrailingZeros();
            }
        }
        String digits = d.unscaledValue().toString();
        int point = digits.length() - d.scale(); // x = 0.digits x 10^point
        StringBuilder b = new StringBuilder(x < 0 ? "-" : "");
        if (point <= -4 || point > 16) {
            b.append(digits.charAt(0));
            if (digits.length() > 1) {
                b.append('.').append(digits, 1, digits.length());
            }
            int e = point - 1;
            return b.append(String.format(Locale.ROOT, "e%s%02d", e < 0 ? "-" : "+", Math.abs(e))).toString();
        }
        if (point <= 0) {
            return b.append("0.").append("0".repeat(-point)).append(digits).toString();
        }
        if (point >= digits.length()) {
            return b.append(digits).append("0".repeat(point - digits.length())).append(".0").toString();
        }
        return b.append(digits, 0, point).append('.').append(digits, point, digits.length()).toString();
    }

    static String str(String value, int max) {
        return str(value.codePoints().limit(max + 1L).toArray(), max);
    }

    /** {@link #str(String, int)} of a value given by its code points: all, or at least the first {@code max + 1}. */
    static String str(int[] cps, int max) {
        boolean single = false;
        boolean dbl = false;
        for (int c : cps) {
            single |= c == '\'';
            dbl |= c == '"';
        }
        char quote = quoteFor(single, dbl);
        StringBuilder b = new StringBuilder().append(quote);
        int shown = cps.length > max ? max - 1 : cps.length; // by code point: no pair is split
        for (int i = 0; i < shown; i++) {
            int c = cps[i];
            if (!escaped(b, c, quote)) {
                if (c >= 0x7f && !isPrintable(c)) {
                    b.append(String.format(Locale.ROOT, c <= 0xff ? "\\x%02x" : c <= 0xffff ? "\\u%04x" : "\\U%08x", c));
                } else {
                    b.appendCodePoint(c);
                }
            }
        }
        return b.append(shown < cps.length ? "…" : "").append(quote).toString();
    }

    /** The repr of a bytes value given whole, or by at least its first {@code max + 1} bytes. */
    static String bytes(byte[] value, int max) {
        boolean single = false;
        boolean dbl = false;
        for (byte x : value) {
            single |= x == '\'';
            dbl |= x == '"';
        }
        char quote = quoteFor(single, dbl);
        StringBuilder b = new StringBuilder("b").append(quote);
        int shown = value.length > max ? max - 1 : value.length; // as str: max shown with the "…"
        for (int i = 0; i < shown; i++) {
            int c = value[i] & 0xFF;
            if (!escaped(b, c, quote)) {
                b.append(c >= 0x7f ? String.format(Locale.ROOT, "\\x%02x", c) : String.valueOf((char) c));
            }
        }
        return b.append(shown < value.length ? "…" : "").append(quote).toString();
    }

    private static char quoteFor(boolean hasSingle, boolean hasDouble) {
        return hasSingle && !hasDouble ? '"' : '\'';
    }

    /** Appends the escape both reprs share for {@code c}, if it has one. */
    private static boolean escaped(StringBuilder b, int c, char quote) {
        switch (c) {
            case '\t' -> b.append("\\t");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\\' -> b.append("\\\\");
            default -> {
                if (c == quote) {
                    b.append('\\').append(quote);
                } else if (c < ' ' || c == 0x7f) {
                    b.append(String.format(Locale.ROOT, "\\x%02x", c));
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code Py_UNICODE_ISPRINTABLE}: not Cc, Cf, Cs, Co, Cn, Zl, Zp, nor a space other than ' '. */
    private static boolean isPrintable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
