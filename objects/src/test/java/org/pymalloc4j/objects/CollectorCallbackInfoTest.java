package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 3.11's invoke_gc_callback builds its {@code info} dict ({@code {"generation": g, "collected":
 * n, "uncollectable": m}}) before each phase's callbacks when there are any, and drops it after
 * them: a dict made and parked on the dict free list, which counts in generation 0. The counts
 * below are CPython 3.11.7's, read from its GC state (so that reading them makes nothing):
 * <pre>
 *  gc.disable(); gc.collect()          # 0
 *  gc.callbacks.append(lambda p, i: None)
 *  gc.collect()                        # 1: STOP's dict is new (the collection emptied the free lists), then parked
 *  d = {}                              # 1: that one, from the free list
 *  e = {}                              # 2
 *  gc.collect(0)                       # 0: START's dict new, parked; STOP's from the free list, parked again
 *  f = {}                              # 0: from the free list
 * </pre>
 */
class CollectorCallbackInfoTest {
    @Test
    void eachPhaseMakesAndDropsAnInfoDictAsCPythonDoes() {
        try (ObjectSpace s = ObjectSpace.create()) {
            s.gc().disable();
            s.gc().collect();
            List<Integer> counts = new ArrayList<>();
            counts.add(s.gc().getCount()[0]);
            s.gc().callbacks().add((phase, info) -> { });
            s.gc().collect();
            counts.add(s.gc().getCount()[0]);
            long d = s.dicts().newDict();
            counts.add(s.gc().getCount()[0]);
            long e = s.dicts().newDict();
            counts.add(s.gc().getCount()[0]);
            s.gc().collect(0);
            counts.add(s.gc().getCount()[0]);
            long f = s.dicts().newDict();
            counts.add(s.gc().getCount()[0]);
            assertEquals(List.of(0, 1, 1, 2, 0, 0), counts);
            s.decref(d);
            s.decref(e);
            s.decref(f);
        }
    }

    /** Without callbacks no dict is made: a collection leaves count 0 and the free list empty. */
    @Test
    void noCallbacksNoDict() {
        try (ObjectSpace s = ObjectSpace.create()) {
            s.gc().disable();
            s.gc().collect();
            long d = s.dicts().newDict();
            assertArrayEquals(new int[] {1, 0, 0}, s.gc().getCount());
            s.decref(d);
        }
    }
}
