package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A space over a memory it was given, and the memory closed first: the space closes with it and
 * refuses every call with a message, where it used to read and write unmapped memory.
 */
class MemoryClosedUnderSpaceTest {

    @Test
    void everyCallIsRefusedOnceTheMemoryIsClosed() {
        Memory memory = Memory.create();
        ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).traceRefs(true).build();
        long parked = space.floats().newFloat(1);
        space.decref(parked);                           // on the float free list: a block in the memory
        long f = space.floats().newFloat(2);            // the newest object, trusted without a probe
        long list = space.lists().newList();
        memory.close();
        assertTrue(space.isClosed());
        for (Runnable call : new Runnable[] {
            () -> space.decref(f), () -> space.incref(list), () -> space.floats().newFloat(3),
            () -> space.lists().newList(), () -> space.floats().value(f), () -> space.gc().collect(),
        }) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
            assertTrue(e.getMessage().contains("Memory was closed under it"), e.getMessage());
        }
        LeakReport report = space.leakReport();
        assertEquals(2, report.leakedObjectCount(), "the float and the list, reported when the memory closed");
        assertEquals(2, report.objects().size(), "listed in trace-refs mode: " + report);
        space.close(); // nothing left to do
        assertEquals(report, space.leakReport());
    }

    @Test
    void aSpaceClosedFirstLeavesNothingBehindInTheMemory() {
        try (Memory memory = Memory.create()) {
            ObjectSpace space = ObjectSpace.builder().memory(memory).build();
            space.decref(space.floats().newFloat(1));
            space.close();
            memory.close(); // the space's action was withdrawn: nothing runs against a closed space
            assertTrue(space.isClosed());
            assertTrue(space.leakReport().isClean());
        }
    }

    /**
     * The space's own memory, closed through {@code memory()}: the space hears it as it does a
     * memory it was given. It used to read the newest object's header in the unmapped arena.
     */
    @Test
    void theSpacesOwnMemoryClosedUnderItIsHeardToo() {
        ObjectSpace space = ObjectSpace.builder().checked(true).build();
        long f = space.floats().newFloat(1.5);         // the newest object: trusted without an arena probe
        space.memory().close();
        assertTrue(space.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.refcount(f));
        assertTrue(e.getMessage().contains("Memory was closed under it"), e.getMessage());
        assertEquals(1, space.leakReport().leakedObjectCount(), "the float, reported when the memory closed");
        space.close(); // nothing left to do
    }
}
