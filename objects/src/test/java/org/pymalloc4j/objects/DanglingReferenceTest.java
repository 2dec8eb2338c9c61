package org.pymalloc4j.objects;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.objects.GcTestSupport.reportedDuring;
import java.util.ArrayList;
import java.util.Arrays;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Checked mode: a container that still holds an object freed behind its back (more decrefs than
 * increfs) must not crash the collector, which reads every referent's header. Before this check,
 * {@code gc().collect()} read the freed object's dead type word as a type and the JVM died
 * (SIGSEGV). Now the collection is refused with an error naming both objects, the generation
 * lists are as before, and automatic collections and close report it and carry on.
 */
class DanglingReferenceTest {

    private static ObjectSpace checkedSpace() {
        return ObjectSpace.builder().checked(true).build();
    }

    /** A list holding a float that unbalanced decrefs have freed; returns {list, float}. */
    private static long[] listWithFreedItem(ObjectSpace space) {
        long f = space.floats().newFloat(1.5);
        long list = space.lists().newList();
        space.lists().append(list, f); // the list's own reference
        space.decref(f);
        space.decref(f);               // the list's reference, dropped by mistake: f is freed
        return new long[] {list, f};
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void aCollectionOverADanglingReferenceIsRefusedAndChangesNothing(int generation) {
        try (ObjectSpace space = checkedSpace()) {
            long other = space.lists().newList(); // a tracked survivor, whose links must be kept
            long[] dangling = listWithFreedItem(space);
            long cycle = GcTestSupport.selfList(space); // garbage the refused collection must not free
            space.decref(cycle);
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.gc().collect(generation));
            String message = e.getMessage();
            assertTrue(message.contains("list object at 0x" + Long.toHexString(dangling[0])), message);
            assertTrue(message.contains("freed object at 0x" + Long.toHexString(dangling[1])), message);
            assertEquals(dangling[1], e.address());
            assertTrue(message.endsWith("; nothing was freed"), message);
            space.checkInvariants(); // the generation lists' prev links are rebuilt
            assertEquals(1, space.refcount(other));
            assertEquals(1, space.refcount(cycle), "the cycle was not collected");
            assertEquals(message, assertThrows(FreedObjectException.class, () -> space.gc().collect(), "refused again, same state")
                    .getMessage());
            space.checkInvariants();
            List<Throwable> reported = reportedDuring(space::close);
            assertEquals(1, reported.size(), "close reports the dangling reference and goes on");
            assertInstanceOf(FreedObjectException.class, reported.get(0));
            assertTrue(space.isClosed());
        }
    }

    /**
     * An object two containers hold, its refcount 1 (a container's reference dropped by mistake):
     * subtract_refs takes its gc_refs below zero, which CPython's debug build stops at ("refcount
     * is too small"). Before, the word wrapped round to a huge gc_refs, the object counted as
     * reachable and nothing was said until a container freed it behind the other's back.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void anObjectHeldMoreTimesThanItsRefcountCountsIsNamedAndNothingIsFreed(int generation) {
        try (ObjectSpace space = checkedSpace()) {
            long x = space.lists().newList();
            long a = space.lists().newList();
            long b = space.lists().newList();
            space.lists().append(a, x);
            space.lists().append(b, x);
            space.decref(x);
            space.decref(x); // a container's reference, dropped by mistake: refcount 1, held twice
            long cycle = GcTestSupport.selfList(space);
            space.decref(cycle);
            List<Long> objects = space.gc().getObjects();
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.gc().collect(generation));
            assertEquals(x, e.address());
            assertEquals(String.format("the list object at 0x%x holds the list object at 0x%x, whose refcount (1) is"
                    + " smaller than the references containers hold to it (more decrefs than increfs while it was"
                    + " still referenced); nothing was freed", b, x), e.getMessage());
            space.checkInvariants();
            assertEquals(objects, space.gc().getObjects(), "the generations as they were");
            assertEquals(1, space.refcount(cycle), "the cycle was not collected");
            space.incref(x); // the mistake undone: the space collects again
            assertEquals(1, space.gc().collect());
            space.decref(a);
            space.decref(b);
        }
    }

    /**
     * A tracked object at refcount 0 (a deallocation that left it tracked, the bug update_refs's
     * assert in CPython is about) is refused like a dangling reference, checked or not. Before, the
     * IllegalStateException left the generation's prev links holding gc_refs and COLLECTING set,
     * the next untrack of a neighbour writing through them.
     */
    @Test
    void aTrackedObjectAtRefcountZeroIsRefusedAndTheGenerationsAreKept() {
        for (boolean checked : new boolean[] {true, false}) {
            try (ObjectSpace space = ObjectSpace.builder().checked(checked).build()) {
                long before = space.lists().newList();
                long zombie = space.lists().newList();
                long after = space.lists().newList();
                List<Long> objects = space.gc().getObjects();
                NativeMemory.putLong(zombie, 0); // as a tp_dealloc that forgot to untrack would leave it
                FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.gc().collect(0));
                assertEquals(zombie, e.address());
                assertEquals(String.format("the object at 0x%x is tracked with refcount 0 (deallocated, or being "
                        + "deallocated, while still tracked); nothing was freed", zombie), e.getMessage());
                assertEquals(objects, space.gc().getObjects(), "the generations as they were");
                // collect()'s @throws: a full collection refuses it too, in either mode
                assertEquals(zombie, assertThrows(FreedObjectException.class, () -> space.gc().collect()).address());
                assertEquals(objects, space.gc().getObjects(), "the generations as they were");
                NativeMemory.putLong(zombie, 1);
                space.checkInvariants(); // links and flags as before (at refcount 0 it would name the zombie)
                for (long o : new long[] {before, zombie, after}) {
                    space.decref(o);
                }
            }
        }
    }

    @Test
    void aTupleHoldingAFreedItemIsNamed() {
        try (ObjectSpace space = checkedSpace()) {
            long f = space.floats().newFloat(2.5);
            long g = space.floats().newFloat(3.5);
            long t = space.tuples().of(g, f);
            space.decref(f);
            space.decref(f);
            assertRefusedNaming(space, 2, "tuple", t);
        }
    }

    /** A class instance's slots are visited through its type's traverse, not the list/tuple fast path. */
    @Test
    void anInstanceSlotHoldingAFreedObjectIsNamed() {
        try (ObjectSpace space = checkedSpace()) {
            long cls = space.classes().newClass("Node", 2);
            long node = space.classes().newInstance(cls);
            long f = space.floats().newFloat(4.5);
            space.classes().setSlot(node, 1, f);
            space.decref(f);
            space.decref(f);
            assertRefusedNaming(space, 0, "Node", node);
        }
    }

    /**
     * {@code collect(generation)} is refused, naming {@code container} as a {@code typeName}
     * object; the space then checks out, and closing it reports the reference and goes on.
     */
    private static void assertRefusedNaming(ObjectSpace space, int generation, String typeName, long container) {
        FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.gc().collect(generation));
        assertTrue(e.getMessage().contains(typeName + " object at 0x" + Long.toHexString(container)), e.getMessage());
        space.checkInvariants();
        assertEquals(1, reportedDuring(space::close).size());
    }

    /** An automatic collection was not asked for: the allocation that set it off succeeds. */
    @Test
    void anAutomaticCollectionReportsTheDanglingReferenceAndTheAllocationGoesOn() {
        try (ObjectSpace space = checkedSpace()) {
            listWithFreedItem(space);
            space.gc().setThreshold(1, 10, 10);
            long[] made = new long[1];
            List<Throwable> reported = reportedDuring(() -> made[0] = space.lists().newList());
            assertEquals(1, reported.size());
            assertInstanceOf(FreedObjectException.class, reported.get(0));
            assertEquals(1, space.refcount(made[0]), "the new list was made all the same");
            space.checkInvariants();
            space.gc().setThreshold(700, 10, 10);
            space.decref(made[0]);
            reportedDuring(space::close);
        }
    }

    /**
     * An automatic collection refused in its first pass counts as the collection it stood for
     * (count[0] reset, count[1] up): the next is tried 700 allocations later, as CPython's next
     * would run. It used to leave count[0] over the threshold, so every later allocation ran the
     * first pass again over a generation 0 that only grew, and reported it: 2,302 reports and a
     * quadratic walk for 3,000 lists after one stray decref.
     */
    @Test
    void anAutomaticCollectionRefusedIsTriedAgainOnlyAThresholdLater() {
        try (ObjectSpace space = checkedSpace()) {
            listWithFreedItem(space);
            long keep = space.lists().newList();
            int[] before = space.gc().getCount();
            List<Throwable> reported = reportedDuring(() -> {
                for (int i = 0; i < 3000; i++) {
                    long l = space.lists().newList();
                    space.lists().append(keep, l);
                    space.decref(l);
                }
            });
            assertEquals((before[0] + 3000) / 701, reported.size(), "one refusal per 701 allocations");
            reported.forEach(e -> assertInstanceOf(FreedObjectException.class, e));
            assertArrayEquals(new int[] {(before[0] + 3000) % 701, reported.size(), 0}, space.gc().getCount());
            assertEquals(3000 + before[0], space.gc().getObjects(0).size(), "generation 0 still holds them all");
            assertEquals(0, space.gc().getStats().get(0).collections());
            space.checkInvariants();
            reportedDuring(space::close);
        }
    }

    /** Deallocation meets the dangling item: it finishes all the same, then names the item. */
    @Test
    void aContainerDeallocatedOverAFreedItemIsFreedAllTheSameThenTheItemIsNamed() {
        try (ObjectSpace space = checkedSpace()) {
            long before = space.liveObjectCount();
            long g = space.floats().newFloat(1.0);
            long f = space.floats().newFloat(2.0);
            long h = space.floats().newFloat(3.0);
            long t = space.tuples().of(g, f, h);
            long list = space.lists().newList();
            space.lists().append(list, t);
            space.decref(t);
            space.decref(f);
            space.decref(f); // the tuple's reference, dropped by mistake: f is freed
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.decref(list));
            assertEquals(f, e.address(), e.getMessage());
            assertEquals(1, space.refcount(g), "released before the dangling item");
            assertEquals(1, space.refcount(h), "released after it");
            assertEquals("use of the freed object at 0x" + Long.toHexString(t),
                    assertThrows(FreedObjectException.class, () -> space.refcount(t), "the tuple was freed").getMessage());
            assertEquals("use of the freed object at 0x" + Long.toHexString(list),
                    assertThrows(FreedObjectException.class, () -> space.refcount(list), "and its list").getMessage());
            space.checkInvariants();
            space.decref(g);
            space.decref(h);
            assertEquals(before, space.liveObjectCount(), "nothing leaked");
        }
    }

    /**
     * lists().clear meets a dangling item: the other items and the item array are released all
     * the same (as a deallocation does), then the item is named; nothing leaks.
     */
    @Test
    void aListClearedOverAFreedItemReleasesTheRestThenNamesTheItem() {
        try (ObjectSpace space = checkedSpace()) {
            long before = space.liveObjectCount();
            long arrays = space.memory().mem().liveBlocks();
            long g = space.floats().newFloat(1.0);
            long f = space.floats().newFloat(2.0);
            long h = space.floats().newFloat(3.0);
            long list = space.lists().newList();
            for (long o : new long[] {g, f, h}) {
                space.lists().append(list, o);
            }
            space.decref(f);
            space.decref(f); // the list's reference, dropped by mistake: f is freed
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.lists().clear(list));
            assertEquals(f, e.address(), e.getMessage());
            assertEquals(1, space.refcount(g), "released after the dangling item (last first)");
            assertEquals(1, space.refcount(h), "released before it");
            assertEquals(0, space.lists().size(list));
            assertEquals(arrays, space.memory().mem().liveBlocks(), "the item array was freed");
            space.checkInvariants();
            for (long o : new long[] {g, h, list}) {
                space.decref(o);
            }
            assertEquals(before, space.liveObjectCount(), "nothing leaked");
        }
    }

    @Test
    void twoDanglingItemsGiveOneErrorWithTheOtherSuppressed() {
        try (ObjectSpace space = checkedSpace()) {
            long a = space.floats().newFloat(1.0);
            long b = space.floats().newFloat(2.0);
            long t = space.tuples().of(a, b);
            for (long o : new long[] {a, a, b, b}) {
                space.decref(o);
            }
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.decref(t));
            assertEquals(b, e.address(), "the last item is released first, as CPython's tupledealloc does");
            assertEquals(1, e.getSuppressed().length);
            assertEquals(a, ((FreedObjectException) e.getSuppressed()[0]).address());
            space.checkInvariants();
            long x = space.floats().newFloat(0.5);
            assertEquals(1, space.refcount(x), "the space works on");
            space.decref(x);
        }
    }

    /** Past the trashcan's depth the deallocations are deferred; the error waits for the last of them. */
    @Test
    void aDanglingItemDeepInAChainIsNamedAfterTheWholeChainIsFreed() {
        try (ObjectSpace space = checkedSpace()) {
            long before = space.liveObjectCount();
            long f = space.floats().newFloat(4.0);
            long inner = space.lists().newList();
            space.lists().append(inner, f);
            space.decref(f);
            space.decref(f); // the list's reference, dropped by mistake: f is freed
            for (int i = 0; i < 3 * 50; i++) {
                long outer = space.lists().newList();
                space.lists().append(outer, inner);
                space.decref(inner);
                inner = outer;
            }
            long root = inner;
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.decref(root));
            assertEquals(f, e.address());
            assertEquals(before, space.liveObjectCount(), "all 151 lists freed");
            space.checkInvariants();
        }
    }

    /** A callback told a collection started is told it stopped, even when the collection is refused. */
    @Test
    void aRefusedCollectionStillCallsStopWithNothingCollected() {
        try (ObjectSpace space = checkedSpace()) {
            listWithFreedItem(space);
            long cycle = GcTestSupport.selfList(space);
            space.decref(cycle);
            List<String> calls = new java.util.ArrayList<>();
            space.gc().callbacks().add((phase, info) -> calls.add(phase + " " + info));
            assertThrows(FreedObjectException.class, () -> space.gc().collect(1));
            assertEquals(List.of("START " + new Collector.Info(1, 0, 0), "STOP " + new Collector.Info(1, 0, 0)), calls);
            space.gc().callbacks().clear();
            reportedDuring(space::close);
        }
    }

    /** Nothing dangling: the check costs a collection nothing but time. */
    @Test
    void liveReferencesAreCollectedAsBefore() {
        try (ObjectSpace space = checkedSpace()) {
            long f = space.floats().newFloat(5.5);
            long list = space.lists().newList();
            space.lists().append(list, f);
            long cycle = GcTestSupport.selfList(space);
            space.decref(cycle);
            assertEquals(1, space.gc().collect());
            assertEquals(2, space.refcount(f));
            space.decref(list);
            space.decref(f);
            space.checkInvariants();
        }
    }

    /**
     * A finalizer run by the collector frees (by an unbalanced decref) an object the garbage holds.
     * handle_resurrected_objects' subtract_refs then refuses it with a FreedObjectException thrown
     * straight out of collect(): the candidate stays in the collector's scratch list, its prev word
     * holding gc_refs, in no generation. README: "collect() then throws ... having collected
     * nothing (the generation lists' links ... are rebuilt)".
     */
    @Test
    void aDanglingReferenceMadeByAFinalizerDuringCollectionLeavesTheGenerationsIntact() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long[] x = new long[1];
            long cls = space.classes().newClass(ClassSpec.named("F").slots(2).finalizer(self -> space.decref(x[0])));
            long a = space.classes().newInstance(cls);
            space.classes().setSlot(a, 0, a);            // a.me = a: a one-object cycle
            x[0] = space.floats().newFloat(1.5);
            space.classes().setSlot(a, 1, x[0]);         // a.x = x: a owns x's only reference...
            space.decref(x[0]);
            space.decref(a);                             // ...and a is garbage
            Throwable t = assertThrows(FreedObjectException.class, () -> space.gc().collect());
            assertTrue(t.getMessage().contains(Long.toHexString(x[0])), t.getMessage());
            assertTrue(space.gc().getObjects().contains(a),
                    "the tracked candidate a is in no generation after the refused collection");
            space.checkInvariants();
        }
    }

    /**
     * Refused in its second pass, after a finalizer made the dangling reference, a collection has
     * already done what its start does (counts reset, generation 0's survivors moved up): the
     * README says so, where it said that every refused collection leaves them as they were.
     */
    @Test
    void aCollectionRefusedInItsSecondPassHasMovedTheSurvivorsUpAndResetTheCounts() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            space.gc().disable();
            space.gc().collect();
            long[] x = new long[1];
            long cls = space.classes().newClass(ClassSpec.named("F").slots(2).finalizer(self -> space.decref(x[0])));
            long kept = space.lists().newList();
            long a = space.classes().newInstance(cls);
            space.classes().setSlot(a, 0, a);
            x[0] = space.floats().newFloat(1.5);
            space.classes().setSlot(a, 1, x[0]);
            space.decref(x[0]);
            space.decref(a);
            assertArrayEquals(new int[] {3, 0, 0}, space.gc().getCount());
            assertThrows(FreedObjectException.class, () -> space.gc().collect(0));
            assertArrayEquals(new int[] {0, 1, 0}, space.gc().getCount());
            assertEquals(List.of(), space.gc().getObjects(0));
            assertTrue(space.gc().getObjects(1).containsAll(List.of(cls, kept, a)), "survivors and the candidate moved up");
            assertEquals(0, space.gc().getStats().get(0).collections(), "not counted as a collection");
            space.checkInvariants();
            reportedDuring(space::close);
        }
    }

    /** A refused collection ("nothing is freed") has still zeroed the counts and merged the younger generations. */
    @Test
    void aRefusedCollectionLeavesCountsAndGenerationsAsTheyWere() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long kept = space.lists().newList();
            long f = space.floats().newFloat(1.5);
            long list = space.lists().newList();
            space.lists().append(list, f);
            space.decref(f);
            space.decref(f);                             // list's item freed behind its back
            int[] counts = space.gc().getCount();
            List<Long> young = space.gc().getObjects(0);
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.gc().collect(1));
            assertEquals(String.format("the list object at 0x%x holds a reference to the freed object at 0x%x (more decrefs"
                    + " than increfs while it was still referenced); nothing was freed", list, f), e.getMessage());
            int[] countsAfter = space.gc().getCount();
            List<Long> youngAfter = space.gc().getObjects(0);
            reportedDuring(space::close);
            assertEquals(List.of(kept, list), young);
            assertArrayEquals(counts, countsAfter, "counts before " + Arrays.toString(counts) + ", after " + Arrays.toString(countsAfter));
            assertEquals(young, youngAfter, "generation 0 was merged into generation 1 by a collection that did not run");
        }
    }

    /**
     * close(): "runs a full collection ... Never throws for leaks". A frame local freed behind the
     * frame's back makes DataStack.closeAll throw out of close() before the collection, so a
     * garbage cycle is never collected and is reported as a leak (and close() throws).
     */
    @Test
    void closeWithADanglingFrameLocalStillCollectsAndDoesNotThrow() {
        ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build();
        long cycle = GcTestSupport.selfList(space);
        space.decref(cycle);                              // garbage: only close's collection frees it
        Frame f = space.frame();
        long x = f.local(space.floats().newFloat(9.5));
        space.decref(x);                                  // the frame's reference, dropped by mistake
        List<Throwable> reported = new ArrayList<>();
        RuntimeException thrown = closeReporting(space, reported);
        assertTrue(space.isClosed());
        assertTrue(space.leakReport().isClean(), "the garbage cycle was never collected: " + space.leakReport()
                + (thrown == null ? "" : "; close() threw " + thrown));
        assertEquals(null, thrown, "close() threw");
    }

    /**
     * gc.garbage is a list the collector owns and close() releases before its collection. CPython
     * 3.11 too holds its objects by strong references, so an object freed behind the list's back
     * (more decrefs than increfs) leaves it a dangling item there as in any list. Checked, the
     * release met it and threw out of close(), before the shutdown collection: a garbage cycle
     * was reported as a leak. As for a frame's dangling local, it is now reported and the close goes on.
     */
    @Test
    void closeWithADanglingItemInGcGarbageStillCollectsAndDoesNotThrow() {
        ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build();
        long cycle = GcTestSupport.selfList(space);
        space.decref(cycle);                              // garbage: only close's collection frees it
        long garbage = space.gc().garbage();
        long x = space.floats().newFloat(9.5);
        space.lists().append(garbage, x);                 // gc.garbage.append(x)
        space.decref(x);
        space.decref(x);                                  // gc.garbage's reference, dropped by mistake
        List<Throwable> reported = new ArrayList<>();
        RuntimeException thrown = closeReporting(space, reported);
        assertTrue(space.isClosed());
        assertEquals(null, thrown, "close() threw");
        assertTrue(space.leakReport().isClean(), "the garbage cycle was never collected: " + space.leakReport());
        assertEquals(1, reported.size(), reported::toString);
        assertInstanceOf(FreedObjectException.class, reported.get(0));
        assertEquals(x, ((FreedObjectException) reported.get(0)).address());
    }

    /** Closes {@code space}, adding what it reported as unraisable to {@code reported}; what close threw, or null. */
    private static RuntimeException closeReporting(ObjectSpace space, List<Throwable> reported) {
        try {
            reported.addAll(reportedDuring(space::close));
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
