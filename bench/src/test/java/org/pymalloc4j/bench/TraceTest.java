package org.pymalloc4j.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.pymalloc4j.allocator.PyMalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Trace}'s reader: what it accepts, the line it names when it refuses, and what it writes for C. */
class TraceTest {
    private static Trace parse(byte[] bytes) throws IOException, TraceFormatException {
        return Trace.parse(new ByteArrayInputStream(bytes), "t.trace", done -> { });
    }

    private static Trace parse(String text) throws IOException, TraceFormatException {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(byte[] bytes) {
        return assertThrows(TraceFormatException.class, () -> parse(bytes)).getMessage();
    }

    private static String written(Trace trace) throws IOException {
        StringWriter w = new StringWriter();
        trace.writeTo(w);
        return w.toString();
    }

    /**
     * A line of a gigabyte (a wrong file, or a binary one) is refused by its number once it is
     * longer than a trace's lines can be, not read whole into the Java heap first: with a heap of
     * a few hundred MB that ended in an OutOfMemoryError.
     */
    @Test
    void aHugeLineIsRefusedWithoutReadingItWhole() {
        long lineBytes = 1L << 30;
        long[] read = {0};
        InputStream oneGigabyteLine = new InputStream() {
            private final byte[] head = "m 0 16\n".getBytes(StandardCharsets.US_ASCII);

            @Override
            public int read() {
                throw new UnsupportedOperationException("the parser reads blocks");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (read[0] > 64L << 20) {
                    throw new AssertionError("read " + read[0] + " bytes of one line: it is being kept whole");
                }
                int n = (int) Math.min(len, head.length + lineBytes - read[0]);
                for (int i = 0; i < n; i++) {
                    long at = read[0] + i;
                    b[off + i] = at < head.length ? head[(int) at] : (byte) 'x';
                }
                read[0] += n;
                return n == 0 ? -1 : n;
            }
        };
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> Trace.parse(oneGigabyteLine, "t.trace", done -> { }));
        assertEquals("t.trace:2: the line is longer than 1,048,576 bytes, which no operation or comment of a trace is",
                e.getMessage());
        assertEquals(2, e.line());
    }

    @Test
    void aLineThatIsNotUtf8IsNamedByItsNumber() {
        byte[] bytes = {'m', ' ', '0', ' ', '1', '6', '\n', (byte) 0xff, (byte) 0xfe, '\n'};
        assertEquals("t.trace:2: not UTF-8 text (byte 0xff at column 1)", refusal(bytes));
        byte[] inComment = "# caf\u00e9 \u00ff\nm 0 16\n# x".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("t.trace:1: not UTF-8 text (byte 0xe9 at column 6)", refusal(inComment));
    }

    @Test
    void aByteOrderMarkOnLineOneAndWindowsLineEndsAreText() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "m 0 16\r\n# caf\u00e9\r\nf 0\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, bytes, 0, 3);
        System.arraycopy(body, 0, bytes, 3, body.length);
        Trace t = parse(bytes);
        assertEquals(2, t.length());
        assertEquals("m 0 16\nf 0\n", written(t));
        assertTrue(refusal("m 0 16\n\uFEFFf 0\n".getBytes(StandardCharsets.UTF_8)).startsWith("t.trace:2: unknown operation"),
                "a mark is skipped on line 1 only");
    }

    /**
     * A slot's number only names a block: a sparse trace ("m 67108863 16", a number the format
     * allows) wanted a replay table of one address per slot up to the largest, 512 MiB for one
     * line, and the parser an array of 64 MiB of its own. Slots are numbered densely as they are
     * read, the last freed taken first as record numbers them, so the table holds the most blocks
     * live at once, a trace so numbered keeps its numbers, and a message still gives the file's.
     */
    @Test
    void aSparseTracesTableHoldsItsMostLiveBlocks() throws Exception {
        Trace sparse = parse("m 67108863 16\nm 40000000 32\nf 67108863\nm 9 8\nr 40000000 64\nf 9\nf 40000000\n");
        assertEquals(2, sparse.slotCount());
        assertEquals(2, sparse.newSlotTable().length);
        assertEquals("m 0 16\nm 1 32\nf 0\nm 0 8\nr 1 64\nf 0\nf 1\n", written(sparse), "numbered as the replay numbers them");
        try (PyMalloc heap = PyMalloc.create()) {
            long[] table = sparse.replay(heap, 1000, done -> { });
            assertEquals(2, table.length);
            assertEquals(0, heap.stats().smallBlocksInUse());
        }
        String dense = "m 0 16\nm 1 32\nf 0\nm 0 8\nm 2 8\nf 1\nm 1 1\nr 2 5\n";
        assertEquals(dense, written(parse(dense)), "record's numbering is kept");
        Trace failing = parse("m 7 16\nm 900 9223372036854775807\n");
        try (PyMalloc heap = PyMalloc.create()) {
            TraceReplayException e = assertThrows(TraceReplayException.class, () -> failing.replay(heap, 1000, done -> { }));
            assertTrue(e.getMessage().startsWith("t.trace:2: cannot allocate 9223372036854775807 bytes (malloc into slot 900)"),
                    "the file's number: " + e.getMessage());
        }
        assertEquals("t.trace:3: free of slot 67108863, which holds no block",
                refusal("m 67108863 1\nf 67108863\nf 67108863\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("t.trace:2: malloc into slot 5, which already holds a block",
                refusal("m 5 1\nm 5 1\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void numbersAreAsciiDigitsAsCReadsThem() throws Exception {
        assertTrue(refusal("m 0 \u0661\u0666\n".getBytes(StandardCharsets.UTF_8))
                .equals("t.trace:1: size '\u0661\u0666' is not an integer (only the ASCII digits 0-9 count)"));
        assertEquals("t.trace:1: slot '\uff10' is not an integer (only the ASCII digits 0-9 count)",
                refusal("f \uff10\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("t.trace:1: size 9223372036854775808 is outside 0..9223372036854775807",
                refusal("m 0 9223372036854775808\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("t.trace:1: slot 67108864 is outside 0..67108863", refusal("m 67108864 1\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("t.trace:1: size '-' is not an integer", refusal("m 0 -\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("m 0 9223372036854775807\n", written(parse("m 0 9223372036854775807\n")));
        assertEquals("m 0 16\nr 0 0\n", written(parse("m +5 +16\nr 5 -0\n")), "a sign, as strtol reads it (the help says so)");
        assertEquals("t.trace:1: size -1 is outside 0..9223372036854775807", refusal("m 0 -1\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("t.trace:1: 'm' takes 2 fields (SLOT SIZE), found 4 (a comment takes a line of its own)",
                refusal("m 0 16 # why\n".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * A field a message quotes is the file's, not the user's: its control and format characters
     * (a terminal's escape sequences, a NUL, a right-to-left override) are shown escaped, as
     * Python's repr shows them, never sent to the terminal the message is printed on.
     */
    @Test
    void controlCharactersOfAFieldAreShownEscaped() {
        assertEquals("t.trace:1: size '5\\x1b]0;owned\\x07\\x1b[2J' is not an integer",
                refusal("m 0 5\u001b]0;owned\u0007\u001b[2J\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("t.trace:1: unknown operation '\\x00m' (expected m, r or f)",
                refusal("\u0000m 0 5\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("t.trace:1: slot '\\u202e1' is not an integer", refusal("f \u202e1\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("t.trace:1: unknown operation '\\x9b2J' (expected m, r or f)",
                refusal("\u009b2J 0 5\n".getBytes(StandardCharsets.UTF_8)));
        String longEscape = "\u001b".repeat(100);
        assertEquals("t.trace:1: unknown operation '" + "\\x1b".repeat(39) + "…' (100 characters) (expected m, r or f)",
                refusal(longEscape.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Only ASCII white space parts fields: a no-break or ideographic space, or a line separator, is
     * part of its field, and shown as it is it made "unknown operation 'm 0'" of a line the reader
     * sees as "m 0 16". Escaped as Python's repr escapes every character it does not print.
     */
    @Test
    void spacesThatAreNotAsciiAreShownEscaped() {
        assertEquals("t.trace:1: unknown operation 'm\\xa00' (expected m, r or f)",
                refusal("m\u00a00 16\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("t.trace:1: slot '\\u30007' is not an integer", refusal("f \u30007\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("t.trace:1: size '16\\u2028' is not an integer", refusal("m 0 16\u2028\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("t.trace:1: size '1\\U000f0000\uD83D\uDE00' is not an integer", // private use escaped, an emoji shown
                refusal("m 0 1\uDB80\uDC00\uD83D\uDE00\n".getBytes(StandardCharsets.UTF_8)));
    }

    /** CPython's harness reads 255 bytes a line: a longer comment's tail would be an operation there. */
    @Test
    void whatIsWrittenForCIsTheOperationsOnlyOneALine() throws Exception {
        String comment = "# " + "x".repeat(300) + " m 7 100\n";
        Trace t = parse(comment + "m 0 16\n\n   r   0\t600  \n" + comment + "f 0\n");
        assertEquals("m 0 16\nr 0 600\nf 0\n", written(t));
        assertEquals(written(t), written(parse(written(t))), "what is written reads back the same");
    }

    @Test
    void readingTellsHowManyBytesAreRead() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append("m ").append(i).append(" 16\n");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
        List<Long> seen = new ArrayList<>();
        Trace.parse(new ByteArrayInputStream(bytes), "t.trace", seen::add);
        assertTrue(seen.size() > 1, "more than once for " + bytes.length + " bytes: " + seen);
        assertEquals(bytes.length, seen.getLast());
    }

    /** A size no heap can give is a well-formed line; the replay names it, past comments and blank lines. */
    @Test
    void anOperationTheHeapCannotDoIsNamedByItsLineAtReplay() throws Exception {
        Trace t = parse("# a comment\nm 0 16\n\n# another\nm 1 32\nr 0 9223372036854775807\nf 1\n");
        try (PyMalloc heap = PyMalloc.create()) {
            TraceReplayException e = assertThrows(TraceReplayException.class, () -> t.replay(heap, 1, done -> { }));
            assertEquals(6, e.line());
            assertTrue(e.getMessage().startsWith("t.trace:6: cannot allocate 9223372036854775807 bytes (realloc of slot 0): "),
                    e.getMessage());
            assertTrue(e.getCause() instanceof OutOfMemoryError, "the allocator's error is the cause");
        }
    }

    @Test
    void theLinesOfOperationsSurviveRunsOfCommentsAnywhere() {
        OpLines lines = new OpLines();
        long[] lineOf = {1, 2, 5, 6, 7, 20, 22};
        for (int op = 0; op < lineOf.length; op++) {
            lines.add(op, lineOf[op]);
        }
        for (int op = 0; op < lineOf.length; op++) {
            assertEquals(lineOf[op], lines.lineOf(op), "operation " + op);
        }
    }

    /** parse: "@throws TraceFormatException naming the line of ... a malloc into an occupied slot or an operation on an empty slot". */
    @Test
    void aSlotInTheWrongStateIsNamedByItsLine() {
        assertEquals("t.trace:3: malloc into slot 0, which already holds a block",
                refusal("m 0 16\n# a comment\nm 0 32\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("t.trace:3: free of slot 0, which holds no block", refusal("m 0 16\nf 0\nf 0\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("t.trace:1: realloc of slot 4, which holds no block", refusal("r 4 16\n".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * read(Path) and read(Path, LongConsumer): "@throws TraceFormatException naming the line",
     * the file named too; "@throws IOException if the file cannot be read".
     */
    @Test
    void readNamesTheFileAndTheLineAndRefusesAMissingFile(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.trace"), "m 0 16\nm 0 16\n");
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> Trace.read(bad));
        assertEquals(bad + ":2: malloc into slot 0, which already holds a block", e.getMessage());
        assertEquals(2, e.line());
        e = assertThrows(TraceFormatException.class, () -> Trace.read(bad, bytes -> { }));
        assertEquals(bad + ":2: malloc into slot 0, which already holds a block", e.getMessage());
        Path missing = dir.resolve("missing.trace");
        for (Executable read : List.<Executable>of(() -> Trace.read(missing), () -> Trace.read(missing, bytes -> { }))) {
            NoSuchFileException gone = assertThrows(NoSuchFileException.class, read);
            assertEquals(missing.toString(), gone.getMessage());
        }
    }

    /** resource: "@throws IllegalStateException if the resource is missing or is not a well-formed trace". */
    @Test
    void aMissingOrMalformedResourceIsRefusedByName() {
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> Trace.resource("/traces/no-such.trace"));
        assertEquals("resource /traces/no-such.trace is missing from the class path", missing.getMessage());
        IllegalStateException bad = assertThrows(IllegalStateException.class, () -> Trace.resource("/malformed.trace"));
        assertEquals("cannot read the trace /malformed.trace", bad.getMessage());
        assertEquals("/malformed.trace:2: unknown operation 'x' (expected m, r or f)", bad.getCause().getMessage());
    }

    /** replay(heap, slotTable, from, to): "@throws OutOfMemoryError if the heap runs out of memory"; the heap stays usable. */
    @Test
    void aRangeReplayPassesTheHeapsOutOfMemoryErrorOn() throws Exception {
        Trace t = parse("m 0 16\nm 1 9223372036854775807\nf 0\n");
        try (PyMalloc heap = PyMalloc.create()) {
            long[] slots = t.newSlotTable();
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> t.replay(heap, slots, 0, 3));
            assertTrue(e.getMessage().contains("9223372036854775807"), e.getMessage());
            assertTrue(heap.isLive(slots[0]), "the block allocated before it stays in the heap");
            assertEquals(0, slots[1]);
            t.replay(heap, slots, 2, 3);
            assertEquals(0, slots[0]);
            assertEquals(0, heap.stats().smallBlocksInUse());
            heap.checkInvariants();
        }
    }

    /**
     * parse: "@throws IOException if reading fails"; writeTo: "@throws IOException if writing
     * fails": the stream's or the writer's own exception, passed on.
     */
    @Test
    void theStreamsIOExceptionsPassOn() throws Exception {
        IOException refused = new IOException("no room left");
        InputStream failingIn = new InputStream() {
            @Override
            public int read() throws IOException {
                throw refused;
            }
        };
        assertSame(refused, assertThrows(IOException.class, () -> Trace.parse(failingIn, "t.trace", bytes -> { })));
        Writer failingOut = new Writer() {
            @Override
            public void write(char[] buffer, int offset, int length) throws IOException {
                throw refused;
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Trace t = parse("m 0 16\nf 0\n");
        assertSame(refused, assertThrows(IOException.class, () -> t.writeTo(failingOut)));
    }

    /**
     * A file whose lines end in CR alone (classic Mac OS) is one line: it was refused as
     * "'m' takes 2 fields (SLOT SIZE), found 4", or, when it began with a comment, read as that
     * comment, a trace of no operations. The CR is named instead; CRLF and a line's last CR stay.
     */
    @Test
    void linesEndingInCarriageReturnsAloneAreRefusedAsSuch() throws Exception {
        String expected = "t.trace:1: the line holds a carriage return (CR) with more after it: lines that end in CR alone"
                + " (classic Mac OS) are not supported; end each line with LF or CRLF";
        assertEquals(expected, refusal("m 0 16\rf 0\r".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(expected, refusal("# recorded\rm 0 16\rf 0\r".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(2, parse("m 0 16\r\r\nf 0 \r\n").length(), "CRs that end a line are white space");
        byte[] big = ("m 0 16\rf 0\r".repeat(TraceParser.MAX_LINE / 10)).getBytes(StandardCharsets.US_ASCII);
        assertTrue(refusal(big).startsWith("t.trace:1: the line is longer than 1,048,576 bytes, which no operation or"
                + " comment of a trace is; it holds carriage returns (CR): lines that end in CR alone"), refusal(big));
    }
}
