package org.pymalloc4j.objects;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The random programs of {@code objects/scripts/record_gc_steps.py}, run under CPython 3.11 with
 * automatic collection on ({@code gc-steps-3.11.txt}), run again here on a fresh space: after
 * every statement the same {@code gc.get_count()}, {@code gc.get_stats()} (from the program's
 * start) and {@code len(gc.garbage)}, and the same finalizers, weakref callbacks and
 * {@code collect(g)} results, so automatic collections come at the same statements, the free
 * lists count in generation 0 as CPython's, and tuples and dicts are untracked as 3.11 does
 * (the script's docstring has the language).
 */
class CollectorStepsTest {
    static Stream<RecordedPrograms.Program> programs() throws IOException {
        return RecordedPrograms.read("/gc-steps-3.11.txt", "steps").stream();
    }

    /** The script's PROGRAMS. */
    @Test
    void theRecordingHoldsSixtyPrograms() throws IOException {
        assertEquals(60, programs().count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void sameCountsStatsAndCollectionsAsCPythonAfterEveryStatement(RecordedPrograms.Program p) {
        List<String> statements = p.second().stream().filter(l -> l.startsWith("> ")).map(l -> l.substring(2)).toList();
        List<String> actual = new Runner().run(p.first(), statements);
        assertEquals(String.join("\n", p.second()), String.join("\n", actual), p.name());
    }

    /**
     * The script's interpreter on an ObjectSpace, with the same objects made in the same order:
     * the variables are a dict, the survivors and gc.garbage lists are frozen with the classes
     * before the program starts, and weakref.ref's argument tuple is made and dropped around
     * each weak reference, as CPython's call of the type makes it.
     */
    private static final class Runner {
        private final List<String> log = new ArrayList<>();
        private final Map<Long, String> labels = new HashMap<>();
        private final Map<String, Long> classes = new HashMap<>();
        private final Map<String, Long> names = new HashMap<>();
        private final long[] base = new long[9];
        private ObjectSpace space;
        private long vars;
        private long survivors;
        private int serial;
        private long frozen;

        List<String> run(List<String> header, List<String> statements) {
            try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
                space = s;
                s.gc().disable();
                survivors = s.lists().newList();
                s.gc().garbage();
                for (String line : header) {
                    String[] a = line.split(" ");
                    if (a[0].equals("class")) {
                        defineClass(a);
                    } else if (a[0].equals("callbacks")) {
                        s.gc().callbacks().add((phase, info) -> log.add("gc " + phase.name().toLowerCase(Locale.ROOT)
                                + " " + info.generation() + " " + info.collected() + " " + info.uncollectable()));
                    } else {
                        s.gc().setThreshold(Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]));
                    }
                }
                vars = s.dicts().newDict();
                s.gc().freeze();
                frozen = s.gc().getFreezeCount();
                s.gc().collect();
                System.arraycopy(stats(), 0, base, 0, 9);
                s.gc().enable();
                for (String statement : statements) {
                    log.add("> " + statement);
                    step(statement.split(" "));
                    log.add(state());
                }
                s.gc().disable();
                s.checkInvariants();
                List<String> out = List.copyOf(log); // not what closing the space runs (finalizers of gc.garbage's objects)
                s.decref(vars);
                return out;
            }
        }

        private long[] stats() {
            long[] out = new long[9];
            List<Collector.GenerationStats> st = space.gc().getStats();
            for (int g = 0; g < 3; g++) {
                out[3 * g] = st.get(g).collections();
                out[3 * g + 1] = st.get(g).collected();
                out[3 * g + 2] = st.get(g).uncollectable();
            }
            return out;
        }

        private String state() {
            int[] c = space.gc().getCount();
            long[] st = stats();
            StringBuilder b = new StringBuilder("= " + c[0] + " " + c[1] + " " + c[2] + " |");
            for (int i = 0; i < 9; i++) {
                b.append(' ').append(st[i] - base[i]);
            }
            return b.append(" | ").append(space.lists().size(space.gc().garbage())).toString();
        }

        private void defineClass(String[] a) {
            ClassSpec spec = ClassSpec.named(a[1]).slots(Integer.parseInt(a[2]));
            if (a[3].equals("1")) {
                spec = spec.weakReferenceable();
            }
            if (a[4].equals("log")) {
                spec = spec.finalizer(self -> log.add("del " + labels.get(self)));
            } else if (a[4].equals("collect")) {
                spec = spec.finalizer(self -> log.add("del " + labels.get(self) + " collect " + space.gc().collect()));
            } else if (a[4].equals("resurrect")) {
                spec = spec.finalizer(self -> {
                    log.add("del " + labels.get(self));
                    space.lists().append(survivors, self);
                });
            }
            classes.put(a[1], space.classes().newClass(spec));
        }

        private long labelled(long o) {
            labels.put(o, "o" + serial++);
            return o;
        }

        private long key(String name) {
            return names.computeIfAbsent(name, space.strs()::intern);
        }

        /** {@code v[name] = o}, {@code o} a new reference the dict takes over. */
        private void put(String name, long o) {
            space.dicts().set(vars, key(name), o);
            space.decref(o);
        }

        private long v(String name) {
            return space.dicts().get(vars, key(name));
        }

        /**
         * A reference the interpreter's stack holds while it makes a tuple or calls weakref.ref:
         * a collection the allocation starts sees it as a reference from outside, as CPython's does.
         */
        private long onStack(long o) {
            space.incref(o);
            return o;
        }

        private void step(String[] a) {
            ObjectSpace s = space;
            switch (a[0]) {
                case "list" -> put(a[1], labelled(s.lists().newList()));
                case "dict" -> put(a[1], labelled(s.dicts().newDict()));
                case "inst" -> put(a[1], labelled(s.classes().newInstance(classes.get(a[2]))));
                case "atom" -> put(a[1], s.ints().newInt(1000 + Integer.parseInt(a[2])));
                case "tuple" -> {
                    long[] items = new long[a.length - 2];
                    for (int i = 0; i < items.length; i++) {
                        items[i] = onStack(v(a[i + 2]));
                    }
                    long t = s.tuples().of(items);
                    for (long item : items) {
                        s.decref(item);
                    }
                    put(a[1], labelled(t));
                }
                case "weak" -> {
                    long x = onStack(v(a[2]));
                    int before = s.weakrefs().count(x);
                    boolean nocb = a[3].equals("nocb");
                    long args = nocb ? s.tuples().of(x) : s.tuples().of(x, s.none()); // weakref.ref's argument tuple
                    long w = switch (a[3]) {
                        case "cb" -> s.weakrefs().newRef(x, wr -> log.add("cb " + labels.get(wr)));
                        case "cbcollect" -> s.weakrefs().newRef(x, wr -> log.add("cb " + labels.get(wr) + " collect " + s.gc().collect(0)));
                        default -> s.weakrefs().newRef(x);
                    };
                    s.decref(args);
                    s.decref(x);
                    put(a[1], nocb && s.weakrefs().count(x) == before ? w : labelled(w));
                }
                case "append" -> s.lists().append(v(a[1]), v(a[2]));
                case "setitem" -> {
                    long key = s.strs().newStr(a[2]);
                    s.dicts().set(v(a[1]), key, v(a[3]));
                    s.decref(key);
                }
                case "setthreshold" -> {
                    long args = s.tuples().of(s.none(), s.none(), s.none()); // gc.set_threshold's argument tuple
                    s.gc().setThreshold(Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]));
                    s.decref(args);
                }
                case "enable" -> {
                    if (a[1].equals("1")) {
                        s.gc().enable();
                    } else {
                        s.gc().disable();
                    }
                }
                case "objects" -> {
                    long result = s.lists().newList(); // gc.get_objects' result list, left out of it
                    StringBuilder line = new StringBuilder("objects");
                    for (long o : s.gc().getObjects(Integer.parseInt(a[1]))) {
                        if (o != result) {
                            line.append(' ').append(labels.getOrDefault(o, "?"));
                        }
                    }
                    s.decref(result);
                    log.add(line.toString());
                }
                case "tkey" -> {
                    long item = onStack(v(a[2]));
                    long key = s.tuples().of(item);
                    s.decref(item);
                    labels.put(key, "?");
                    s.dicts().set(v(a[1]), key, v(a[3]));
                    s.decref(key);
                }
                case "delitem" -> {
                    long key = s.strs().newStr(a[2]);
                    s.dicts().delete(v(a[1]), key);
                    s.decref(key);
                }
                case "freeze" -> {
                    s.gc().freeze();
                    log.add("frozen " + (s.gc().getFreezeCount() - frozen));
                }
                case "setslot" -> s.classes().setSlot(v(a[1]), Integer.parseInt(a[2]), v(a[3]));
                case "cycles" -> {
                    long previous = 0;
                    for (int k = Integer.parseInt(a[1]); k > 0; k--) {
                        long l = s.lists().newList(); // x = []: the last one is still held while it is made
                        if (previous != 0) {
                            s.decref(previous);
                        }
                        s.lists().append(l, l);
                        labels.put(l, "?"); // an address a labelled object had is no longer that label
                        previous = l;
                    }
                    if (previous != 0) {
                        s.decref(previous);
                    }
                }
                case "deref" -> {
                    long r = s.weakrefs().get(v(a[1]));
                    log.add("deref " + (r == s.none() ? "None" : labels.get(r)));
                }
                case "tracked" -> log.add("tracked " + (s.gc().isTracked(v(a[1])) ? "True" : "False"));
                case "del" -> s.dicts().delete(vars, key(a[1]));
                case "collect" -> log.add("collect " + s.gc().collect(Integer.parseInt(a[1])));
                case "cleargarbage" -> s.lists().clear(s.gc().garbage());
                case "saveall" -> s.gc().setDebug(Integer.parseInt(a[1]));
                default -> throw new IllegalArgumentException(String.join(" ", a));
            }
        }
    }
}
