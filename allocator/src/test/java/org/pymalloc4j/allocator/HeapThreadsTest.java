package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.LiveMarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.TestSupport.fill;
import static org.pymalloc4j.allocator.TestSupport.verify;

/**
 * Heaps used from several threads at once, each heap by one thread: the process-wide maps
 * (LiveMarks, ArenaOwners) are shared, the heaps' own state is not, so no heap may see another's
 * writes. Each thread runs a seeded random walk with its blocks' contents checked, and frees
 * blocks of the other thread's heap, which must be refused with that heap unchanged.
 */
class HeapThreadsTest {
    private static final int STEPS = 100_000;
    /** {@link #pinned}'s first blocks are small, the rest raw. */
    private static final int SMALL_PINNED = 3;

    /** One heap's random walk; {@code foreign} are blocks of other heaps, live for the whole run. */
    private static void walk(PyMalloc heap, long seed, long[] foreign, int steps) {
        SplittableRandom random = new SplittableRandom(seed);
        List<long[]> live = new ArrayList<>(); // {address, size, key}
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(20);
            if (op < 8 || live.isEmpty()) {
                long size = random.nextInt(8) == 0 ? 513 + random.nextInt(3000) : random.nextInt(513);
                long p = random.nextBoolean() ? heap.malloc(size) : heap.calloc(1, size);
                long key = random.nextLong();
                fill(p, size, key);
                live.add(new long[] {p, size, key});
            } else if (op < 15) {
                long[] b = live.remove(random.nextInt(live.size()));
                verify(b[0], b[1], b[2], "seed " + seed + " before free");
                heap.free(b[0]);
            } else if (op < 18) {
                long[] b = live.get(random.nextInt(live.size()));
                verify(b[0], b[1], b[2], "seed " + seed + " before realloc");
                long size = random.nextInt(4) == 0 ? 513 + random.nextInt(3000) : random.nextInt(513);
                b[0] = heap.realloc(b[0], size);
                verify(b[0], Math.min(size, b[1]), b[2], "seed " + seed + " after realloc");
                b[1] = size;
                fill(b[0], size, b[2]);
            } else if (foreign.length > 0) {
                int i = random.nextInt(foreign.length);
                long other = foreign[i];
                if (PyMalloc.CHECKS || i >= SMALL_PINNED) { // unchecked, a bad small free corrupts
                    TestSupport.refusedAddress("free", other, () -> heap.free(other), "seed " + seed);
                    TestSupport.refusedAddress("realloc", other, () -> heap.realloc(other, 8), "seed " + seed);
                }
                assertFalse(heap.isLive(other), "seed " + seed);
            }
        }
        heap.checkInvariants();
        for (long[] b : live) {
            verify(b[0], b[1], b[2], "seed " + seed + " at the end");
            heap.free(b[0]);
        }
        heap.checkInvariants();
    }

    /** Runs {@code work[i]} on thread i, all started together; rethrows the first failure. */
    private static void runTogether(Runnable... work) throws Exception {
        CyclicBarrier start = new CyclicBarrier(work.length);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (Runnable w : work) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    w.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    /** Blocks of {@code heap}, small and raw, for the other heaps to try to free. */
    private static long[] pinned(PyMalloc heap) {
        return new long[] {heap.malloc(16), heap.malloc(64), heap.malloc(512), heap.malloc(0), heap.malloc(1000),
                heap.malloc(100_000)};
    }

    private static void twoHeapsTwoThreads(Geometry g) throws Exception {
        long seed = TestSupport.seed();
        try (PyMalloc a = PyMalloc.create(g); PyMalloc b = PyMalloc.create(Geometry.PY38)) {
            long[] pa = pinned(a);
            long[] pb = pinned(b);
            runTogether(() -> walk(a, seed, pb, STEPS), () -> walk(b, seed + 1, pa, STEPS));
            for (long p : pa) {
                a.free(p);
            }
            for (long p : pb) {
                b.free(p);
            }
            a.checkInvariants();
            b.checkInvariants();
            assertEquals(0, a.stats().rawBlocks() + a.stats().smallBlocksInUse());
        }
    }

    @Test
    void twoHeapsOnTwoThreadsWithMarksOfTheirOwn() throws Exception {
        twoHeapsTwoThreads(Geometry.PY311);
    }

    /** Past the 126 marks: both heaps share mark 127, and their frees ask the owner map. */
    @Test
    void twoHeapsOnTwoThreadsSharingAMark() throws Exception {
        List<Byte> held = new ArrayList<>();
        try {
            for (byte m = LiveMarks.takeMark(); m != LiveMarks.SHARED; m = LiveMarks.takeMark()) {
                held.add(m);
            }
            twoHeapsTwoThreads(Geometry.PY311);
        } finally {
            held.forEach(LiveMarks::returnMark);
        }
    }

    /**
     * One thread works on its heap while another opens, fills and closes heaps (their arenas
     * unmapped, marks zeroed and handed on) and drops some unclosed for the collector.
     */
    @Test
    void heapsClosedAndDroppedOnAnotherThreadLeaveAWorkingHeapAlone() throws Exception {
        long seed = TestSupport.seed();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch twoRounds = new CountDownLatch(2);
        AtomicInteger rounds = new AtomicInteger();
        try (PyMalloc worker = PyMalloc.create()) {
            runTogether(() -> {
                try {
                    walk(worker, seed, new long[0], STEPS);
                    // not by luck of scheduling: heaps come and go while this one is open and in use
                    twoRounds.await();
                    walk(worker, seed + 1, new long[0], 2 * STEPS);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                } finally {
                    done.set(true);
                }
            }, () -> {
                SplittableRandom random = new SplittableRandom(seed + 2);
                for (int round = 0; !done.get(); round++, rounds.incrementAndGet(), twoRounds.countDown()) {
                    PyMalloc h = PyMalloc.create(random.nextBoolean() ? Geometry.PY311 : Geometry.PY38);
                    walk(h, seed + 3 + round, new long[0], 2000);
                    for (int i = 0; i < 200; i++) {
                        h.malloc(1 + random.nextInt(512));
                    }
                    h.malloc(5000);
                    if (random.nextInt(4) == 0) {
                        System.gc(); // h dropped unclosed: its cleaner zeroes its marks, gives its mark back
                    } else {
                        h.close();
                    }
                }
            });
            worker.checkInvariants();
            assertEquals(0, worker.stats().smallBlocksInUse() + worker.stats().rawBlocks());
            assertTrue(rounds.get() >= 2, rounds + " rounds of heaps opened and closed");
            System.out.println("HeapThreadsTest: " + rounds + " heaps opened and closed beside the worker");
        }
    }
}
