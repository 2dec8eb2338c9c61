package org.pymalloc4j.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;

/**
 * Builder.allocator configures the memory a space makes for itself: given a memory as well, it
 * cannot be honoured, and build() says so rather than build a space without the configuration
 * asked for (a space over a plain memory when the debug hooks were asked for).
 */
class SpaceBuilderTest {
    @Test
    void anAllocatorWithAGivenMemoryIsRefused() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ObjectSpace.builder().memory(memory).allocator(AllocatorName.PYMALLOC_DEBUG).build());
            assertEquals("allocator(pymalloc_debug) configures the memory a space makes for itself, and a memory was"
                    + " given (configured pymalloc): build that memory with Memory.builder().allocator(...) instead",
                    e.getMessage());
            assertFalse(memory.isClosed());
            assertEquals(0, memory.obj().liveBlocks() + memory.mem().liveBlocks() + memory.raw().liveBlocks(),
                    "nothing allocated from the memory");
        }
    }

    @Test
    void eachAloneIsTaken() {
        try (Memory memory = Memory.create(); ObjectSpace space = ObjectSpace.builder().memory(memory).build()) {
            assertEquals(memory, space.memory());
        }
        try (ObjectSpace space = ObjectSpace.builder().allocator(AllocatorName.MALLOC_DEBUG).build()) {
            assertEquals(AllocatorName.MALLOC_DEBUG, space.memory().configured());
        }
    }
}
