package org.pymalloc4j.allocator;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a count in a message or a toString can be 1, its noun is singular: not "1 live blocks", "1 traces". */
class CountOfOneTextTest {
    @Test
    void aDomainWithOneLiveBlock() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build()) {
            long p = memory.obj().malloc(16);
            assertTrue(memory.obj().toString().endsWith(", 1 live block)"), memory.obj().toString());
            long q = memory.obj().malloc(16);
            assertTrue(memory.obj().toString().endsWith(", 2 live blocks)"), memory.obj().toString());
            memory.obj().free(q);
            memory.obj().free(p);
        }
    }

    @Test
    void aTracerWithOneTrace() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build()) {
            memory.tracer().start(1);
            long p = memory.obj().malloc(16);
            assertEquals("Tracer[tracing, limit 1, 1 trace, 16 bytes]", memory.tracer().toString());
            memory.obj().free(p);
            memory.tracer().stop();
        }
    }
}
