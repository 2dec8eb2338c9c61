package org.pymalloc4j.allocator;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.testkit.ForwardingAllocator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory.close, once closed is set, steps over failures (CloseSteps catches RuntimeExceptions),
 * but an Error out of the debug hooks' close (a custom allocator's free of a quarantined block)
 * went out of it before the heap's close refusal was lifted: the memory closed, its heap open
 * with every arena, and a close again ("closes the heap a close left undone") was refused as if
 * the memory were open ("close the Memory, which closes the heap"), as was the heap's own: its
 * arenas stayed mapped for good, as did libc's blocks. The heap and libc are now closed whatever
 * the hooks throw.
 */
class CloseAfterErrorTest {
    @Test
    void anErrorFromTheHooksCloseStillClosesTheHeapAndLibc() {
        Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        boolean[] fail = {false};
        memory.setAllocator(Domain.RAW, new ForwardingAllocator(memory.getAllocator(Domain.RAW)) {
            @Override
            public void free(long address) {
                if (fail[0]) {
                    throw new AssertionError("custom free failed");
                }
                super.free(address);
            }
        });
        DebugHooks hooks = memory.setupDebugHooks();
        memory.raw().free(memory.raw().malloc(100)); // quarantined, for the custom allocator's free at close
        long p = memory.obj().malloc(40);
        PyMalloc heap = memory.pymalloc();
        fail[0] = true;
        AssertionError e = assertThrows(AssertionError.class, memory::close);
        assertEquals("custom free failed", e.getMessage());
        assertTrue(memory.isClosed());
        assertTrue(hooks.isClosed());
        assertTrue(heap.isClosed(), "the heap is closed though the hooks threw");
        assertEquals(0, memory.bytesFromOs(), "arenas and libc blocks all given back");
        assertDoesNotThrow(memory::close);
        assertDoesNotThrow(heap::close);
        assertTrue(p != 0);
    }
}
