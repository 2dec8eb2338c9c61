package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.pymalloc4j.allocator.TestSupport.fill;
import static org.pymalloc4j.allocator.TestSupport.verify;

/**
 * Many heaps and memory managers on several threads, each used by one thread at a time: more
 * heaps open at once than there are marks (so some share mark 127), heaps closed on one thread
 * while the others allocate, and every other heap handed to the next thread through a queue (a
 * happens-before edge) with its blocks, which the new owner checks, frees and reallocates.
 * Random but seeded: the seed is printed, and every check is on contents and counts, not timing.
 */
class HeapHandOffStressTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 6;
    /** Per thread and round: 4 x 40 = 160 open at once, past the 126 marks. */
    private static final int UNITS = 40;
    private static final int STEPS = 300;

    /** A heap or a memory manager, its live blocks ({address, size, key}) and a name for messages. */
    private static final class Unit {
        final PyMalloc heap;
        final Memory memory;
        final BlockAllocator blocks;
        final List<long[]> live = new ArrayList<>();
        final String name;

        Unit(SplittableRandom random, String name) {
            this.name = name;
            if (random.nextInt(3) == 0) {
                memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
                heap = memory.pymalloc();
                blocks = memory.obj();
            } else {
                memory = null;
                heap = PyMalloc.create(random.nextBoolean() ? Geometry.PY311 : Geometry.PY38);
                blocks = heap;
            }
        }

        void walk(SplittableRandom random, int steps, long[] foreign) {
            for (int step = 0; step < steps; step++) {
                int op = random.nextInt(10);
                if (op < 5 || live.isEmpty()) {
                    long size = random.nextInt(10) == 0 ? 513 + random.nextInt(2000) : random.nextInt(513);
                    long p = blocks.malloc(size);
                    long key = random.nextLong();
                    fill(p, size, key);
                    live.add(new long[] {p, size, key});
                } else if (op < 8) {
                    long[] b = live.remove(random.nextInt(live.size()));
                    verify(b[0], b[1], b[2], name + " before free");
                    blocks.free(b[0]);
                } else if (op < 9) {
                    long[] b = live.get(random.nextInt(live.size()));
                    verify(b[0], b[1], b[2], name + " before realloc");
                    long size = random.nextInt(513);
                    b[0] = blocks.realloc(b[0], size);
                    verify(b[0], Math.min(size, b[1]), b[2], name + " after realloc");
                    b[1] = size;
                    fill(b[0], size, b[2]);
                } else if (foreign.length > 0 && PyMalloc.CHECKS) {
                    long other = foreign[random.nextInt(foreign.length)];
                    TestSupport.refusedAddress("free", other, () -> heap.free(other), name + ", another heap's block");
                    assertFalse(heap.isLive(other), name);
                }
            }
        }

        void close() {
            heap.checkInvariants();
            for (long[] b : live) {
                verify(b[0], b[1], b[2], name + " before close");
                blocks.free(b[0]);
            }
            assertEquals(0, heap.stats().smallBlocksInUse() + heap.stats().rawBlocks(), name + ": blocks left");
            if (memory != null) {
                memory.close();
            } else {
                heap.close();
            }
        }
    }

    @Test
    void heapsHandedOnThroughQueuesKeepTheirBlocksWhileOthersOpenAndClose() throws Exception {
        long seed = TestSupport.seed();
        List<BlockingQueue<Unit>> inboxes = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            inboxes.add(new LinkedBlockingQueue<>());
        }
        CyclicBarrier allOpen = new CyclicBarrier(THREADS);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int me = t;
            Thread thread = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed + me);
                try {
                    for (int round = 0; round < ROUNDS; round++) {
                        List<Unit> mine = new ArrayList<>();
                        for (int u = 0; u < UNITS; u++) {
                            String name = "seed " + seed + ", thread " + me + ", round " + round + ", unit " + u;
                            mine.add(new Unit(random, name));
                        }
                        // blocks of unit 0, which the others must refuse to free
                        long[] pinned = {mine.get(0).heap.malloc(32), mine.get(0).heap.malloc(3000)};
                        allOpen.await(30, TimeUnit.SECONDS); // every thread's units open at once
                        for (Unit u : mine) {
                            u.walk(random, STEPS, u == mine.get(0) ? new long[0] : pinned);
                        }
                        mine.get(0).heap.free(pinned[0]);
                        mine.get(0).heap.free(pinned[1]);
                        List<Unit> kept = new ArrayList<>();
                        for (int u = 0; u < mine.size(); u++) {
                            if (u % 2 == 1) {
                                inboxes.get((me + 1) % THREADS).put(mine.get(u)); // the hand-off edge
                            } else {
                                kept.add(mine.get(u));
                            }
                        }
                        for (int u = 0; u < UNITS / 2; u++) {
                            Unit received = inboxes.get(me).poll(30, TimeUnit.SECONDS);
                            assertNotNull(received, "seed " + seed + ": no unit handed to thread " + me);
                            received.walk(random, STEPS, new long[0]);
                            kept.add(received);
                        }
                        for (Unit u : kept) {
                            u.close(); // closes while the other threads still allocate
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    allOpen.reset();
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }
}
