package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.RawAllocator;

import static org.pymalloc4j.allocator.internal.NativeMemory.getByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.putByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.putInt;

/**
 * Checked mode's answer to "is a live block starting here, and whose?": one byte per 16-byte
 * granule of the address space, in one shadow map shared by every checked heap of the process,
 * set to the heap's mark by malloc and to 0 by free. {@code free} tests its block's byte instead
 * of reading the block, so refusing a double free or an interior pointer costs no load of a
 * cold block, and no free-list walk.
 *
 * <pre>
 *  granule g = address &gt;&gt;&gt; 4        its byte: SHADOW + g, for address &lt; COVERED (2^47 on x86-64)
 *
 *  byte(address) == m, 1 &lt;= m &lt;= 127  iff  address is the start of a pool block that a heap
 *                                       whose mark is m handed out and has not freed
 *  marks 1..126 are each held by at most one open checked heap ({@link #takeMark});
 *  SHARED (127) by any number, whose blocks the owner map ({@link ArenaOwners}) tells apart
 *  bytes 128..255 belong to raw blocks' records (below), never to a pool block
 * </pre>
 * Every heap, checked or not, records its raw blocks here too ({@link RawRecords}), in the map
 * bytes of the block's first five granules (a block under {@link #RECORD_BYTES} is given that
 * many bytes):
 * <pre>
 *  granule      p            p+16         p+32         p+48         p+64
 *  its byte   0x80 | m     0x80 | i0    0x80 | i1    0x80 | i2    0x80 | i3
 *
 *  i = i0 + (i1 &lt;&lt; 7) + (i2 &lt;&lt; 14) + (i3 &lt;&lt; 21): the block's index in its heap's records
 * </pre>
 * Every byte of a record has its top bit set, so a pool free given an address inside a raw
 * block finds no pool mark there, and a record is believed only once the heap's records hold
 * its address at its index: heaps share raw marks (an unchecked heap's is 0x80, the shared
 * mark's 0xff), and another heap's index byte may equal one.
 * Why one map at a fixed place, as AddressSanitizer's shadow memory: a block's byte is one shift
 * from its address, with no lookup of its arena. Why a mark per heap: a heap holding one of its
 * own knows from the byte alone that a block is its own and live, so its {@code free} asks no
 * owner map. Heaps used from different threads never write one byte.
 *
 * <p>Why a byte and not a bit: setting and clearing a mark are plain stores. With a bit, malloc
 * and free each read, changed and wrote back the word that 64 granules share, and a run of
 * blocks carved or freed one after another chained every call to the one before through that
 * word (a batch of 16-byte blocks went 1.24x CPython's time checked against 0.74x unchecked;
 * with bytes, 0.87x). The price is memory: 64 KiB of map per 1 MiB arena in use, 1/16 of it,
 * where bits took 1/128.
 *
 * <p>The map is {@code COVERED / 16} bytes of address space (8 TiB on x86-64), reserved
 * readable once per process, when the first checked heap is built: it costs no memory, and a
 * byte no arena's page was opened for reads 0 (the kernel's zero page), so {@code free} may read
 * the byte of any granule, a raw block's or a bad address's, before it asks whose it is. The
 * pages over an arena are made writable when the arena is mapped ({@link #open}); an arena
 * returned to the OS has its marks zeroed ({@link #clearRange}); the pages stay, for the next
 * arena mapped there.
 */
public final class LiveMarks {
    /** Addresses below this have a mark: the user address space ({@link ArenaOwners#COVERED}). */
    public static final long COVERED = ArenaOwners.COVERED;
    /** The mark shared by the heaps opened while the 126 others were all held. */
    public static final byte SHARED = 127;
    /** A raw block needs this many bytes to hold its record's five granules. */
    public static final long RECORD_BYTES = 80;
    /** Records index at most this many raw blocks of a heap: seven bits in each of four bytes. */
    public static final int RECORD_INDEXES = 1 << 28;
    /** The bit every byte of a raw block's record has, and no pool mark. */
    private static final int RECORD_BIT = 0x80;
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
    /** What a heap without a mark of its own (sharing one, or closed) compares bytes with: no byte's value. */
    public static final int NO_MARK = 256;
    /** Which marks open heaps hold, by unsigned value; guarded by the class's lock. */
    private static final boolean[] HELD = new boolean[256];
    /** The map's length: one byte per granule below {@link #COVERED}. */
    private static final long LENGTH = COVERED >>> 4;
    /** Pages are made writable in aligned runs of {@link #RUN} bytes of map, a multiple of any page size. */
    private static final int RUN_SHIFT = 16;
    private static final long RUN = 1L << RUN_SHIFT;
    /** The map's address, 0 if the address space could not be reserved. Folded by the JIT. */
    private static final long SHADOW = RawAllocator.reserveReadable(LENGTH);
    /**
     * The map runs made writable for raw blocks' records, by {@link #runKey}; guarded by the
     * class's lock. A bit each, so the Java heap grows by 4 KiB per 32 GiB of address space
     * that raw blocks spread over, however many runs there are (16 MiB at most on x86-64).
     */
    private static final SparseBitSet RECORD_RUNS = new SparseBitSet(LENGTH / RUN + 1);

    private LiveMarks() {
    }

    /**
     * Makes sure the map exists; call before a checked heap takes its first arena.
     *
     * @throws OutOfMemoryError if the map's address space could not be reserved
     */
    public static void require() {
        if (SHADOW == 0) {
            throw new OutOfMemoryError("pymalloc4j: checked mode cannot reserve " + (LENGTH >>> 30)
                    + " GiB of address space for its live-block map (address space only, no memory);"
                    + " is the address space limited (ulimit -v)? -Dpymalloc4j.checks=false runs without it");
        }
    }

    /** Clears the bits no granule start below {@link #COVERED} has: the top ones and the low four. */
    private static final long NOT_A_GRANULE = -COVERED | (Geometry.ALIGNMENT - 1);

    /** Whether {@code address} is below {@link #COVERED} and 16-byte aligned: one test. */
    public static boolean isGranule(long address) {
        return (address & NOT_A_GRANULE) == 0;
    }

    /** The address of the mark of {@code address}, which must be below {@link #COVERED}. */
    public static long mark(long address) {
        return SHADOW + ((address >>> 4) & (LENGTH - 1));
    }

    /**
     * A mark for a new checked heap: one no open heap holds, or {@link #SHARED} if none is left.
     * Give it back with {@link #returnMark} once the heap's arenas, and so its marks, are gone.
     */
    public static synchronized byte takeMark() {
        for (int m = 1; m < SHARED; m++) {
            if (!HELD[m]) {
                HELD[m] = true;
                return (byte) m;
            }
        }
        return SHARED;
    }

    /** Gives back a mark from {@link #takeMark}; 0 (an unchecked heap's) and {@link #SHARED} are no one's. */
    public static synchronized void returnMark(byte mark) {
        if (mark != SHARED && mark != 0) {
            HELD[mark & 0xff] = false;
        }
    }

    /** Records {@code block}, just handed out, as a live block of the heap marking with {@code mark}. */
    public static void setLive(long block, byte mark) {
        putByte(mark(block), mark);
    }

    /** Records the live block {@code block} as freed. */
    public static void clear(long block) {
        putByte(mark(block), (byte) 0);
    }

    /** Whether {@code address}, inside an arena of the heap (the owner map said so), is a live block. */
    public static boolean isLive(long address) {
        return (address & (Geometry.ALIGNMENT - 1)) == 0 && getByte(mark(address)) != 0;
    }

    /**
     * {@code free}'s test and clearing of the byte of {@code address}, a granule start
     * ({@link #isGranule}): clears it and returns true if it is {@code mark}, else changes
     * nothing and returns false. An int, so that a value no byte has ({@link #NO_MARK}) never matches.
     * The store does not depend on the load, so consecutive frees do not chain.
     */
    public static boolean clearIfMarked(long address, int mark) {
        long m = mark(address);
        if (getByte(m) != mark) {
            return false;
        }
        putByte(m, (byte) 0);
        return true;
    }

    /**
     * The mark of the raw blocks of a heap whose mark is {@code mark}: 1..126 its own, SHARED,
     * or 0 for an unchecked heap. Raw marks need not be a heap's alone: a record is believed only
     * where the heap's own entries hold its address at its index.
     */
    public static byte rawMark(byte mark) {
        return (byte) (mark | RECORD_BIT);
    }

    /** Whether the map exists, or can be made: what raw blocks' records need (unchecked heaps use them too). */
    public static boolean available() {
        return SHADOW != 0;
    }

    /**
     * Whether a raw block at {@code block} can carry a record: a granule start whose record
     * lies below {@link #COVERED}. Its size must be at least {@link #RECORD_BYTES} besides.
     */
    public static boolean canRecord(long block) {
        return isGranule(block) && isGranule(block + RECORD_BYTES - 16);
    }

    /** Writes the record of raw block {@code block}: its heap's raw mark and its index. */
    public static void putRecord(long block, byte rawMark, int index) {
        long m = mark(block);
        putByte(m, rawMark);
        putInt(m + 1, spread(index));
    }

    /** Zeroes the record of raw block {@code block}. */
    public static void clearRecord(long block) {
        long m = mark(block);
        putByte(m, (byte) 0);
        putInt(m + 1, 0);
    }

    /**
     * The index in the record at {@code address} if it carries {@code rawMark}, else -1; the
     * caller still checks that its records hold {@code address} at that index. Any address.
     */
    public static int recordIndex(long address, byte rawMark) {
        if (!canRecord(address)) {
            return -1;
        }
        long m = mark(address);
        if (getByte(m) != rawMark) {
            return -1;
        }
        int spread = littleEndian(NativeMemory.getInt(m + 1));
        if ((spread & 0x80808080) != 0x80808080) {
            return -1;
        }
        return (spread & 0x7f) | (spread >>> 1 & 0x7f << 7) | (spread >>> 2 & 0x7f << 14) | (spread >>> 3 & 0x7f << 21);
    }

    /** The four record bytes of {@code index}, seven bits each with the top bit set, lowest first, as an int in native order. */
    private static int spread(int index) {
        return littleEndian((index & 0x7f) | (index << 1 & 0x7f << 8) | (index << 2 & 0x7f << 16)
                | (index << 3 & 0x7f << 24) | 0x80808080);
    }

    /** Reorders an int between native order and little-endian (its own inverse). */
    private static int littleEndian(int value) {
        return LITTLE_ENDIAN ? value : Integer.reverseBytes(value);
    }

    /**
     * Makes the marks of {@code [base, base + size)} writable, an arena about to be used.
     *
     * @return false if the range is not below {@link #COVERED} or the kernel refused
     */
    public static boolean open(long base, long size) {
        if (!ArenaOwners.inReach(base, size)) {
            return false;
        }
        // Whole 64 KiB runs, clamped to the map: the reservation is only page-aligned, and
        // mprotect must touch no byte outside it.
        long from = Math.max(SHADOW, mark(base) & -RUN);
        long to = Math.min(SHADOW + LENGTH, (mark(base + size - 1) + RUN) & -RUN);
        return RawAllocator.commit(from, to - from);
    }

    /** The key of the map run holding the mark of {@code address}: what {@link #openRun} takes. */
    public static long runOf(long address) {
        return mark(address) & -RUN;
    }

    /**
     * Makes the map run {@code run} ({@link #runOf}) writable, once per process: raw blocks lie
     * wherever libc puts them, so their runs are opened as their first record needs them. The
     * pages stay writable; a freed record is zeroed.
     *
     * @return false if the kernel refused
     */
    public static synchronized boolean openRun(long run) {
        long key = runKey(run);
        if (RECORD_RUNS.contains(key)) {
            return true;
        }
        long from = Math.max(SHADOW, run);
        long to = Math.min(SHADOW + LENGTH, run + RUN);
        if (!RawAllocator.commit(from, to - from)) {
            return false;
        }
        RECORD_RUNS.add(key);
        return true;
    }

    /** The run's number counted from the one holding the map's first byte: 0 .. LENGTH / RUN. */
    private static long runKey(long run) {
        return (run >>> RUN_SHIFT) - (SHADOW >>> RUN_SHIFT);
    }

    /** How many map runs raw blocks' records have made writable in this process. */
    static synchronized long recordRuns() {
        return RECORD_RUNS.size();
    }

    /** How many leaves the set of those runs holds on the Java heap ({@link SparseBitSet#LEAF_BYTES} each). */
    static synchronized int recordRunLeaves() {
        return RECORD_RUNS.leafCount();
    }

    /** Zeroes the marks of {@code [base, base + size)}, an arena returned to the OS. */
    public static void clearRange(long base, long size) {
        NativeMemory.fill(mark(base), size >>> 4, (byte) 0);
    }
}
