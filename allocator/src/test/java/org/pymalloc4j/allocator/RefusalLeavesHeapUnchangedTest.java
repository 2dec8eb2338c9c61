package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pymalloc4j.allocator.internal.LiveMarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checked mode's refusals, each of every entry point (free, realloc, usableSize, segment), on
 * arenas not pool-aligned as CPython's mmap gives them: interior pointers, pool headers, the
 * alignment slack at both ends of an arena, blocks never carved, freed blocks, a raw block freed
 * twice and the address just past one. After each the heap is exactly as before: the same
 * statistics, pools, bytes from the OS and block contents, and every invariant holds.
 */
class RefusalLeavesHeapUnchangedTest {

    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void everyRefusalLeavesTheHeapExactlyAsItWas(Geometry geometry) {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        refuseAll(geometry);
    }

    /** The same of a heap past the 126 marks of their own, whose free asks the owner map. */
    @Test
    void everyRefusalOfAHeapSharingAMarkLeavesItExactlyAsItWas() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        List<Byte> held = new ArrayList<>();
        try {
            for (byte m = LiveMarks.takeMark(); m != LiveMarks.SHARED; m = LiveMarks.takeMark()) {
                held.add(m);
            }
            refuseAll(Geometry.PY311);
        } finally {
            held.forEach(LiveMarks::returnMark);
        }
    }

    private static void refuseAll(Geometry geometry) {
        OffsetArenaAllocator unaligned = new OffsetArenaAllocator(4096 + 16); // aligned to no pool size: slack at both ends
        List<Long> bases = unaligned.bases();
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        try (PyMalloc heap = PyMalloc.builder().geometry(geometry).arenaAllocator(unaligned).build()) {
            Map<Long, Long> live = new LinkedHashMap<>();
            List<Long> freed = new ArrayList<>();
            for (int k = 0; k < 20_000; k++) {
                long size = 1 + random.nextInt(random.nextInt(8) == 0 ? 700 : 512);
                long p = heap.malloc(size);
                TestSupport.fill(p, size, p);
                live.put(p, size);
            }
            for (Long p : new ArrayList<>(live.keySet())) {
                if (random.nextInt(4) == 0) {
                    heap.free(p);
                    live.remove(p);
                    freed.add(p);
                }
            }
            long raw = heap.malloc(1000);
            heap.free(raw); // freed twice below
            long keptRaw = heap.malloc(777);
            TestSupport.fill(keptRaw, 777, keptRaw);
            live.put(keptRaw, 777L);

            Map<String, Long> bad = new LinkedHashMap<>();
            long small = live.keySet().stream().filter(heap::isArenaAddress)
                    .filter(p -> heap.usableSize(p) >= 64).findFirst().orElseThrow();
            bad.put("an interior pointer, 16 bytes in", small + 16);
            bad.put("an interior pointer, 8 bytes in", small + 8);
            bad.put("an odd interior pointer", small + 1);
            long pool = small & -(long) geometry.poolSize();
            bad.put("a pool header", pool);
            bad.put("a pool header, 16 bytes in", pool + 16);
            bad.put("a pool header's last granule", pool + Geometry.POOL_OVERHEAD - 16);
            long base = bases.get(0);
            bad.put("an arena's base, in its leading slack", base);
            bad.put("the leading slack's last granule", ((base + geometry.poolSize() - 1) & -(long) geometry.poolSize()) - 16);
            long end = base + geometry.arenaSize();
            bad.put("the trailing slack's first granule", end & -(long) geometry.poolSize());
            bad.put("the trailing slack's header granule + 16", (end & -(long) geometry.poolSize()) + 16);
            bad.put("an arena's last granule", end - 16);
            bad.put("a freed block", freed.get(0));
            bad.put("a raw block freed already", raw);
            bad.put("just past a raw block", keptRaw + 777);
            bad.put("just past a raw block, rounded to 16", keptRaw + 784);
            bad.put("a raw block's inside", keptRaw + 16);
            // a never-carved block: the first beyond the carved part of some pool in use
            for (PoolInfo info : heap.pools()) {
                if (info.state() == PoolInfo.State.USED && info.blocksInUse() < geometry.blocksPerPool(info.sizeClass())) {
                    long never = info.address() + geometry.poolSize() - info.blockSize();
                    if (!heap.isLive(never) && !freed.contains(never)) {
                        bad.put("a block of a pool in use never handed out", never);
                        break;
                    }
                }
            }
            heap.pools().stream().filter(i -> i.state() == PoolInfo.State.UNCARVED).findFirst()
                    .ifPresent(i -> bad.put("a pool never carved", i.address() + Geometry.POOL_OVERHEAD));
            heap.pools().stream().filter(i -> i.state() == PoolInfo.State.EMPTY).findFirst()
                    .ifPresent(i -> bad.put("the first block of an empty pool", i.address() + Geometry.POOL_OVERHEAD));
            MallocStats before = heap.stats();
            List<PoolInfo> poolsBefore = heap.pools();
            long osBefore = heap.bytesFromOs();
            for (Map.Entry<String, Long> e : bad.entrySet()) {
                String what = e.getKey() + " 0x" + Long.toHexString(e.getValue()) + ", seed " + seed;
                long address = e.getValue();
                assertFalse(heap.isLive(address), what);
                TestSupport.refusedAddress("free", address, () -> heap.free(address), what);
                TestSupport.refusedAddress("realloc", address, () -> heap.realloc(address, 32), what);
                TestSupport.refusedAddress("realloc", address, () -> heap.realloc(address, 5000), what);
                TestSupport.refusedAddress("usableSize", address, () -> heap.usableSize(address), what);
                assertThrows(InvalidAddressException.class, () -> heap.segment(address), what);
                heap.checkInvariants();
                assertEquals(before, heap.stats(), what);
                assertEquals(poolsBefore, heap.pools(), what);
                assertEquals(osBefore, heap.bytesFromOs(), what);
            }
            for (Map.Entry<Long, Long> e : live.entrySet()) {
                TestSupport.verify(e.getKey(), e.getValue(), e.getKey(), "a live block after the refusals, seed " + seed);
                heap.free(e.getKey());
            }
            heap.checkInvariants();
        }
        assertTrue(unaligned.allReturned(), "every arena returned");
    }
}
