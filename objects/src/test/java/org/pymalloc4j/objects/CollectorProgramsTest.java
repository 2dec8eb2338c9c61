package org.pymalloc4j.objects;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The random object-graph programs of {@code objects/scripts/record_gc_programs.py}, whose
 * output under CPython 3.11 is recorded in {@code gc-programs-3.11.txt}: each program runs here
 * on a fresh space with automatic collection off, and prints the same lines: what each
 * {@code collect(g)} returned, {@code gc.garbage} under DEBUG_SAVEALL, and the order of
 * finalizers and weakref callbacks (the script's docstring has the language).
 */
class CollectorProgramsTest {
    static Stream<RecordedPrograms.Program> programs() throws IOException {
        return RecordedPrograms.read("/gc-programs-3.11.txt", "expect").stream();
    }

    /** The READMEs count 80 programs; the script's default makes 80. */
    @Test
    void theRecordingHoldsEightyPrograms() throws IOException {
        assertEquals(80, programs().count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void sameCollectionsFinalizersAndCallbacksAsCPython(RecordedPrograms.Program p) {
        List<String> actual = new Runner().run(p.first()).stream().map(String::strip).toList();
        assertEquals(String.join("\n", p.second()), String.join("\n", actual), p.name());
    }

    /**
     * The script's interpreter, on an ObjectSpace, with the same objects: the variables are a
     * dict, which takes part in collections as the script's does (references from it are
     * inside the young generation when it is), and the survivors list is old when a program
     * starts, as the script's module-level list is.
     */
    private static final class Runner {
        private final List<String> log = new ArrayList<>();
        private final Map<Long, String> labels = new HashMap<>();
        private final Map<String, Long> classes = new HashMap<>();
        private final Map<String, Long> names = new HashMap<>();
        private ObjectSpace space;
        private long vars;
        private long survivors;
        private int serial;

        List<String> run(List<String> ops) {
            // trace-refs: checkInvariants then also proves every tracked object is on a list
            try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
                space = s;
                s.gc().disable();
                survivors = s.lists().newList();
                s.gc().collect();
                vars = s.dicts().newDict();
                for (String op : ops) {
                    step(op.split(" "));
                    if (op.startsWith("collect")) {
                        s.checkInvariants(); // the lists the collection left, and every object on them
                    }
                }
                s.decref(vars);
            }
            return log;
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

        private void step(String[] a) {
            ObjectSpace s = space;
            switch (a[0]) {
                case "class" -> {
                    ClassSpec spec = ClassSpec.named(a[1]).slots(Integer.parseInt(a[2]));
                    if (a[3].equals("1")) {
                        spec = spec.weakReferenceable();
                    }
                    if (a[4].equals("log")) {
                        spec = spec.finalizer(self -> log.add("del " + labels.get(self)));
                    } else if (a[4].equals("resurrect")) {
                        spec = spec.finalizer(self -> {
                            log.add("del " + labels.get(self));
                            s.lists().append(survivors, self);
                        });
                    }
                    classes.put(a[1], s.classes().newClass(spec));
                }
                case "list" -> put(a[1], labelled(s.lists().newList()));
                case "dict" -> put(a[1], labelled(s.dicts().newDict()));
                case "inst" -> put(a[1], labelled(s.classes().newInstance(classes.get(a[2]))));
                case "tuple" -> {
                    long[] items = new long[a.length - 2];
                    for (int i = 0; i < items.length; i++) {
                        items[i] = v(a[i + 2]);
                    }
                    put(a[1], labelled(s.tuples().of(items)));
                }
                case "weak" -> {
                    List<Long> before = s.weakrefs().refsTo(v(a[2]));
                    long w = a[3].equals("cb")
                            ? s.weakrefs().newRef(v(a[2]), wr -> log.add("cb " + labels.get(wr)))
                            : s.weakrefs().newRef(v(a[2]));
                    put(a[1], before.contains(w) ? w : labelled(w));
                }
                case "append" -> s.lists().append(v(a[1]), v(a[2]));
                case "setitem" -> {
                    long key = s.strs().newStr(a[2]);
                    s.dicts().set(v(a[1]), key, v(a[3]));
                    s.decref(key);
                }
                case "setslot" -> s.classes().setSlot(v(a[1]), Integer.parseInt(a[2]), v(a[3]));
                case "deref" -> {
                    long r = s.weakrefs().get(v(a[1]));
                    log.add("deref " + (r == s.none() ? "None" : labels.get(r)));
                }
                case "del" -> s.dicts().delete(vars, key(a[1]));
                case "collect" -> {
                    long n = s.gc().collect(Integer.parseInt(a[1]));
                    if ((s.gc().getDebug() & Collector.DEBUG_SAVEALL) != 0) {
                        long g = s.gc().garbage();
                        StringBuilder line = new StringBuilder("collect " + n + " garbage " + s.lists().size(g) + " ");
                        for (long i = 0; i < s.lists().size(g); i++) {
                            line.append(i == 0 ? "" : " ").append(labels.get(s.lists().get(g, i)));
                        }
                        log.add(line.toString());
                    } else {
                        log.add("collect " + n);
                    }
                }
                case "saveall" -> s.gc().setDebug(a[1].equals("1") ? Collector.DEBUG_SAVEALL : 0);
                case "cleargarbage" -> s.lists().clear(s.gc().garbage());
                case "clearsurvivors" -> {
                    log.add("survivors " + s.lists().size(survivors));
                    s.lists().clear(survivors);
                }
                default -> throw new IllegalArgumentException(String.join(" ", a));
            }
        }
    }
}
