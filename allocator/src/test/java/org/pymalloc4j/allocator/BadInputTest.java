package org.pymalloc4j.allocator;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.internal.PoolHeader;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pymalloc4j.allocator.TestSupport.hex;

/**
 * One test per {@code @throws} clause of {@link PyMalloc} and {@link Geometry}, each quoting the
 * clause. After every refusal the heap must be intact: invariants hold, stats are unchanged and
 * the live blocks keep their contents.
 */
class BadInputTest {
    private static final String CLOSED = "this PyMalloc heap is closed";
    private PyMalloc heap;
    /** Live blocks of a small mixed heap, with their sizes; filled with their own address as key. */
    private final List<long[]> live = new ArrayList<>();

    @BeforeEach
    void open() {
        heap = PyMalloc.create();
        for (long size : new long[] {1, 16, 64, 64, 64, 100, 512, 0, 600, 5000}) {
            long p = heap.malloc(size);
            TestSupport.fill(p, size, p);
            live.add(new long[] {p, size});
        }
    }

    @AfterEach
    void close() {
        if (!heap.isClosed()) {
            heap.checkInvariants();
            heap.close();
        }
    }

    private long block(int i) {
        return live.get(i)[0];
    }

    /** Runs {@code call}, which must throw {@code type}, and checks the heap did not change. */
    private <T extends Throwable> T refused(Class<T> type, Executable call) {
        MallocStats before = heap.stats();
        String textBefore = heap.debugMallocStats();
        T thrown = assertThrows(type, call);
        heap.checkInvariants();
        assertEquals(before, heap.stats(), "stats changed by a refused call: " + thrown);
        assertEquals(textBefore, heap.debugMallocStats());
        for (long[] b : live) {
            assertTrue(heap.isLive(b[0]), hex(b[0]) + " no longer live after " + thrown);
            TestSupport.verify(b[0], b[1], b[0], "after " + thrown);
        }
        return thrown;
    }

    /** free and realloc both refuse {@code address} with an InvalidAddressException naming it. */
    private void refusesAddress(long address, String why) {
        for (String op : new String[] {"free", "realloc"}) {
            InvalidAddressException e = refused(InvalidAddressException.class,
                    () -> {
                        if (op.equals("free")) {
                            heap.free(address);
                        } else {
                            heap.realloc(address, 32);
                        }
                    });
            assertEquals(address, e.address(), why + ": " + op);
            assertTrue(e.getMessage().contains(hex(address)), why + ": " + op + " message lacks the address: " + e.getMessage());
            assertTrue(e.getMessage().startsWith(op + "("), why + ": " + e.getMessage());
        }
        assertFalse(heap.isLive(address), why + ": isLive");
        InvalidAddressException e = refused(InvalidAddressException.class, () -> heap.usableSize(address));
        assertEquals(address, e.address());
    }

    // ------------------------------------------------------------------ malloc

    /** malloc: "@throws IllegalArgumentException if {@code size} is negative". */
    @Test
    void mallocNegativeSize() {
        IllegalArgumentException e = refused(IllegalArgumentException.class, () -> heap.malloc(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        refused(IllegalArgumentException.class, () -> heap.malloc(Long.MIN_VALUE));
        refused(IllegalArgumentException.class, () -> heap.malloc(-513));
    }

    /** malloc: "@throws OutOfMemoryError if the memory cannot be had; the heap stays usable". */
    @Test
    void mallocTooLarge() {
        OutOfMemoryError e = refused(OutOfMemoryError.class, () -> heap.malloc(Long.MAX_VALUE));
        assertTrue(e.getMessage().contains(Long.toString(Long.MAX_VALUE)), "names the size: " + e.getMessage());
        stillUsable();
    }

    private void stillUsable() {
        long p = heap.malloc(64);
        long q = heap.malloc(4096);
        assertTrue(heap.isLive(p) && heap.isLive(q));
        heap.free(p);
        heap.free(q);
        heap.checkInvariants();
    }

    /** malloc: "@throws IllegalStateException if the heap is closed" (for every size kind). */
    @Test
    void mallocAfterClose() {
        heap.close();
        assertEquals(CLOSED, assertThrows(IllegalStateException.class, () -> heap.malloc(64)).getMessage());
        assertEquals(CLOSED, assertThrows(IllegalStateException.class, () -> heap.malloc(0)).getMessage());
        assertEquals(CLOSED, assertThrows(IllegalStateException.class, () -> heap.malloc(10_000)).getMessage());
    }

    // ------------------------------------------------------------------ calloc

    /** calloc: "@throws IllegalArgumentException if either argument is negative". */
    @Test
    void callocNegative() {
        for (long[] c : new long[][] {{-1, 8}, {8, -1}, {-1, 0}, {0, Long.MIN_VALUE}}) {
            IllegalArgumentException e = refused(IllegalArgumentException.class, () -> heap.calloc(c[0], c[1]));
            assertEquals("calloc(" + c[0] + ", " + c[1] + "): negative size", e.getMessage());
        }
    }

    /** calloc: "@throws OutOfMemoryError if the product overflows or the memory cannot be had". */
    @Test
    void callocOverflowAndTooLarge() {
        OutOfMemoryError e = refused(OutOfMemoryError.class, () -> heap.calloc(Long.MAX_VALUE, 2));
        assertTrue(e.getMessage().contains(Long.toString(Long.MAX_VALUE)) && e.getMessage().contains(", 2)"),
                "names the request: " + e.getMessage());
        e = refused(OutOfMemoryError.class, () -> heap.calloc(1L << 32, 1L << 32));
        assertTrue(e.getMessage().contains(Long.toString(1L << 32)), e.getMessage());
        e = refused(OutOfMemoryError.class, () -> heap.calloc(Long.MAX_VALUE, 1));
        assertTrue(e.getMessage().contains(Long.toString(Long.MAX_VALUE)), "names the size: " + e.getMessage());
        e = refused(OutOfMemoryError.class, () -> heap.calloc(1L << 31, 1L << 31));
        assertTrue(e.getMessage().contains(Long.toString(1L << 62)), "names the size: " + e.getMessage());
        stillUsable();
    }

    /** calloc: "@throws IllegalStateException if the heap is closed". */
    @Test
    void callocAfterClose() {
        heap.close();
        assertEquals(CLOSED, assertThrows(IllegalStateException.class, () -> heap.calloc(4, 4)).getMessage());
        assertEquals(CLOSED, assertThrows(IllegalStateException.class, () -> heap.calloc(0, 0)).getMessage());
    }

    // ------------------------------------------------------------------ realloc

    /** realloc: "@throws IllegalArgumentException if {@code newSize} is negative". */
    @Test
    void reallocNegativeSize() {
        for (long p : new long[] {block(2), block(8), 0}) {
            IllegalArgumentException e = refused(IllegalArgumentException.class, () -> heap.realloc(p, -5));
            assertEquals("realloc(" + hex(p) + ", -5): negative size", e.getMessage());
        }
    }

    /**
     * realloc: "@throws OutOfMemoryError if the new block cannot be had; the old block is
     * intact" (checked by {@link #refused} for small and raw blocks alike).
     */
    @Test
    void reallocTooLarge() {
        OutOfMemoryError e = refused(OutOfMemoryError.class, () -> heap.realloc(block(2), Long.MAX_VALUE));
        assertTrue(e.getMessage().contains(Long.toString(Long.MAX_VALUE)), e.getMessage());
        e = refused(OutOfMemoryError.class, () -> heap.realloc(block(9), Long.MAX_VALUE));
        assertTrue(e.getMessage().contains(Long.toString(Long.MAX_VALUE)), e.getMessage());
        refused(OutOfMemoryError.class, () -> heap.realloc(0, Long.MAX_VALUE));
        stillUsable();
    }

    /** realloc: "@throws IllegalStateException if the heap is closed". */
    @Test
    void reallocAfterClose() {
        long p = block(2);
        heap.close();
        assertEquals(CLOSED, assertThrows(IllegalStateException.class, () -> heap.realloc(p, 10)).getMessage());
        assertEquals(CLOSED, assertThrows(IllegalStateException.class, () -> heap.realloc(0, 10)).getMessage());
    }

    // ------------------------------------------------------------------ free / realloc of bad addresses

    /** free: "{@code free(0)} does nothing". */
    @Test
    void freeOfNullDoesNothing() {
        MallocStats before = heap.stats();
        heap.free(0);
        heap.checkInvariants();
        assertEquals(before, heap.stats());
    }

    /**
     * free and realloc: "@throws InvalidAddressException if {@code address} was not handed out
     * by this heap": an interior pointer, 16 bytes into a 64-byte block.
     */
    @Test
    void interiorPointer() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long p = block(2);
        refusesAddress(p + 16, "p + 16 of a 64-byte block");
        refusesAddress(p + 1, "p + 1");
        refusesAddress(p + 64 + 8, "middle of the next block");
    }

    /** ... "not handed out by this heap": the header of a live pool. */
    @Test
    void poolHeaderAddress() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long pool = block(2) & -(long) heap.geometry().poolSize();
        refusesAddress(pool, "pool header");
        refusesAddress(pool + 16, "pool header + 16");
        refusesAddress(pool + Geometry.POOL_OVERHEAD - 16, "last word of the header");
    }

    /** ... "not handed out by this heap": an address inside a pool never carved from its arena. */
    @Test
    void uncarvedPool() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        Geometry g = heap.geometry();
        long arena = block(0) & -(long) g.arenaSize();
        long lastPool = arena + (long) (g.poolsPerArena() - 1) * g.poolSize();
        assertTrue(heap.isArenaAddress(lastPool));
        assertTrue(heap.stats().poolsInUse() < g.poolsPerArena() - 1, "the last pool must be uncarved");
        refusesAddress(lastPool + Geometry.POOL_OVERHEAD, "first block slot of an uncarved pool");
        refusesAddress(lastPool + Geometry.POOL_OVERHEAD + 64, "block slot of an uncarved pool");
    }

    /**
     * Not bad input: live blocks whose first words look exactly like free-list links of their
     * own pool are freed, since the check reads the live-block map, never the block.
     */
    @Test
    void liveBlockLookingLikeAFreeBlockIsFreed() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long a = heap.malloc(64);
        long b = heap.malloc(64);
        NativeMemory.putLong(a, b);   // "links" to a live block of the same pool
        NativeMemory.putLong(b, 0);   // "ends" a free list
        heap.free(a);
        heap.free(b);
        assertFalse(heap.isLive(a));
        assertFalse(heap.isLive(b));
        heap.checkInvariants();
    }

    /**
     * ... "not handed out by this heap": the last bytes of an arena, in a full live pool, where
     * reading the link word of a would-be block would run past the arena's mapping.
     */
    @Test
    void lastBytesOfAnArena() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        Geometry g = heap.geometry();
        long arena = block(0) & -(long) g.arenaSize();
        for (long back : new long[] {1, 8, 15, 16}) {
            refusesAddress(arena + g.arenaSize() - back, "the last " + back + " bytes of the arena");
        }
    }

    /** ... "not handed out by this heap": beyond the pool's carved blocks (nextoffset). */
    @Test
    void virginBlockOfALivePool() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long p = block(2);
        long pool = p & -(long) heap.geometry().poolSize();
        int nextOffset = NativeMemory.getInt(pool + PoolHeader.NEXTOFFSET_OFFSET);
        refusesAddress(pool + nextOffset + 64, "a never-carved block of a live pool");
        refusesAddress(pool + heap.geometry().poolSize() - 64, "the last block slot of a live pool");
    }

    /** ... "not handed out by this heap": random addresses inside the arena that are no block start. */
    @Test
    void randomAddressesInsideAnArena() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        Geometry g = heap.geometry();
        long arena = block(0) & -(long) g.arenaSize();
        // Pools 0..2 are carved here; bias the picks towards them.
        int tried = 0;
        while (tried < 300) {
            long offset = random.nextBoolean()
                    ? random.nextLong(3L * g.poolSize())
                    : random.nextLong(g.arenaSize());
            long address = arena + (random.nextInt(3) == 0 ? offset & -16 : offset);
            if (heap.isLive(address)) {
                continue;
            }
            tried++;
            long a = address;
            InvalidAddressException e = refused(InvalidAddressException.class, () -> heap.free(a));
            assertEquals(address, e.address());
            assertTrue(e.getMessage().contains(hex(address)), e.getMessage());
        }
    }

    /** ... "not handed out by this heap": stack-like addresses, in no arena and in no raw table. */
    @Test
    void stackLikeAddresses() {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 50; i++) {
            long address = 0x7ff0_0000_0000L + (random.nextLong(1L << 36) & -8);
            if (heap.isArenaAddress(address)) {
                continue;
            }
            refusesAddress(address, "stack-like " + hex(address));
        }
        refusesAddress(8, "a tiny address");
        refusesAddress(-16, "a kernel-half address");
    }

    /** ... "not handed out by this heap": a block from libc malloc directly (checked always). */
    @Test
    void foreignMallocAddress() {
        long foreign = RawAllocator.malloc(100);
        try {
            refusesAddress(foreign, "libc malloc'd block");
        } finally {
            RawAllocator.free(foreign);
        }
    }

    /** ... "not handed out by this heap": 8 bytes into a raw block. */
    @Test
    void rawBlockInterior() {
        refusesAddress(block(9) + 8, "raw block + 8");
        refusesAddress(block(8) + 16, "raw block + 16");
        refusesAddress(block(7) + 1, "zero-size raw block + 1");
    }

    /**
     * ... "or is already freed": a small block freed twice, its pool still in use. The message
     * says so.
     */
    @Test
    void doubleFreeOfASmallBlock() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long p = block(3);
        heap.free(p);
        live.remove(3);
        InvalidAddressException e = refused(InvalidAddressException.class, () -> heap.free(p));
        assertEquals(p, e.address());
        assertTrue(e.getMessage().contains(hex(p)), e.getMessage());
        assertTrue(e.getMessage().contains("already freed (double free)"), e.getMessage());
        e = refused(InvalidAddressException.class, () -> heap.realloc(p, 10));
        assertTrue(e.getMessage().contains("already freed (use after free)"), "nothing freed twice: " + e.getMessage());
        // The block is still on the free list exactly once: the next malloc of the class gets it,
        // and the one after does not get it again.
        long a = heap.malloc(64);
        long b = heap.malloc(64);
        assertEquals(p, a);
        assertTrue(b != p);
        heap.free(a);
        heap.free(b);
    }

    /**
     * ... "or is already freed": the only block of its pool, freed twice. The first free emptied
     * the pool (count 0); the refusal should still say the block was already freed.
     */
    @Test
    void doubleFreeOfTheLastBlockOfAPool() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long p = heap.malloc(300); // class 18: the only block of its pool
        assertEquals(1, heap.stats().sizeClass(18).blocksInUse());
        heap.free(p);
        InvalidAddressException e = refused(InvalidAddressException.class, () -> heap.free(p));
        assertEquals(p, e.address());
        assertTrue(e.getMessage().contains(hex(p)), e.getMessage());
        assertTrue(e.getMessage().contains("already freed"), "misleading message: " + e.getMessage());
    }

    /** ... "and always for raw blocks": a raw block freed twice, also with checks off. */
    @Test
    void doubleFreeOfARawBlock() {
        long p = block(9);
        heap.free(p);
        live.remove(9);
        InvalidAddressException e = refused(InvalidAddressException.class, () -> heap.free(p));
        assertEquals(p, e.address());
        assertTrue(e.getMessage().contains(hex(p)), e.getMessage());
        refused(InvalidAddressException.class, () -> heap.realloc(p, 10));
        long z = block(7);
        heap.free(z);
        live.remove(7);
        refused(InvalidAddressException.class, () -> heap.free(z));
    }

    /** free: "@throws IllegalStateException if the heap is closed", even for 0. */
    @Test
    void freeAfterClose() {
        long p = block(2);
        heap.close();
        assertEquals(CLOSED, assertThrows(IllegalStateException.class, () -> heap.free(p)).getMessage());
        assertEquals(CLOSED, assertThrows(IllegalStateException.class, () -> heap.free(0)).getMessage());
    }

    // ------------------------------------------------------------------ queries

    /** usableSize: "@throws InvalidAddressException if {@code address} is not a live block". */
    @Test
    void usableSizeOfNonBlocks() {
        long p = block(2);
        refused(InvalidAddressException.class, () -> heap.usableSize(p + 16));
        refused(InvalidAddressException.class, () -> heap.usableSize(0));
        heap.free(p);
        live.remove(2);
        InvalidAddressException e = refused(InvalidAddressException.class, () -> heap.usableSize(p));
        assertEquals(p, e.address());
        assertTrue(e.getMessage().startsWith("usableSize(" + hex(p) + ")"), e.getMessage());
    }

    /**
     * "@throws IllegalStateException if the heap is closed" on every query, and {@code close()}
     * twice is fine.
     */
    @Test
    void everyCallAfterCloseIsRefused() {
        long small = block(2);
        long raw = block(9);
        heap.close();
        assertTrue(heap.isClosed());
        assertDoesNotThrow(heap::close);
        assertTrue(heap.isClosed());
        List<Executable> calls = List.of(
                () -> heap.malloc(16),
                () -> heap.calloc(1, 16),
                () -> heap.realloc(small, 32),
                () -> heap.free(raw),
                () -> heap.stats(),
                () -> heap.debugMallocStats(),
                () -> heap.isArenaAddress(small),
                () -> heap.isLive(small),
                () -> heap.usableSize(small),
                () -> heap.checkInvariants(),
                () -> heap.pools(),
                () -> heap.segment(small),
                () -> heap.allocate(16, 8),
                () -> heap.allocate(16, 64),
                () -> heap.free(MemorySegment.ofAddress(raw)),
                () -> heap.setArenaAllocator(ArenaAllocator.mmap()));
        for (int i = 0; i < calls.size(); i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, calls.get(i), "call " + i);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
        assertEquals(Geometry.PY311, heap.geometry(), "geometry() stays available");
    }

    /** checkInvariants: "@throws IllegalStateException naming the first invariant found broken". */
    @Test
    void checkInvariantsNamesTheBrokenInvariant() {
        long p = block(2);
        long pool = p & -(long) heap.geometry().poolSize();
        int count = NativeMemory.getInt(pool + PoolHeader.REF_COUNT_OFFSET);
        NativeMemory.putInt(pool + PoolHeader.REF_COUNT_OFFSET, count + 1);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, heap::checkInvariants);
            assertTrue(e.getMessage().contains("heap invariant violated"), e.getMessage());
            assertTrue(e.getMessage().contains(hex(pool)), "names the pool: " + e.getMessage());
        } finally {
            NativeMemory.putInt(pool + PoolHeader.REF_COUNT_OFFSET, count);
        }
        heap.checkInvariants();
    }

    /** Checked mode: a write into a freed block (use after free) is caught by the validator. */
    @Test
    void checkInvariantsCatchesAWriteAfterFree() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long p = block(3);
        heap.free(p);
        live.remove(3);
        long link = NativeMemory.getLong(p);
        NativeMemory.putLong(p, 0x1234);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, heap::checkInvariants);
            assertTrue(e.getMessage().contains("written after free") && e.getMessage().contains(hex(p)), e.getMessage());
        } finally {
            NativeMemory.putLong(p, link);
        }
    }

    /** create: "@throws NullPointerException if {@code geometry} is null". */
    @Test
    void createWithNullGeometry() {
        assertEquals("geometry", assertThrows(NullPointerException.class, () -> PyMalloc.create(null)).getMessage());
    }

    // ------------------------------------------------------------------ Geometry

    /**
     * Geometry: "@throws IllegalArgumentException if the name is null or blank, the pool size is
     * outside 4 KiB..64 KiB, or an arena would hold fewer than 1 or more than 256 pools".
     */
    @Test
    void geometryConstructor() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        for (String name : new String[] {null, "", "  "}) {
            assertEquals("geometry name must not be blank", assertThrows(iae, () -> new Geometry(name, 14, 20)).getMessage());
        }
        for (int poolBits : new int[] {11, 17}) {
            assertEquals("poolBits must be 12..16 (4 KiB..64 KiB pools): " + poolBits,
                    assertThrows(iae, () -> new Geometry("x", poolBits, 20)).getMessage());
        }
        for (int[] bits : new int[][] {{14, 13}, {14, 23}, {12, 21}, {16, 25}}) {
            assertEquals("arenaBits must be poolBits..poolBits+8 (1..256 pools per arena): " + bits[1] + " with poolBits " + bits[0],
                    assertThrows(iae, () -> new Geometry("x", bits[0], bits[1])).getMessage());
        }
        // The edges themselves are accepted.
        assertEquals(1, new Geometry("x", 12, 12).poolsPerArena());
        assertEquals(256, new Geometry("x", 12, 20).poolsPerArena());
        assertEquals(256, new Geometry("x", 16, 24).poolsPerArena());
    }

    /**
     * Geometry.of: "@throws IllegalArgumentException if {@code version} is null or none of
     * {@code 3.11}, {@code 3.8} and {@code hugepages}".
     */
    @Test
    void geometryOfUnknownVersion() {
        for (String v : new String[] {"3.9", "3.10", "3.12", "", "3.11 ", "PY311"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Geometry.of(v), v);
            assertTrue(e.getMessage().contains("'" + v + "'"), e.getMessage());
        }
        assertEquals("geometry version must not be null: expected 3.11, 3.8 or hugepages",
                assertThrows(IllegalArgumentException.class, () -> Geometry.of(null)).getMessage());
    }

    /**
     * setArenaAllocator: "@throws NullPointerException if {@code allocator} is null"; the heap
     * keeps its arena source and stays usable.
     */
    @Test
    void setArenaAllocatorRefusesNull() {
        ArenaAllocator source = heap.arenaAllocator();
        NullPointerException e = refused(NullPointerException.class, () -> heap.setArenaAllocator(null));
        assertEquals("allocator", e.getMessage());
        assertSame(source, heap.arenaAllocator());
        stillUsable();
    }
}
