package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Objects parked on the free lists hold heap blocks the memory limit counts. A request the limit
 * refuses first gets those blocks back, whether or not a collection may run (collection disabled,
 * or one already running): the free lists are a cache, like the empty arena pymalloc keeps, and
 * emptying them runs no code of the caller's. So freeing objects makes room under the limit.
 */
class FreeListsUnderLimitTest {
    private static final long LIMIT = 8L << 20;
    /** A 100-character str: 149 bytes, its own size class. */
    private static final String TEXT = "s".repeat(100);

    /** 2000 tuples of each size 1..19 (3.11's free lists, full), made and dropped: about 4.6 MB parked. */
    private static void parkTuples(ObjectSpace s) {
        List<Long> tuples = new ArrayList<>();
        for (int n = 1; n < 20; n++) {
            for (int i = 0; i < 2000; i++) {
                tuples.add(s.tuples().newTuple(n));
            }
        }
        for (long t : tuples) {
            s.decref(t);
        }
        assertTrue(s.debugMallocStats().contains("2000 free 19-sized PyTupleObjects"), s.debugMallocStats());
    }

    /** How many strs fit before the limit refuses one; all dropped again. */
    private static int strsThatFit(ObjectSpace s) {
        List<Long> strs = new ArrayList<>();
        Fill.untilRefused(strs, () -> s.strs().newStr(TEXT));
        strs.forEach(s::decref);
        return strs.size();
    }

    private static int strsThatFitInAFreshSpace() {
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
            return strsThatFit(s);
        }
    }

    private static void assertAbout(int expected, int actual) {
        assertTrue(actual > expected * 0.99, "strs that fit with the free lists full: " + actual
                + ", in a fresh space: " + expected);
    }

    @Test
    void withCollectionDisabledARefusedRequestEmptiesTheFreeListsAndIsTriedAgain() {
        int fresh = strsThatFitInAFreshSpace();
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
            s.gc().disable();
            parkTuples(s);
            assertAbout(fresh, strsThatFit(s));
            assertTrue(s.debugMallocStats().contains(" 0 free 19-sized PyTupleObjects"), s.debugMallocStats());
            assertEquals(0, s.gc().getMemoryCollections(), "no collection ran");
            s.checkInvariants();
        }
    }

    @Test
    void withCollectionEnabledTheFullCollectionEmptiesThem() {
        int fresh = strsThatFitInAFreshSpace();
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
            s.gc().setThreshold(0); // no collection by count: only the one memory sets off
            parkTuples(s);
            assertAbout(fresh, strsThatFit(s));
            assertTrue(s.gc().getMemoryCollections() > 0);
            s.checkInvariants();
        }
    }

    @Test
    void duringACollectionARefusedRequestStillEmptiesThem() {
        int fresh = strsThatFitInAFreshSpace();
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
            s.gc().setThreshold(0);
            int[] fitted = new int[1];
            long cls = s.classes().newClass(ClassSpec.named("F").slots(1).finalizer(self -> fitted[0] = strsThatFit(s)));
            s.decref(GcTestSupport.selfCycle(s, cls));
            parkTuples(s);
            assertEquals(1, s.gc().collect(), "the finalizer's allocations ran inside this collection");
            assertAbout(fresh, fitted[0]);
            assertEquals(0, s.gc().getMemoryCollections(), "no collection inside a collection");
            s.decref(cls);
            s.checkInvariants();
        }
    }
}
