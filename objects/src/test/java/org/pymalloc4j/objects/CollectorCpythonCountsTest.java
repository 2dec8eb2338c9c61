package org.pymalloc4j.objects;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The programs of {@code objects/scripts/record_gc_counts.py}, built on a space with automatic
 * collection off: each {@code collect()} returns what CPython 3.11.7's {@code gc.collect()}
 * returned ({@code gc-counts-3.11.txt}).
 */
class CollectorCpythonCountsTest {
    private final Map<String, BiConsumer<ObjectSpace, long[]>> programs = new LinkedHashMap<>();

    CollectorCpythonCountsTest() {
        programs.put("self_list", (s, c) -> {
            long l = s.lists().newList();
            s.lists().append(l, l);
            s.decref(l);
        });
        programs.put("two_lists", (s, c) -> {
            long a = s.lists().newList();
            long b = s.lists().newList();
            s.lists().append(a, b);
            s.lists().append(b, a);
            s.decref(a);
            s.decref(b);
        });
        programs.put("dict_cycle", (s, c) -> {
            long d = s.dicts().newDict();
            long k = s.strs().newStr("self");
            s.dicts().set(d, k, d);
            s.decref(k);
            s.decref(d);
        });
        programs.put("instance_self_cycle", (s, c) -> {
            long a = s.classes().newInstance(c[0]);
            s.classes().setSlot(a, 0, a);
            s.decref(a);
        });
        programs.put("instance_pair", (s, c) -> {
            long a = s.classes().newInstance(c[0]);
            long b = s.classes().newInstance(c[0]);
            s.classes().setSlot(a, 0, b);
            s.classes().setSlot(b, 0, a);
            s.decref(a);
            s.decref(b);
        });
        programs.put("list_tuple_cycle", (s, c) -> {
            long l = s.lists().newList();
            long t = s.tuples().of(l);
            s.lists().append(l, t);
            s.decref(l);
            s.decref(t);
        });
        programs.put("cycle_holding_int_dict", (s, c) -> {
            long l = s.lists().newList();
            long d = s.dicts().newDict();
            long one = s.ints().newInt(1);
            long two = s.ints().newInt(2);
            s.dicts().set(d, one, two);
            s.lists().append(l, d);
            s.lists().append(l, l);
            s.decref(one);
            s.decref(two);
            s.decref(d);
            s.decref(l);
        });
        programs.put("cycle_holding_young_int_tuple", (s, c) -> {
            long l = s.lists().newList();
            long one = s.ints().newInt(1);
            long two = s.ints().newInt(2);
            long t = s.tuples().of(one, two);
            s.lists().append(l, t);
            s.lists().append(l, l);
            s.decref(one);
            s.decref(two);
            s.decref(t);
            s.decref(l);
        });
        programs.put("cycle_with_tail", (s, c) -> {
            long l = s.lists().newList();
            s.lists().append(l, l);
            long tail = s.lists().newList();
            long x = s.lists().newList();
            long y = s.lists().newList();
            s.lists().append(tail, x);
            s.lists().append(tail, y);
            s.lists().append(l, tail);
            s.decref(x);
            s.decref(y);
            s.decref(tail);
            s.decref(l);
        });
        programs.put("mixed_ring", (s, c) -> {
            long a = s.classes().newInstance(c[0]);
            long d = s.dicts().newDict();
            long l = s.lists().newList();
            s.lists().append(l, d);
            long k = s.strs().newStr("a");
            s.dicts().set(d, k, a);
            long five = s.ints().newInt(5);
            long t = s.tuples().of(l, five);
            s.classes().setSlot(a, 0, t);
            for (long o : new long[] {k, five, t, l, d, a}) {
                s.decref(o);
            }
        });
        programs.put("survivor", (s, c) -> {
            long l = s.lists().newList();
            s.lists().append(l, l);
            s.lists().append(c[1], l); // SURVIVOR.append(s)
            s.decref(l);
        });
    }

    @Test
    void countsEqualCpython311() throws IOException {
        Map<String, Long> expected = new LinkedHashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/gc-counts-3.11.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] f = line.trim().split(" ");
                    expected.put(f[0], Long.parseLong(f[1]));
                }
            }
        }
        assertEquals(programs.keySet(), expected.keySet());
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            space.gc().disable();
            long cls = space.classes().newClass("A", 1);
            long survivors = space.lists().newList();
            long[] globals = {cls, survivors};
            for (Map.Entry<String, BiConsumer<ObjectSpace, long[]>> p : programs.entrySet()) {
                space.gc().collect();
                long live = space.liveObjectCount();
                p.getValue().accept(space, globals);
                assertEquals(expected.get(p.getKey()), space.gc().collect(), p.getKey());
                space.checkInvariants();
                if (!p.getKey().equals("survivor")) {
                    assertEquals(live, space.liveObjectCount(), p.getKey() + ": everything freed");
                }
            }
            long cycle = space.lists().get(survivors, 0);
            space.incref(space.none());
            space.lists().set(cycle, 0, space.none()); // break the survivor's self-reference (set steals)
            space.decref(survivors);
            space.decref(cls);
            assertEquals(0, space.gc().collect());
            assertEquals(0, space.liveObjectCount());
        }
    }
}
