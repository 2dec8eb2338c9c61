package org.pymalloc4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Turns a trace's bytes into a checked {@link Trace}. It reads bytes, not a {@code Reader}'s
 * characters, so that a line that is not UTF-8 is reported by its number (a decoder would only
 * say "Input length = 1"), and so that progress can be told in bytes of the file.
 *
 * <p>Operations are ASCII: only the digits 0-9 make a number, as C's {@code strtol} reads them
 * (Java's {@code Long.parseLong} would also take other scripts' digits). Comments may hold any
 * UTF-8 text. A UTF-8 byte order mark before line 1 is skipped.
 */
final class TraceParser {
    private static final int BUFFER = 1 << 16;
    /**
     * The longest line kept, in bytes: far more than an operation or a comment needs, and a wrong
     * file of one huge line is refused at this length instead of being read whole onto the heap.
     */
    static final int MAX_LINE = 1 << 20;
    private static final String CR_ONLY = "lines that end in CR alone (classic Mac OS) are not supported;"
            + " end each line with LF or CRLF";

    private final InputStream in;
    private final String source;
    private final LongConsumer bytesRead;
    private final byte[] buffer = new byte[BUFFER];
    private int position;
    private int limit;
    private long consumed;
    private byte[] line = new byte[256];
    private int lineLength;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    private byte[] ops = new byte[1024];
    private int[] slots = new int[1024];
    private long[] sizes = new long[1024];
    /** The file's slot numbers, while they differ from the replay's; null while they are the same. */
    private int[] fileSlots;
    private final SlotNumbers numbers = new SlotNumbers();
    private int n;
    private final OpLines lines = new OpLines();

    TraceParser(InputStream in, String source, LongConsumer bytesRead) {
        this.in = in;
        this.source = source;
        this.bytesRead = bytesRead;
    }

    Trace parse() throws IOException, TraceFormatException {
        for (long lineNo = 1; readLine(lineNo); lineNo++) {
            if (carriageReturnMidLine()) {
                throw new TraceFormatException(source, lineNo, "the line holds a carriage return (CR) with more after it: "
                        + CR_ONLY);
            }
            int from = lineNo == 1 && startsWithByteOrderMark() ? 3 : 0;
            String text = text(from, lineNo);
            operation(text, lineNo);
        }
        return new Trace(source, ops, slots, fileSlots, sizes, n, numbers.count(), lines);
    }

    /** Parses one line, already text: an operation, a comment or a blank line. */
    private void operation(String text, long lineNo) throws TraceFormatException {
        int[] bounds = new int[6]; // start and end of the first 3 fields; more are only counted
        int fields = 0;
        for (int i = 0; i < text.length(); ) {
            while (i < text.length() && isSpace(text.charAt(i))) {
                i++;
            }
            if (i == text.length()) {
                break;
            }
            int start = i;
            while (i < text.length() && !isSpace(text.charAt(i))) {
                i++;
            }
            if (fields < 3) {
                bounds[2 * fields] = start;
                bounds[2 * fields + 1] = i;
            }
            fields++;
        }
        if (fields == 0 || text.charAt(bounds[0]) == '#') {
            return;
        }
        String first = text.substring(bounds[0], bounds[1]);
        byte op = first.length() == 1 ? (byte) first.charAt(0) : 0;
        if (op != Trace.MALLOC && op != Trace.REALLOC && op != Trace.FREE) {
            throw new TraceFormatException(source, lineNo, "unknown operation " + quoted(first) + " (expected m, r or f)");
        }
        int wanted = op == Trace.FREE ? 2 : 3;
        if (fields != wanted) {
            throw new TraceFormatException(source, lineNo, quoted(first) + " takes " + (wanted - 1)
                    + (wanted == 2 ? " field (SLOT)" : " fields (SLOT SIZE)") + ", found " + (fields - 1)
                    + (text.indexOf('#') >= 0 ? " (a comment takes a line of its own)" : ""));
        }
        int slot = (int) number(text.substring(bounds[2], bounds[3]), "slot", Trace.MAX_SLOT, lineNo);
        long size = wanted == 3 ? number(text.substring(bounds[4], bounds[5]), "size", Long.MAX_VALUE, lineNo) : 0;
        int number = op == Trace.MALLOC ? numbers.malloc(slot) : op == Trace.FREE ? numbers.free(slot) : numbers.of(slot);
        if (number < 0) {
            throw new TraceFormatException(source, lineNo, op == Trace.MALLOC
                    ? "malloc into slot " + slot + ", which already holds a block"
                    : (op == Trace.FREE ? "free" : "realloc") + " of slot " + slot + ", which holds no block");
        }
        if (number != slot && fileSlots == null) { // the same up to here: messages name the file's from now on
            fileSlots = Arrays.copyOf(slots, slots.length);
        }
        if (n == ops.length) {
            ops = Arrays.copyOf(ops, n * 2);
            slots = Arrays.copyOf(slots, n * 2);
            sizes = Arrays.copyOf(sizes, n * 2);
            fileSlots = fileSlots == null ? null : Arrays.copyOf(fileSlots, n * 2);
        }
        ops[n] = op;
        slots[n] = number;
        if (fileSlots != null) {
            fileSlots[n] = slot;
        }
        sizes[n] = size;
        lines.add(n, lineNo);
        n++;
    }

    /** A CR with more than white space after it: a file whose lines end in CR alone reads as one line. */
    private boolean carriageReturnMidLine() {
        int i = 0;
        while (i < lineLength && line[i] != '\r') {
            i++;
        }
        for (; i < lineLength; i++) {
            if (!isSpace((char) line[i])) {
                return true;
            }
        }
        return false;
    }

    /** ASCII white space, as C's {@code isspace} and Java's {@code \s} take it. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** A number of ASCII digits, an optional sign before them, at most {@code max}. */
    private long number(String field, String what, long max, long lineNo) throws TraceFormatException {
        int start = field.charAt(0) == '-' || field.charAt(0) == '+' ? 1 : 0;
        boolean negative = field.charAt(0) == '-';
        if (start == field.length()) {
            throw new TraceFormatException(source, lineNo, what + " " + quoted(field) + " is not an integer");
        }
        long value = 0;
        boolean tooBig = false;
        for (int i = start; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c < '0' || c > '9') {
                throw new TraceFormatException(source, lineNo, what + " " + quoted(field) + " is not an integer"
                        + (Character.isDigit(c) ? " (only the ASCII digits 0-9 count)" : ""));
            }
            tooBig |= value > (max - (c - '0')) / 10;
            value = tooBig ? value : value * 10 + (c - '0');
        }
        if (tooBig || (negative && value != 0)) {
            throw new TraceFormatException(source, lineNo, what + " " + clipped(field, "") + " is outside 0.." + max);
        }
        return value;
    }

    /** At most this many characters of a field go into a message: a wrong file can be one long line. */
    private static final int SHOWN = 40;

    /** {@code field} in quotes, cut short with its length when long. */
    private static String quoted(String field) {
        return "'" + clipped(field, "'");
    }

    /**
     * {@code field}, then {@code close}; a long one cut to {@link #SHOWN} characters and followed by its length.
     * What Python would not print of it is escaped: the field is the file's, and the message goes to a terminal.
     */
    private static String clipped(String field, String close) {
        return field.length() <= SHOWN ? visible(field) + close : String.format(java.util.Locale.ROOT,
                "%s…%s (%,d characters)", visible(field.substring(0, SHOWN - 1)), close, field.length());
    }

    /**
     * {@code text} with the characters Python's repr escapes escaped as it escapes them: those it
     * does not print (controls, format characters, separators and spaces other than ' ', private
     * use, unassigned), so that neither a terminal's escape sequence nor an invisible space reaches
     * the message.
     */
    private static String visible(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (printable(c)) {
                out.appendCodePoint(c);
            } else {
                out.append(String.format(java.util.Locale.ROOT, c < 0x100 ? "\\x%02x" : c < 0x10000 ? "\\u%04x" : "\\U%08x", c));
            }
        });
        return out.toString();
    }

    /** Python's {@code str.isprintable} of one character. */
    private static boolean printable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            case Character.SPACE_SEPARATOR -> c == ' ';
            default -> true;
        };
    }

    /** The line's bytes from {@code from} as text; ASCII, the common case, without a decoder. */
    private String text(int from, long lineNo) throws TraceFormatException {
        boolean ascii = true;
        for (int i = from; i < lineLength && ascii; i++) {
            ascii = line[i] >= 0;
        }
        if (ascii) {
            return new String(line, from, lineLength - from, StandardCharsets.ISO_8859_1);
        }
        ByteBuffer bytes = ByteBuffer.wrap(line, from, lineLength - from);
        CharBuffer chars = CharBuffer.allocate(lineLength - from);
        utf8.reset();
        CoderResult result = utf8.decode(bytes, chars, true);
        if (result.isError()) {
            throw new TraceFormatException(source, lineNo, String.format(java.util.Locale.ROOT,
                    "not UTF-8 text (byte 0x%02x at column %d)", line[bytes.position()] & 0xff, bytes.position() + 1 - from));
        }
        utf8.flush(chars);
        return chars.flip().toString();
    }

    private boolean startsWithByteOrderMark() {
        return lineLength >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF;
    }

    /**
     * Reads the next line, line {@code lineNo}, into {@link #line}, without its {@code \n} or
     * {@code \r\n}; false at the end. Refuses a line longer than {@link #MAX_LINE}.
     */
    private boolean readLine(long lineNo) throws IOException, TraceFormatException {
        lineLength = 0;
        boolean any = false;
        while (true) {
            if (position == limit && !fill()) {
                break;
            }
            any = true;
            int end = position;
            while (end < limit && buffer[end] != '\n') {
                end++;
            }
            if ((long) lineLength + end - position > MAX_LINE) {
                boolean cr = contains(line, 0, lineLength, (byte) '\r') || contains(buffer, position, end, (byte) '\r');
                throw new TraceFormatException(source, lineNo, String.format(java.util.Locale.ROOT,
                        "the line is longer than %,d bytes, which no operation or comment of a trace is", MAX_LINE)
                        + (cr ? "; it holds carriage returns (CR): " + CR_ONLY : ""));
            }
            append(position, end);
            boolean newline = end < limit;
            position = newline ? end + 1 : end;
            if (newline) {
                break;
            }
        }
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
        return any;
    }

    private static boolean contains(byte[] bytes, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return true;
            }
        }
        return false;
    }

    private void append(int from, int to) {
        int count = to - from;
        if (lineLength + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + count));
        }
        System.arraycopy(buffer, from, line, lineLength, count);
        lineLength += count;
    }

    private boolean fill() throws IOException {
        int read = in.read(buffer);
        if (read <= 0) {
            return false;
        }
        position = 0;
        limit = read;
        consumed += read;
        bytesRead.accept(consumed);
        return true;
    }
}
