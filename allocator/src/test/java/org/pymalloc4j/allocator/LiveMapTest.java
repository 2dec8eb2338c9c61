package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.pymalloc4j.allocator.internal.LiveBits;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live-block map is one for the whole process (LiveBits): what makes that safe is that a
 * bit says "live" only to the heap whose arena the owner map names (ArenaOwnersTest), that an
 * arena going back to the OS leaves no bit behind for the next mapping there, and that no arena
 * lies out of the map's reach.
 */
class LiveMapTest {

    @Test
    void closingWithLiveBlocksClearsTheirBits() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        List<Long> blocks = new ArrayList<>();
        try (PyMalloc heap = PyMalloc.create()) {
            for (int i = 0; i < 20_000; i++) { // a few arenas' worth
                blocks.add(heap.malloc(1 + random.nextInt(512)));
            }
            heap.malloc(16); // every block above has its bit now
            for (long p : blocks) {
                assertTrue(TestSupport.liveBit(p), "seed " + seed);
            }
        }
        for (long p : blocks) {
            assertFalse(TestSupport.liveBit(p), "bit of 0x" + Long.toHexString(p) + " left set after close, seed " + seed);
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
                assertThrows(InvalidAddressException.class, () -> second.free(old));
            }
            second.checkInvariants();
        }
    }

    @Test
    void openRefusesRangesOutOfReach() {
        assertFalse(LiveBits.open(LiveBits.COVERED, 1 << 20));
        assertFalse(LiveBits.open(LiveBits.COVERED - (1 << 19), 1 << 20), "a range reaching past the end");
        assertFalse(LiveBits.open(-(1L << 20), 1 << 20));
        assertTrue(LiveBits.open(LiveBits.COVERED - (1 << 20), 1 << 20), "the map's last run");
        assertTrue(LiveBits.open(0, 1 << 20), "the map's first run");
        long word = LiveBits.word(0x10000);
        NativeMemory.putLong(word, 1);
        assertEquals(1, NativeMemory.getLong(word));
        NativeMemory.putLong(word, 0);
    }

    /** clear zeroes the words wholly inside the range and leaves the edge words, shared with neighbours. */
    @Test
    void clearLeavesTheWordsAtTheEdges() {
        long base = 0x6f00_0000_0000L; // no arena of this process lies there
        assertTrue(LiveBits.open(base - 4096, 16384));
        long[] words = {LiveBits.word(base), LiveBits.word(base + 1024), LiveBits.word(base + 2048)};
        for (long w : words) {
            NativeMemory.putLong(w, -1L);
        }
        LiveBits.clear(base + 16, 2048); // whole words inside: only [base + 1024, base + 2048)
        assertEquals(-1L, NativeMemory.getLong(words[0]));
        assertEquals(0L, NativeMemory.getLong(words[1]));
        assertEquals(-1L, NativeMemory.getLong(words[2]));
        LiveBits.clear(base, 3072);
        for (long w : words) {
            assertEquals(0L, NativeMemory.getLong(w));
        }
    }

    @Test
    void aWordsGranulesMapBackToTheirAddresses() {
        long address = 0x7f12_3456_7890L;
        long word = LiveBits.word(address);
        assertEquals(address, LiveBits.granule(word, Long.numberOfTrailingZeros(LiveBits.bit(address))));
        assertEquals(word, LiveBits.word(address + 0x360), "64 granules, 1 KiB, share a word");
        assertEquals(word + 8, LiveBits.word(address - 0x90 + 1024));
    }

    /**
     * A JVM whose address space is limited to 16 GiB, far below the map's 1 TiB: a checked
     * heap is refused with an error that says why and what to do; an unchecked one works.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void aLimitedAddressSpaceRefusesACheckedHeapWithAnErrorThatSaysWhy() throws Exception {
        String checked = TestSupport.runLimited(16L << 20, "true", LimitedChild.class);
        assertTrue(checked.contains("OutOfMemoryError") && checked.contains("ulimit -v")
                && checked.contains("-Dpymalloc4j.checks=false"), checked);
        String unchecked = TestSupport.runLimited(16L << 20, "false", LimitedChild.class);
        assertTrue(unchecked.startsWith("created"), unchecked);
    }

    /** The child of {@link #aLimitedAddressSpaceRefusesACheckedHeapWithAnErrorThatSaysWhy}. */
    public static final class LimitedChild {
        public static void main(String[] args) {
            try (PyMalloc heap = PyMalloc.create()) {
                long p = heap.malloc(64);
                heap.free(p);
                System.out.println("created and used a heap");
            } catch (OutOfMemoryError e) {
                System.out.println(e);
            }
        }
    }
}
