package org.pymalloc4j.allocator;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.ArenaOwners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The owner map names heaps by tags from one counter of the process, and an int counter comes
 * round after 2^32 heaps: a long-running program that opens a heap per task gets there. The
 * tests set the counter where it then stands, by reflection, rather than open 2^32 heaps.
 */
class TagWrapTest {
    private static AtomicInteger counter() throws ReflectiveOperationException {
        Field f = ArenaOwners.class.getDeclaredField("TAGS");
        f.setAccessible(true);
        return (AtomicInteger) f.get(null);
    }

    private static int tagOf(PyMalloc heap) throws ReflectiveOperationException {
        Field f = PyMalloc.class.getDeclaredField("tag");
        f.setAccessible(true);
        return f.getInt(heap);
    }

    /** Runs {@code body}, then puts the counter back past every tag it has issued. */
    private static void withCounter(ThrowingConsumer body) throws Exception {
        AtomicInteger tags = counter();
        int issued = tags.get();
        try {
            body.accept(tags);
        } finally {
            tags.set(Math.max(issued, tags.get()));
        }
    }

    private interface ThrowingConsumer {
        void accept(AtomicInteger tags) throws Exception;
    }

    /** Come round, the counter skips the tag an open heap holds: two heaps never answer for each other's arenas. */
    @Test
    void aHeapOpenedOnceTheCounterCameRoundNeverGetsAnOpenHeapsTag() throws Exception {
        withCounter(tags -> {
            try (PyMalloc a = PyMalloc.create()) {
                long p = a.malloc(64);
                tags.set(tagOf(a) - 1); // where it stands again 2^32 heaps later
                try (PyMalloc b = PyMalloc.create()) {
                    assertNotEquals(tagOf(a), tagOf(b), "two open heaps with one tag");
                    long q = b.malloc(64);
                    assertFalse(b.isArenaAddress(p), "b answers for a's arena");
                    assertFalse(a.isArenaAddress(q), "a answers for b's arena");
                    if (PyMalloc.CHECKS) {
                        TestSupport.refusedAddress("realloc", p, () -> b.realloc(p, 100), "a's block, through b");
                    }
                    a.free(p);
                    b.free(q);
                    a.checkInvariants();
                    b.checkInvariants();
                }
            }
        });
    }

    /**
     * A closed heap gives its tag back, to be issued again once the counter comes round, and
     * keeps refusing every call: its free of the new holder's block throws, in both modes,
     * instead of pushing the block on a free list of the other heap's pool.
     */
    @Test
    void aClosedHeapWhoseTagIsIssuedAgainRefusesTheNewHoldersBlocks() throws Exception {
        withCounter(tags -> {
            PyMalloc a = PyMalloc.create();
            a.malloc(64);
            int tag = tagOf(a);
            a.close();
            tags.set(tag - 1);
            try (PyMalloc b = PyMalloc.create()) {
                assertEquals(tag, tagOf(b), "a closed heap's tag is free again");
                long q = b.malloc(64);
                assertThrows(IllegalStateException.class, () -> a.free(q));
                assertTrue(b.isLive(q));
                b.checkInvariants();
                b.free(q);
                b.checkInvariants();
            }
        });
    }
}
