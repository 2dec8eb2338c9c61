package org.pymalloc4j.allocator;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.TestSupport.fill;
import static org.pymalloc4j.allocator.TestSupport.verify;

/** CPython's realloc rules (reference §1.9), one rule per test. */
class ReallocTest {
    private PyMalloc heap;

    @BeforeEach
    void open() {
        heap = PyMalloc.create();
    }

    @AfterEach
    void check() {
        heap.checkInvariants();
        heap.close();
    }

    /** A 64-byte block (class 3) stays for every size in 49..64: more than 3/4 of 64 and fitting. */
    @Test
    void staysInPlaceAboveThreeQuartersOfItsClass() {
        long p = heap.malloc(64);
        fill(p, 64, 1);
        for (long n = 64; n >= 49; n--) {
            assertEquals(p, heap.realloc(p, n), "realloc to " + n + " should stay");
            verify(p, n, 1, "realloc to " + n);
        }
        for (long n = 49; n <= 64; n++) {
            assertEquals(p, heap.realloc(p, n), "realloc up to " + n + " should stay");
        }
        assertEquals(64, heap.usableSize(p));
        assertEquals(1, heap.stats().sizeClass(3).blocksInUse());
        assertEquals(1, heap.stats().smallBlocksInUse());
    }

    /** 48 is exactly 3/4 of 64: the block moves to class 2, keeping 48 bytes. */
    @Test
    void shrinkingToThreeQuartersMoves() {
        long p = heap.malloc(64);
        fill(p, 64, 2);
        long q = heap.realloc(p, 48);
        assertNotEquals(p, q);
        assertFalse(heap.isLive(p));
        assertTrue(heap.isLive(q));
        assertEquals(48, heap.usableSize(q));
        verify(q, 48, 2, "after shrinking to 48");
        MallocStats stats = heap.stats();
        assertEquals(0, stats.sizeClass(3).blocksInUse());
        assertEquals(1, stats.sizeClass(2).blocksInUse());
    }

    /** The 3/4 edge for every class: 3s/4 + 1 stays (when it is in the class), 3s/4 moves. */
    @Test
    void threeQuarterEdgeOfEveryClass() {
        for (int c = 0; c < Geometry.SIZE_CLASSES; c++) {
            long s = Geometry.blockSize(c);
            long p = heap.malloc(s);
            fill(p, s, c);
            assertEquals(p, heap.realloc(p, 3 * s / 4 + 1), "class " + c + " to " + (3 * s / 4 + 1));
            assertEquals(p, heap.realloc(p, s), "class " + c);
            long q = heap.realloc(p, 3 * s / 4);
            assertNotEquals(p, q, "class " + c + " to " + (3 * s / 4) + " should move");
            assertEquals(Geometry.blockSize(Geometry.sizeClass(3 * s / 4)), heap.usableSize(q));
            verify(q, 3 * s / 4, c, "class " + c);
            heap.free(q);
        }
        assertEquals(0, heap.stats().smallBlocksInUse());
    }

    /** Growing past the class moves to the larger class and keeps the whole old block. */
    @Test
    void growingPastTheClassMoves() {
        long p = heap.malloc(64);
        fill(p, 64, 3);
        long q = heap.realloc(p, 65);
        assertNotEquals(p, q);
        assertFalse(heap.isLive(p));
        assertEquals(80, heap.usableSize(q));
        verify(q, 64, 3, "grown to 65");
        long r = heap.realloc(q, 500);
        assertEquals(512, heap.usableSize(r));
        verify(r, 64, 3, "grown to 500");
        assertEquals(1, heap.stats().sizeClass(31).blocksInUse());
        assertEquals(1, heap.stats().smallBlocksInUse());
    }

    /** small -> raw (600), then raw -> raw (bigger and smaller), contents kept each time. */
    @Test
    void smallToRawAndRawToRaw() {
        long p = heap.malloc(300);
        fill(p, 300, 4);
        long q = heap.realloc(p, 600);
        assertFalse(heap.isArenaAddress(q));
        assertFalse(heap.isLive(p));
        assertEquals(600, heap.usableSize(q));
        verify(q, 300, 4, "small to raw");
        fill(q, 600, 5);
        long r = heap.realloc(q, 100_000);
        assertFalse(heap.isArenaAddress(r));
        verify(r, 600, 5, "raw to bigger raw");
        assertEquals(100_000, heap.usableSize(r));
        long s = heap.realloc(r, 700);
        verify(s, 600, 5, "raw to smaller raw");
        MallocStats stats = heap.stats();
        assertEquals(1, stats.rawBlocks());
        assertEquals(700, stats.rawBytes());
        assertEquals(0, stats.smallBlocksInUse());
    }

    /** Shrinking a 512-byte block across the line only once it drops under 3/4. */
    @Test
    void rawAcross512() {
        long p = heap.malloc(512);
        assertEquals(p, heap.realloc(p, 385), "385 > 3/4 of 512");
        long q = heap.realloc(p, 513);
        assertFalse(heap.isArenaAddress(q), "513 goes to the raw allocator");
        assertEquals(513, heap.usableSize(q));
    }

    /** realloc(0, n) is malloc(n) for small, raw and zero sizes. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void reallocOfNullIsMalloc(Geometry geometry) {
        try (PyMalloc h = PyMalloc.create(geometry)) {
            long a = h.realloc(0, 100);
            assertTrue(h.isArenaAddress(a));
            assertEquals(112, h.usableSize(a));
            long b = h.realloc(0, 1000);
            assertFalse(h.isArenaAddress(b));
            assertEquals(1000, h.usableSize(b));
            long c = h.realloc(0, 0);
            assertNotEquals(0, c);
            assertFalse(h.isArenaAddress(c));
            assertEquals(0, h.usableSize(c));
            MallocStats stats = h.stats();
            assertEquals(1, stats.sizeClass(6).blocksInUse());
            assertEquals(2, stats.rawBlocks());
            assertEquals(1000, stats.rawBytes());
            // And it hands out what malloc would have: the next block of the same pool.
            long d = h.malloc(100);
            assertEquals(a + 112, d);
            h.checkInvariants();
        }
    }

    /**
     * realloc(p, 0) returns a unique, live raw block of 0 usable bytes: a new one for a small p,
     * which is freed; a raw p is shrunk by libc's realloc, as CPython's PyMem_RawRealloc does,
     * which glibc does in place.
     */
    @Test
    void reallocToZeroReturnsAUniqueLiveBlock() {
        Set<Long> seen = new HashSet<>();
        long small = heap.malloc(40);
        long raw = heap.malloc(4000);
        long zero = heap.malloc(0);
        for (long p : new long[] {small, raw, zero}) {
            long q = heap.realloc(p, 0);
            assertNotEquals(0, q);
            assertTrue(heap.isLive(q));
            assertFalse(heap.isArenaAddress(q));
            assertEquals(0, heap.usableSize(q));
            assertTrue(seen.add(q), "realloc(p, 0) returned a block already handed out");
            if (q != p) {
                assertFalse(heap.isLive(p), "the old block is freed");
            }
        }
        assertFalse(heap.isLive(small), "a small block realloc'd to 0 is freed");
        MallocStats stats = heap.stats();
        assertEquals(0, stats.smallBlocksInUse());
        assertEquals(3, stats.rawBlocks());
        assertEquals(0, stats.rawBytes());
        for (long q : seen) {
            heap.free(q);
        }
        assertEquals(0, heap.stats().rawBlocks());
    }

    /** A raw block stays raw even when realloc'd to a small size (CPython never adopts it). */
    @Test
    void rawBlockReallocatedSmallStaysRaw() {
        long p = heap.malloc(1000);
        fill(p, 1000, 6);
        long q = heap.realloc(p, 10);
        assertFalse(heap.isArenaAddress(q));
        assertEquals(10, heap.usableSize(q));
        verify(q, 10, 6, "raw shrunk to 10");
        long z = heap.malloc(0);
        long r = heap.realloc(z, 64);
        assertFalse(heap.isArenaAddress(r), "a 0-byte raw block grown to 64 stays raw");
        assertEquals(64, heap.usableSize(r));
        MallocStats stats = heap.stats();
        assertEquals(0, stats.smallBlocksInUse());
        assertEquals(2, stats.rawBlocks());
        assertEquals(74, stats.rawBytes());
    }

    /**
     * The 3/4 rule can move a block within its own class: a 16-byte block shrunk to 12 (not more
     * than 3/4 of 16) moves to another class-0 block, allocated before the old one is freed.
     */
    @Test
    void shrinkingWithinClassZeroStillMoves() {
        long p = heap.malloc(16);
        fill(p, 16, 7);
        assertEquals(p, heap.realloc(p, 13), "13 > 12 stays");
        long q = heap.realloc(p, 12);
        assertNotEquals(p, q, "12 is not more than 3/4 of 16: moves");
        assertEquals(16, heap.usableSize(q));
        verify(q, 12, 7, "moved within class 0");
        assertFalse(heap.isLive(p));
        assertEquals(1, heap.stats().sizeClass(0).blocksInUse());
        // The old block is on the free list head now: the next 16-byte malloc gets it back.
        assertEquals(p, heap.malloc(16));
    }

    /**
     * The same rules on every geometry: the 3/4 edge of each class, the 512-byte line crossed
     * both ways (a small block grown past it becomes raw; a raw block shrunk under it stays
     * raw), and calloc's zeroing of a reused dirty block and of a raw one.
     */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void edgeRulesOnEveryGeometry(Geometry geometry) {
        try (PyMalloc h = PyMalloc.create(geometry)) {
            for (int c = 0; c < Geometry.SIZE_CLASSES; c++) {
                long s = Geometry.blockSize(c);
                long p = h.malloc(s);
                fill(p, s, c);
                assertEquals(p, h.realloc(p, 3 * s / 4 + 1), geometry + " class " + c);
                long q = h.realloc(p, 3 * s / 4);
                assertNotEquals(p, q, geometry + " class " + c);
                verify(q, 3 * s / 4, c, geometry + " class " + c);
                h.free(q);
            }
            long p = h.malloc(512);
            fill(p, 512, 8);
            long raw = h.realloc(p, 513);
            assertFalse(h.isArenaAddress(raw));
            verify(raw, 512, 8, geometry + ": 512 grown to 513");
            long stillRaw = h.realloc(raw, 1);
            assertFalse(h.isArenaAddress(stillRaw), geometry + ": a raw block shrunk to 1 stays raw");
            assertEquals(1, h.usableSize(stillRaw));
            verify(stillRaw, 1, 8, geometry + ": raw shrunk to 1");
            h.free(stillRaw);
            long dirty = h.malloc(512);
            fill(dirty, 512, 9);
            h.free(dirty);
            long zeroed = h.calloc(2, 256);
            assertEquals(dirty, zeroed, "calloc reuses the block just freed");
            long bigZeroed = h.calloc(3, 300);
            assertFalse(h.isArenaAddress(bigZeroed));
            for (long k = 0; k < 900; k++) {
                assertTrue(k >= 512 || NativeMemory.getByte(zeroed + k) == 0, geometry + ": small calloc byte " + k);
                assertEquals(0, NativeMemory.getByte(bigZeroed + k), geometry + ": raw calloc byte " + k);
            }
            MallocStats stats = h.stats();
            assertEquals(1, stats.rawBlocks());
            assertEquals(900, stats.rawBytes());
            assertEquals(1, stats.sizeClass(31).blocksInUse());
            h.free(zeroed);
            h.free(bigZeroed);
            h.checkInvariants();
        }
    }

    /**
     * The limit through realloc and calloc: bytesFromOs follows a raw block as it grows and
     * shrinks, a growth or a move that would cross the limit throws MemoryLimitExceededError
     * with the block intact and nothing charged, and a small block leaving its pool is charged
     * as the raw block it becomes.
     */
    @Test
    void reallocAndCallocKeepTheCountAgainstTheLimit() {
        long arena = Geometry.PY311.arenaSize();
        long limit = 4L << 20;
        try (PyMalloc limited = PyMalloc.builder().limit(limit).build()) {
            long raw = limited.malloc(1 << 20);
            fill(raw, 1 << 20, 5);
            assertEquals(1 << 20, limited.bytesFromOs());
            raw = limited.realloc(raw, 2 << 20);
            assertEquals(2 << 20, limited.bytesFromOs());
            long before = raw;
            MemoryLimitExceededError e = org.junit.jupiter.api.Assertions.assertThrows(MemoryLimitExceededError.class,
                    () -> limited.realloc(before, 8L << 20));
            assertEquals(6L << 20, e.requested(), "the growth: " + e.getMessage());
            assertEquals(2 << 20, limited.bytesFromOs(), "nothing charged");
            verify(raw, 1 << 20, 5, "the block refused a growth");
            raw = limited.realloc(raw, 1000);
            assertEquals(1000, limited.bytesFromOs());
            long small = limited.malloc(64);
            assertEquals(1000 + arena, limited.bytesFromOs());
            org.junit.jupiter.api.Assertions.assertThrows(MemoryLimitExceededError.class,
                    () -> limited.realloc(small, limit));
            assertTrue(limited.isLive(small), "the small block stays");
            long moved = limited.realloc(small, 100_000);
            assertEquals(1000 + arena + 100_000, limited.bytesFromOs(), "the kept arena plus the new raw block");
            org.junit.jupiter.api.Assertions.assertThrows(MemoryLimitExceededError.class,
                    () -> limited.calloc(1 << 10, 4 << 10));
            assertEquals(1000 + arena + 100_000, limited.bytesFromOs());
            raw = limited.realloc(raw, 0);
            assertEquals(arena + 100_000, limited.bytesFromOs(), "a raw block resized to 0 counts 0");
            limited.free(raw);
            limited.free(moved);
            assertEquals(arena, limited.bytesFromOs());
            limited.checkInvariants();
        }
    }
}
