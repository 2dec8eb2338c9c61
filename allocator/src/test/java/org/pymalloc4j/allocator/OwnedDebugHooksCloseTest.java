package org.pymalloc4j.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The hooks {@link Memory#setupDebugHooks()} returns are the memory's domains' allocators: a
 * close of them while a domain of the open memory still allocates through them (a
 * try-with-resources around the AutoCloseable the call returns) is refused, since every call of
 * those domains would then be refused, a deallocation under way left half done and the memory's
 * own close refused by the closed hooks. Once no domain uses them, they close as before; the
 * memory's close closes them.
 */
class OwnedDebugHooksCloseTest {
    private static final String REFUSAL = "these DebugHooks are the allocator of this Memory's RAW, MEM and OBJ"
            + " domains: close the Memory, which closes them, or set those domains' allocators back first";

    @Test
    void theHooksOfAnOpenMemoryRefuseToCloseWhileADomainUsesThem() {
        Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        long[] kept = new long[1];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (DebugHooks hooks = memory.setupDebugHooks()) {
                kept[0] = memory.obj().malloc(40);
                memory.mem().free(memory.mem().malloc(10));
            }
        });
        assertEquals(REFUSAL, e.getMessage());
        DebugHooks hooks = memory.debugHooks().orElseThrow();
        assertFalse(hooks.isClosed());
        memory.tracer().start();   // the tracer's wrapper over them changes nothing
        assertEquals(REFUSAL, assertThrows(IllegalStateException.class, hooks::close).getMessage());
        memory.tracer().stop();
        memory.obj().free(kept[0]);   // the domains work on
        hooks.checkFreedMemory();
        memory.checkInvariants();
        memory.close();
        assertTrue(hooks.isClosed(), "the memory's close closes its hooks");
    }

    @Test
    void onceNoDomainUsesThemTheyClose() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build()) {
            DebugHooks hooks = memory.debugHooks().orElseThrow();
            BlockAllocator libc = DebugHooks.unwrap(memory.getAllocator(Domain.RAW));
            BlockAllocator heap = DebugHooks.unwrap(memory.getAllocator(Domain.OBJ));
            memory.setAllocator(Domain.RAW, libc);
            memory.setAllocator(Domain.MEM, heap);
            IllegalStateException e = assertThrows(IllegalStateException.class, hooks::close);
            assertTrue(e.getMessage().startsWith("these DebugHooks are the allocator of this Memory's OBJ domain:"),
                    e.getMessage());
            memory.setAllocator(Domain.OBJ, heap);
            hooks.close();
            assertTrue(hooks.isClosed());
            memory.obj().free(memory.obj().malloc(8));
        }
    }

    @Test
    void hooksOfTheirOwnCloseAsEver() {
        try (PyMalloc heap = PyMalloc.create()) {
            DebugHooks hooks = DebugHooks.create();
            BlockAllocator obj = hooks.wrap(Domain.OBJ, heap);
            obj.malloc(8);
            hooks.close();
            assertTrue(hooks.isClosed());
        }
    }
}
