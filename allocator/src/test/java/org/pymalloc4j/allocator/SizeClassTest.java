package org.pymalloc4j.allocator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.TestSupport.hex;

/**
 * The size-class domain, exhaustively (Netty {@code PoolArenaTest} style): every request size
 * from 0 to 4096 on both geometries, and the size-class table of the reference (§1.3).
 */
class SizeClassTest {

    /**
     * cpython-allocators.md §1.3, all 32 rows: {block size, blocks per 16 KiB pool, tail waste,
     * blocks per 4 KiB pool, tail waste}.
     */
    private static final int[][] TABLE = {
            {16, 1021, 0, 253, 0}, {32, 510, 16, 126, 16}, {48, 340, 16, 84, 16}, {64, 255, 16, 63, 16},
            {80, 204, 16, 50, 48}, {96, 170, 16, 42, 16}, {112, 145, 96, 36, 16}, {128, 127, 80, 31, 80},
            {144, 113, 64, 28, 16}, {160, 102, 16, 25, 48}, {176, 92, 144, 23, 0}, {192, 85, 16, 21, 16},
            {208, 78, 112, 19, 96}, {224, 72, 208, 18, 16}, {240, 68, 16, 16, 208}, {256, 63, 208, 15, 208},
            {272, 60, 16, 14, 240}, {288, 56, 208, 14, 16}, {304, 53, 224, 13, 96}, {320, 51, 16, 12, 208},
            {336, 48, 208, 12, 16}, {352, 46, 144, 11, 176}, {368, 44, 144, 11, 0}, {384, 42, 208, 10, 208},
            {400, 40, 336, 10, 48}, {416, 39, 112, 9, 304}, {432, 37, 352, 9, 160}, {448, 36, 208, 9, 16},
            {464, 35, 96, 8, 336}, {480, 34, 16, 8, 208}, {496, 32, 464, 8, 80}, {512, 31, 464, 7, 464},
    };

    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void everySizeFrom0To4096(Geometry geometry) {
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            for (int size = 0; size <= 4096; size++) {
                long p = heap.malloc(size);
                String what = geometry.name() + " malloc(" + size + ") = " + hex(p);
                assertNotEquals(0, p, what);
                assertEquals(0, p & (Geometry.ALIGNMENT - 1), what + ": not 16-byte aligned");
                assertTrue(heap.isLive(p), what + ": not live");
                boolean small = size >= 1 && size <= 512;
                assertEquals(small, heap.isArenaAddress(p), what + ": isArenaAddress");
                if (small) {
                    long usable = heap.usableSize(p);
                    assertEquals(((size + 15) / 16) * 16, usable, what + ": usableSize is not the class block size");
                    assertEquals(Geometry.blockSize(Geometry.sizeClass(size)), usable, what);
                    assertTrue(usable >= size, what);
                    assertEquals(1, heap.stats().sizeClass(Geometry.sizeClass(size)).blocksInUse(), what);
                } else {
                    assertEquals(size, heap.usableSize(p), what + ": usableSize of a raw block is the request");
                    assertEquals(1, heap.stats().rawBlocks(), what);
                    assertEquals(size, heap.stats().rawBytes(), what);
                }
                // Write every requested byte (and the whole class block for small ones) and read it back.
                long extent = small ? heap.usableSize(p) : size;
                TestSupport.fill(p, extent, size);
                TestSupport.verify(p, extent, size, what);
                heap.free(p);
                assertFalse(heap.isLive(p), what + ": still live after free");
                heap.checkInvariants();
                assertEquals(0, heap.stats().smallBlocksInUse(), what);
                assertEquals(0, heap.stats().rawBlocks(), what);
            }
            // The one arena was kept throughout (anti-thrashing), never released and remapped.
            MallocStats stats = heap.stats();
            assertEquals(1, stats.arenasAllocatedTotal(), stats.format());
            assertEquals(1, stats.arenasCurrent());
        }
    }

    /** Every size lands in class (size - 1) >> 4; consecutive sizes of one class share a block size. */
    @Test
    void sizeClassAndBlockSizeFormulas() {
        for (int size = 1; size <= 512; size++) {
            int c = Geometry.sizeClass(size);
            assertEquals((size - 1) / 16, c, "size " + size);
            assertTrue(Geometry.blockSize(c) >= size && Geometry.blockSize(c) - size < 16, "size " + size);
        }
        assertEquals(16, Geometry.blockSize(0));
        assertEquals(512, Geometry.blockSize(31));
        assertEquals(32, Geometry.SIZE_CLASSES);
    }

    /** Blocks in use at the same time are distinct, aligned and inside the arenas. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void everySizeHeldAtOnce(Geometry geometry) {
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            long[] blocks = new long[1025];
            for (int size = 0; size < blocks.length; size++) {
                blocks[size] = heap.malloc(size);
                TestSupport.fill(blocks[size], size, ~size);
            }
            heap.checkInvariants();
            long[] perClass = new long[Geometry.SIZE_CLASSES];
            for (int size = 1; size <= 512; size++) {
                perClass[Geometry.sizeClass(size)]++;
            }
            MallocStats stats = heap.stats();
            for (int c = 0; c < Geometry.SIZE_CLASSES; c++) {
                assertEquals(perClass[c], stats.sizeClass(c).blocksInUse(), "class " + c);
                long capacity = geometry.blocksPerPool(c);
                assertEquals((perClass[c] + capacity - 1) / capacity, stats.sizeClass(c).pools(), "class " + c);
            }
            assertEquals(1025 - 512, stats.rawBlocks());
            for (int size = 0; size < blocks.length; size++) {
                TestSupport.verify(blocks[size], size, ~size, "size " + size);
                heap.free(blocks[size]);
            }
            heap.checkInvariants();
            assertEquals(0, heap.stats().smallBlocksInUse());
        }
    }

    @Test
    void geometryTableMatchesTheReference() {
        for (int c = 0; c < Geometry.SIZE_CLASSES; c++) {
            int[] row = TABLE[c];
            String what = "class " + c;
            assertEquals(row[0], Geometry.blockSize(c), what);
            assertEquals(row[1], Geometry.PY311.blocksPerPool(c), what + " blocks per 16 KiB pool");
            assertEquals(row[2], Geometry.PY311.quantization(c), what + " tail per 16 KiB pool");
            assertEquals(row[3], Geometry.PY38.blocksPerPool(c), what + " blocks per 4 KiB pool");
            assertEquals(row[4], Geometry.PY38.quantization(c), what + " tail per 4 KiB pool");
            // Every byte of a pool is header, a block or tail.
            assertEquals(16384, 48 + row[1] * row[0] + row[2], what);
            assertEquals(4096, 48 + row[3] * row[0] + row[4], what);
        }
    }

    @Test
    void presetSizes() {
        assertEquals(16384, Geometry.PY311.poolSize());
        assertEquals(1 << 20, Geometry.PY311.arenaSize());
        assertEquals(64, Geometry.PY311.poolsPerArena());
        assertEquals(4096, Geometry.PY38.poolSize());
        assertEquals(256 << 10, Geometry.PY38.arenaSize());
        assertEquals(64, Geometry.PY38.poolsPerArena());
        assertEquals(48, Geometry.POOL_OVERHEAD);
        assertEquals(Geometry.PY311, Geometry.of("3.11"));
        assertEquals(Geometry.PY38, Geometry.of("3.8"));
    }

    /** The capacities the heap reports for a full pool agree with the table. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void onePoolHoldsBlocksPerPoolBlocks(Geometry geometry) {
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            for (int c : new int[] {0, 3, 6, 10, 22, 31}) {
                int n = geometry.blocksPerPool(c);
                long[] blocks = new long[n + 1];
                long pool = 0;
                for (int i = 0; i < n; i++) {
                    blocks[i] = heap.malloc(Geometry.blockSize(c));
                    long thisPool = blocks[i] & -(long) geometry.poolSize();
                    if (i == 0) {
                        pool = thisPool;
                        assertEquals(pool + Geometry.POOL_OVERHEAD, blocks[0], "first block follows the header");
                    } else {
                        assertEquals(pool, thisPool, "class " + c + " block " + i + " left the first pool");
                        assertEquals(blocks[i - 1] + Geometry.blockSize(c), blocks[i], "blocks are carved in order");
                    }
                }
                SizeClassStats row = heap.stats().sizeClass(c);
                assertEquals(new SizeClassStats(c, Geometry.blockSize(c), 1, n, 0), row);
                blocks[n] = heap.malloc(Geometry.blockSize(c));
                assertNotEquals(pool, blocks[n] & -(long) geometry.poolSize(), "block N+1 needs a second pool");
                assertEquals(new SizeClassStats(c, Geometry.blockSize(c), 2, n + 1, n - 1), heap.stats().sizeClass(c));
                heap.checkInvariants();
                for (long b : blocks) {
                    heap.free(b);
                }
                heap.checkInvariants();
            }
        }
    }
}
