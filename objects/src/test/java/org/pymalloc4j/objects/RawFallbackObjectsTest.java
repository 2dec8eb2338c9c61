package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.ArenaAllocator;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MallocStats;
import org.pymalloc4j.allocator.testkit.NoArenas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Objects in the raw blocks a heap hands out for small requests when no arena can be had (as
 * CPython's _PyObject_Malloc falls back to PyMem_RawMalloc): checked mode must know them as
 * objects, as it knows objects over 512 bytes, not refuse them as never allocated.
 */
class RawFallbackObjectsTest {
    private static final ArenaAllocator NONE = NoArenas.INSTANCE; // as when the OS refuses mmap

    @Test
    void smallObjectsInRawBlocksAreObjects() {
        try (Memory memory = Memory.builder().arenaAllocator(NONE).build();
             ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
            long f = s.floats().newFloat(2.5);
            assertFalse(memory.pymalloc().isArenaAddress(f), "a raw block: no arena to be had");
            s.incref(f);
            assertEquals(2, s.refcount(f));
            long t = s.tuples().of(f, f);
            assertEquals(2.5, s.floats().value(s.tuples().get(t, 1)));
            long list = s.lists().newList(0);
            s.lists().append(list, list); // a cycle, in raw blocks, for the collector
            s.decref(list);
            assertEquals(1, s.gc().collect());
            s.decref(t);
            s.decref(f);
            s.checkInvariants();
            MallocStats stats = memory.pymalloc().stats();
            assertEquals(0, stats.arenasCurrent());
            assertTrue(stats.rawBlocks() > 0, stats.format());
            s.decref(f); // its last reference: the float is parked or freed
            if (s.isChecked()) {
                assertThrows(FreedObjectException.class, () -> s.incref(f), "a freed raw object is known as freed");
            }
            s.checkInvariants();
        }
    }
}
