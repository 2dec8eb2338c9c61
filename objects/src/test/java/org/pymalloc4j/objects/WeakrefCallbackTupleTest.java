package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MemoryLimitExceededError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 3.11's {@code PyObject_ClearWeakRefs} holds the weakrefs of an object dying with n &gt; 1
 * weakrefs with callbacks in a new tuple of 2n items: counted in generation 0 unless the tuple
 * free list supplies it, and parked there afterwards. The figures are CPython 3.11.7's, recorded
 * with {@code gc.get_count()} around {@code del c} and {@code sys._debugmallocstats()} after
 * {@code gc.collect()} emptied the free lists:
 * <pre>
 * class C: __slots__ = ('__weakref__',)
 * def run(n):
 *     c = C(); refs = [weakref.ref(c, cb) for _ in range(n)]
 *     b = gc.get_count()[0]; del c; return gc.get_count()[0] - b
 * [run(n) for n in (1, 1, 2, 2, 3, 3, 9, 9, 10, 10, 11, 11)]
 * # [-1, -1, 0, -1, 0, -1, 0, -1, 0, 0, -1, -1]
 * </pre>
 * n = 10 counts its tuple both times: a 20-item tuple is parked but never taken back.
 */
class WeakrefCallbackTupleTest {
    private static int deathWithCallbacks(ObjectSpace s, long cls, int n, List<Long> called) {
        long c = s.classes().newInstance(cls);
        long[] refs = new long[n];
        for (int i = 0; i < n; i++) {
            refs[i] = s.weakrefs().newRef(c, called::add);
        }
        int before = s.gc().getCount()[0];
        s.decref(c);
        int change = s.gc().getCount()[0] - before;
        for (long wr : refs) {
            assertEquals(s.none(), s.weakrefs().get(wr));
            s.decref(wr);
        }
        return change;
    }

    @Test
    void generationZerosCountAndTheTupleFreeListAreCPythons() {
        try (ObjectSpace s = ObjectSpace.create()) {
            s.gc().disable();
            long cls = s.classes().newClass(ClassSpec.named("C").slots(0).weakReferenceable());
            s.gc().collect();
            List<Long> called = new ArrayList<>();
            List<Integer> changes = new ArrayList<>();
            for (int n : new int[] {1, 1, 2, 2, 3, 3, 9, 9, 10, 10, 11, 11}) {
                changes.add(deathWithCallbacks(s, cls, n, called));
            }
            assertEquals(List.of(-1, -1, 0, -1, 0, -1, 0, -1, 0, 0, -1, -1), changes);
            assertEquals(2 * (1 + 2 + 3 + 9 + 10 + 11), called.size(), "every callback ran");
            String stats = s.debugMallocStats();
            for (String line : new String[] {"1 free 4-sized", "1 free 6-sized", "1 free 18-sized", "2 free 20-sized"}) {
                assertTrue(stats.contains(line), line + " in\n" + stats);
            }
            s.decref(cls);
            s.checkInvariants();
        }
    }

    /**
     * The tuple refused: 3.11 returns leaving every weakref pointing at the object it then frees
     * (fixed in 3.13 by gh-118331, which clears them and skips the callbacks). Here the weakrefs
     * are cleared and held on the Java side, and every callback still runs.
     */
    @Test
    void aTupleTheMemoryRefusesStillClearsTheWeakrefsAndRunsTheCallbacks() {
        try (Memory memory = Memory.builder().limit(4L << 20).build();
             ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
            s.gc().disable();
            long cls = s.classes().newClass(ClassSpec.named("C").slots(0).weakReferenceable());
            long c = s.classes().newInstance(cls);
            List<Long> called = new ArrayList<>();
            long a = s.weakrefs().newRef(c, called::add);
            long b = s.weakrefs().newRef(c, called::add);
            List<Long> filler = new ArrayList<>();
            Fill.untilRefused(filler, () -> s.tuples().newTuple(4)); // the 4-tuple the death needs: its class full, no arena left
            assertThrows(MemoryLimitExceededError.class, () -> s.tuples().newTuple(4));
            s.decref(c);
            assertTrue(s.debugMallocStats().contains(" 0 free 4-sized"), "no tuple was had, so none parked");
            assertEquals(List.of(b, a), called, "newest first");
            assertEquals(s.none(), s.weakrefs().get(a));
            assertEquals(s.none(), s.weakrefs().get(b));
            assertEquals(1, s.refcount(a));
            assertEquals(1, s.refcount(b));
            for (long o : filler) {
                s.decref(o);
            }
            s.decref(a);
            s.decref(b);
            s.decref(cls);
            s.checkInvariants();
        }
    }
}
