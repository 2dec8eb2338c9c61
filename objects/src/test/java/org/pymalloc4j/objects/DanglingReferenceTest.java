package org.pymalloc4j.objects;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.objects.GcTestSupport.reportedDuring;

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
            space.checkInvariants(); // the generation lists' prev links are rebuilt
            assertEquals(1, space.refcount(other));
            assertEquals(1, space.refcount(cycle), "the cycle was not collected");
            assertThrows(FreedObjectException.class, () -> space.gc().collect(), "refused again, same state");
            space.checkInvariants();
            List<Throwable> reported = reportedDuring(space::close);
            assertEquals(1, reported.size(), "close reports the dangling reference and goes on");
            assertInstanceOf(FreedObjectException.class, reported.get(0));
            assertTrue(space.isClosed());
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
}
