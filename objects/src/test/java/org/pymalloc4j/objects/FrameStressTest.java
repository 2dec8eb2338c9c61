package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random programs over nested frames and the objects the free lists recycle (floats, tuples,
 * lists, dicts), with finalizers that open frames of their own, take locals and misuse the
 * program's frames (an outer one, a closed one) while a frame is closing or a collection runs.
 * Every open frame's locals are modelled: size and get must match, each refusal must store
 * nothing and leak nothing, a float never put in a container has exactly the references the
 * model counts, and the free lists stay within 3.11's capacities. {@code checkInvariants()}
 * after every step (which counts frame locals as references); at the end every frame is closed
 * and the live count is back where it started. Prints its seed.
 */
class FrameStressTest {
    private static final int STEPS = Integer.getInteger("pymalloc4j.stress.steps", 2000);

    private ObjectSpace space;
    private SplittableRandom random;
    private final List<Frame> frames = new ArrayList<>();       // open, outermost first
    private final List<List<Long>> locals = new ArrayList<>();  // the model of each open frame's slots
    private final List<Frame> closed = new ArrayList<>();
    private final List<Long> held = new ArrayList<>();          // references the test owns (returning)
    private final List<Long> loneFloats = new ArrayList<>();    // floats never put in a container
    private long finalizing;
    private Throwable hookFailure; // a finalizer's failed check: reported as unraisable, so kept here
    private boolean quiet;
    private long hookRuns;

    @RepeatedTest(4)
    void randomFrameProgramsKeepTheModelAndTheInvariants(RepetitionInfo repetition) {
        long seed = Seeds.seed();
        boolean checked = repetition.getCurrentRepetition() % 2 == 0;
        random = new SplittableRandom(seed);
        space = ObjectSpace.builder().traceRefs(true).checked(checked).build();
        long start = space.liveObjectCount();
        space.gc().setThreshold(50, 3, 3);
        finalizing = space.classes().newClass(ClassSpec.named("Fin").slots(1).finalizer(this::hook));
        int step = 0;
        try {
            for (; step < STEPS; step++) {
                step();
                verify();
            }
            quiet = true;
            while (!frames.isEmpty()) {
                closeInnermost();
            }
            for (long o : held) {
                space.decref(o);
            }
            held.clear();
            space.decref(finalizing);
            space.gc().collect();
            assertEquals(start, space.liveObjectCount(), () -> "leaked: " + space.liveObjects());
            space.checkInvariants();
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("seed " + seed + ", checked " + checked + ", step " + step, e);
        }
        System.out.println("FrameStressTest: " + hookRuns + " finalizers ran");
        space.close();
        assertTrue(space.leakReport().isClean(), space.leakReport().toString());
    }

    private void step() {
        int op = random.nextInt(100);
        if (!frames.isEmpty() && allLocals().size() > 150) {
            closeInnermost();
        } else if (frames.isEmpty() || op < 10) {
            open();
        } else if (op < 20) {
            closeInnermost();
        } else if (op < 45) {
            local(make());
        } else if (op < 55) {
            hold();
        } else if (op < 63) {
            set();
        } else if (op < 68) {
            returning();
        } else if (op < 72 && !held.isEmpty()) {
            release(held.remove(random.nextInt(held.size())));
        } else if (op < 80) {
            misuse();
        } else if (op < 84) {
            space.gc().collect(random.nextInt(3));
        } else if (op < 88) {
            checkFreeLists();
        } else {
            local(make());
        }
    }

    private void open() {
        frames.add(space.frame());
        locals.add(new ArrayList<>());
    }

    private void closeInnermost() {
        Frame f = frames.removeLast();
        List<Long> slots = locals.removeLast();
        for (long o : slots) {
            forget(o); // may die: no longer followed
        }
        f.close();
        closed.add(f);
        if (closed.size() > 8) {
            closed.removeFirst();
        }
    }

    private Frame innermost() {
        return frames.getLast();
    }

    /** A new reference: a float, a tuple or list of locals, a dict, an instance, a small int or NULL. */
    private long make() {
        List<Long> pool = allLocals();
        return switch (random.nextInt(9)) {
            case 0, 1 -> {
                long x = space.floats().newFloat(random.nextDouble());
                loneFloats.add(x);
                yield x;
            }
            case 2 -> {
                long[] items = new long[random.nextInt(4)];
                for (int i = 0; i < items.length; i++) {
                    items[i] = pool.isEmpty() ? space.none() : pool.get(random.nextInt(pool.size()));
                }
                for (long item : items) {
                    forget(item);
                }
                yield space.tuples().of(items);
            }
            case 3 -> {
                long l = space.lists().newList();
                if (!pool.isEmpty()) {
                    long item = pool.get(random.nextInt(pool.size()));
                    forget(item);
                    space.lists().append(l, item);
                }
                if (random.nextInt(4) == 0) {
                    space.lists().append(l, l); // a cycle: only a collection frees it
                }
                yield l;
            }
            case 4 -> space.dicts().newDict();
            case 5 -> space.classes().newInstance(finalizing);
            case 6 -> space.ints().newInt(random.nextInt(-5, 257));
            case 7 -> space.strs().newStr(String.valueOf((char) random.nextInt(256)));
            default -> 0;
        };
    }

    private List<Long> allLocals() {
        List<Long> all = new ArrayList<>();
        for (List<Long> slots : locals) {
            for (long o : slots) {
                if (o != 0) {
                    all.add(o);
                }
            }
        }
        return all;
    }

    private void local(long o) {
        if (frames.isEmpty()) {
            open();
        }
        assertEquals(o, innermost().local(o));
        locals.getLast().add(o);
    }

    private void hold() {
        List<Long> pool = allLocals();
        long o = pool.isEmpty() ? space.none() : pool.get(random.nextInt(pool.size()));
        innermost().hold(o);
        locals.getLast().add(o);
    }

    private void set() {
        List<Long> slots = locals.getLast();
        if (slots.isEmpty()) {
            return;
        }
        int i = random.nextInt(slots.size());
        long o = make();
        long old = slots.get(i);
        slots.set(i, o);
        forget(old);
        innermost().set(i, o);
    }

    private void returning() {
        int k = random.nextInt(frames.size());
        List<Long> slots = locals.get(k);
        if (slots.isEmpty() || slots.getFirst() == 0) {
            return;
        }
        long o = frames.get(k).returning(slots.getFirst());
        held.add(o);
    }

    private void release(long o) {
        forget(o);
        space.decref(o);
    }

    /** {@code o} is no longer followed: it may die, its block reused by a new float. */
    private void forget(long o) {
        loneFloats.removeIf(x -> x == o);
    }

    /** Refused calls: each stores nothing, takes or drops no reference of its own, leaks nothing. */
    private void misuse() {
        long live = space.liveObjectCount();
        switch (random.nextInt(5)) {
            case 0 -> {
                if (frames.size() < 2) {
                    return;
                }
                Frame outer = frames.get(random.nextInt(frames.size() - 1));
                long x = space.floats().newFloat(-1);
                assertThrows(IllegalStateException.class, () -> outer.local(x)); // x released
                assertThrows(IllegalStateException.class, outer::close);
            }
            case 1 -> {
                if (closed.isEmpty()) {
                    return;
                }
                Frame f = closed.get(random.nextInt(closed.size()));
                long x = space.floats().newFloat(-2);
                assertThrows(IllegalStateException.class, () -> f.local(x));
                assertThrows(IllegalStateException.class, () -> f.get(0));
                assertEquals(0, f.size());
                f.close(); // does nothing
            }
            case 2 -> {
                int n = locals.getLast().size();
                long x = space.floats().newFloat(-3);
                assertThrows(IndexOutOfBoundsException.class, () -> innermost().set(n, x));
                assertThrows(IndexOutOfBoundsException.class, () -> innermost().get(-1 - random.nextInt(3)));
            }
            default -> {
                int k = random.nextInt(frames.size());
                assertThrows(IndexOutOfBoundsException.class, () -> frames.get(k).get(locals.get(k).size()));
            }
        }
        assertEquals(live, space.liveObjectCount(), "a refused call made or freed nothing");
    }

    private void checkFreeLists() {
        String stats = space.debugMallocStats();
        for (String line : stats.split("\n")) {
            if (line.contains(" free Py")) {
                int count = Integer.parseInt(line.trim().split(" ")[0]);
                int max = line.contains("Float") ? 100 : line.contains("List") || line.contains("Dict") ? 80 : 2000;
                assertTrue(count <= max, line);
            }
        }
    }

    private void verify() {
        if (hookFailure != null) {
            throw new AssertionError("in a finalizer", hookFailure);
        }
        for (int k = 0; k < frames.size(); k++) {
            Frame f = frames.get(k);
            List<Long> slots = locals.get(k);
            assertEquals(slots.size(), f.size(), "frame " + (k + 1));
            for (int i = 0; i < slots.size(); i++) {
                assertEquals((long) slots.get(i), f.get(i), "frame " + (k + 1) + " local " + i);
            }
        }
        for (long x : loneFloats) {
            long expected = 0;
            for (List<Long> slots : locals) {
                expected += slots.stream().filter(o -> o == x).count();
            }
            expected += held.stream().filter(o -> o == x).count();
            assertEquals(expected, space.refcount(x), String.format("float 0x%x", x));
        }
        space.checkInvariants();
    }

    /**
     * A finalizer: opens a frame and takes locals in it (objects that recycle free-list blocks),
     * and tries the program's frames, which must all refuse it (none is the innermost now).
     */
    private void hook(long self) {
        hookRuns++;
        if (quiet) {
            return;
        }
        try (Frame g = space.frame()) {
            checkRefusals(g);
        } catch (Throwable e) {
            hookFailure = hookFailure == null ? e : hookFailure;
        }
    }

    private void checkRefusals(Frame g) {
        g.local(space.floats().newFloat(0.5));
        g.local(space.tuples().of(space.none(), space.none()));
        for (Frame f : List.copyOf(frames)) {
            long x = space.floats().newFloat(-4);
            assertThrows(IllegalStateException.class, () -> f.local(x));
            assertThrows(IllegalStateException.class, () -> f.hold(space.none()));
        }
        assertEquals(2, g.size());
    }
}
