package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.pymalloc4j.allocator.TestSupport.hex;

/**
 * Seeded random sequences of malloc, calloc, realloc and free checked step by step against a
 * plain Java model of the live blocks (address -> requested size, size class, pattern key).
 */
class RandomModelTest {

    /** A live block in the model; {@code sizeClass} is -1 for a raw block. */
    private record Block(long size, int sizeClass, long key) {
        boolean small() {
            return sizeClass >= 0;
        }

        long extent() {
            return small() ? Geometry.blockSize(sizeClass) : Math.max(size, 1);
        }
    }

    private static final class Model {
        final PyMalloc heap;
        final SplittableRandom random;
        final Map<Long, Block> live = new HashMap<>();
        final List<Long> addresses = new ArrayList<>();
        final long[] perClass = new long[Geometry.SIZE_CLASSES];
        long raw;
        long rawBytes;
        long nextKey;
        int step;

        Model(PyMalloc heap, long seed) {
            this.heap = heap;
            this.random = new SplittableRandom(seed);
            this.nextKey = TestSupport.mix(seed);
        }

        String at() {
            return heap.geometry().name() + " step " + step + ": ";
        }

        void add(long address, long size, int sizeClass, long key) {
            assertNotEquals(0, address, at() + "null block");
            assertEquals(0, address & 15, at() + hex(address) + " not 16-byte aligned");
            Block previous = live.put(address, new Block(size, sizeClass, key));
            assertNull(previous, at() + hex(address) + " handed out twice: already live as " + previous);
            addresses.add(address);
            if (sizeClass >= 0) {
                perClass[sizeClass]++;
            } else {
                raw++;
                rawBytes += size;
            }
            assertEquals(sizeClass >= 0, heap.isArenaAddress(address), at() + hex(address) + " kind");
            assertTrue(heap.isLive(address), at() + hex(address) + " not live");
        }

        Block remove(long address) {
            Block b = live.remove(address);
            addresses.remove(address);
            if (b.small()) {
                perClass[b.sizeClass]--;
            } else {
                raw--;
                rawBytes -= b.size;
            }
            return b;
        }

        long pick() {
            return addresses.get(random.nextInt(addresses.size()));
        }

        /** Sizes 0..2000, biased towards the edges that matter: 0, 512/513 and the class edges. */
        long randomSize() {
            return switch (random.nextInt(12)) {
                case 0 -> 0;
                case 1 -> 511 + random.nextInt(4);
                case 2 -> 513 + random.nextInt(1488);
                case 3 -> 16L * (1 + random.nextInt(32)) + random.nextInt(3) - 1;
                default -> 1 + random.nextInt(512);
            };
        }

        /** A new size for a block: often at the 3/4 boundary of its class or just across a class or 512. */
        long reallocSize(Block b) {
            if (!b.small() || random.nextInt(3) == 0) {
                return randomSize();
            }
            long s = Geometry.blockSize(b.sizeClass);
            return switch (random.nextInt(8)) {
                case 0 -> 3 * s / 4;              // moves: exactly 3/4
                case 1 -> 3 * s / 4 + 1;          // stays: just over 3/4
                case 2 -> s;                      // stays
                case 3 -> s + 1;                  // moves up a class (or to raw from 512)
                case 4 -> 513;                    // to raw
                case 5 -> 0;                      // to a raw 0-byte block
                case 6 -> 1 + random.nextLong(s); // anywhere below
                default -> s + 1 + random.nextInt(600);
            };
        }

        void step() {
            int op = random.nextInt(100);
            boolean grow = live.size() < 300 || (live.size() < 3000 && op < 50);
            if (addresses.isEmpty() || grow && op < 35) {
                malloc();
            } else if (grow && op < 50 || op < 5) {
                calloc();
            } else if (op < 70) {
                realloc();
            } else if (op < 72) {
                long n = randomSize();
                long p = heap.realloc(0, n);
                fill(p, n);
            } else {
                free();
            }
        }

        void malloc() {
            long n = randomSize();
            fill(heap.malloc(n), n);
        }

        private void fill(long p, long n) {
            long key = nextKey++;
            add(p, n, TestSupport.isSmall(n) ? Geometry.sizeClass(n) : -1, key);
            TestSupport.fill(p, n, key);
        }

        void calloc() {
            long elsize = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(64);
            long nelem = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(40);
            long n = nelem * elsize;
            long p = heap.calloc(nelem, elsize);
            for (long j = 0; j < n; j++) {
                if (NativeMemory.getByte(p + j) != 0) {
                    fail(at() + "calloc(" + nelem + ", " + elsize + ") = " + hex(p) + ": byte " + j + " is not 0");
                }
            }
            long key = nextKey++;
            add(p, n, TestSupport.isSmall(n) ? Geometry.sizeClass(n) : -1, key);
            TestSupport.fill(p, n, key);
        }

        void realloc() {
            long p = pick();
            Block b = live.get(p);
            long n = reallocSize(b);
            TestSupport.verify(p, b.size, b.key, at() + "before realloc");
            long q = heap.realloc(p, n);
            String what = at() + "realloc(" + hex(p) + " of " + b.size + (b.small() ? " in class " + b.sizeClass : " raw")
                    + ", " + n + ") = " + hex(q);
            remove(p);
            int newClass;
            if (!b.small()) {
                newClass = -1; // raw stays raw, whatever the size
            } else {
                long s = Geometry.blockSize(b.sizeClass);
                if (n <= s && 4 * n > 3 * s) {
                    assertEquals(p, q, what + ": should stay in place");
                    newClass = b.sizeClass;
                } else {
                    assertNotEquals(p, q, what + ": should move");
                    assertFalse(heap.isLive(p), what + ": old block still live");
                    newClass = TestSupport.isSmall(n) ? Geometry.sizeClass(n) : -1;
                }
            }
            add(q, n, newClass, b.key);
            TestSupport.verify(q, Math.min(b.size, n), b.key, what + ": contents not preserved");
            TestSupport.fill(q, n, b.key);
            if (b.small() && newClass >= 0) {
                assertEquals(Geometry.blockSize(newClass), heap.usableSize(q), what);
            } else if (newClass < 0) {
                assertEquals(n, heap.usableSize(q), what);
            }
        }

        void free() {
            long p = pick();
            Block b = live.get(p);
            TestSupport.verify(p, b.size, b.key, at() + "before free");
            heap.free(p);
            remove(p);
            // Only a later malloc may hand the address out again; right now it is free.
            assertFalse(heap.isLive(p), at() + hex(p) + (b.small() ? "" : " (raw)") + " live after free");
        }

        void checkAgainstStats() {
            MallocStats stats = heap.stats();
            for (int c = 0; c < Geometry.SIZE_CLASSES; c++) {
                SizeClassStats row = stats.sizeClass(c);
                assertEquals(perClass[c], row.blocksInUse(), at() + "blocks in use of class " + c);
                assertEquals(row.pools() * heap.geometry().blocksPerPool(c), row.blocksInUse() + row.availableBlocks(),
                        at() + "class " + c);
            }
            assertEquals(raw, stats.rawBlocks(), at() + "raw blocks");
            assertEquals(rawBytes, stats.rawBytes(), at() + "raw bytes");
        }

        /** No two live blocks overlap: sort the [start, end) ranges and compare neighbours. */
        void checkNoOverlap() {
            long[][] ranges = new long[live.size()][];
            int k = 0;
            for (Map.Entry<Long, Block> e : live.entrySet()) {
                ranges[k++] = new long[] {e.getKey(), e.getKey() + e.getValue().extent()};
            }
            Arrays.sort(ranges, (x, y) -> Long.compareUnsigned(x[0], y[0]));
            for (int i = 1; i < ranges.length; i++) {
                if (Long.compareUnsigned(ranges[i][0], ranges[i - 1][1]) < 0) {
                    fail(at() + "blocks overlap: [" + hex(ranges[i - 1][0]) + ", " + hex(ranges[i - 1][1]) + ") and ["
                            + hex(ranges[i][0]) + ", " + hex(ranges[i][1]) + ")");
                }
            }
        }

        void checkAllLive() {
            for (Map.Entry<Long, Block> e : live.entrySet()) {
                long p = e.getKey();
                Block b = e.getValue();
                assertTrue(heap.isLive(p), at() + hex(p));
                TestSupport.verify(p, b.size, b.key, at() + "live block");
            }
        }

        void freeAll() {
            for (long p : new ArrayList<>(addresses)) {
                Block b = live.get(p);
                TestSupport.verify(p, b.size, b.key, at() + "final free");
                heap.free(p);
                remove(p);
            }
        }
    }

    /** A few thousand steps with the full invariant check after every single one. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void invariantsHoldAfterEveryStep(Geometry geometry) {
        run(geometry, TestSupport.seed(), 5000, 1, 50);
    }

    /** The same on geometries at the edges of what the constructor accepts. */
    @ParameterizedTest
    @MethodSource(TestSupport.EDGE_GEOMETRIES)
    void edgeGeometries(Geometry geometry) {
        run(geometry, TestSupport.seed(), 20_000, 10, 100);
    }

    /** A longer run, checked every 1000 steps. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void longRun(Geometry geometry) {
        run(geometry, TestSupport.seed(), 150_000, 1000, 1000);
    }

    private static void run(Geometry geometry, long seed, int steps, int invariantEvery, int statsEvery) {
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            Model model = new Model(heap, seed);
            for (model.step = 0; model.step < steps; model.step++) {
                model.step();
                if (model.step % invariantEvery == 0) {
                    heap.checkInvariants();
                }
                if (model.step % statsEvery == 0) {
                    model.checkAgainstStats();
                    model.checkNoOverlap();
                }
            }
            heap.checkInvariants();
            model.checkAgainstStats();
            model.checkNoOverlap();
            model.checkAllLive();
            model.freeAll();
            heap.checkInvariants();
            model.checkAgainstStats();
            assertEquals(0, heap.stats().smallBlocksInUse());
            assertEquals(1, heap.stats().arenasCurrent());
        }
    }
}
