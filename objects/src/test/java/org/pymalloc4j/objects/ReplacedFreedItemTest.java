package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A store over an item freed behind its container's back (checked mode): the new item is
 * stored, then the release of the old one is refused, naming it. Nothing is lost: the container
 * owns the new item and releases it as usual.
 */
class ReplacedFreedItemTest {
    private static ObjectSpace checkedSpace() {
        return ObjectSpace.builder().checked(true).build();
    }

    @Test
    void listSetOverAFreedItemStoresTheNewItemThenNamesTheOld() {
        try (ObjectSpace space = checkedSpace()) {
            long before = space.liveObjectCount();
            long list = space.lists().newList();
            long old = space.floats().newFloat(1.0);
            space.lists().append(list, old);
            long item = space.floats().newFloat(2.0); // stolen by set; made first, while old's block is taken
            space.incref(item);
            space.decref(old);
            space.decref(old); // the list's reference, dropped by mistake: old is freed
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.lists().set(list, 0, item));
            assertEquals(old, e.address(), e.getMessage());
            assertStoredAndReleased(space, item, space.lists().get(list, 0), list, before);
        }
    }

    @Test
    void tupleSetOverAFreedItemStoresTheNewItemThenNamesTheOld() {
        try (ObjectSpace space = checkedSpace()) {
            long before = space.liveObjectCount();
            long old = space.floats().newFloat(1.0);
            long tuple = space.tuples().of(old);
            long item = space.floats().newFloat(2.0); // stolen by set; made first, while old's block is taken
            space.incref(item);
            space.decref(old);
            space.decref(old); // the tuple's reference, dropped by mistake: old is freed
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.tuples().set(tuple, 0, item));
            assertEquals(old, e.address(), e.getMessage());
            assertStoredAndReleased(space, item, space.tuples().get(tuple, 0), tuple, before);
        }
    }

    @Test
    void setSlotOverAFreedValueStoresTheNewValueThenNamesTheOld() {
        try (ObjectSpace space = checkedSpace()) {
            long cls = space.classes().newClass("Node", 1);
            long before = space.liveObjectCount();
            long node = space.classes().newInstance(cls);
            long old = space.floats().newFloat(1.0);
            space.classes().setSlot(node, 0, old);
            long value = space.floats().newFloat(2.0); // made first, while old's block is taken
            space.decref(old);
            space.decref(old); // the instance's reference, dropped by mistake: old is freed
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.classes().setSlot(node, 0, value));
            assertEquals(old, e.address(), e.getMessage());
            assertStoredAndReleased(space, value, space.classes().getSlot(node, 0), node, before);
        }
    }

    @Test
    void frameSetOverAFreedLocalStoresTheNewLocalThenNamesTheOld() {
        try (ObjectSpace space = checkedSpace()) {
            long before = space.liveObjectCount();
            try (Frame f = space.frame()) {
                long old = f.local(space.floats().newFloat(1.0));
                long item = space.floats().newFloat(2.0); // stolen by set; made first, while old's block is taken
                space.incref(item);
                space.decref(old); // the frame's reference, dropped by mistake: old is freed
                FreedObjectException e = assertThrows(FreedObjectException.class, () -> f.set(0, item));
                assertEquals(old, e.address(), e.getMessage());
                assertEquals(item, f.get(0));
                assertEquals(2, space.refcount(item), "the frame owns one reference, the test one");
                space.decref(item);
            }
            assertEquals(before, space.liveObjectCount(), "nothing leaked");
            space.checkInvariants();
        }
    }

    /** {@code item} (one reference the test holds, one the container) is in place; the container frees it. */
    private static void assertStoredAndReleased(ObjectSpace space, long item, long found, long container, long before) {
        assertEquals(item, found, "the new item is stored");
        assertEquals(2, space.refcount(item), "the container owns one reference, the test one");
        space.decref(container);
        assertEquals(1, space.refcount(item), "the container released it");
        space.decref(item);
        assertEquals(before, space.liveObjectCount(), "nothing leaked");
        space.checkInvariants();
    }
}
