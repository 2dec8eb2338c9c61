package org.pymalloc4j.allocator;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.testkit.ForwardingAllocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A realloc the tracer makes untraced (a reentrant call: one domain's allocator calling another
 * domain, as pymalloc calls PyMem_RawRealloc for its arenas) whose allocator returns 0 (C's failed
 * realloc, refused by the domain as an OutOfMemoryError that leaves the old block intact, 78f8f50)
 * removed the old block's trace all the same: the block lived on untraced, so tracemalloc's figures
 * were short of it. tracemalloc 3.11's reentrant path removes the trace only if realloc returned a
 * block ({@code ptr2 != NULL && ptr != NULL}), as the traced path here already did.
 */
class TracedNullReallocTest {
    @Test
    void aReentrantReallocReturningZeroKeepsTheOldBlocksTrace() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.MALLOC).build()) {
            boolean[] nullRealloc = {false};
            memory.setAllocator(Domain.RAW, new ForwardingAllocator(memory.getAllocator(Domain.RAW)) {
                @Override
                public long realloc(long address, long newSize) {
                    return nullRealloc[0] ? 0 : super.realloc(address, newSize);
                }
            });
            long[] raw = new long[1];
            Throwable[] refused = new Throwable[1];
            memory.setAllocator(Domain.OBJ, new ForwardingAllocator(memory.getAllocator(Domain.OBJ)) {
                @Override
                public long malloc(long size) {
                    if (raw[0] != 0) {
                        nullRealloc[0] = true;
                        refused[0] = assertThrows(OutOfMemoryError.class, () -> memory.raw().realloc(raw[0], 4096));
                        nullRealloc[0] = false;
                    }
                    return super.malloc(size);
                }
            });
            memory.tracer().start();
            raw[0] = memory.raw().malloc(100);
            assertTrue(memory.tracer().tracebackOf(raw[0]).isPresent());
            long p = memory.obj().malloc(10); // its allocator reallocs raw[0] while the tracer is busy
            assertTrue(refused[0].getMessage().contains("returned 0 (NULL)"), refused[0].getMessage());
            assertTrue(memory.tracer().tracebackOf(raw[0]).isPresent(), "the old block, intact, is still traced");
            assertEquals(2, memory.tracer().traceCount());
            memory.obj().free(p);
            memory.raw().free(raw[0]);
            memory.tracer().stop();
        }
    }
}
