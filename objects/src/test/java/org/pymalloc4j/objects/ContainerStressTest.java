package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random programs over lists, dicts and class instances that hold each other, with the
 * collector on and, in half the runs, a memory limit that makes appends, inserts, sets and
 * {@code keys()} run collections for memory. Finalizers and weakref callbacks insert, pop,
 * delete and set in the very containers the program is working on; forEach visitors replace
 * values and drop references. The contents of every list and dict the test holds are modelled:
 * a container a finalizer or callback touched is read back, the others must equal the model.
 * {@code checkInvariants()} after every step; at the end everything is released and the live
 * count must be as it was. Prints its seed.
 */
class ContainerStressTest {
    private static final int STEPS = Integer.getInteger("pymalloc4j.stress.steps", 2000); // longer hunts: -Dpymalloc4j.stress.steps=
    private static final int KEYS = 12;

    private ObjectSpace space;
    private SplittableRandom random;
    private SplittableRandom hookRandom; // finalizers and callbacks: their own stream
    private final List<Long> held = new ArrayList<>(); // the test's references, one entry each
    private final Map<Long, List<Long>> listModel = new LinkedHashMap<>();
    private final Map<Long, LinkedHashMap<Long, Long>> dictModel = new LinkedHashMap<>();
    private final Set<Long> dirty = new LinkedHashSet<>(); // touched by a finalizer or callback
    private final List<Long> filler = new ArrayList<>();
    private final long[] keys = new long[KEYS];
    private long finalizing;   // class whose finalizer mutates containers
    private long plain;        // class without finalizer
    private long big;          // 60 slots and a weakref list: a raw block, as in CPython
    private int hookDepth;
    private boolean quiet;     // teardown: hooks do nothing
    private long hookRuns;
    private long current;      // the container the step works on: hooks change it half the time

    @RepeatedTest(4)
    void randomProgramsKeepTheModelAndTheInvariants(RepetitionInfo repetition) {
        long seed = Seeds.seed();
        boolean checked = repetition.getCurrentRepetition() % 2 == 0;
        boolean limited = repetition.getCurrentRepetition() > 2;
        System.out.println("ContainerStressTest checked = " + checked + ", limited = " + limited);
        random = new SplittableRandom(seed);
        hookRandom = new SplittableRandom(seed ^ 0x5DEECE66DL);
        Memory.Builder mb = Memory.builder();
        if (limited) {
            mb.limit(4L << 20);
        }
        try (Memory memory = mb.build()) {
            space = ObjectSpace.builder().memory(memory).traceRefs(true).checked(checked).build();
            long start = space.liveObjectCount();
            space.gc().setThreshold(60, 4, 4);
            finalizing = space.classes().newClass(ClassSpec.named("Fin").slots(2).weakReferenceable()
                    .finalizer(this::hook));
            plain = space.classes().newClass(ClassSpec.named("Plain").slots(2).weakReferenceable());
            big = space.classes().newClass(ClassSpec.named("Big").slots(ClassApi.MAX_SLOTS).weakReferenceable()
                    .finalizer(this::hook));
            for (int i = 0; i < KEYS; i++) {
                keys[i] = i % 2 == 0 ? space.ints().newInt(1000 + i) : space.strs().newStr("k" + i); // both table kinds
            }
            int step = 0;
            try {
                for (; step < STEPS; step++) {
                    step(limited);
                    settle();
                    space.checkInvariants();
                }
                tearDown();
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("seed " + seed + ", checked " + checked + ", limited " + limited + ", step " + step, e);
            }
            assertEquals(start, space.liveObjectCount(), "seed " + seed + ": everything released");
            space.checkInvariants();
            System.out.println("ContainerStressTest: " + hookRuns + " finalizers/callbacks ran, "
                    + space.gc().getMemoryCollections() + " collections for memory");
            space.close();
            assertTrue(space.leakReport().isClean(), space.leakReport().toString());
        }
    }

    private void step(boolean limited) {
        int op = random.nextInt(100);
        current = 0;
        try {
            if (held.isEmpty() || op < 20) {
                create();
            } else if (op < 30) {
                drop(held.remove(random.nextInt(held.size())));
            } else if (op < 45) {
                listGrow();
            } else if (op < 55) {
                listShrink();
            } else if (op < 58) {
                listSet();
            } else if (op < 70) {
                dictChange();
            } else if (op < 75) {
                snapshots();
            } else if (op < 80) {
                walk();
            } else if (op < 85) {
                slot();
            } else if (op < 88) {
                space.gc().collect(random.nextInt(3));
            } else if (op < 92) {
                takeItem();
            } else if (op < 94) {
                long o = pick();
                space.incref(o);
                held.add(o);
            } else if (limited && op < 96) {
                // raw blocks, not objects: the whole-space check stays cheap
                for (int size = 512; size > 0; size -= 8) { // every size class's pools full
                    int n = size;
                    Fill.untilRefused(filler, () -> space.memory().mem().malloc(n));
                }
            } else if (limited) {
                for (int left = filler.size() / 2; left > 0; left--) {
                    int i = random.nextInt(filler.size()); // swap-remove: the filler list is long
                    long block = filler.get(i);
                    filler.set(i, filler.getLast());
                    filler.removeLast();
                    space.memory().mem().free(block);
                }
            }
        } catch (OutOfMemoryError refused) {
            // the limit: the operation left things as its Javadoc says, checked by settle()
        }
    }

    private long pick() {
        return held.get(random.nextInt(held.size()));
    }

    private void create() {
        long o;
        switch (random.nextInt(11)) {
            case 0 -> o = space.ints().newInt(random.nextInt(100_000));
            case 1 -> o = space.floats().newFloat(random.nextDouble());
            case 2 -> o = space.strs().newStr("s" + random.nextInt(1000));
            case 3 -> {
                o = space.lists().newList();
                listModel.put(o, new ArrayList<>());
            }
            case 4 -> {
                o = space.dicts().newDict();
                dictModel.put(o, new LinkedHashMap<>());
            }
            case 5, 9 -> o = space.classes().newInstance(finalizing);
            case 10 -> o = space.classes().newInstance(big);
            case 6 -> o = space.classes().newInstance(plain);
            case 7 -> {
                long referent = pickInstance();
                if (referent == 0) {
                    return;
                }
                o = random.nextBoolean() ? space.weakrefs().newRef(referent)
                        : space.weakrefs().newRef(referent, wr -> hook(wr));
            }
            default -> {
                int n = held.isEmpty() ? 0 : 1 + random.nextInt(3);
                long[] items = new long[n];
                for (int i = 0; i < n; i++) {
                    items[i] = pick();
                }
                o = space.tuples().of(items);
            }
        }
        held.add(o);
    }

    private long pickInstance() {
        for (int tries = 0; tries < 6 && !held.isEmpty(); tries++) {
            long o = pick();
            long t = space.type(o);
            if (t == finalizing || t == plain || t == big) {
                return o;
            }
        }
        return 0;
    }

    /** The test's reference released; a container no longer held is no longer modelled. */
    private void drop(long o) {
        if (!held.contains(o)) {
            listModel.remove(o);
            dictModel.remove(o);
            dirty.remove(o);
        }
        space.decref(o);
    }

    private long pickList() {
        return pickFrom(listModel.keySet());
    }

    private long pickDict() {
        return pickFrom(dictModel.keySet());
    }

    private long pickFrom(Set<Long> set) {
        if (set.isEmpty()) {
            return 0;
        }
        int i = random.nextInt(set.size());
        for (long o : set) {
            if (i-- == 0) {
                current = o;
                return o;
            }
        }
        throw new AssertionError();
    }

    private void listGrow() {
        long list = pickList();
        if (list == 0) {
            return;
        }
        long x = random.nextInt(8) == 0 ? list : pick();
        List<Long> model = listModel.get(list);
        if (random.nextBoolean()) {
            space.lists().append(list, x);
            model.add(x);
        } else {
            long where = random.nextLong(-model.size() - 3, model.size() + 4);
            space.lists().insert(list, where, x);
            // against the list as the call left it (a finalizer's change makes it dirty anyway)
            int n = model.size();
            long at = where < 0 ? Math.max(0, where + n) : Math.min(where, n);
            model.add((int) at, x);
        }
    }

    private void listShrink() {
        long list = pickList();
        if (list == 0) {
            return;
        }
        List<Long> model = listModel.get(list);
        if (model.isEmpty() || random.nextInt(10) == 0) {
            long bad = model.isEmpty() ? 0 : model.size() + random.nextInt(3);
            assertThrows(IndexOutOfBoundsException.class, () -> space.lists().pop(list, bad));
            assertThrows(IndexOutOfBoundsException.class, () -> space.lists().delete(list, -bad - 1));
            return;
        }
        int i = random.nextInt(model.size());
        long index = random.nextBoolean() ? i : i - model.size();
        long expected = model.get(i);
        if (random.nextBoolean()) {
            long item = space.lists().pop(list, index);
            model.remove(i);
            assertEquals(expected, item, "pop returns the item");
            held.add(item); // the list's reference, passed on
        } else {
            model.remove(i); // before: the release's finalizers may change the list again
            try {
                space.lists().delete(list, index);
            } catch (OutOfMemoryError e) {
                model.add(i, expected);
                throw e;
            }
        }
    }

    private void listSet() {
        long list = pickList();
        if (list == 0 || listModel.get(list).isEmpty()) {
            return;
        }
        List<Long> model = listModel.get(list);
        int i = random.nextInt(model.size());
        long x = pick();
        space.incref(x);
        model.set(i, x);
        space.lists().set(list, i, x);
    }

    private void dictChange() {
        long d = pickDict();
        if (d == 0) {
            return;
        }
        long key = keys[random.nextInt(KEYS)];
        Map<Long, Long> model = dictModel.get(d);
        if (random.nextInt(3) == 0) {
            boolean present = model.containsKey(key);
            model.remove(key);
            assertEquals(present, space.dicts().delete(d, key), "delete finds the key the model has");
        } else {
            long v = random.nextInt(8) == 0 ? d : pick();
            space.dicts().set(d, key, v);
            model.put(key, v);
        }
    }

    /** keys(), values() and items() against each other, a walk, and the model if nothing touched the dict. */
    private void snapshots() {
        long d = pickDict();
        if (d == 0) {
            return;
        }
        boolean wasDirty = dirty.contains(d);
        long k = space.dicts().keys(d);
        long v;
        long it;
        try {
            v = space.dicts().values(d);
        } catch (OutOfMemoryError e) {
            space.decref(k);
            throw e;
        }
        try {
            it = space.dicts().items(d);
        } catch (OutOfMemoryError e) {
            space.decref(k);
            space.decref(v);
            throw e;
        }
        LinkedHashMap<Long, Long> now = read(d);
        List<Long> nowKeys = new ArrayList<>(now.keySet());
        List<Long> nowValues = new ArrayList<>(now.values());
        boolean touchedDuring = !wasDirty && dirty.contains(d);
        if (!touchedDuring) { // a finalizer between the three calls would make them differ
            assertEquals(nowKeys, items(k), "keys() is the dict's keys");
            assertEquals(nowValues, items(v), "values() is the dict's values");
            List<Long> pairs = items(it);
            assertEquals(now.size(), pairs.size());
            for (int i = 0; i < pairs.size(); i++) {
                assertTrue(space.tuples().check(pairs.get(i)));
                assertEquals(nowKeys.get(i), space.tuples().get(pairs.get(i), 0));
                assertEquals(nowValues.get(i), space.tuples().get(pairs.get(i), 1));
            }
        }
        assertEquals(now.size(), space.lists().capacity(k), "PyList_New(n)");
        space.decref(k);
        space.decref(v);
        space.decref(it);
    }

    /** forEach whose visitor replaces values, drops references (the dict's own among them). */
    private void walk() {
        long d = pickDict();
        if (d == 0) {
            return;
        }
        List<Long> order = new ArrayList<>(dictModel.get(d).keySet());
        boolean clean = !dirty.contains(d);
        List<Long> seen = new ArrayList<>();
        boolean[] reinserted = {false};
        try {
            space.dicts().forEach(d, (key, value) -> {
                seen.add(key);
                LinkedHashMap<Long, Long> model = dictModel.get(d);
                if (clean && !dirty.contains(d) && model != null) {
                    assertEquals(model.get(key), value, "the walk's value is the model's");
                }
                int what = random.nextInt(5);
                if (what == 0 && !held.isEmpty()) {
                    long x = pick();
                    space.dicts().set(d, key, x);
                    if (model != null) {
                        model.put(key, x);
                    }
                } else if (what == 1 && !held.isEmpty()) {
                    drop(held.remove(random.nextInt(held.size())));
                } else if (what == 4) { // del d[k]; d[k] = v: the same size, the key moved to the end
                    reinserted[0] = true;
                    space.dicts().delete(d, key);
                    if (model != null) {
                        model.remove(key);
                    }
                    space.dicts().set(d, key, space.none());
                    if (model != null) {
                        model.put(key, space.none());
                    }
                } else if (what == 2 && held.contains(d)) {
                    held.remove(d);
                    drop(d); // d = None in the loop's body: the walk keeps it alive
                }
            });
        } catch (ConcurrentModificationException e) {
            assertTrue(dirty.contains(d) || !clean || reinserted[0], "only a finalizer or callback changed the dict: " + e.getMessage());
            return;
        } catch (OutOfMemoryError e) {
            return;
        }
        if (clean && !dirty.contains(d) && !reinserted[0]) {
            assertEquals(order, seen, "the walk's order is the model's");
        }
    }

    private void slot() {
        long o = pickInstance();
        if (o == 0) {
            return;
        }
        space.classes().setSlot(o, random.nextInt(2) * (space.type(o) == big ? 59 : 1), random.nextInt(4) == 0 ? 0 : pick());
    }

    /** A borrowed item from a container becomes the test's own reference. */
    private void takeItem() {
        long o = pick();
        long item = 0;
        if (space.lists().check(o)) {
            long n = space.lists().size(o);
            item = n == 0 ? 0 : space.lists().get(o, random.nextLong(n));
        } else if (space.dicts().check(o)) {
            List<Long> values = new ArrayList<>(read(o).values());
            item = values.isEmpty() ? 0 : values.get(random.nextInt(values.size()));
        } else if (space.type(o) == finalizing || space.type(o) == plain || space.type(o) == big) {
            item = space.classes().getSlot(o, random.nextInt(2) * (space.type(o) == big ? 59 : 1));
        } else if (space.weakrefs().check(o)) {
            item = space.weakrefs().get(o);
            if (item == space.none()) {
                return;
            }
        }
        if (item == 0) {
            return;
        }
        space.incref(item);
        held.add(item);
        if (space.lists().check(item) && !listModel.containsKey(item)) {
            listModel.put(item, new ArrayList<>(items(item)));
        } else if (space.dicts().check(item) && !dictModel.containsKey(item)) {
            dictModel.put(item, read(item));
        }
    }

    /** A finalizer or weakref callback: changes a container the test holds. */
    private void hook(long self) {
        hookRuns++;
        if (quiet || hookDepth > 2) {
            return;
        }
        hookDepth++;
        try {
            boolean isWeakref = space.weakrefs().check(self);
            long x = hookRandom.nextBoolean() ? self : (held.isEmpty() ? space.none() : held.get(hookRandom.nextInt(held.size())));
            if (!isWeakref && hookRandom.nextInt(3) == 0) {
                ownSlot(self, x);
                return;
            }
            int what = hookRandom.nextInt(9);
            if (what == 6) {
                space.gc().collect(hookRandom.nextInt(3)); // nothing while a collection runs
                return;
            }
            boolean here = current != 0 && hookRandom.nextBoolean();
            if (here ? listModel.containsKey(current) : what < 3 && !listModel.isEmpty()) {
                long list = here ? current : new ArrayList<>(listModel.keySet()).get(hookRandom.nextInt(listModel.size()));
                dirty.add(list);
                long n = space.lists().size(list);
                if (what == 0) {
                    space.lists().insert(list, hookRandom.nextLong(-n - 1, n + 2), x);
                } else if (n > 0 && what == 1) {
                    space.decref(space.lists().pop(list, hookRandom.nextLong(n)));
                } else if (what == 2 && hookRandom.nextInt(4) == 0) {
                    space.lists().clear(list); // its array freed under the caller's insert
                } else if (n > 0) {
                    space.lists().delete(list, -1 - hookRandom.nextLong(n));
                }
            } else if (here ? dictModel.containsKey(current) : !dictModel.isEmpty()) {
                long d = here ? current : new ArrayList<>(dictModel.keySet()).get(hookRandom.nextInt(dictModel.size()));
                dirty.add(d);
                long key = keys[hookRandom.nextInt(KEYS)];
                if (what == 3) {
                    space.dicts().delete(d, key);
                } else if (what == 7) {
                    space.decref(space.dicts().items(d)); // allocations inside the collection
                } else if (what == 8) {
                    space.dicts().forEach(d, (k, v) -> space.dicts().set(d, k, space.none()));
                } else {
                    space.dicts().set(d, key, x);
                }
            }
        } catch (OutOfMemoryError refused) {
            // the limit, inside a collection for memory
        } finally {
            hookDepth--;
        }
    }

    /**
     * A finalizer working on what its own slot 0 holds, which may be garbage of the same
     * collection: a list or dict changed, or a new cycle through itself made.
     */
    private void ownSlot(long self, long x) {
        long mine = space.classes().getSlot(self, 0);
        if (mine != 0 && (listModel.containsKey(mine) || dictModel.containsKey(mine))) {
            dirty.add(mine);
        }
        if (mine != 0 && space.lists().check(mine)) {
            long n = space.lists().size(mine);
            if (n > 0 && hookRandom.nextBoolean()) {
                space.decref(space.lists().pop(mine, hookRandom.nextLong(n)));
            } else {
                space.lists().insert(mine, hookRandom.nextLong(-n - 1, n + 2), x);
            }
        } else if (mine != 0 && space.dicts().check(mine)) {
            long key = keys[hookRandom.nextInt(KEYS)];
            if (hookRandom.nextBoolean()) {
                space.dicts().delete(mine, key);
            } else {
                space.dicts().set(mine, key, x);
            }
        } else {
            long list = space.lists().newList();
            try {
                space.lists().append(list, self); // a new cycle: self -> list -> self
                space.classes().setSlot(self, 0, list);
            } finally {
                space.decref(list);
            }
        }
    }

    /** Containers a hook touched are read back; the others must equal their model. */
    private void settle() {
        for (Map.Entry<Long, List<Long>> e : listModel.entrySet()) {
            List<Long> real = items(e.getKey());
            if (dirty.contains(e.getKey())) {
                e.setValue(real);
            } else {
                assertEquals(e.getValue(), real, () -> "list at " + Long.toHexString(e.getKey()));
            }
            assertTrue(space.lists().capacity(e.getKey()) >= real.size());
        }
        for (Map.Entry<Long, LinkedHashMap<Long, Long>> e : dictModel.entrySet()) {
            LinkedHashMap<Long, Long> real = read(e.getKey());
            assertEquals(real.size(), space.dicts().size(e.getKey()));
            if (dirty.contains(e.getKey())) {
                e.setValue(real);
            } else {
                assertEquals(e.getValue(), real, () -> "dict at " + Long.toHexString(e.getKey()));
                assertEquals(new ArrayList<>(e.getValue().keySet()), new ArrayList<>(real.keySet()), "insertion order");
            }
        }
        dirty.clear();
        for (long o : held) {
            if (space.weakrefs().check(o)) {
                long r = space.weakrefs().get(o);
                assertTrue(r == space.none() || space.type(r) == finalizing || space.type(r) == plain || space.type(r) == big);
            }
        }
    }

    private List<Long> items(long list) {
        List<Long> out = new ArrayList<>();
        for (long i = 0; i < space.lists().size(list); i++) {
            out.add(space.lists().get(list, i));
        }
        return out;
    }

    private LinkedHashMap<Long, Long> read(long d) {
        LinkedHashMap<Long, Long> out = new LinkedHashMap<>();
        space.dicts().forEach(d, out::put);
        return out;
    }

    /** Hooks off, every reference dropped, cycles collected: the live count as at the start. */
    private void tearDown() {
        quiet = true;
        filler.forEach(space.memory().mem()::free);
        filler.clear();
        while (!held.isEmpty()) {
            drop(held.removeLast());
        }
        for (long k : keys) {
            space.decref(k);
        }
        space.decref(finalizing);
        space.decref(plain);
        space.decref(big);
        space.gc().collect();
        space.gc().collect();
        space.checkInvariants();
        if (!listModel.isEmpty() || !dictModel.isEmpty()) {
            fail("models left: " + listModel.size() + " lists, " + dictModel.size() + " dicts");
        }
    }
}
