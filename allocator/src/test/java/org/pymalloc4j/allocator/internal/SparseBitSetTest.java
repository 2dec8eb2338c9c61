package org.pymalloc4j.allocator.internal;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.TestSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SparseBitSet} against a {@link HashSet} model, and the map runs {@link LiveMarks} keeps in one. */
class SparseBitSetTest {

    @Test
    void randomMembersAgreeWithAHashSet() {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        long capacity = 1L << 27; // the map runs of x86-64's user address space
        SparseBitSet set = new SparseBitSet(capacity);
        Set<Long> model = new HashSet<>();
        long[] clusters = {0, capacity - 1, random.nextLong(capacity)};
        for (int i = 0; i < 20_000; i++) {
            long centre = clusters[random.nextInt(clusters.length)];
            long member = Math.floorMod(centre + random.nextInt(-50_000, 50_000), capacity);
            if (random.nextBoolean()) {
                assertEquals(model.add(member), set.add(member), "add(" + member + "), seed " + seed);
            } else {
                assertEquals(model.contains(member), set.contains(member), "contains(" + member + "), seed " + seed);
            }
        }
        assertEquals(model.size(), set.size());
        set.checkInvariants();
        long leaves = model.stream().map(m -> m / SparseBitSet.LEAF_BITS).distinct().count();
        assertEquals(leaves, set.leafCount(), "a leaf exactly where a member is");
    }

    @Test
    void theLastMemberOfAnUnevenCapacityIsHeldAndTheNextIsRefused() {
        SparseBitSet set = new SparseBitSet(SparseBitSet.LEAF_BITS + 3);
        assertTrue(set.add(SparseBitSet.LEAF_BITS + 2));
        assertFalse(set.add(SparseBitSet.LEAF_BITS + 2), "a second add changes nothing");
        assertTrue(set.contains(SparseBitSet.LEAF_BITS + 2));
        assertFalse(set.contains(SparseBitSet.LEAF_BITS + 1));
        assertEquals(1, set.size());
        assertEquals(1, set.leafCount());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> set.add(SparseBitSet.LEAF_BITS + 3));
        assertTrue(e.getMessage().contains(SparseBitSet.LEAF_BITS + 3 + " is not in 0.." + (SparseBitSet.LEAF_BITS + 2)), e.getMessage());
        assertEquals("SparseBitSet: -1 is not in 0.." + (SparseBitSet.LEAF_BITS + 2),
                assertThrows(IllegalArgumentException.class, () -> set.contains(-1)).getMessage());
        assertEquals(1, set.size(), "a refused member leaves the set as it was");
        set.checkInvariants();
    }

    @Test
    void aCapacityThatIsNotPositiveIsRefused() {
        String range = " is not in 1.." + ((long) Integer.MAX_VALUE * SparseBitSet.LEAF_BITS);
        for (long capacity : new long[] {0, -5, Long.MAX_VALUE}) {
            assertEquals("SparseBitSet: capacity " + capacity + range,
                    assertThrows(IllegalArgumentException.class, () -> new SparseBitSet(capacity)).getMessage());
        }
    }

    /** 2,000 MiB of address space no allocator of this process uses (80 TiB up): 2,000 runs, one or two leaves. */
    @Test
    void mapRunsAreCountedOnceAndTakeALeafPer32GiB() {
        LiveMarks.require();
        long base = 0x5000_0000_0000L;
        long runsBefore = LiveMarks.recordRuns();
        int leavesBefore = LiveMarks.recordRunLeaves();
        for (int i = 0; i < 2_000; i++) {
            assertTrue(LiveMarks.openRun(LiveMarks.runOf(base + ((long) i << 20))));
        }
        assertEquals(runsBefore + 2_000, LiveMarks.recordRuns(), "each 1 MiB of address space is one run");
        for (int i = 0; i < 2_000; i += 7) {
            assertTrue(LiveMarks.openRun(LiveMarks.runOf(base + ((long) i << 20) + 4096)));
        }
        assertEquals(runsBefore + 2_000, LiveMarks.recordRuns(), "a run is opened once");
        int leaves = LiveMarks.recordRunLeaves() - leavesBefore;
        assertTrue(leaves >= 1 && leaves <= 2, leaves + " leaves for 2,000 neighbouring runs");
    }
}
