package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Object spaces on three threads, each used by one thread at a time: each thread builds
 * objects and reference cycles in spaces of its own, hands every other space to the next
 * thread through a queue (a happens-before edge), and the receiver checks the objects it was
 * handed, collects the cycles, and closes the space while the other threads keep working.
 */
class SpaceHandOffTest {
    private static final int THREADS = 3;
    private static final int ROUNDS = 4;
    private static final int SPACES = 4;
    private static final int ITEMS = 200;

    /** A space and a dict it holds: str(i) -> [i, the list itself], a cycle each. */
    private record Handed(ObjectSpace space, long dict, long baseline, String name) {
    }

    private static Handed build(SplittableRandom random, String name) {
        ObjectSpace space = ObjectSpace.create();
        long baseline = space.liveObjectCount();
        long dict = space.dicts().newDict();
        for (int i = 0; i < ITEMS; i++) {
            long key = space.strs().newStr("k" + i);
            long list = space.lists().newList();
            long n = space.ints().newInt(i + random.nextInt(2) * 1000L);
            space.lists().append(list, n);
            space.decref(n);
            space.lists().append(list, list); // a cycle
            space.dicts().set(dict, key, list);
            space.decref(key);
            space.decref(list);
        }
        return new Handed(space, dict, baseline, name);
    }

    /** Checks the dict's items, drops it, collects the cycles and closes the space with nothing left. */
    private static void finish(Handed h) {
        ObjectSpace space = h.space();
        assertEquals(ITEMS, space.dicts().size(h.dict()), h.name());
        for (int i = 0; i < ITEMS; i++) {
            long key = space.strs().newStr("k" + i);
            long list = space.dicts().get(h.dict(), key);
            space.decref(key);
            assertNotEquals(0L, list, h.name() + ": k" + i);
            assertEquals(i, space.ints().value(space.lists().get(list, 0)) % 1000, h.name());
            assertEquals(list, space.lists().get(list, 1), h.name());
        }
        space.checkInvariants();
        space.decref(h.dict());
        assertEquals(ITEMS, space.gc().collect(), h.name() + ": the cycles collected");
        assertEquals(h.baseline(), space.liveObjectCount(), h.name() + ": objects left");
        space.checkInvariants();
        space.close();
    }

    @Test
    void spacesHandedOnThroughQueuesKeepTheirObjects() throws Exception {
        long seed = Seeds.seed();
        List<BlockingQueue<Handed>> inboxes = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            inboxes.add(new LinkedBlockingQueue<>());
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int me = t;
            Thread thread = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed + me);
                try {
                    for (int round = 0; round < ROUNDS; round++) {
                        List<Handed> kept = new ArrayList<>();
                        for (int s = 0; s < SPACES; s++) {
                            String name = "seed " + seed + ", thread " + me + ", round " + round + ", space " + s;
                            Handed h = build(random, name);
                            if (s % 2 == 1) {
                                inboxes.get((me + 1) % THREADS).put(h); // the hand-off edge
                            } else {
                                kept.add(h);
                            }
                        }
                        for (int s = 0; s < SPACES / 2; s++) {
                            Handed received = inboxes.get(me).poll(60, TimeUnit.SECONDS);
                            assertNotNull(received, "seed " + seed + ": no space handed to thread " + me);
                            kept.add(received);
                        }
                        kept.forEach(SpaceHandOffTest::finish);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
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
