package org.pymalloc4j.objects;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout tables show a float as Python's {@code repr} does: checked against 923 values
 * recorded from CPython 3.11 ({@code objects/scripts/record_float_repr.py}): where repr turns to
 * an exponent, zeros of both signs, infinities, NaN, the extremes, and seeded random doubles.
 */
class PyReprTest {

    @Test
    void floatsReadAsCpythonsRepr() throws IOException {
        List<String> lines;
        try (InputStream in = PyReprTest.class.getResourceAsStream("/float-repr-3.11.txt")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).toList();
        }
        assertTrue(lines.size() > 900, "the recorded values: " + lines.size());
        for (String line : lines) {
            String[] parts = line.split(" ", 2);
            double x = Double.longBitsToDouble(HexFormat.fromHexDigitsToLong(parts[0]));
            assertEquals(parts[1], PyRepr.ofFloat(x), "repr of the double 0x" + parts[0]);
        }
    }

    /**
     * Printability is the JDK's Unicode (16.0), not 3.11's (14.0): the class comment says which
     * way they part. repr() in CPython 3.11.7: {@code '\U00031350'} (unassigned in 14.0), and
     * {@code 'a\\u0378b'}, {@code '\xad'}, {@code '𝖸'} as the JDK agrees.
     */
    @Test
    void charactersNewerThanUnicode14AreShownAsThemselves() {
        assertEquals("'\uD884\uDF50'", PyRepr.str("\uD884\uDF50", 48), "U+31350, assigned in Unicode 15.0");
        assertEquals("'a\\u0378b'", PyRepr.str("a\u0378b", 48), "unassigned in both");
        assertEquals("'\\xad'", PyRepr.str("\u00ad", 48));
        assertEquals("'\uD835\uDDB8'", PyRepr.str("\uD835\uDDB8", 48), "U+1D5B8, printable in both");
    }

    @Test
    void theLayoutsEdgesByHand() {
        assertEquals("1e+16", PyRepr.ofFloat(1e16), "17 digits before the point: an exponent");
        assertEquals("1000000000000000.0", PyRepr.ofFloat(1e15));
        assertEquals("0.0001", PyRepr.ofFloat(1e-4));
        assertEquals("1e-05", PyRepr.ofFloat(1e-5), "two exponent digits at least");
        assertEquals("-0.0", PyRepr.ofFloat(-0.0));
        assertEquals("nan", PyRepr.ofFloat(Double.NaN));
        assertEquals("-inf", PyRepr.ofFloat(Double.NEGATIVE_INFINITY));
    }

    /** A long str and a long bytes are cut alike: max - 1 characters or bytes, then "…". */
    @Test
    void longValuesAreCutToTheSameWidth() {
        assertEquals("'abcd…'", PyRepr.str("abcdefgh", 5));
        assertEquals("b'abcd…'", PyRepr.bytes("abcdefgh".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 5));
        assertEquals("'abcde'", PyRepr.str("abcde", 5), "not longer than max: whole");
        assertEquals("b'abcde'", PyRepr.bytes("abcde".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 5));
    }
}
