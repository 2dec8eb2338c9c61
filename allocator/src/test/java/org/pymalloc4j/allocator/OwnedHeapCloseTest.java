package org.pymalloc4j.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The heap {@link Memory#pymalloc()} returns is the memory's, behind its MEM and OBJ domains: a
 * close of it while the memory is open (a try-with-resources around {@code memory.pymalloc()}
 * for its statistics, say) is refused, since it would unmap what the domains handed out with
 * the memory none the wiser; an object space over the memory read its objects' headers there
 * and crashed the JVM. Once the memory is closed the heap is its own again: a close the
 * memory's left undone (a segment held in a native call) is the caller's to finish.
 */
class OwnedHeapCloseTest {
    @Test
    void theHeapOfAnOpenMemoryRefusesToClose() {
        for (AllocatorName name : new AllocatorName[] {AllocatorName.PYMALLOC, AllocatorName.PYMALLOC_DEBUG}) {
            Memory memory = Memory.builder().allocator(name).build();
            long p = memory.obj().malloc(40);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                try (PyMalloc heap = memory.pymalloc()) {
                    heap.stats();
                }
            });
            assertEquals("this PyMalloc heap is a Memory's (behind its MEM and OBJ domains): close the Memory,"
                    + " which closes the heap", e.getMessage());
            PyMalloc heap = memory.pymalloc();
            assertFalse(heap.isClosed(), name.toString());
            memory.obj().segment(p).fill((byte) 1);   // what the domains handed out is still there
            memory.obj().free(p);
            memory.checkInvariants();
            memory.close();
            assertTrue(heap.isClosed(), "the memory's close closes its heap");
            heap.close();   // and then closing again does nothing, as for any heap
        }
    }

    @Test
    void aHeapOfItsOwnClosesAsEver() {
        PyMalloc heap = PyMalloc.create();
        heap.malloc(8);
        heap.close();
        assertTrue(heap.isClosed());
    }
}
