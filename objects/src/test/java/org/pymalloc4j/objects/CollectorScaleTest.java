package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Ten million objects in one cycle, and a ten-million-long chain, are collected without a
 * stack overflow: the collector's phases are loops over lists, traversal goes one level deep,
 * and the deallocations that clearing sets off are cut by the trashcan. Times are printed, not
 * asserted (speed is measured in bench/).
 */
class CollectorScaleTest {
    private static final int N = 10_000_000;

    @Test
    void aTenMillionObjectCycleIsCollected() {
        try (ObjectSpace s = ObjectSpace.create()) {
            s.gc().disable();
            long node = s.classes().newClass("Node", 1);
            long first = s.classes().newInstance(node);
            long prev = first;
            for (int i = 1; i < N; i++) {
                long o = s.classes().newInstance(node);
                s.classes().setSlot(prev, 0, o); // prev.next = o
                if (prev != first) {
                    s.decref(prev);
                }
                prev = o;
            }
            s.classes().setSlot(prev, 0, first); // closes the ring
            s.decref(prev);
            s.decref(first);
            long before = s.liveObjectCount();
            long t = System.nanoTime();
            assertEquals(N, s.gc().collect());
            System.out.printf("10^7-object ring collected in %.2f s%n", (System.nanoTime() - t) / 1e9);
            assertEquals(before - N, s.liveObjectCount());
            s.decref(node);
            s.checkInvariants();
        }
    }

    @Test
    void aTenMillionLongChainHangingOffACycleIsCollected() {
        try (ObjectSpace s = ObjectSpace.create()) {
            s.gc().disable();
            // t0 = (t1,), t1 = (t2,), ...: built from the tail; tuples have no tp_clear, so the
            // whole chain goes by refcount once the list holding its head is cleared
            long chain = s.tuples().of(s.none());
            for (int i = 1; i < N; i++) {
                long t = s.tuples().of(chain);
                s.decref(chain);
                chain = t;
            }
            long l = s.lists().newList();
            s.lists().append(l, l);
            s.lists().append(l, chain);
            s.decref(chain);
            s.decref(l);
            long before = s.liveObjectCount();
            long t = System.nanoTime();
            assertEquals(N + 1, s.gc().collect());
            System.out.printf("10^7-long chain collected in %.2f s%n", (System.nanoTime() - t) / 1e9);
            assertEquals(before - N - 1, s.liveObjectCount());
            s.checkInvariants();
        }
    }
}
