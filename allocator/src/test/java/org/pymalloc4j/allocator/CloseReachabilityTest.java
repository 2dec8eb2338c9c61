package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.LiveMarks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A heap whose {@code close()} is its last use is unreachable while close runs, once the JIT has
 * compiled close (compiled frames keep no dead references): the collector may then find it, and
 * its cleaner, which gives its mark back, must not run until close has handed every arena back.
 */
class CloseReachabilityTest {
    /** Closes the heap {@code ref} holds, keeping no reference to it in this frame. */
    private static void closeLast(AtomicReference<PyMalloc> ref) {
        ref.getAndSet(null).close();
    }

    /** mmap arenas, whose free waits for the test once armed. */
    private static final class PausingFree implements ArenaAllocator {
        volatile boolean armed;
        final CountDownLatch inFree = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);

        @Override
        public long allocate(long size) {
            return ArenaAllocator.mmap().allocate(size);
        }

        @Override
        public void free(long address, long size) {
            if (armed) {
                inFree.countDown();
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            ArenaAllocator.mmap().free(address, size);
        }
    }

    @Test
    void aHeapCollectedDuringItsCloseKeepsItsMarkUntilCloseEnds() throws Exception {
        assumeTrue(PyMalloc.CHECKS, "no marks unchecked");
        PausingFree arenas = new PausingFree();
        // The same path as below, arena and allocator included, so that close runs compiled there.
        for (int i = 0; i < 30_000; i++) {
            PyMalloc warm = PyMalloc.builder().arenaAllocator(arenas).build();
            warm.malloc(64);
            closeLast(new AtomicReference<>(warm));
        }
        List<Byte> held = takeAll(); // every free mark but the one the heap below takes
        assumeTrue(!held.isEmpty(), "every mark is held by heaps other tests dropped");
        LiveMarks.returnMark(held.remove(held.size() - 1));
        boolean returnedEarly = false;
        byte mark = 0;
        Thread closer = null;
        try {
            AtomicReference<PyMalloc> heap = new AtomicReference<>(PyMalloc.builder().arenaAllocator(arenas).build());
            mark = (byte) TestSupport.liveMark(heap.get().malloc(64));
            arenas.armed = true;
            closer = new Thread(() -> closeLast(heap));
            closer.start();
            arenas.inFree.await();
            for (int i = 0; i < 25 && !returnedEarly; i++) { // close waits in its arena's free meanwhile
                System.gc();
                Thread.sleep(10);
                List<Byte> taken = takeAll(); // heaps other tests dropped may give theirs back too
                returnedEarly = taken.contains(mark);
                held.addAll(taken);
            }
        } finally {
            arenas.resume.countDown();
            if (closer != null) {
                closer.join();
            }
            held.forEach(LiveMarks::returnMark);
        }
        assertFalse(returnedEarly, "the heap's mark " + mark + " was given back while its close() still ran");
        List<Byte> after = takeAll();
        after.forEach(LiveMarks::returnMark);
        assertTrue(after.contains(mark), "and given back once close ended");
    }

    /** Takes every mark no heap holds. */
    private static List<Byte> takeAll() {
        List<Byte> taken = new ArrayList<>();
        for (byte m = LiveMarks.takeMark(); m != LiveMarks.SHARED; m = LiveMarks.takeMark()) {
            taken.add(m);
        }
        return taken;
    }
}
