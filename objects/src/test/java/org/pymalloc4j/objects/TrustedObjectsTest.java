package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pymalloc4j.allocator.testkit.Seeds;
import org.pymalloc4j.objects.internal.TrustedObjects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;

/**
 * Checked mode trusts the object made last, the two found live last and a few more found live
 * lately (a container's long-lived items), without probing the arena index or the type table, and tests only their
 * refcount: each way a trusted object can stop being live must still be refused, and no entry
 * may name a dead object (checkInvariants checks it).
 */
class TrustedObjectsTest {

    /** How an object comes to be trusted. */
    enum Trust {
        /** Made last: the newest object. */
        NEWEST("newest object") {
            @Override
            long make(ObjectSpace space, double value) {
                return space.floats().newFloat(value);
            }
        },
        /** Found live by the full check while not the newest: the object found last, and cached. */
        CACHED("cached object") {
            @Override
            long make(ObjectSpace space, double value) {
                long f = space.floats().newFloat(value);
                long other = space.floats().newFloat(-value); // f is no longer the newest object
                space.incref(f);                              // the full check: f is found
                space.decref(f);
                space.decref(other);
                return f;
            }
        },
        /** Found live, then two objects of other slots found after it: in the table alone. */
        CACHED_ONLY("cached object") {
            @Override
            long make(ObjectSpace space, double value) {
                return findOthers(space, CACHED.make(space, value), false, 2);
            }
        },
        /** Found live, then an object of its slot found after it: in neither the table nor lastFound. */
        FOUND_BEFORE("object found live before the last") {
            @Override
            long make(ObjectSpace space, double value) {
                return findOthers(space, CACHED.make(space, value), true, 1);
            }
        };

        final String label;

        Trust(String label) {
            this.label = label;
        }

        abstract long make(ObjectSpace space, double value);

        /**
         * Has the full check find {@code n} floats live after {@code f}, each made for the purpose
         * with its table slot that of {@code f} or not, as {@code sameSlot} says; returns {@code f}.
         * Every float made stays live until the space closes: releasing one would find it too.
         */
        static long findOthers(ObjectSpace space, long f, boolean sameSlot, int n) {
            for (int i = 0; i < n; i++) {
                long g;
                do {
                    g = space.floats().newFloat(i);
                } while ((TrustedObjects.slotOf(g) == TrustedObjects.slotOf(f)) != sameSlot);
                space.floats().newFloat(-1); // g is no longer the newest object
                space.incref(g);
                space.decref(g);
            }
            return f;
        }
    }

    private static String freed(long o) {
        return "use of the freed object at 0x" + Long.toHexString(o);
    }

    private static ObjectSpace checkedSpace() {
        return ObjectSpace.builder().checked(true).build();
    }

    @ParameterizedTest
    @EnumSource(Trust.class)
    void aTrustedObjectFreedIsRefused(Trust trust) {
        try (ObjectSpace space = checkedSpace()) {
            long f = trust.make(space, 1.5);
            space.checkInvariants();
            space.decref(f); // parked on the float free list
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.decref(f));
            assertTrue(e.getMessage().contains("freed"), e.getMessage());
            assertEquals(freed(f), assertThrows(FreedObjectException.class, () -> space.incref(f)).getMessage());
            assertEquals(freed(f), assertThrows(FreedObjectException.class, () -> space.refcount(f)).getMessage());
            space.checkInvariants();
        }
    }

    /** An item checked when a tuple took it, then freed by unbalanced decrefs, is refused when the tuple lets go of it. */
    @ParameterizedTest
    @EnumSource(Trust.class)
    void anItemFreedBehindItsContainersBackIsRefused(Trust trust) {
        try (ObjectSpace space = checkedSpace()) {
            long a = trust.make(space, 1);
            long b = trust.make(space, 2);
            long first = space.tuples().of(a, b);
            space.decref(first); // a and b let go of while trusted: the held path trusts them
            long t = space.tuples().of(a, b);
            space.decref(a);
            space.decref(a); // the tuple's reference, dropped by mistake: a is freed (parked)
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.decref(t));
            assertTrue(e.getMessage().contains(Long.toHexString(a)), e.getMessage());
            assertEquals(freed(a), assertThrows(FreedObjectException.class, () -> space.incref(a)).getMessage());
            space.decref(b);
        }
    }

    @ParameterizedTest
    @EnumSource(Trust.class)
    void aTrustedObjectOfAClosedSpaceIsRefused(Trust trust) {
        ObjectSpace space = checkedSpace();
        long f = trust.make(space, 3.5);
        space.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.decref(f));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals("this ObjectSpace is closed", assertThrows(IllegalStateException.class, () -> space.incref(f)).getMessage());
    }

    @ParameterizedTest
    @EnumSource(Trust.class)
    void aTrustedObjectAtRefcountZeroIsRefused(Trust trust) {
        try (ObjectSpace space = checkedSpace()) {
            long f = trust.make(space, 4.5);
            putLong(f, 0); // as mid-deallocation, or after a foreign write
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.incref(f));
            assertTrue(e.getMessage().contains("refcount"), e.getMessage());
            assertEquals(0, getLong(f), "nothing changed");
            putLong(f, 1);
            space.decref(f);
            space.checkInvariants();
        }
    }

    @ParameterizedTest
    @EnumSource(Trust.class)
    void aTrustedObjectStillHasItsTypeChecked(Trust trust) {
        try (ObjectSpace space = checkedSpace()) {
            long f = trust.make(space, 5.5);
            String got = " expects a %s object, got the float object at 0x" + Long.toHexString(f);
            WrongTypeException e = assertThrows(WrongTypeException.class, () -> space.tuples().get(f, 0));
            assertTrue(e.getMessage().endsWith(got.formatted("tuple")), e.getMessage());
            e = assertThrows(WrongTypeException.class, () -> space.lists().append(f, space.none()));
            assertTrue(e.getMessage().endsWith(got.formatted("list")), e.getMessage());
            assertEquals(5.5, space.floats().value(f));
            space.decref(f);
        }
    }

    @ParameterizedTest
    @EnumSource(Trust.class)
    void checkInvariantsNamesATrustedObjectThatIsNotLive(Trust trust) {
        try (ObjectSpace space = checkedSpace()) {
            long f = trust.make(space, 8.5);
            space.checkInvariants();
            putLong(f, 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, space::checkInvariants);
            assertTrue(e.getMessage().contains(trust.label + " 0x" + Long.toHexString(f)), e.getMessage());
            putLong(f, 1);
            space.checkInvariants();
            space.decref(f);
        }
    }

    /** A parked object revived from its free list is the newest object, and no longer cached. */
    @Test
    void aCachedObjectParkedAndRevivedIsTrustedAsTheNewest() {
        try (ObjectSpace space = checkedSpace()) {
            long f = Trust.CACHED.make(space, 6.5);
            space.decref(f);
            long g = space.floats().newFloat(7.5);
            assertEquals(f, g, "the float free list hands the parked block back");
            space.checkInvariants(); // never both the newest object and cached
            space.incref(g);
            assertEquals(2, space.refcount(g));
            space.decref(g);
            space.decref(g);
            space.checkInvariants();
        }
    }

    /** Floats 128 bytes apart share a slot; each replaces the other, and a freed one is refused. */
    @Test
    void objectsSharingASlotReplaceEachOther() {
        try (ObjectSpace space = checkedSpace()) {
            List<Long> floats = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                floats.add(space.floats().newFloat(i));
            }
            space.floats().newFloat(-1); // none of the 24 is the newest object
            long newest = space.floats().newFloat(-2);
            for (int round = 0; round < 3; round++) {
                for (long f : floats) {
                    space.incref(f);
                    assertEquals(2, space.refcount(f));
                    space.decref(f);
                }
                space.checkInvariants();
            }
            long freed = floats.remove(5);
            space.decref(freed);
            for (long f : floats) {
                space.incref(f); // refills every slot, the freed float's among them
                space.decref(f);
            }
            assertEquals(freed(freed), assertThrows(FreedObjectException.class, () -> space.incref(freed)).getMessage());
            space.checkInvariants();
            floats.forEach(space::decref);
            space.decref(newest);
        }
    }

    /**
     * Seeded random programs of floats and 2-tuples: increfs, decrefs of references the program
     * owns, tuples made of any live objects and dropped, uses of dead objects (refused, nothing
     * changed); refcounts checked against a model and the space's invariants after every step.
     */
    @Test
    void randomProgramsAgreeWithAModel() {
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        try (ObjectSpace space = checkedSpace()) {
            Map<Long, Long> refcounts = new LinkedHashMap<>(); // live object -> the model's refcount (insertion order: a seed replays)
            Map<Long, Long> owned = new LinkedHashMap<>();     // live object -> references the program owns (> 0)
            Map<Long, long[]> items = new LinkedHashMap<>(); // live tuple -> its two items
            List<Long> dead = new ArrayList<>();
            for (int step = 0; step < 4_000; step++) {
                List<Long> live = new ArrayList<>(refcounts.keySet());
                List<Long> mine = new ArrayList<>(owned.keySet());
                int op = mine.isEmpty() ? 0 : random.nextInt(6);
                String what = "seed " + seed + ", step " + step + ", op " + op;
                if (op == 0 || op == 1 && live.size() < 2) {
                    long f = space.floats().newFloat(step);
                    assertTrue(refcounts.putIfAbsent(f, 1L) == null, what + ": a new float at a live object's address");
                    owned.put(f, 1L);
                    dead.remove(f);
                } else if (op == 1) {
                    long a = live.get(random.nextInt(live.size()));
                    long b = live.get(random.nextInt(live.size()));
                    long t = space.tuples().of(a, b);
                    refcounts.merge(a, 1L, Long::sum);
                    refcounts.merge(b, 1L, Long::sum);
                    assertTrue(refcounts.putIfAbsent(t, 1L) == null, what + ": a new tuple at a live object's address 0x" + Long.toHexString(t));
                    items.put(t, new long[] {a, b});
                    owned.put(t, 1L);
                    dead.remove(t);
                } else if (op == 2) {
                    long o = live.get(random.nextInt(live.size()));
                    space.incref(o); // an owned reference, taken from a borrowed one as Py_INCREF does
                    refcounts.merge(o, 1L, Long::sum);
                    owned.merge(o, 1L, Long::sum);
                } else if (op <= 4) {
                    release(space, mine.get(random.nextInt(mine.size())), refcounts, owned, items, dead);
                } else if (!dead.isEmpty()) {
                    long d = dead.get(random.nextInt(dead.size()));
                    for (Executable use : List.<Executable>of(() -> space.incref(d), () -> space.decref(d))) {
                        FreedObjectException e = assertThrows(FreedObjectException.class, use, what);
                        assertEquals(d, e.address(), what);
                        assertTrue(e.getMessage().contains("0x" + Long.toHexString(d)), what + ": " + e.getMessage());
                    }
                }
                for (Map.Entry<Long, Long> e : refcounts.entrySet()) {
                    assertEquals(e.getValue(), space.refcount(e.getKey()), what);
                }
                space.checkInvariants();
            }
            while (!owned.isEmpty()) {
                release(space, owned.keySet().iterator().next(), refcounts, owned, items, dead);
            }
            assertTrue(refcounts.isEmpty(), "seed " + seed + ": objects left with no owner: " + refcounts);
            space.checkInvariants();
        }
    }

    /** The decref of one owned reference to {@code o}, in the space and in the model, with the deallocations it causes. */
    private static void release(ObjectSpace space, long o, Map<Long, Long> refcounts, Map<Long, Long> owned,
            Map<Long, long[]> items, List<Long> dead) {
        space.decref(o);
        if (owned.merge(o, -1L, Long::sum) == 0) {
            owned.remove(o);
        }
        List<Long> pending = new ArrayList<>(List.of(o));
        while (!pending.isEmpty()) {
            long x = pending.remove(pending.size() - 1);
            long rc = refcounts.get(x) - 1;
            if (rc > 0) {
                refcounts.put(x, rc);
                continue;
            }
            refcounts.remove(x);
            dead.add(x);
            long[] held = items.remove(x);
            if (held != null) {
                pending.add(held[0]);
                pending.add(held[1]);
            }
        }
    }
}
