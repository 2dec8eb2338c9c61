package org.pymalloc4j.objects;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Automatic collection on its default thresholds (700, 10, 10) with the long-lived quarter rule
 * schedules the same collections as CPython 3.11 while a program builds a million long-lived
 * lists. Recorded with CPython 3.11.7:
 * <pre>
 *  import gc
 *  gc.collect()
 *  b = [s['collections'] for s in gc.get_stats()]
 *  l = []
 *  for _ in range(10**6): l.append([])
 *  a = [s['collections'] for s in gc.get_stats()]
 *  print([x - y for x, y in zip(a, b)])      # [1300, 118, 8]
 * </pre>
 * Without the quarter rule generation 2 would be collected about 11 times.
 */
class CollectorScheduleTest {
    @Test
    void aMillionLongLivedListsGetCpythonsCollections() {
        try (ObjectSpace s = ObjectSpace.create()) {
            Collector gc = s.gc();
            gc.collect();
            List<Collector.GenerationStats> before = gc.getStats();
            long l = s.lists().newList();
            for (int i = 0; i < 1_000_000; i++) {
                long x = s.lists().newList();
                s.lists().append(l, x);
                s.decref(x);
            }
            List<Collector.GenerationStats> after = gc.getStats();
            long[] collections = new long[3];
            for (int g = 0; g < 3; g++) {
                collections[g] = after.get(g).collections() - before.get(g).collections();
            }
            assertEquals(List.of(1300L, 118L, 8L), List.of(collections[0], collections[1], collections[2]));
            s.decref(l);
            s.checkInvariants();
        }
    }
}
