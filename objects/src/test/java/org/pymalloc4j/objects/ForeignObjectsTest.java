package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.pymalloc4j.allocator.RawAllocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Objects of another space passed to this one's collector, weakrefs and classes: a clear
 * {@link FreedObjectException} (the address is in none of this space's arenas), and both
 * spaces stay consistent.
 */
class ForeignObjectsTest {
    /** Foreign objects are refused in checked mode, whatever the default ({@code -Dpymalloc4j.checks}). */
    private static ObjectSpace checkedSpace() {
        return ObjectSpace.builder().checked(true).build();
    }

    /** The refusal names the address and says it is no live object of this space. */
    private static void refusedAsForeign(long address, Executable call) {
        FreedObjectException e = assertThrows(FreedObjectException.class, call);
        assertEquals(String.format("0x%x is not a live object of this space (freed, or never allocated by it)", address),
                e.getMessage());
        assertEquals(address, e.address());
    }

    @Test
    void theCollectorRefusesObjectsOfAnotherSpace() {
        try (ObjectSpace mine = checkedSpace(); ObjectSpace other = checkedSpace()) {
            long theirs = other.lists().newList();
            Collector gc = mine.gc();
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> gc.isTracked(theirs));
            assertTrue(e.getMessage().contains("not a live object of this space"), e.getMessage());
            refusedAsForeign(theirs, () -> gc.isFinalized(theirs));
            refusedAsForeign(theirs, () -> gc.getReferents(theirs));
            refusedAsForeign(theirs, () -> gc.getReferrers(theirs));
            assertEquals(0, gc.collect());
            other.decref(theirs);
            mine.checkInvariants();
            other.checkInvariants();
        }
    }

    @Test
    void weakrefsAndClassesRefuseObjectsOfAnotherSpace() {
        try (ObjectSpace mine = checkedSpace(); ObjectSpace other = checkedSpace()) {
            long cls = other.classes().newClass(ClassSpec.named("C").weakReferenceable());
            long theirs = other.classes().newInstance(cls);
            refusedAsForeign(theirs, () -> mine.weakrefs().newRef(theirs));
            refusedAsForeign(theirs, () -> mine.weakrefs().newRef(theirs, wr -> { }));
            refusedAsForeign(cls, () -> mine.classes().newInstance(cls));
            assertEquals(0, other.weakrefs().count(theirs));
            other.decref(theirs);
            other.decref(cls);
            assertEquals(0, other.liveObjectCount());
            mine.checkInvariants();
            other.checkInvariants();
        }
    }

    /**
     * An address no one has mapped, given to the indexed operations of lists and tuples: refused
     * before any of it is read (they once read ob_size first, which would have crashed the JVM).
     */
    @Test
    void indexedOperationsRefuseAnUnmappedAddressWithoutReadingIt() {
        long page = RawAllocator.mmap(1 << 16);
        RawAllocator.unmap(page, 1 << 16); // nothing is mapped there now
        long bogus = page + 4096;
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long item = space.floats().newFloat(1);
            refusedAsForeign(bogus, () -> space.lists().get(bogus, 0));
            refusedAsForeign(bogus, () -> space.tuples().get(bogus, 0));
            space.incref(item);
            space.incref(item); // one reference for each set to steal
            refusedAsForeign(bogus, () -> space.lists().set(bogus, 0, item));
            refusedAsForeign(bogus, () -> space.tuples().set(bogus, 0, item));
            assertEquals(1, space.refcount(item), "each refused set released the item it was to steal");
            space.decref(item);
            assertEquals(0, space.liveObjectCount());
            space.checkInvariants();
        }
    }

    /**
     * An address inside a live object whose word at +8 holds a type passes checked mode's liveness
     * test (in an arena, positive "refcount", a known type word): here t+16, whose "refcount" is
     * the tuple's ob_size and whose "type" is item 0. decref of it writes the tuple's ob_size.
     */
    @Test
    void anInteriorAddressIsRefusedNotDecrefed() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build()) {
            long i = space.ints().newInt(1000);
            long intType = space.type(i);
            long t = space.tuples().of(intType, i);
            space.decref(i);
            long inside = t + 16;
            Throwable thrown = null;
            try {
                space.decref(inside);
            } catch (FreedObjectException e) {
                thrown = e;
            }
            long size = space.tuples().size(t);
            if (size != 2) {
                space.incref(inside); // puts the tuple's ob_size back, so that closing the space frees both items
            }
            assertEquals(2, size, "decref of the interior address 0x" + Long.toHexString(inside)
                    + " was accepted and decremented the tuple's ob_size");
            assertTrue(thrown != null, "no FreedObjectException for an address that is no object");
            assertTrue(thrown.getMessage().contains(String.format("0x%x is not a live object", inside)), thrown.getMessage());
        }
    }
}
