package org.pymalloc4j.allocator;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One public concept, one name and one type across the allocator's exported classes. */
class ApiConsistencyTest {

    private static Class<?> returnType(Class<?> owner, String method) throws NoSuchMethodException {
        return owner.getMethod(method).getReturnType();
    }

    @Test
    void everyLiveBlockCountIsALong() throws NoSuchMethodException {
        for (Class<?> owner : new Class<?>[] {LibcAllocator.class, MemoryDomain.class, DebugHooks.class}) {
            assertEquals(long.class, returnType(owner, "liveBlocks"), owner.getSimpleName() + ".liveBlocks()");
        }
    }
}
