package org.pymalloc4j.objects;

import java.util.Locale;

/**
 * Python's {@code repr} of a str or bytes value ({@code unicode_repr}, {@code bytes_repr}) for
 * the layout tables, cut after {@code max} characters or bytes with "…": the quote Python picks
 * ({@code "} when the value holds {@code '} and no {@code "}), {@code \t \n \r}, and every other
 * unprintable character escaped, so a control character read from memory never reaches the
 * terminal raw.
 */
final class PyRepr {
    private PyRepr() {
    }

    static String str(String value, int max) {
        char quote = quoteFor(value.indexOf('\'') >= 0, value.indexOf('"') >= 0);
        StringBuilder b = new StringBuilder().append(quote);
        int[] cps = value.codePoints().limit(max + 1L).toArray();
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

    static String bytes(byte[] value, int max) {
        boolean single = false;
        boolean dbl = false;
        for (byte x : value) {
            single |= x == '\'';
            dbl |= x == '"';
        }
        char quote = quoteFor(single, dbl);
        StringBuilder b = new StringBuilder("b").append(quote);
        for (int i = 0; i < Math.min(value.length, max); i++) {
            int c = value[i] & 0xFF;
            if (!escaped(b, c, quote)) {
                b.append(c >= 0x7f ? String.format(Locale.ROOT, "\\x%02x", c) : String.valueOf((char) c));
            }
        }
        return b.append(value.length > max ? "…" : "").append(quote).toString();
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
