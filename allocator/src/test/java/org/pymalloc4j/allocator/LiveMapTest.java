package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.pymalloc4j.allocator.internal.LiveMarks;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live-block map is one for the whole process (LiveMarks): what makes that safe is that a
 * mark says "live" only to the heap holding it, or, for heaps sharing one, whose arena the owner
 * map names (ArenaOwnersTest, LiveMarksTest), that an arena going back to the OS leaves no mark
 * behind for the next mapping there, and that no arena lies out of the map's reach.
 */
class LiveMapTest {

    @Test
    void closingWithLiveBlocksClearsTheirMarks() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        List<Long> blocks = new ArrayList<>();
        try (PyMalloc heap = PyMalloc.create()) {
            for (int i = 0; i < 20_000; i++) { // a few arenas' worth
                blocks.add(heap.malloc(1 + random.nextInt(512)));
            }
            for (long p : blocks) {
                assertTrue(TestSupport.liveMark(p) != 0, "seed " + seed);
            }
        }
        for (long p : blocks) {
            assertEquals(0, TestSupport.liveMark(p), "mark of 0x" + Long.toHexString(p) + " left after close, seed " + seed);
        }
    }

    /** Another heap mapping an arena where a closed one had live blocks hands them out afresh. */
    @Test
    void anArenaMappedWhereAClosedHeapHadLiveBlocksStartsClean() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long old;
        try (PyMalloc first = PyMalloc.create()) {
            old = first.malloc(64);
            first.malloc(64);
        }
        try (PyMalloc second = PyMalloc.create()) {
            long p = second.malloc(64);
            second.malloc(64);
            // Usually the kernel maps the new arena where the old one was; either way the old
            // address is live in the new heap only if the new heap handed it out.
            assertEquals(old == p, second.isLive(old));
            if (old != p) {
                TestSupport.refusedAddress("free", old, () -> second.free(old));
            }
            second.checkInvariants();
        }
    }

    @Test
    void openRefusesRangesOutOfReach() {
        assertFalse(LiveMarks.open(LiveMarks.COVERED, 1 << 20));
        assertFalse(LiveMarks.open(LiveMarks.COVERED - (1 << 19), 1 << 20), "a range reaching past the end");
        assertFalse(LiveMarks.open(-(1L << 20), 1 << 20));
        assertTrue(LiveMarks.open(LiveMarks.COVERED - (1 << 20), 1 << 20), "the map's last run");
        assertTrue(LiveMarks.open(0, 1 << 20), "the map's first run");
        long last = LiveMarks.mark(LiveMarks.COVERED - 16);
        NativeMemory.putByte(last, (byte) 1);
        assertEquals(1, NativeMemory.getByte(last), "the map's last byte is writable");
        NativeMemory.putByte(last, (byte) 0);
    }

    /** clearRange zeroes the marks of exactly its range: a byte is one granule, shared with no neighbour. */
    @Test
    void clearRangeZeroesExactlyItsMarks() {
        long base = 0x6f00_0000_0000L; // no arena of this process lies there
        assertTrue(LiveMarks.open(base - 4096, 16384));
        long[] granules = {base, base + 16, base + 2048, base + 2064};
        for (long g : granules) {
            NativeMemory.putByte(LiveMarks.mark(g), (byte) 7);
        }
        LiveMarks.clearRange(base + 16, 2048); // [base + 16, base + 2064)
        assertEquals(7, NativeMemory.getByte(LiveMarks.mark(base)));
        assertEquals(0, NativeMemory.getByte(LiveMarks.mark(base + 16)));
        assertEquals(0, NativeMemory.getByte(LiveMarks.mark(base + 2048)));
        assertEquals(7, NativeMemory.getByte(LiveMarks.mark(base + 2064)));
        LiveMarks.clearRange(base, 4096);
        for (long g : granules) {
            assertEquals(0, NativeMemory.getByte(LiveMarks.mark(g)));
        }
    }

    @Test
    void aGranulesMarkIsOneByteOfTheMap() {
        long address = 0x7f12_3456_7890L;
        long mark = LiveMarks.mark(address);
        assertEquals(mark, LiveMarks.mark(address + 15), "one byte for the 16 bytes of a granule");
        assertEquals(mark + 1, LiveMarks.mark(address + 16));
        assertEquals(mark - 0x100, LiveMarks.mark(address - 0x1000));
    }

    /**
     * A JVM whose address space is limited to 16 GiB, far below the map's 8 TiB: a checked
     * heap is refused with an error that says why and what to do; an unchecked one works.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void aLimitedAddressSpaceRefusesACheckedHeapWithAnErrorThatSaysWhy() throws Exception {
        String checked = TestSupport.runLimited(16L << 20, "true", LimitedChild.class);
        assertTrue(checked.contains("OutOfMemoryError") && checked.contains("ulimit -v")
                && checked.contains("-Dpymalloc4j.checks=false"), checked);
        String unchecked = TestSupport.runLimited(16L << 20, "false", LimitedChild.class);
        assertTrue(unchecked.startsWith("created") && unchecked.contains("refused a raw block's inside"), unchecked);
    }

    /**
     * A checked heap refused for want of the map leaves nothing behind: the radix tree's root
     * (256 KiB of calloc) and the ring sentinels were allocated before the refusal and leaked,
     * so 500 refusals took about 128 MiB of address space.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void aRefusedCheckedHeapLeavesNoMetadataBehind() throws Exception {
        String out = TestSupport.runLimited(16L << 20, "true", RefusedChild.class);
        System.out.println("LiveMapTest.aRefusedCheckedHeapLeavesNoMetadataBehind: " + out.strip() + " KiB");
        String[] fields = out.strip().split(" ");
        assertEquals("refused", fields[0], out);
        long grownKib = Long.parseLong(fields[1]);
        assertTrue(grownKib < 32 * 1024, "500 refused heaps grew the address space by " + grownKib + " KiB: " + out);
    }

    /** The child of {@link #aRefusedCheckedHeapLeavesNoMetadataBehind}: prints "refused", then the VmSize growth in KiB. */
    public static final class RefusedChild {
        public static void main(String[] args) throws Exception {
            refuse(20); // warm: classes loaded, exceptions' stack traces compiled
            long before = vmSizeKib();
            refuse(500);
            System.out.println("refused " + (vmSizeKib() - before));
        }

        private static void refuse(int times) {
            for (int i = 0; i < times; i++) {
                try {
                    PyMalloc.create().close();
                    throw new AssertionError("a checked heap was created without its map");
                } catch (OutOfMemoryError expected) {
                    // the map could not be reserved: what the test wants
                }
            }
        }

        private static long vmSizeKib() throws java.io.IOException {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmSize:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            throw new IllegalStateException("no VmSize in /proc/self/status");
        }
    }

    /** The child of {@link #aLimitedAddressSpaceRefusesACheckedHeapWithAnErrorThatSaysWhy}. */
    public static final class LimitedChild {
        public static void main(String[] args) {
            try (PyMalloc heap = PyMalloc.create()) {
                long p = heap.malloc(64);
                long raw = heap.malloc(1000); // no map for its record: the hash table takes it
                String refused = "";
                try {
                    heap.free(raw + 16);
                } catch (InvalidAddressException e) {
                    refused = ", refused a raw block's inside";
                }
                heap.free(raw);
                heap.free(p);
                System.out.println("created and used a heap" + refused);
            } catch (OutOfMemoryError e) {
                System.out.println(e);
            }
        }
    }
}
