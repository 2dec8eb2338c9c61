package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pymalloc4j.allocator.internal.ArenaOwners;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A custom ArenaAllocator at the edges of the address space and of alignment. An arena whose end
 * runs past the top of the address (base + size overflows), or that is not a user-space address
 * at all, is refused as out of reach before anything of it is read, given back, and the heap
 * works on; an arena at any address inside the reach, even an odd one, is used as CPython uses
 * one not pool-aligned: its first partial pool is skipped, and every block is still 16-byte aligned.
 */
class ArenaAllocatorEdgesTest {
    private static final long MIB = 1 << 20;

    @ParameterizedTest
    @ValueSource(longs = {-4096, Long.MIN_VALUE, Long.MAX_VALUE & -4096, -(1L << 20)})
    void anArenaPastTheTopOfTheAddressSpaceIsRefusedAsOutOfReach(long address) {
        List<Long> returned = new ArrayList<>();
        ArenaAllocator top = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                return address; // never touched: refused before any use
            }

            @Override
            public void free(long a, long size) {
                returned.add(a);
            }
        };
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(top).build()) {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> heap.malloc(64));
            assertEquals("pymalloc4j: arena at 0x" + Long.toHexString(address) + " from " + top + " refused: it lies out of"
                    + " reach of the owner and live-block maps, which end at 0x" + Long.toHexString(ArenaOwners.COVERED)
                    + "; it was given back", e.getMessage());
            assertEquals(List.of(address), returned, "given back, once");
            assertEquals(0, heap.bytesFromOs());
            assertFalse(heap.isArenaAddress(address));
            heap.checkInvariants();
            heap.setArenaAllocator(ArenaAllocator.mmap());
            heap.free(heap.malloc(64));
            heap.checkInvariants();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 16, 4096 + 8, (16 << 10) - 1})
    void anArenaAtAnOddAddressLosesItsFirstPoolAndServesAlignedBlocks(long offset) {
        Map<Long, Long> mappings = new HashMap<>();
        ArenaAllocator odd = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                long map = RawAllocator.mmap(size + MIB);
                long arena = map + offset;
                mappings.put(arena, map);
                return arena;
            }

            @Override
            public void free(long address, long size) {
                RawAllocator.unmap(mappings.remove(address), size + MIB);
            }
        };
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(odd).build()) {
            int pools = heap.geometry().arenaSize() / heap.geometry().poolSize();
            List<Long> blocks = new ArrayList<>();
            int perPool = (heap.geometry().poolSize() - Geometry.POOL_OVERHEAD) / 512;
            for (int i = 0; i < (pools - 1) * perPool; i++) { // fills every pool of the arena that is whole
                long p = heap.malloc(512);
                assertEquals(0, p % Geometry.ALIGNMENT, "16-byte aligned");
                NativeMemory.fill(p, 512, (byte) i);
                blocks.add(p);
            }
            MallocStats s = heap.stats();
            assertEquals(1, s.arenasCurrent(), "one arena held them all");
            assertEquals(pools - 1, s.sizeClasses().stream().mapToLong(SizeClassStats::pools).sum(),
                    "every pool but the partial first");
            long arena = mappings.keySet().iterator().next();
            for (long p : blocks) {
                assertTrue(p >= arena && p + 512 <= arena + heap.geometry().arenaSize(), "inside the arena");
                assertTrue(heap.isArenaAddress(p));
            }
            heap.checkInvariants();
            for (long p : blocks) {
                heap.free(p);
            }
            heap.checkInvariants();
        }
        assertTrue(mappings.isEmpty(), "the arena went back to its allocator");
    }
}
