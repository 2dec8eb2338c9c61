package org.pymalloc4j.objects;

import java.lang.foreign.Arena;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A checked space over a memory under the debug hooks (README: "Memory with debug hooks"),
 * where each object's block starts 16 bytes (the hooks' size word, API id and pad) after the
 * pymalloc block the heap handed out: objects past the few the space trusts must be known live
 * there too, and an address inside an object still refused. (Checked mode asked the heap about
 * the wrong address and refused every such object as never allocated.)
 */
class DebugHooksObjectsTest {
    @ParameterizedTest
    @EnumSource(value = AllocatorName.class, names = {"PYMALLOC", "PYMALLOC_DEBUG", "MALLOC_DEBUG"})
    void objectsOutsideTheTrustedFewAreKnownLive(AllocatorName allocator) {
        try (Memory memory = Memory.builder().allocator(allocator).build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).build()) {
            exercise(space);
        }
    }

    /**
     * The same with tracemalloc started once the space is made: the tracer's wrapper goes over
     * the hooks, and the blocks still start at the hooks' header.
     */
    @ParameterizedTest
    @EnumSource(value = AllocatorName.class, names = {"PYMALLOC", "PYMALLOC_DEBUG", "MALLOC_DEBUG"})
    void objectsAreKnownLiveWithTheTracerOverTheHooks(AllocatorName allocator) {
        try (Memory memory = Memory.builder().allocator(allocator).build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).build()) {
            memory.tracer().start(5);
            exercise(space);
        }
    }

    /**
     * A space made while tracemalloc is on still asks its heap: the tracer's wrapper hid the
     * configuration (allocatorName() is empty while tracing, as in CPython), so the space took
     * the heap for a custom allocator's and read any address it was given. Here a native
     * segment's zeros would read as an object with no type; the heap refuses it unread.
     */
    @ParameterizedTest
    @EnumSource(value = AllocatorName.class, names = {"PYMALLOC", "PYMALLOC_DEBUG"})
    void aSpaceMadeWhileTracingRefusesAForeignAddressUnread(AllocatorName allocator) {
        try (Memory memory = Memory.builder().allocator(allocator).build();
             Arena arena = Arena.ofConfined()) {
            memory.tracer().start(5);
            assertEquals(Optional.empty(), memory.allocatorName(), "tracing: a custom allocator to CPython");
            assertEquals(Optional.of(allocator), memory.allocatorNameBeneathTracer());
            try (ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).build()) {
                long foreign = arena.allocate(64, 16).address();
                FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.refcount(foreign));
                assertEquals(String.format("0x%x is not a live object of this space (freed, or never allocated by it)", foreign),
                        e.getMessage());
                exercise(space);
            }
        }
    }

    private static void exercise(ObjectSpace space) {
        long list = space.lists().newList();
        long[] floats = new long[40];
        for (int i = 0; i < floats.length; i++) { // more objects than the trusted cache holds
            floats[i] = space.floats().newFloat(i);
        }
        assertEquals(0, space.lists().size(list));
        for (int i = 0; i < floats.length; i++) {
            space.lists().append(list, floats[i]);
            assertEquals(i, space.floats().value(floats[i]));
        }
        long inside = list + 8; // ob_type's word: inside the list, no object starts there
        assertThrows(FreedObjectException.class, () -> space.refcount(inside));
        for (long f : floats) {
            space.decref(f);
        }
        space.decref(list);
        space.checkInvariants();
        assertEquals(0, space.liveObjectCount());
    }
}
