package org.pymalloc4j.allocator.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.TestSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tracer's primitive hash table against a {@link HashMap} model. */
class TraceTableTest {

    private record Entry(long size, int traceback, byte tag) {
    }

    @Test
    void putReplaceRemoveAndCounters() {
        TraceTable t = new TraceTable();
        t.put(0x1000, 10, 7, (byte) 1);
        t.put(0x2000, 20, 8, (byte) 2);
        assertEquals(2, t.count());
        assertEquals(30, t.current());
        t.put(0x1000, 5, 9, (byte) 0);
        assertEquals(2, t.count(), "a put of a traced address replaces");
        assertEquals(25, t.current());
        assertEquals(30, t.peak());
        int slot = t.find(0x1000);
        assertEquals(5, t.size(slot));
        assertEquals(9, t.traceback(slot));
        assertEquals(0, t.tag(slot));
        assertTrue(t.remove(0x2000));
        assertFalse(t.remove(0x2000));
        assertFalse(t.remove(0));
        assertEquals(-1, t.find(0x2000));
        assertEquals(5, t.current());
        t.resetPeak();
        assertEquals(5, t.peak());
        t.clear();
        assertEquals(0, t.count());
        assertEquals(0, t.peak());
        assertEquals(-1, t.find(0x1000));
        t.checkInvariants();
        assertEquals("trace of address 0x0, size 1: NULL has no trace",
                assertThrows(IllegalArgumentException.class, () -> t.put(0, 1, 0, (byte) 0)).getMessage());
        assertEquals("trace of address 0x10, size -1: negative size",
                assertThrows(IllegalArgumentException.class, () -> t.put(16, -1, 0, (byte) 0)).getMessage());
        assertEquals(0, t.count(), "nothing recorded");
    }

    @Test
    void randomOperationsAgreeWithAModel() {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        TraceTable t = new TraceTable();
        Map<Long, Entry> model = new HashMap<>();
        List<Long> keys = new ArrayList<>();
        long current = 0;
        long peak = 0;
        for (int step = 0; step < 50_000; step++) {
            String at = "seed " + seed + " step " + step;
            int op = random.nextInt(10);
            if (op < 5 || keys.isEmpty()) {
                // clustered addresses, so probes collide and wrap around
                long address = (random.nextLong(1, 4096) << 4) | (random.nextBoolean() ? 0 : 1L << 40);
                Entry e = new Entry(random.nextLong(0, 10_000), random.nextInt(100), (byte) random.nextInt(3));
                t.reserve();
                int capacity = t.capacity();
                t.put(address, e.size, e.traceback, e.tag);
                assertEquals(capacity, t.capacity(), at + ": put grew after reserve");
                Entry old = model.put(address, e);
                if (old == null) {
                    keys.add(address);
                } else {
                    current -= old.size;
                }
                current += e.size;
                peak = Math.max(peak, current);
            } else if (op < 9) {
                long address = keys.remove(random.nextInt(keys.size()));
                assertTrue(t.remove(address), at);
                current -= model.remove(address).size;
            } else if (random.nextInt(1000) == 0) {
                t.clear();
                model.clear();
                keys.clear();
                current = 0;
                peak = 0;
            } else {
                t.resetPeak();
                peak = current;
            }
            assertEquals(model.size(), t.count(), at);
            assertEquals(current, t.current(), at);
            assertEquals(peak, t.peak(), at);
            if (step % 997 == 0) {
                t.checkInvariants();
                for (Map.Entry<Long, Entry> m : model.entrySet()) {
                    int slot = t.find(m.getKey());
                    assertEquals(m.getValue(), new Entry(t.size(slot), t.traceback(slot), t.tag(slot)), at);
                }
            }
        }
        t.checkInvariants();
    }
}
