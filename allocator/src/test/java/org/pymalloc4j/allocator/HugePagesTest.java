package org.pymalloc4j.allocator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.internal.ProcFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The huge-page geometry (CPython's {@code --with-pymalloc-hugepages}: 2 MiB arenas) and its
 * arena allocator: arenas aligned to 2 MiB, advised for transparent huge pages where the kernel
 * offers them (checked in {@code /proc/self/smaps}: the mapping's {@code hg} flag, and the huge
 * page itself once touched), and unmapped on close.
 */
class HugePagesTest {
    private static final long TWO_MIB = 1L << 21;

    @Test
    void theGeometryIsCPythonsHugePageBuild() {
        assertEquals(TWO_MIB, Geometry.HUGE_PAGES.arenaSize());
        assertEquals(1 << 14, Geometry.HUGE_PAGES.poolSize());
        assertEquals(128, Geometry.HUGE_PAGES.poolsPerArena());
        assertSame(Geometry.HUGE_PAGES, Geometry.of("hugepages"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Geometry.of("huge"));
        assertEquals("unknown geometry 'huge': expected 3.11, 3.8 or hugepages", e.getMessage());
    }

    @Test
    void aHeapOfTheGeometryTakesHugePageArenasUnlessGivenAnotherAllocator() {
        try (PyMalloc heap = PyMalloc.create(Geometry.HUGE_PAGES)) {
            assertInstanceOf(HugePageArenaAllocator.class, heap.arenaAllocator());
        }
        try (PyMalloc heap = PyMalloc.builder().geometry(Geometry.HUGE_PAGES).arenaAllocator(ArenaAllocator.mmap()).build()) {
            assertSame(ArenaAllocator.mmap(), heap.arenaAllocator());
        }
        try (PyMalloc heap = PyMalloc.create()) {
            assertSame(ArenaAllocator.mmap(), heap.arenaAllocator(), "the 3.11 geometry keeps small pages");
        }
        try (Memory memory = Memory.builder().geometry(Geometry.HUGE_PAGES).build()) {
            assertInstanceOf(HugePageArenaAllocator.class, memory.getArenaAllocator().orElseThrow());
        }
    }

    @Test
    void arenasAreAlignedCountedAndAdvisedWhereTheKernelOffersHugePages() {
        long seed = TestSupport.seed();
        System.out.println("HugePagesTest: THP " + HugePages.transparentMode()
                + ", reserved pages free " + meminfo("HugePages_Free:"));
        SplittableRandom random = new SplittableRandom(seed);
        long reservedFree = meminfo("HugePages_Free:");
        HugePageArenaAllocator arenas = ArenaAllocator.hugePages();
        try (PyMalloc heap = PyMalloc.builder().geometry(Geometry.HUGE_PAGES).arenaAllocator(arenas).build()) {
            long[] blocks = new long[40_000]; // about 10 MiB: five or more arenas
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = heap.malloc(1 + random.nextInt(512));
                assertEquals(0, heap.usableSize(blocks[i]) & 15);
            }
            heap.checkInvariants();
            MallocStats stats = heap.stats();
            long arenaCount = stats.arenasCurrent();
            assertTrue(arenaCount >= 5, stats.format());
            assertEquals(arenaCount, arenas.reservedArenas() + arenas.advisedArenas() + arenas.smallPageArenas());
            if (HugePages.reservedSize() == TWO_MIB && reservedFree > 0) {
                assertEquals(Math.min(arenaCount, reservedFree), arenas.reservedArenas(), "the reserved pool first: " + arenas);
            }
            if (HugePages.transparentAvailable()) {
                assertEquals(arenaCount - arenas.reservedArenas(), arenas.advisedArenas(), "then THP: " + arenas);
            }
            for (long b : blocks) {
                long arena = b & -TWO_MIB;
                assertTrue(heap.isArenaAddress(arena), "every arena starts 2 MiB-aligned");
            }
            assertEquals("hugepages (" + arenas.reservedArenas() + " reserved, " + arenas.advisedArenas()
                    + " advised for THP, " + arenas.smallPageArenas() + " small-page arenas)", arenas.toString());
            for (long b : blocks) {
                heap.free(b);
            }
            heap.checkInvariants();
        }
    }

    /** The kernel's own record: the arena's mapping carries the advice, and a touched arena a huge page. */
    @Test
    void anAdvisedArenaIsBackedByAHugePageOnceTouched() throws IOException {
        assumeTrue(HugePages.transparentAvailable() && meminfo("HugePages_Free:") <= 0,
                "needs transparent huge pages (mode always or madvise) and an empty reserved pool");
        HugePageArenaAllocator arenas = ArenaAllocator.hugePages();
        long arena = arenas.allocate(TWO_MIB);
        try {
            assertEquals(0, arena & (TWO_MIB - 1));
            assertEquals(1, arenas.advisedArenas());
            NativeMemory.fill(arena, TWO_MIB, (byte) 1);
            Mapping m = Mapping.of(arena);
            assertTrue(m.flags().contains(" hg"), "VmFlags of the arena's mapping: " + m.flags());
            assertTrue(m.anonHugeKib() >= TWO_MIB >> 10, "AnonHugePages of the arena's mapping: "
                    + m.anonHugeKib() + " kB (the kernel found no free huge page?)");
        } finally {
            arenas.free(arena, TWO_MIB);
        }
        assertFalse(Mapping.exists(arena), "freed arenas are unmapped");
    }

    /**
     * CPython's way first: with pages in the reserved pool ({@code echo 3 >
     * /proc/sys/vm/nr_hugepages} as root; skipped when it is empty, as it is by default), an
     * arena comes from it, and goes back to it when freed.
     */
    @Test
    void anArenaComesFromTheReservedPoolWhenItHasPages() {
        assumeTrue(meminfo("HugePages_Free:") > 0 && HugePages.reservedSize() == TWO_MIB,
                "needs free 2 MiB pages in the reserved pool (/proc/sys/vm/nr_hugepages)");
        long free = meminfo("HugePages_Free:");
        HugePageArenaAllocator arenas = ArenaAllocator.hugePages();
        long arena = arenas.allocate(TWO_MIB);
        try {
            assertEquals(1, arenas.reservedArenas(), arenas.toString());
            assertEquals(0, arena & (TWO_MIB - 1));
            NativeMemory.fill(arena, TWO_MIB, (byte) 7);
            assertEquals(free - 1, meminfo("HugePages_Free:"), "one reserved page taken");
        } finally {
            arenas.free(arena, TWO_MIB);
        }
        assertEquals(free, meminfo("HugePages_Free:"), "and given back");
    }

    @Test
    void sizesThatAreNoMultipleOfAHugePageStayOnSmallPages() {
        HugePageArenaAllocator arenas = ArenaAllocator.hugePages();
        long arena = arenas.allocate(1 << 20);
        try {
            assertEquals(0, arena & ((1 << 20) - 1), "aligned to its size, as mmap() does");
            assertEquals(1, arenas.smallPageArenas());
            assertEquals(0, arenas.advisedArenas() + arenas.reservedArenas());
        } finally {
            arenas.free(arena, 1 << 20);
        }
        assertEquals(0, arenas.allocate(-1), "a size the kernel refuses gives 0, as allocate's contract says");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> arenas.free(arena + 1, 1 << 20));
        assertTrue(e.getMessage().startsWith("munmap(0x" + Long.toHexString(arena + 1)), e.getMessage());
        assertEquals(1, arenas.smallPageArenas() + arenas.advisedArenas() + arenas.reservedArenas());
    }

    @Test
    void theRawCallsRefuseWhatTheKernelRefuses() {
        long base = RawAllocator.mapAligned(TWO_MIB, TWO_MIB);
        try {
            assertFalse(RawAllocator.adviseHugePages(base + 1, TWO_MIB - 4096), "a misaligned address");
            assertFalse(RawAllocator.adviseHugePages(base, -1), "a negative size");
        } finally {
            RawAllocator.unmap(base, TWO_MIB);
        }
        assertFalse(RawAllocator.adviseHugePages(base, TWO_MIB), "a range no longer mapped");
        if (meminfo("HugePages_Free:") == 0 && meminfo("HugePages_Surp:") == 0) {
            assertEquals(0, RawAllocator.mmapHugeTlb(TWO_MIB), "an empty reserved pool");
        }
    }

    /** One line of /proc/meminfo in kB or pages, -1 if absent. */
    private static long meminfo(String key) {
        try {
            return ProcFiles.number(Path.of("/proc/meminfo"), key);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The /proc/self/smaps entry of the mapping holding an address. */
    private record Mapping(String flags, long anonHugeKib) {
        static boolean exists(long address) throws IOException {
            return find(address) != null;
        }

        static Mapping of(long address) throws IOException {
            Mapping m = find(address);
            if (m == null) {
                throw new AssertionError("no mapping holds 0x" + Long.toHexString(address));
            }
            return m;
        }

        private static Mapping find(long address) throws IOException {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
            for (int i = 0; i < lines.size(); i++) {
                String[] range = lines.get(i).split(" ", 2)[0].split("-");
                if (range.length != 2 || !range[0].matches("[0-9a-f]+")) {
                    continue;
                }
                long start = Long.parseUnsignedLong(range[0], 16);
                long end = Long.parseUnsignedLong(range[1], 16);
                if (address < start || address >= end) {
                    continue;
                }
                String flags = "";
                long huge = 0;
                for (int j = i + 1; j < lines.size() && !lines.get(j).matches("^[0-9a-f]+-[0-9a-f]+ .*"); j++) {
                    String line = lines.get(j);
                    if (line.startsWith("AnonHugePages:")) {
                        huge = Long.parseLong(line.substring(14).replace("kB", "").trim());
                    } else if (line.startsWith("VmFlags:")) {
                        flags = line.substring(8);
                    }
                }
                return new Mapping(flags, huge);
            }
            return null;
        }
    }
}
