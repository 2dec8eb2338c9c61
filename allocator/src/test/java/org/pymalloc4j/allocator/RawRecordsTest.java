package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.LiveMarks;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A heap's raw blocks, checked or not, are recorded in the live-block map (RawRecords), those
 * under 80 bytes given 80 from libc to hold theirs: the record is believed only where the
 * heap's own entries agree, and every record is zeroed before its block goes back to libc.
 * Runs in both modes.
 */
class RawRecordsTest {

    /** The record's first byte: the raw mark (the heap's mark with the top bit set). */
    private static int recordMark(long block) {
        return TestSupport.liveMark(block);
    }

    @Test
    void aRawBlockIsRecordedUnderItsHeapsRawMarkAndZeroedWhenFreed() {
        try (PyMalloc heap = PyMalloc.create()) {
            int poolMark = TestSupport.liveMark(heap.malloc(64));
            long p = heap.malloc(1000);
            assertEquals(poolMark | 0x80, recordMark(p), "the heap's mark (0 unchecked) with the top bit set");
            for (int g = 1; g <= 4; g++) {
                int b = NativeMemory.getByte(LiveMarks.mark(p + 16L * g)) & 0xff;
                assertTrue(b >= 0x80, "index byte " + g + " has its top bit: no pool mark inside a raw block: " + b);
            }
            assertEquals(1000, heap.usableSize(p));
            heap.free(p);
            for (int g = 0; g <= 4; g++) {
                assertEquals(0, TestSupport.liveMark(p + 16L * g), "record byte " + g + " zeroed");
            }
            InvalidAddressException e = TestSupport.refusedAddress("free", p, () -> heap.free(p));
            assertTrue(e.getMessage().contains("not a block allocated by this heap"), e.getMessage());
            assertEquals(0, heap.stats().rawBlocks());
        }
    }

    @Test
    void anAddressInsideARawBlockIsRefusedAndChangesNothing() {
        try (PyMalloc heap = PyMalloc.create()) {
            long p = heap.malloc(4096);
            NativeMemory.putLong(p + 512, 0x1122334455667788L);
            for (long offset : new long[] {16, 32, 48, 64, 80, 128, 512}) {
                TestSupport.refusedAddress("free", p + offset, () -> heap.free(p + offset), "free at +" + offset);
                TestSupport.refusedAddress("realloc", p + offset, () -> heap.realloc(p + offset, 10), "realloc +" + offset);
                assertFalse(heap.isLive(p + offset));
            }
            assertEquals(1, heap.stats().rawBlocks());
            assertEquals(4096, heap.stats().rawBytes());
            assertEquals(0x1122334455667788L, NativeMemory.getLong(p + 512), "the block untouched");
            heap.checkInvariants();
            heap.free(p);
        }
    }

    @Test
    void anotherHeapsRawBlockIsRefusedByItsRecordsEntries() {
        try (PyMalloc a = PyMalloc.create(); PyMalloc b = PyMalloc.create()) {
            long p = a.malloc(2000);
            long q = b.malloc(2000);
            TestSupport.refusedAddress("free", p, () -> b.free(p));
            TestSupport.refusedAddress("realloc", q, () -> a.realloc(q, 3000));
            assertTrue(a.isLive(p) && b.isLive(q) && !a.isLive(q) && !b.isLive(p));
            a.checkInvariants();
            b.checkInvariants();
            a.free(p);
            b.free(q);
        }
    }

    @Test
    void smallRawBlocksAreGivenRoomForARecordAndKeepItThroughRealloc() {
        try (PyMalloc heap = PyMalloc.create()) {
            long big = heap.malloc(600);
            int rawMark = recordMark(big);
            long empty = heap.malloc(0);
            assertEquals(rawMark, recordMark(empty), "a 0-byte block is given room for its record");
            var aligned = heap.allocate(8, 64);
            assertEquals(rawMark, recordMark(aligned.address()), "8 bytes aligned to 64, likewise");
            assertEquals(0, heap.usableSize(empty));
            assertEquals(8, heap.usableSize(aligned.address()));
            long shrunk = heap.realloc(big, 10);
            assertEquals(rawMark, recordMark(shrunk), "shrunk under 80 bytes, it keeps 80 from libc and its record");
            assertEquals(10, heap.usableSize(shrunk));
            long grown = heap.realloc(shrunk, 100_000);
            assertEquals(rawMark, recordMark(grown));
            if (grown != shrunk) {
                assertEquals(0, recordMark(shrunk), "the old address's record is gone");
            }
            assertEquals(3, heap.stats().rawBlocks());
            assertEquals(100_008, heap.stats().rawBytes());
            heap.checkInvariants();
            heap.free(empty);
            heap.free(aligned);
            heap.free(grown);
            assertEquals(0, heap.stats().rawBytes());
        }
    }

    /**
     * A freed entry goes on the free entries' list and the next block takes it, so no other
     * block's record changes; an entry on that list confirms no record.
     */
    @Test
    void aFreedEntryIsTakenByTheNextBlockAndNoOtherRecordChanges() {
        LiveMarks.require();
        byte mark = LiveMarks.takeMark();
        assumeTrue(mark != LiveMarks.SHARED, "every mark is held");
        byte raw = LiveMarks.rawMark(mark);
        org.pymalloc4j.allocator.internal.RawRecords records = new org.pymalloc4j.allocator.internal.RawRecords(mark);
        org.pymalloc4j.allocator.internal.RawBlockTable noTable = new org.pymalloc4j.allocator.internal.RawBlockTable();
        long[] blocks = new long[6];
        try {
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = RawAllocator.malloc(300);
            }
            long a = blocks[0], b = blocks[1], c = blocks[2];
            for (int i = 0; i < 3; i++) {
                assertTrue(records.add(blocks[i], 100 + i, 300));
            }
            assertEquals(101, records.remove(b));
            assertEquals(0, LiveMarks.recordIndex(a, raw));
            assertEquals(2, LiveMarks.recordIndex(c, raw), "the last block keeps its index: nothing moved");
            LiveMarks.putRecord(b, raw, 1); // a record naming the free entry
            assertEquals(-1, records.sizeOf(b), "a free entry confirms nothing");
            LiveMarks.clearRecord(b);
            records.checkInvariants(noTable);

            long d = blocks[3], e = blocks[4], f = blocks[5];
            assertTrue(records.add(d, 7, 300));
            assertEquals(1, LiveMarks.recordIndex(d, raw), "the freed entry is taken first");
            assertEquals(100, records.remove(a));
            assertEquals(102, records.remove(c));
            assertTrue(records.add(e, 8, 300));
            assertTrue(records.add(f, 9, 300));
            assertEquals(2, LiveMarks.recordIndex(e, raw), "the entry freed last first");
            assertEquals(0, LiveMarks.recordIndex(f, raw));
            records.checkInvariants(noTable);
            Map<Long, Long> seen = new HashMap<>();
            records.forEach((address, size) -> {
                seen.put(address, size);
                return 0;
            });
            assertEquals(Map.of(d, 7L, e, 8L, f, 9L), seen);
            assertEquals(3, records.count());
            assertEquals(24, records.bytes());
        } finally {
            records.release((address, size) -> 0);
            noTable.release();
            for (long block : blocks) {
                RawAllocator.free(block);
            }
            LiveMarks.returnMark(mark);
        }
    }

    /**
     * A record is believed only where the heap's entries hold its address at its index: a
     * forged record with this heap's raw mark, at a block of no heap, is refused and left alone.
     */
    @Test
    void aRecordTheEntriesDoNotConfirmIsRefused() {
        LiveMarks.require();
        byte mark = LiveMarks.takeMark();
        assumeTrue(mark != LiveMarks.SHARED, "every mark is held");
        long foreign = RawAllocator.malloc(200);
        // The forged record is written by hand, so its map runs must be opened by hand: own's
        // record opens only own's, and libc may put foreign in a megabyte no record opened yet.
        boolean opened = LiveMarks.openRun(LiveMarks.runOf(foreign))
                && LiveMarks.openRun(LiveMarks.runOf(foreign + LiveMarks.RECORD_BYTES - 16));
        if (!opened) {
            RawAllocator.free(foreign);
            LiveMarks.returnMark(mark);
        }
        assumeTrue(opened, "the map's runs over foreign could not be made writable");
        org.pymalloc4j.allocator.internal.RawRecords records = new org.pymalloc4j.allocator.internal.RawRecords(mark);
        try {
            long own = RawAllocator.malloc(300);
            assertTrue(records.add(own, 300, 300));
            assertFalse(records.add(foreign + 200, 16, 16), "too small for a record");
            LiveMarks.putRecord(foreign, LiveMarks.rawMark(mark), 0); // index 0 is own's
            assertEquals(-1, records.sizeOf(foreign));
            assertEquals(-1, records.remove(foreign));
            assertEquals(LiveMarks.rawMark(mark) & 0xff, TestSupport.liveMark(foreign), "the forged record untouched");
            assertEquals(300, records.sizeOf(own));
            assertEquals(300, records.remove(own));
            assertEquals(0, records.count());
            RawAllocator.free(own);
        } finally {
            LiveMarks.clearRecord(foreign);
            records.release((address, size) -> 0);
            RawAllocator.free(foreign);
            LiveMarks.returnMark(mark);
        }
    }

    /**
     * Heaps in two threads churn raw blocks at once, opening the map's runs and writing records
     * side by side: each finds its blocks, their contents and its invariants intact. Seeded.
     */
    @Test
    void heapsInTwoThreadsKeepTheirRecordsApart() throws Exception {
        long seed = TestSupport.seed();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long threadSeed = seed + t;
                runs.add(pool.submit(() -> churn(threadSeed)));
            }
            for (var run : runs) {
                assertEquals(0, run.get(), "seed " + seed + ": blocks left");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * libc hands a raw block freed by one heap to the next malloc, here another heap's: that
     * heap's record then stands at the address, and the first heap's stale free of it is
     * refused, the block live in the second. Unchecked heaps share raw mark 0x80, so there the
     * entries alone tell them apart.
     */
    @Test
    void aRawAddressReusedByAnotherHeapIsThatHeaps() {
        try (PyMalloc a = PyMalloc.create(); PyMalloc b = PyMalloc.create()) {
            long[] kept = new long[4]; // so that b's record's index is one of a's too
            for (int i = 0; i < kept.length; i++) {
                kept[i] = a.malloc(3000);
            }
            int reused = 0;
            for (int i = 0; i < 100; i++) {
                long x = a.malloc(1000);
                a.free(x);
                long y = b.malloc(1000); // glibc's thread cache gives x back first
                if (y == x) {
                    reused++;
                    TestSupport.refusedAddress("free", x, () -> a.free(x));
                    TestSupport.refusedAddress("realloc", x, () -> a.realloc(x, 2000));
                    assertTrue(b.isLive(x) && !a.isLive(x));
                }
                b.free(y);
            }
            assumeTrue(reused > 0, "libc never handed a freed block to the next malloc");
            a.checkInvariants();
            b.checkInvariants();
            assertEquals(kept.length, a.stats().rawBlocks() + b.stats().rawBlocks());
            for (long p : kept) {
                a.free(p);
            }
        }
    }

    /** 20,000 raw mallocs, reallocs and frees on a heap of this thread's own; returns the raw blocks left after. */
    private static int churn(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] live = new long[64];
        try (PyMalloc heap = PyMalloc.create()) {
            for (int step = 0; step < 20_000; step++) {
                int i = random.nextInt(live.length);
                if (live[i] == 0) {
                    live[i] = heap.malloc(513 + random.nextInt(4000));
                    NativeMemory.putLong(live[i], live[i]);
                } else if (random.nextBoolean()) {
                    assertEquals(live[i], NativeMemory.getLong(live[i]), "seed " + seed + ": contents");
                    heap.free(live[i]); // refused if another heap's record had replaced its own
                    live[i] = 0;
                } else {
                    long moved = heap.realloc(live[i], 513 + random.nextInt(4000));
                    assertEquals(live[i], NativeMemory.getLong(moved), "seed " + seed + ": contents kept");
                    NativeMemory.putLong(moved, moved);
                    live[i] = moved;
                }
            }
            heap.checkInvariants();
            for (long p : live) {
                if (p != 0) {
                    heap.free(p);
                }
            }
            return (int) heap.stats().rawBlocks();
        }
    }

    /** Raw blocks and small ones, made, resized and freed at random, against a model; seeded. */
    @Test
    void randomRawTrafficMatchesAModelAndClosingZeroesEveryRecord() {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        Map<Long, Long> model = new HashMap<>();
        List<Long> live = new ArrayList<>();
        List<Long> freed = new ArrayList<>();
        PyMalloc heap = PyMalloc.create();
        try {
            for (int step = 0; step < 3000; step++) {
                int op = random.nextInt(10);
                if (op < 4 || live.isEmpty()) {
                    long size = random.nextInt(4) == 0 ? random.nextInt(100) : 513 + random.nextInt(8000);
                    long p = heap.malloc(size);
                    assertFalse(model.containsKey(p), "seed " + seed + ": handed out twice");
                    model.put(p, size);
                    live.add(p);
                } else if (op < 7) {
                    long p = live.remove(random.nextInt(live.size()));
                    heap.free(p);
                    model.remove(p);
                    freed.add(p);
                } else {
                    int i = random.nextInt(live.size());
                    long p = live.get(i);
                    long size = model.get(p);
                    long newSize = size > 512 ? 513 + random.nextInt(20_000) : random.nextInt(512);
                    NativeMemory.putByte(p, (byte) 0x3C);
                    long q = heap.realloc(p, newSize);
                    if (Math.min(size, newSize) > 0) {
                        assertEquals(0x3C, NativeMemory.getByte(q) & 0xff, "seed " + seed + ": contents kept");
                    }
                    model.remove(p);
                    model.put(q, heap.usableSize(q));
                    live.set(i, q);
                }
                if (step % 100 == 0) {
                    heap.checkInvariants();
                    long rawLive = model.keySet().stream().filter(a -> !heap.isArenaAddress(a)).count();
                    assertEquals(rawLive, heap.stats().rawBlocks(), "seed " + seed + " step " + step);
                }
            }
            for (long p : live) {
                assertTrue(heap.isLive(p), "seed " + seed);
            }
        } finally {
            heap.close();
        }
        for (long p : live) {
            assertEquals(0, TestSupport.liveMark(p), "seed " + seed + ": closing zeroed the mark of 0x" + Long.toHexString(p));
        }
    }
}
