package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;

/**
 * Checked mode trusts the object made last without probing the arena index, and tests only its
 * refcount: each way that object can stop being live must still be refused.
 */
class NewestObjectTest {

    private static ObjectSpace checkedSpace() {
        return ObjectSpace.builder().checked(true).build();
    }

    @Test
    void theNewestObjectFreedIsRefused() {
        try (ObjectSpace space = checkedSpace()) {
            long f = space.floats().newFloat(1.5); // the newest object
            space.decref(f);                        // parked on the float free list
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.decref(f));
            assertTrue(e.getMessage().contains("freed"), e.getMessage());
            assertThrows(FreedObjectException.class, () -> space.incref(f));
            space.checkInvariants();
        }
    }

    @Test
    void theNewestObjectAtRefcountZeroIsRefused() {
        try (ObjectSpace space = checkedSpace()) {
            long f = space.floats().newFloat(2.5);
            putLong(f, 0); // as mid-deallocation, or after a foreign write
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.incref(f));
            assertTrue(e.getMessage().contains("refcount"), e.getMessage());
            assertEquals(0, getLong(f), "nothing changed");
            putLong(f, 1);
            space.decref(f);
            space.checkInvariants();
        }
    }

    @Test
    void theNewestObjectOfAClosedSpaceIsRefused() {
        ObjectSpace space = checkedSpace();
        long f = space.floats().newFloat(3.5);
        space.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.decref(f));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void theNewestObjectStillHasItsTypeChecked() {
        try (ObjectSpace space = checkedSpace()) {
            long f = space.floats().newFloat(4.5);
            assertThrows(WrongTypeException.class, () -> space.tuples().get(f, 0));
            assertThrows(WrongTypeException.class, () -> space.lists().append(f, space.none()));
            assertEquals(4.5, space.floats().value(f));
            space.decref(f);
        }
    }

    /** An item checked when the tuple took it, then freed by unbalanced decrefs, is refused when the tuple lets go of it. */
    @Test
    void anItemFreedBehindItsContainersBackIsRefused() {
        try (ObjectSpace space = checkedSpace()) {
            long a = space.floats().newFloat(1);
            long b = space.floats().newFloat(2);
            long t = space.tuples().of(a, b); // a and b checked live, t the newest object
            space.decref(a);
            space.decref(a); // the tuple's reference, dropped by mistake: a is freed (parked)
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.decref(t));
            assertTrue(e.getMessage().contains(Long.toHexString(a)), e.getMessage());
            assertThrows(FreedObjectException.class, () -> space.incref(a));
            space.decref(b);
        }
    }

    @Test
    void checkInvariantsNamesANewestObjectThatIsNotLive() {
        try (ObjectSpace space = checkedSpace()) {
            long f = space.floats().newFloat(5.5);
            space.checkInvariants();
            putLong(f, 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, space::checkInvariants);
            assertTrue(e.getMessage().contains("newest object 0x" + Long.toHexString(f)), e.getMessage());
            putLong(f, 1);
            space.checkInvariants();
            space.decref(f);
        }
    }
}
