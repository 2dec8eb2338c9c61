package org.pymalloc4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

import org.pymalloc4j.allocator.BlockAllocator;

/**
 * An allocation trace, parsed and validated, ready to replay on a heap.
 *
 * <pre>
 *  m SLOT SIZE     malloc SIZE bytes into SLOT (which must be empty)
 *  r SLOT SIZE     realloc the block in SLOT to SIZE bytes (SLOT must hold a block)
 *  f SLOT          free the block in SLOT (which must hold a block)
 *  # comment       blank lines and lines starting with '#' are skipped
 * </pre>
 * SLOT is an integer 0..{@value #MAX_SLOT}; SIZE an integer 0..2^63-1, both in the ASCII digits,
 * a sign allowed before them as C's {@code strtol} reads it ({@code +5}, {@code -0}).
 * Lines end in LF or CRLF; a CR with more than white space after it on its line (a file whose
 * lines end in CR alone) is refused. A line may be at most 1 MiB long (a longer one is refused
 * with its number, unread).
 * Parsing simulates the slots, so a trace that parses replays without a slot error; a size the
 * heap cannot give fails at replay ({@link TraceReplayException}, with the line). A slot's
 * number only names its block: the slots are numbered densely as they are read (the last freed
 * taken first, as {@code record} numbers them), so the replay's table holds the most blocks live
 * at once however sparse the file's numbers are; messages give the file's.
 */
public final class Trace {
    /** Largest slot number accepted. */
    public static final int MAX_SLOT = (1 << 26) - 1;
    public static final byte MALLOC = 'm';
    public static final byte REALLOC = 'r';
    public static final byte FREE = 'f';

    private final String source;
    private final byte[] ops;
    /** The replay's slot numbers, dense; {@code fileSlots} the file's where they differ (else null). */
    private final int[] slots;
    private final int[] fileSlots;
    private final long[] sizes;
    private final int length;
    private final int slotCount;
    private final OpLines lines;

    Trace(String source, byte[] ops, int[] slots, int[] fileSlots, long[] sizes, int length, int slotCount, OpLines lines) {
        this.source = source;
        this.ops = ops;
        this.slots = slots;
        this.fileSlots = fileSlots;
        this.sizes = sizes;
        this.length = length;
        this.slotCount = slotCount;
        this.lines = lines;
    }

    /**
     * Reads a trace file.
     *
     * @throws TraceFormatException naming the line of a malformed operation, a malloc into an
     *                              occupied slot or an operation on an empty slot
     * @throws IOException          if the file cannot be read
     */
    public static Trace read(Path file) throws IOException, TraceFormatException {
        return read(file, bytes -> { });
    }

    /**
     * Reads a trace file, telling {@code bytesRead} how many of its bytes are read so far as it goes
     * (a big file takes seconds).
     *
     * @throws TraceFormatException naming the line of a malformed operation, a malloc into an
     *                              occupied slot or an operation on an empty slot
     * @throws IOException          if the file cannot be read
     */
    public static Trace read(Path file, LongConsumer bytesRead) throws IOException, TraceFormatException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString(), bytesRead);
        }
    }

    /**
     * Reads a trace that is a class-path resource of this module, such as the traces the build
     * copies from the fidelity suite into {@code /traces/}.
     *
     * @throws IllegalStateException if the resource is missing or is not a well-formed trace
     */
    public static Trace resource(String name) {
        try (InputStream in = Trace.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the class path");
            }
            return parse(in, name, bytes -> { });
        } catch (IOException | TraceFormatException e) {
            throw new IllegalStateException("cannot read the trace " + name, e);
        }
    }

    /**
     * Parses a trace from its bytes, UTF-8 text; {@code source} names it in error messages, and
     * {@code bytesRead} hears how many bytes are read so far.
     *
     * @throws TraceFormatException naming the line of the first bad operation, or of a line that
     *                              is not UTF-8
     * @throws IOException          if reading fails
     */
    public static Trace parse(InputStream in, String source, LongConsumer bytesRead)
            throws IOException, TraceFormatException {
        return new TraceParser(in, source, bytesRead).parse();
    }

    /** Number of operations. */
    public int length() {
        return length;
    }

    /** How many operations of one kind ({@link #MALLOC}, {@link #REALLOC} or {@link #FREE}) the trace has. */
    public long count(byte op) {
        long n = 0;
        for (int i = 0; i < length; i++) {
            if (ops[i] == op) {
                n++;
            }
        }
        return n;
    }

    /**
     * Copies the operations into native arrays, for a replayer in C: {@code ops} one byte each
     * ({@link #MALLOC}, {@link #REALLOC}, {@link #FREE}), {@code slots} an {@code int} each (numbered
     * as for the replay, below {@link #slotCount()}),
     * {@code sizes} a {@code long} each (0 for a free), {@link #length()} of each.
     */
    public void copyTo(java.lang.foreign.MemorySegment ops, java.lang.foreign.MemorySegment slots,
                       java.lang.foreign.MemorySegment sizes) {
        java.lang.foreign.MemorySegment.copy(this.ops, 0, ops, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, length);
        java.lang.foreign.MemorySegment.copy(this.slots, 0, slots, java.lang.foreign.ValueLayout.JAVA_INT, 0, length);
        java.lang.foreign.MemorySegment.copy(this.sizes, 0, sizes, java.lang.foreign.ValueLayout.JAVA_LONG, 0, length);
    }

    /** One more than the largest slot used, as numbered for the replay: the most blocks live at once. */
    public int slotCount() {
        return slotCount;
    }

    /** A table to replay into: one address per slot, all 0. */
    public long[] newSlotTable() {
        return new long[slotCount];
    }

    /**
     * Replays operations {@code [from, to)} on {@code heap}, keeping addresses in {@code slotTable}.
     *
     * @throws OutOfMemoryError if the heap runs out of memory
     */
    public void replay(BlockAllocator heap, long[] slotTable, int from, int to) {
        for (int i = from; i < to; i++) {
            apply(heap, slotTable, i);
        }
    }

    private void apply(BlockAllocator heap, long[] slotTable, int i) {
        int slot = slots[i];
        switch (ops[i]) {
            case MALLOC -> slotTable[slot] = heap.malloc(sizes[i]);
            case REALLOC -> slotTable[slot] = heap.realloc(slotTable[slot], sizes[i]);
            default -> {
                heap.free(slotTable[slot]);
                slotTable[slot] = 0;
            }
        }
    }

    /**
     * Replays the whole trace, reporting progress every {@code step} operations.
     *
     * @throws TraceReplayException naming the line of an operation the heap could not carry out
     *                              (its {@link OutOfMemoryError} is the cause; the blocks
     *                              allocated before it stay in the heap), or of the most blocks
     *                              live when the Java heap has no room for the table of slots
     */
    public long[] replay(BlockAllocator heap, int step, LongConsumer progress) throws TraceReplayException {
        long[] table;
        try {
            table = newSlotTable();
        } catch (OutOfMemoryError e) { // a trace of millions of blocks live at once, in a small Java heap
            int op = 0;
            while (slots[op] != slotCount - 1) { // where the most live blocks are first reached
                op++;
            }
            throw new TraceReplayException(source, lines.lineOf(op), String.format(java.util.Locale.ROOT,
                    "%,d blocks are live here, the trace's most: the replay's table of their addresses needs %,d MiB"
                            + " of Java heap, more than the heap has room for", (long) slotCount,
                    ((long) slotCount * Long.BYTES) >> 20), e);
        }
        int i = 0;
        try {
            while (i < length) {
                int to = Math.min(length, i + step);
                for (; i < to; i++) {
                    apply(heap, table, i);
                }
                progress.accept(to);
            }
        } catch (OutOfMemoryError e) {
            if (i >= length) { // not an operation's: the progress callback's
                throw e;
            }
            String call = ops[i] == MALLOC ? "malloc into slot " : "realloc of slot ";
            throw new TraceReplayException(source, lines.lineOf(i), "cannot allocate " + sizes[i] + " bytes ("
                    + call + (fileSlots == null ? slots[i] : fileSlots[i]) + "): " + e.getMessage(), e);
        }
        return table;
    }

    /**
     * Writes the operations, one a line and nothing else, their slots numbered as for the replay:
     * the trace as every reader parses it alike, for a replayer that reads less carefully than
     * {@link #parse} (CPython's harness), whose table of slots is then as small as this one's.
     *
     * @throws IOException if writing fails
     */
    public void writeTo(Writer out) throws IOException {
        for (int i = 0; i < length; i++) {
            out.write((char) ops[i]);
            out.write(' ');
            out.write(Integer.toString(slots[i]));
            if (ops[i] != FREE) {
                out.write(' ');
                out.write(Long.toString(sizes[i]));
            }
            out.write('\n');
        }
        out.flush();
    }

    /**
     * Replays the whole trace into {@code slotTable} and frees what it left live: one round of a
     * timed replay, ready to run again.
     */
    public void replayAndFreeAll(BlockAllocator heap, long[] slotTable) {
        replay(heap, slotTable, 0, length);
        freeAll(heap, slotTable);
    }

    /** Frees every block still held in {@code slotTable}. */
    public static void freeAll(BlockAllocator heap, long[] slotTable) {
        for (int i = 0; i < slotTable.length; i++) {
            if (slotTable[i] != 0) {
                heap.free(slotTable[i]);
                slotTable[i] = 0;
            }
        }
    }
}
