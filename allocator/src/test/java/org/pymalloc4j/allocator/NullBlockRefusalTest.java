package org.pymalloc4j.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * An allocator of the user's that answers a failure as C does, with 0, where
 * {@link BlockAllocator}'s contract asks for an exception: the domain refuses that 0 as an
 * {@link OutOfMemoryError} naming the allocator and the call, and so do the debug hooks and the
 * tracer installed over it, instead of counting a block at 0, writing guard bytes at address 0
 * (a crash of the JVM) or tracing one.
 */
class NullBlockRefusalTest {
    /** Returns 0 for every request, as a C allocator out of memory does. */
    static class CStyle implements BlockAllocator {
        @Override
        public long malloc(long size) {
            return 0;
        }

        @Override
        public long calloc(long nelem, long elsize) {
            return 0;
        }

        @Override
        public long realloc(long address, long newSize) {
            return 0;
        }

        @Override
        public void free(long address) {
        }

        @Override
        public String toString() {
            return "c-style";
        }
    }

    private static void refusedEachWay(Memory memory, Consumer<Memory> setUp, String via) {
        setUp.accept(memory);
        MemoryDomain mem = memory.mem();
        boolean hooks = via.equals("debug");   // the hooks' own call asks for 24 bytes more, always malloc or calloc
        assertRefused(() -> mem.malloc(8), hooks ? "malloc(32)" : "malloc(8)");
        assertRefused(() -> mem.calloc(2, 8), hooks ? "calloc(1, 40)" : "calloc(2, 8)");
        assertRefused(() -> mem.realloc(0, 24), hooks ? "malloc(48)" : "realloc(0x0, 24)");
        assertRefused(() -> mem.allocate(32), hooks ? "malloc(56)" : "malloc(32)");
        assertEquals(0, mem.liveBlocks(), "no block counted for a refusal");
        memory.checkInvariants();
    }

    private static void assertRefused(org.junit.jupiter.api.function.Executable call, String named) {
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, call);
        assertTrue(e.getMessage().contains("c-style returned 0 (NULL)"), e.getMessage());
        assertTrue(e.getMessage().contains("MEM domain's allocator c-style returned 0 (NULL) for " + named + ":"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("a BlockAllocator throws OutOfMemoryError when the memory cannot be had,"
                + " never returns 0"), e.getMessage());
    }

    @Test
    void aDomainRefusesTheZeroOfItsAllocator() {
        try (Memory memory = Memory.create()) {
            refusedEachWay(memory, m -> m.setAllocator(Domain.MEM, new CStyle()), "");
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> memory.mem().malloc(8));
            assertEquals("pymalloc4j: the MEM domain's allocator c-style returned 0 (NULL) for malloc(8):"
                    + " a BlockAllocator throws OutOfMemoryError when the memory cannot be had, never returns 0",
                    e.getMessage());
            memory.setAllocator(Domain.MEM, memory.pymalloc());   // nothing live: it can be replaced
        }
    }

    @Test
    void aLiveBlockSurvivesAReallocAnsweredWithZero() {
        try (Memory memory = Memory.create()) {
            BlockAllocator heap = memory.getAllocator(Domain.MEM);
            memory.wrapAllocator(Domain.MEM, inner -> new CStyle() {
                @Override
                public long malloc(long size) {
                    return inner.malloc(size);
                }

                @Override
                public void free(long address) {
                    inner.free(address);
                }
            });
            long p = memory.mem().malloc(40);
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> memory.mem().realloc(p, 100));
            assertTrue(e.getMessage().contains("for realloc(0x" + Long.toHexString(p) + ", 100)"), e.getMessage());
            assertEquals(1, memory.mem().liveBlocks());
            assertTrue(memory.pymalloc().isLive(p), "the old block is intact, as C's realloc leaves it");
            memory.mem().free(p);
            memory.unwrapAllocator(Domain.MEM);
            assertEquals(heap, memory.getAllocator(Domain.MEM));
        }
    }

    @Test
    void theDebugHooksOverItRefuseTheZero() {
        try (Memory memory = Memory.create()) {
            refusedEachWay(memory, m -> {
                m.setAllocator(Domain.MEM, new CStyle());
                m.setupDebugHooks();
            }, "debug");
            assertEquals(0, memory.debugHooks().orElseThrow().liveBlocks());
        }
    }

    @Test
    void theTracerOverItTracesNothing() {
        try (Memory memory = Memory.create()) {
            refusedEachWay(memory, m -> {
                m.setAllocator(Domain.MEM, new CStyle());
                m.tracer().start();
            }, "tracer");
            assertEquals(0, memory.tracer().traceCount());
            assertEquals(0, memory.tracer().tracedMemory().current());
            memory.tracer().stop();
        }
    }
}
