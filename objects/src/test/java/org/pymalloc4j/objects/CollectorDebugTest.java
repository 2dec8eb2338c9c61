package org.pymalloc4j.objects;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.objects.GcTestSupport.selfCycle;
import static org.pymalloc4j.objects.GcTestSupport.selfList;

/** The {@code gc.set_debug} flags: CPython 3.11's messages, line for line, and DEBUG_SAVEALL's garbage. */
class CollectorDebugTest {
    /** What the collector printed, one string a line. */
    private static List<String> lines(ByteArrayOutputStream out) {
        String text = out.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private static String at(long o) {
        return String.format("0x%x", o);
    }

    /** {@code class L: __slots__ = ('a',)} with a {@code tp_del} that does nothing. */
    private static long legacyClass(ObjectSpace s) {
        return s.classes().newClass(ClassSpec.named("L").slots(1).legacyFinalizer(self -> { }));
    }

    @Test
    void statsCollectableAndUncollectablePrintCpythonsLines() {
        // gc.disable(); gc.collect(); keep = [[]]; x = []; x.append(x); l = L(); l.a = l; del x, l
        // gc.set_debug(gc.DEBUG_STATS | gc.DEBUG_COLLECTABLE | gc.DEBUG_UNCOLLECTABLE); gc.collect() -> 2, stderr:
        //   gc: collecting generation 2...
        //   gc: objects in each generation: 12 0 11523
        //   gc: objects in permanent generation: 0
        //   gc: collectable <list 0x7f9ae7223ec0>
        //   gc: uncollectable <L 0x7f9ae6fb32b0>
        //   gc: done, 2 unreachable, 1 uncollectable, 0.0022s elapsed
        try (ObjectSpace s = ObjectSpace.create()) {
            Collector gc = s.gc();
            gc.disable();
            long frozen = s.lists().newList();
            gc.freeze();
            long cls = legacyClass(s);
            long keep = s.lists().newList();
            gc.collect(0); // cls and keep to generation 1
            long x = selfList(s);
            long l = selfCycle(s, cls);
            s.decref(x);
            s.decref(l);
            int[] sizes = {gc.getObjects(0).size(), gc.getObjects(1).size(), gc.getObjects(2).size()};
            assertEquals(2, sizes[0]);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            gc.setDebugOutput(new PrintStream(out, true, StandardCharsets.UTF_8));
            gc.setDebug(Collector.DEBUG_STATS | Collector.DEBUG_COLLECTABLE | Collector.DEBUG_UNCOLLECTABLE);
            assertEquals(Collector.DEBUG_STATS | Collector.DEBUG_COLLECTABLE | Collector.DEBUG_UNCOLLECTABLE, gc.getDebug());
            assertEquals(2, gc.collect());
            List<String> lines = lines(out);
            assertEquals(6, lines.size(), lines::toString);
            assertEquals("gc: collecting generation 2...", lines.get(0));
            assertEquals("gc: objects in each generation: " + sizes[0] + " " + sizes[1] + " " + sizes[2], lines.get(1));
            assertEquals("gc: objects in permanent generation: 1", lines.get(2));
            assertEquals("gc: collectable <list " + at(x) + ">", lines.get(3));
            assertEquals("gc: uncollectable <L " + at(l) + ">", lines.get(4));
            assertTrue(lines.get(5).matches("gc: done, 2 unreachable, 1 uncollectable, \\d+\\.\\d{4}s elapsed"), lines.get(5));
            gc.setDebug(0);
            assertEquals(0, gc.getDebug());
            s.lists().clear(gc.garbage());
            gc.collect();
            assertEquals(6, lines(out).size(), "debug off: no more lines");
            gc.unfreeze();
            s.decref(frozen);
            s.decref(keep);
            s.decref(cls);
        }
    }

    /** CPython's lines have ASCII digits and a point whatever the locale; so do these. */
    @Test
    void statsLinesReadTheSameWhateverTheJvmsLocale() {
        java.util.Locale before = java.util.Locale.getDefault();
        java.util.Locale.setDefault(java.util.Locale.forLanguageTag("ar-EG")); // Arabic-Indic digits, a comma
        try (ObjectSpace s = ObjectSpace.create()) {
            Collector gc = s.gc();
            gc.disable();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            gc.setDebugOutput(new PrintStream(out, true, StandardCharsets.UTF_8));
            gc.setDebug(Collector.DEBUG_STATS);
            s.decref(selfList(s));
            assertEquals(1, gc.collect(1));
            List<String> lines = lines(out);
            assertEquals("gc: collecting generation 1...", lines.get(0));
            assertTrue(lines.get(1).matches("gc: objects in each generation: \\d+ \\d+ \\d+"), lines.get(1));
            assertTrue(lines.get(3).matches("gc: done, 1 unreachable, 0 uncollectable, \\d+\\.\\d{4}s elapsed"), lines.get(3));
            gc.setDebug(0);
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void eachFlagPrintsOnlyItsOwnLines() {
        // gc.set_debug(gc.DEBUG_COLLECTABLE); z = []; z.append(z); del z; gc.collect(0)
        //   -> only "gc: collectable <list 0x...>" lines
        try (ObjectSpace s = ObjectSpace.create()) {
            Collector gc = s.gc();
            gc.disable();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            gc.setDebugOutput(new PrintStream(out, true, StandardCharsets.UTF_8));
            gc.setDebug(Collector.DEBUG_COLLECTABLE);
            long z = selfList(s);
            s.decref(z);
            assertEquals(1, gc.collect(0));
            assertEquals(List.of("gc: collectable <list " + at(z) + ">"), lines(out));
            out.reset();
            gc.setDebug(Collector.DEBUG_STATS);
            s.decref(selfList(s));
            assertEquals(1, gc.collect(1));
            List<String> lines = lines(out);
            assertEquals(4, lines.size(), lines::toString);
            assertEquals("gc: collecting generation 1...", lines.get(0));
            assertTrue(lines.get(3).matches("gc: done, 1 unreachable, 0 uncollectable, \\d+\\.\\d{4}s elapsed"), lines.get(3));
            out.reset();
            gc.setDebug(Collector.DEBUG_UNCOLLECTABLE);
            s.decref(selfList(s));
            assertEquals(1, gc.collect());
            assertEquals(List.of(), lines(out), "nothing uncollectable: nothing printed");
            gc.setDebug(0);
        }
    }

    @Test
    void saveAllKeepsEveryUnreachableObjectInGarbage() {
        // gc.set_debug(gc.DEBUG_SAVEALL); x = []; x.append(x); y = {}; y['y'] = y; del x, y
        // gc.collect() -> 2; gc.garbage -> [list, dict]; get_stats()[2] -> collected 2, uncollectable 0
        // l = L(); l.a = [l]; del l; gc.collect() -> 2; gc.garbage -> [list, dict, L, list]; uncollectable 2
        // gc.set_debug(0); gc.garbage.clear(); gc.collect() -> 4
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            Collector gc = s.gc();
            gc.disable();
            long garbage = gc.garbage();
            long cls = legacyClass(s);
            long before = s.liveObjectCount();
            gc.setDebug(Collector.DEBUG_SAVEALL);
            long x = selfList(s);
            long y = s.dicts().newDict();
            long key = s.strs().newStr("y");
            s.dicts().set(y, key, y);
            s.decref(key);
            s.decref(x);
            s.decref(y);
            assertEquals(2, gc.collect());
            assertEquals(List.of(x, y), items(s, garbage));
            assertEquals(new Collector.GenerationStats(1, 2, 0), gc.getStats().get(2));
            long l = GcTestSupport.inListCycle(s, cls);
            long list = s.classes().getSlot(l, 0);
            s.decref(l);
            assertEquals(2, gc.collect());
            assertEquals(List.of(x, y, l, list), items(s, garbage));
            assertEquals(new Collector.GenerationStats(2, 2, 2), gc.getStats().get(2));
            s.checkInvariants();
            gc.setDebug(0);
            s.lists().clear(garbage);
            assertEquals(4, gc.collect());
            assertEquals(List.of(l), items(s, garbage), "without SAVEALL only the tp_del object is kept");
            s.incref(l);
            s.lists().clear(garbage);
            s.classes().setSlot(l, 0, 0);
            s.decref(l);
            assertEquals(before, s.liveObjectCount());
            s.decref(cls);
        }
    }

    /**
     * A debug stream that throws (an OutputStream throwing unchecked exceptions, which PrintStream
     * passes on) must not abort the collection half done, its candidates outside every generation:
     * CPython's PySys_WriteStderr ignores a failing sys.stderr. The failure is reported as
     * unraisable, once per collection; the collection's lines after it are dropped.
     */
    @Test
    void aThrowingDebugStreamIsReportedAndTheCollectionGoesOn() {
        for (int flags : new int[] {Collector.DEBUG_STATS, Collector.DEBUG_COLLECTABLE, Collector.DEBUG_UNCOLLECTABLE,
                Collector.DEBUG_STATS | Collector.DEBUG_LEAK}) {
            try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
                Collector gc = s.gc();
                gc.disable();
                long cls = legacyClass(s);
                long garbage = gc.garbage();
                long before = s.liveObjectCount();
                int[] writes = new int[1];
                gc.setDebugOutput(new PrintStream(new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                        writes[0]++;
                        throw new java.io.UncheckedIOException(new java.io.IOException("disk full"));
                    }
                }, true, StandardCharsets.UTF_8));
                gc.setDebug(flags);
                long[] l = new long[1];
                List<Throwable> reported = GcTestSupport.reportedDuring(() -> {
                    s.decref(selfList(s));
                    s.decref(selfList(s));
                    l[0] = selfCycle(s, cls);
                    s.decref(l[0]);
                    assertEquals(3, gc.collect(), "flags " + flags);
                    s.checkInvariants();
                });
                assertEquals(1, reported.size(), "flags " + flags + ": " + reported);
                assertTrue(reported.get(0) instanceof java.io.UncheckedIOException, reported.get(0)::toString);
                assertEquals(1, writes[0], "the lines after the failure are dropped");
                boolean saveAll = (flags & Collector.DEBUG_SAVEALL) != 0;
                assertEquals(saveAll ? 3 : 1, s.lists().size(garbage));
                if ((flags & Collector.DEBUG_STATS) != 0) { // a line even with nothing to collect
                    assertEquals(1, GcTestSupport.reportedDuring(() -> gc.collect()).size(), "the next collection tries again");
                }
                gc.setDebug(0);
                s.lists().clear(garbage);
                s.classes().setSlot(l[0], 0, 0);
                assertEquals(saveAll ? 2 : 0, gc.collect(), "with SAVEALL, the two lists were kept in gc.garbage");
                assertEquals(before, s.liveObjectCount());
                s.decref(cls);
            }
        }
    }

    @Test
    void debugLeakIsCollectableUncollectableAndSaveAll() {
        // gc.DEBUG_LEAK -> 38; gc.set_debug(gc.DEBUG_LEAK); gc.get_debug() -> 38
        assertEquals(Collector.DEBUG_COLLECTABLE | Collector.DEBUG_UNCOLLECTABLE | Collector.DEBUG_SAVEALL, Collector.DEBUG_LEAK);
        assertEquals(38, Collector.DEBUG_LEAK);
        try (ObjectSpace s = ObjectSpace.create()) {
            s.gc().setDebug(Collector.DEBUG_LEAK);
            assertEquals(38, s.gc().getDebug());
            s.gc().setDebug(0);
        }
    }

    private static List<Long> items(ObjectSpace s, long list) {
        List<Long> out = new ArrayList<>();
        for (long i = 0, n = s.lists().size(list); i < n; i++) {
            out.add(s.lists().get(list, i));
        }
        return out;
    }
}
