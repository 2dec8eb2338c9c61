package org.pymalloc4j.objects;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The random programs of {@code bench/cpython/record_object_programs.py}, made here through the
 * API: after every step the space's blocks (the OBJ and MEM domains', as
 * {@code sys.getallocatedblocks()} counts pymalloc's blocks and the raw ones it fell back to),
 * generation 0's count and the tracer's traced bytes change as CPython 3.11.7's did
 * ({@code object-programs-3.11.txt}). The steps: tuples of 1 to 21 items, floats, one-digit ints,
 * str concatenations of every kind, bytes, list displays, a list's append, insert, pop, del,
 * clear, a dict's stores and deletions of int, str and tuple keys, instances of a class with a
 * slot and {@code __weakref__}, weakrefs with and without callbacks; gc off, free lists filled first.
 */
class CpythonObjectProgramsTest {
    private static final String[] STRS = {"a", "bc", "\u00e9", "x\u00ff", "\u20ac", "y\u0100z", "\uD83D\uDE00",
        "q".repeat(30), "\u00e9".repeat(40), "\u20ac".repeat(70), "w".repeat(300)};
    private static final int VARS = 8;

    @Test
    void everyStepAllocatesAsCpython311() throws IOException {
        Map<String, List<String[]>> programs = read();
        assertEquals(12, programs.size());
        for (Map.Entry<String, List<String[]>> program : programs.entrySet()) {
            run(program.getKey(), program.getValue());
        }
    }

    private static Map<String, List<String[]>> read() throws IOException {
        Map<String, List<String[]>> programs = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                CpythonObjectProgramsTest.class.getResourceAsStream("/object-programs-3.11.txt")), StandardCharsets.UTF_8))) {
            List<String[]> steps = null;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("program ")) {
                    steps = new ArrayList<>();
                    programs.put(line, steps);
                } else if (!line.startsWith("#")) {
                    steps.add(line.split(" "));
                }
            }
        }
        return programs;
    }

    /** Runs one program, comparing its blocks, generation 0's count and traced bytes at every step. */
    private static void run(String name, List<String[]> steps) {
        try (Memory memory = Memory.create(); ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
            s.gc().disable();
            long cls = s.classes().newClass(ClassSpec.named("C").slots(1).weakReferenceable());
            long[] c = {s.none(), s.trueObject(), s.ints().newInt(7), s.tuples().newTuple(0)};
            long[] keys = new long[40];
            for (int k = 0; k < keys.length; k++) {
                keys[k] = k % 3 == 0 ? s.ints().newInt(1000 + k)
                        : k % 3 == 1 ? s.strs().newStr("k" + k) : oneTuple(s, 1000 + k);
            }
            fillFreeLists(s);
            long d = s.dicts().newDict();
            long l = s.lists().newList();
            long[] v = new long[VARS];
            for (int i = 0; i < VARS; i++) {
                v[i] = s.none();
                s.incref(v[i]);
            }
            memory.tracer().start(1);
            long[] before = measures(s, memory);
            for (int no = 0; no < steps.size(); no++) {
                String[] w = steps.get(no);
                long made = 0;
                switch (w[0]) {
                    case "tuple" -> {
                        String[] items = w[2].split(",");
                        long[] it = new long[items.length];
                        for (int i = 0; i < it.length; i++) {
                            it[i] = c[Integer.parseInt(items[i])];
                        }
                        made = s.tuples().of(it);
                    }
                    case "float" -> made = s.floats().newFloat(Integer.parseInt(w[2]) + 0.5);
                    case "int" -> made = s.ints().newInt(Long.parseLong(w[2]));
                    case "str" -> made = s.strs().newStr(STRS[Integer.parseInt(w[2])] + STRS[Integer.parseInt(w[3])]);
                    case "bytes" -> made = s.bytes().newBytes(new byte[Integer.parseInt(w[2])]);
                    case "list" -> made = listDisplay(s, Integer.parseInt(w[2]));
                    case "lappend" -> s.lists().append(l, s.none());
                    case "linsert" -> s.lists().insert(l, Long.parseLong(w[1]), s.none());
                    case "lpop" -> s.decref(s.lists().pop(l, Long.parseLong(w[1])));
                    case "ldel" -> s.lists().delete(l, Long.parseLong(w[1]));
                    case "lclear" -> s.lists().clear(l);
                    case "lnew" -> {
                        long fresh = s.lists().newList();
                        s.decref(l);
                        l = fresh;
                    }
                    case "dset" -> s.dicts().set(d, keys[Integer.parseInt(w[1])], s.none());
                    case "ddel" -> s.dicts().delete(d, keys[Integer.parseInt(w[1])]);
                    case "dnew" -> {
                        long fresh = s.dicts().newDict();
                        s.decref(d);
                        d = fresh;
                    }
                    case "inst" -> made = s.classes().newInstance(cls);
                    case "ref" -> made = s.weakrefs().newRef(v[Integer.parseInt(w[2])]);
                    case "refcb" -> made = s.weakrefs().newRef(v[Integer.parseInt(w[2])], wr -> { });
                    case "slot" -> s.classes().setSlot(v[Integer.parseInt(w[1])], 0, v[Integer.parseInt(w[2])]);
                    case "del" -> {
                        made = s.none();
                        s.incref(made);
                    }
                    default -> throw new IllegalStateException("unknown step " + String.join(" ", w));
                }
                if (made != 0) { // vN = made: the old value released after the new one is made
                    int var = Integer.parseInt(w[1]);
                    long old = v[var];
                    v[var] = made;
                    s.decref(old);
                }
                long[] now = measures(s, memory);
                for (int m = 0; m < now.length; m++) {
                    int at = no + 1;
                    int measure = m;
                    assertEquals(Long.parseLong(w[w.length - 3 + m]), now[m] - before[m], () -> String.format(
                            "%s, step %d (%s): %s", name, at, String.join(" ", w),
                            new String[] {"blocks", "gen0 count", "traced bytes"}[measure]));
                }
                before = now;
            }
            for (long x : v) {
                s.decref(x);
            }
            s.decref(l);
            s.decref(d);
            for (long k : keys) {
                s.decref(k);
            }
            s.decref(c[2]);
        }
    }

    private static long[] measures(ObjectSpace s, Memory memory) {
        return new long[] {memory.obj().liveBlocks() + memory.mem().liveBlocks(), s.gc().getCount()[0],
            memory.tracer().tracedMemory().current()};
    }

    private static long oneTuple(ObjectSpace s, long value) {
        long i = s.ints().newInt(value);
        long t = s.tuples().of(i);
        s.decref(i);
        return t;
    }

    /** {@code [c0, ...]}: BUILD_LIST of k items, or, over 30 items, an empty list and k LIST_APPENDs (3.11's compiler). */
    private static long listDisplay(ObjectSpace s, int k) {
        long o = s.lists().newList(k > 30 ? 0 : k);
        for (int i = 0; i < k; i++) {
            if (k > 30) {
                s.lists().append(o, s.none());
            } else {
                s.incref(s.none());
                s.lists().set(o, i, s.none());
            }
        }
        return o;
    }

    /** As the recorder fills them: tuples of 1..20 items (2000 each), floats, lists, dicts and str-keyed dict keys. */
    private static void fillFreeLists(ObjectSpace s) {
        List<Long> made = new ArrayList<>();
        for (int k = 1; k <= 20; k++) {
            for (int i = 0; i < 2000; i++) {
                long t = s.tuples().newTuple(k);
                for (int j = 0; j < k; j++) {
                    s.incref(s.none());
                    s.tuples().set(t, j, s.none());
                }
                made.add(t);
            }
        }
        for (int i = 0; i < 200; i++) {
            made.add(s.floats().newFloat(i + 0.5));
        }
        for (int i = 0; i < 100; i++) {
            made.add(s.lists().newList());
        }
        for (int i = 0; i < 100; i++) {
            made.add(s.dicts().newDict());
        }
        for (int i = 0; i < 100; i++) {
            long dict = s.dicts().newDict();
            long a = s.strs().newStr("a!");
            long one = s.ints().newInt(1);
            s.dicts().set(dict, a, one);
            s.decref(a);
            s.decref(one);
            made.add(dict);
        }
        for (long o : made) {
            s.decref(o);
        }
    }
}
