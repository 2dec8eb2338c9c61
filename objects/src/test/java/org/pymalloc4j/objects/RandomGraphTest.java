package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random object graphs (cycles included) built through the API, checked against a Java model
 * of every object's references: refcounts equal the model's, the live count equals the
 * model's, and {@code checkInvariants()} holds. At the end the cycles are broken, every
 * reference dropped, and closing the space must leave no block in use. Prints its seed.
 */
class RandomGraphTest {
    enum Kind { FLOAT, INT, STR, TUPLE, LIST, DICT, INSTANCE }

    /** The model of one run-time object: its refcount and the references it owns. */
    static final class Node {
        final Kind kind;
        long refcount = 1;
        final List<Long> items = new ArrayList<>();             // tuple, list, instance slots (0 = NULL)
        final Map<Long, long[]> entries = new LinkedHashMap<>(); // dict: key value -> {key, value}
        long intValue;

        Node(Kind kind) {
            this.kind = kind;
        }
    }

    /** In creation order: a HashMap's order of native addresses differs from run to run, and tearDown's with it. */
    private final Map<Long, Node> model = new LinkedHashMap<>();
    private final List<Long> held = new ArrayList<>(); // the test's own references, one entry each
    private ObjectSpace space;
    private SplittableRandom random;
    private long cls;

    @RepeatedTest(4)
    void randomGraphsMatchTheModel(RepetitionInfo repetition) {
        long seed = Seeds.seed();
        boolean checked = repetition.getCurrentRepetition() % 2 == 0; // unchecked mode must keep the same books
        System.out.println("RandomGraphTest checked = " + checked);
        random = new SplittableRandom(seed);
        try (Memory memory = Memory.create()) {
            space = ObjectSpace.builder().memory(memory).traceRefs(true).checked(checked).build();
            space.gc().disable(); // the model is reference counting alone: cycles it drops must stay
            cls = space.classes().newClass("Node", 3);
            for (int step = 0; step < 6000; step++) {
                try {
                    step();
                } catch (RuntimeException | AssertionError e) {
                    throw new AssertionError("seed " + seed + ", step " + step, e);
                }
                if (step % 500 == 0) {
                    check(seed);
                }
            }
            check(seed);
            tearDown();
            check(seed);
            assertEquals(0, model.size(), "seed " + seed);
            space.decref(cls);
            space.close();
            assertTrue(space.leakReport().isClean(), space.leakReport().toString());
            assertEquals(0, memory.pymalloc().stats().smallBlocksInUse(), "seed " + seed);
            assertEquals(0, memory.obj().liveBlocks() + memory.mem().liveBlocks() + memory.raw().liveBlocks());
        }
    }

    private void step() {
        int op = random.nextInt(100);
        if (held.isEmpty() || op < 30) {
            create();
        } else if (op < 45) {
            drop(held.remove(random.nextInt(held.size())));
        } else if (op < 50) {
            long o = pick();
            space.incref(o);
            model.get(o).refcount++;
            held.add(o);
        } else {
            mutate(pick());
        }
    }

    private long pick() {
        return held.get(random.nextInt(held.size()));
    }

    private void create() {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        long o;
        Node node = new Node(kind);
        switch (kind) {
            case FLOAT -> o = space.floats().newFloat(random.nextDouble());
            case INT -> {
                node.intValue = 1000 + random.nextInt(50);
                o = space.ints().newInt(node.intValue);
            }
            case STR -> o = space.strs().newStr("str" + random.nextInt(1_000_000));
            case TUPLE -> {
                int n = held.isEmpty() ? 0 : 1 + random.nextInt(4);
                long[] items = new long[n];
                for (int i = 0; i < n; i++) {
                    items[i] = pick();
                }
                o = space.tuples().of(items);
                for (long item : items) {
                    node.items.add(item);
                    model.get(item).refcount++;
                }
            }
            case LIST -> o = space.lists().newList();
            case DICT -> o = space.dicts().newDict();
            default -> {
                o = space.classes().newInstance(cls);
                for (int i = 0; i < 3; i++) {
                    node.items.add(0L);
                }
            }
        }
        if (kind == Kind.TUPLE && node.items.isEmpty()) { // the static empty tuple: not modelled
            space.decref(o);
            return;
        }
        assertTrue(!model.containsKey(o), "a live address was handed out again");
        model.put(o, node);
        held.add(o);
    }

    private void mutate(long o) {
        Node node = model.get(o);
        long x = pick();
        switch (node.kind) {
            case LIST -> {
                if (node.items.isEmpty() || random.nextBoolean()) {
                    space.lists().append(o, x);
                    node.items.add(x);
                    model.get(x).refcount++;
                } else {
                    int i = random.nextInt(node.items.size());
                    space.incref(x);
                    model.get(x).refcount++;
                    long old = node.items.set(i, x);
                    space.lists().set(o, i, x); // steals the reference just taken
                    release(old);
                }
                assertEquals(node.items.size(), space.lists().size(o));
            }
            case INSTANCE -> {
                int i = random.nextInt(3);
                long v = random.nextInt(4) == 0 ? 0 : x;
                space.classes().setSlot(o, i, v);
                if (v != 0) {
                    model.get(v).refcount++;
                }
                release(node.items.set(i, v));
            }
            case DICT -> {
                long key = pickInt();
                if (key == 0) {
                    return;
                }
                long keyValue = model.get(key).intValue;
                if (random.nextInt(3) == 0) {
                    boolean present = node.entries.containsKey(keyValue);
                    assertEquals(present, space.dicts().delete(o, key));
                    if (present) {
                        long[] e = node.entries.remove(keyValue);
                        release(e[0]);
                        release(e[1]);
                    }
                } else {
                    space.dicts().set(o, key, x);
                    model.get(x).refcount++;
                    long[] e = node.entries.get(keyValue);
                    if (e == null) {
                        model.get(key).refcount++;
                        node.entries.put(keyValue, new long[] {key, x});
                    } else {
                        long old = e[1];
                        e[1] = x;
                        release(old);
                    }
                }
                assertEquals(node.entries.size(), space.dicts().size(o));
            }
            default -> assertTrue(space.sizeOf(o) >= 24);
        }
    }

    private long pickInt() {
        for (int tries = 0; tries < 8; tries++) {
            long o = pick();
            if (model.get(o).kind == Kind.INT) {
                return o;
            }
        }
        return 0;
    }

    private void drop(long o) {
        space.decref(o);
        release(o);
    }

    /** The model's decref: at zero the node releases what it owns, as the real dealloc did. */
    private void release(long o) {
        if (o == 0) {
            return;
        }
        Node node = model.get(o);
        if (--node.refcount == 0) {
            model.remove(o);
            for (long item : node.items) {
                release(item);
            }
            for (long[] e : node.entries.values()) {
                release(e[0]);
                release(e[1]);
            }
        }
    }

    private void check(long seed) {
        assertEquals(model.size() + 1, space.liveObjectCount(), "the model's objects and the class; seed " + seed);
        for (Map.Entry<Long, Node> e : model.entrySet()) {
            assertEquals(e.getValue().refcount, space.refcount(e.getKey()),
                    () -> "seed " + seed + ": refcount of a " + e.getValue().kind + " at " + Long.toHexString(e.getKey()));
        }
        space.checkInvariants();
    }

    /** Breaks every cycle by emptying the mutable containers, then drops the test's references. */
    private void tearDown() {
        for (long o : new ArrayList<>(model.keySet())) {
            Node node = model.get(o);
            if (node == null) {
                continue;
            }
            space.incref(o); // keep o alive while it is emptied
            node.refcount++;
            if (node.kind == Kind.LIST || node.kind == Kind.INSTANCE) {
                for (int i = 0; i < node.items.size(); i++) {
                    long old = node.items.set(i, 0L);
                    if (node.kind == Kind.LIST) {
                        space.lists().set(o, i, 0);
                    } else {
                        space.classes().setSlot(o, i, 0);
                    }
                    release(old);
                }
            } else if (node.kind == Kind.DICT) {
                for (Map.Entry<Long, long[]> e : new ArrayList<>(node.entries.entrySet())) {
                    assertTrue(space.dicts().delete(o, e.getValue()[0]));
                    node.entries.remove(e.getKey());
                    release(e.getValue()[0]);
                    release(e.getValue()[1]);
                }
            }
            drop(o);
        }
        while (!held.isEmpty()) {
            drop(held.remove(held.size() - 1));
        }
    }
}
