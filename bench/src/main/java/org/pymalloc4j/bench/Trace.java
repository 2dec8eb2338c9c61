package org.pymalloc4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
 * SLOT is an integer 0..{@value #MAX_SLOT}; SIZE an integer 0..2^63-1. Parsing simulates the
 * slots, so a trace that parses replays without a slot error.
 */
public final class Trace {
    /** Largest slot number accepted. */
    public static final int MAX_SLOT = (1 << 26) - 1;
    public static final byte MALLOC = 'm';
    public static final byte REALLOC = 'r';
    public static final byte FREE = 'f';

    private final byte[] ops;
    private final int[] slots;
    private final long[] sizes;
    private final int length;
    private final int slotCount;

    private Trace(byte[] ops, int[] slots, long[] sizes, int length, int slotCount) {
        this.ops = ops;
        this.slots = slots;
        this.sizes = sizes;
        this.length = length;
        this.slotCount = slotCount;
    }

    /**
     * Reads a trace file.
     *
     * @throws TraceFormatException naming the line of a malformed operation, a malloc into an
     *                              occupied slot or an operation on an empty slot
     * @throws IOException          if the file cannot be read
     */
    public static Trace read(Path file) throws IOException, TraceFormatException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(in, file.toString());
        }
    }

    /**
     * Reads a trace that is a class-path resource of this module, such as the traces the build
     * copies from the fidelity suite into {@code /traces/}.
     *
     * @throws IllegalStateException if the resource is missing or is not a well-formed trace
     */
    public static Trace resource(String name) {
        try (java.io.InputStream in = Trace.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the class path");
            }
            return parse(new java.io.InputStreamReader(in, StandardCharsets.UTF_8), name);
        } catch (IOException | TraceFormatException e) {
            throw new IllegalStateException("cannot read the trace " + name, e);
        }
    }

    /**
     * Parses a trace; {@code source} names it in error messages.
     *
     * @throws TraceFormatException naming the line of the first bad operation
     * @throws IOException          if reading fails
     */
    public static Trace parse(Reader reader, String source) throws IOException, TraceFormatException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        byte[] ops = new byte[1024];
        int[] slots = new int[1024];
        long[] sizes = new long[1024];
        boolean[] live = new boolean[64];
        int n = 0;
        int slotCount = 0;
        long lineNo = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNo++;
            String text = line.strip();
            if (text.isEmpty() || text.charAt(0) == '#') {
                continue;
            }
            String[] f = text.split("\\s+");
            byte op = f[0].length() == 1 ? (byte) f[0].charAt(0) : 0;
            int fields = op == FREE ? 2 : 3;
            if (op != MALLOC && op != REALLOC && op != FREE) {
                throw new TraceFormatException(source, lineNo, "unknown operation '" + f[0] + "' (expected m, r or f)");
            }
            if (f.length != fields) {
                throw new TraceFormatException(source, lineNo, "'" + f[0] + "' takes " + (fields - 1)
                        + (fields == 2 ? " field (SLOT)" : " fields (SLOT SIZE)") + ", found " + (f.length - 1));
            }
            int slot = (int) number(f[1], "slot", MAX_SLOT, source, lineNo);
            long size = fields == 3 ? number(f[2], "size", Long.MAX_VALUE, source, lineNo) : 0;
            if (slot >= live.length) {
                live = Arrays.copyOf(live, Math.max(slot + 1, live.length * 2));
            }
            if (op == MALLOC && live[slot]) {
                throw new TraceFormatException(source, lineNo, "malloc into slot " + slot + ", which already holds a block");
            }
            if (op != MALLOC && !live[slot]) {
                throw new TraceFormatException(source, lineNo, (op == FREE ? "free" : "realloc") + " of slot " + slot
                        + ", which holds no block");
            }
            live[slot] = op != FREE;
            slotCount = Math.max(slotCount, slot + 1);
            if (n == ops.length) {
                ops = Arrays.copyOf(ops, n * 2);
                slots = Arrays.copyOf(slots, n * 2);
                sizes = Arrays.copyOf(sizes, n * 2);
            }
            ops[n] = op;
            slots[n] = slot;
            sizes[n] = size;
            n++;
        }
        return new Trace(ops, slots, sizes, n, slotCount);
    }

    private static long number(String field, String what, long max, String source, long lineNo)
            throws TraceFormatException {
        long value;
        try {
            value = Long.parseLong(field);
        } catch (NumberFormatException e) {
            throw new TraceFormatException(source, lineNo, what + " '" + field + "' is not an integer");
        }
        if (value < 0 || value > max) {
            throw new TraceFormatException(source, lineNo, what + " " + value + " is outside 0.." + max);
        }
        return value;
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
     * ({@link #MALLOC}, {@link #REALLOC}, {@link #FREE}), {@code slots} an {@code int} each,
     * {@code sizes} a {@code long} each (0 for a free), {@link #length()} of each.
     */
    public void copyTo(java.lang.foreign.MemorySegment ops, java.lang.foreign.MemorySegment slots,
                       java.lang.foreign.MemorySegment sizes) {
        java.lang.foreign.MemorySegment.copy(this.ops, 0, ops, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, length);
        java.lang.foreign.MemorySegment.copy(this.slots, 0, slots, java.lang.foreign.ValueLayout.JAVA_INT, 0, length);
        java.lang.foreign.MemorySegment.copy(this.sizes, 0, sizes, java.lang.foreign.ValueLayout.JAVA_LONG, 0, length);
    }

    /** One more than the largest slot used. */
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
    }

    /** Replays the whole trace, reporting progress every {@code step} operations. */
    public long[] replay(BlockAllocator heap, int step, LongConsumer progress) {
        long[] table = newSlotTable();
        for (int i = 0; i < length; i += step) {
            int to = Math.min(length, i + step);
            replay(heap, table, i, to);
            progress.accept(to);
        }
        return table;
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
