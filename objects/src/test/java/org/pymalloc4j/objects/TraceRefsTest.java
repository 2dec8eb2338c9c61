package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trace-refs mode, the leak report, and closing returning every block. */
class TraceRefsTest {
    @Test
    void liveObjectsListsEveryRunTimeObjectOldestFirst() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long f = space.floats().newFloat(1);
            long l = space.lists().newList();
            space.lists().append(l, f);
            List<LiveObject> live = space.liveObjects();
            assertEquals(2, live.size());
            assertEquals(f, live.get(0).address());
            assertEquals("float", live.get(0).typeName());
            assertEquals(2, live.get(0).refcount());
            assertEquals("list", live.get(1).typeName());
            assertTrue(live.get(0).serial() < live.get(1).serial());
            space.decref(l);
            space.decref(f);
            assertEquals(List.of(), space.liveObjects());
        }
    }

    /**
     * A finalizer (or tp_del) that resurrects its object in its deallocation makes it new again,
     * as a free-list revival: CPython's _Py_Dealloc unlists it (_Py_ForgetReference under
     * Py_TRACE_REFS) and the resurrection's _Py_NewReference lists it again as the newest
     * (_Py_AddToAllObjects), where tracemalloc retags it too. It stayed listed where it was
     * allocated, with that allocation's serial, while its traceback named the line that dropped it.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anObjectResurrectedInItsDeallocationIsListedAsTheNewest(boolean legacy) {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            List<Long> keep = new ArrayList<>();
            ClassSpec.Finalizer resurrect = self -> {
                if (keep.isEmpty()) {
                    space.incref(self);
                    keep.add(self);
                }
            };
            ClassSpec spec = ClassSpec.named("C").slots(1);
            long cls = space.classes().newClass(legacy ? spec.legacyFinalizer(resurrect) : spec.finalizer(resurrect));
            long x = space.classes().newInstance(cls);
            long f = space.floats().newFloat(1);
            long serialBefore = entry(space, x).serial();
            space.decref(x);
            assertEquals(List.of(x), keep, "resurrected");
            List<Long> order = space.liveObjects().stream().map(LiveObject::address).filter(a -> a == x || a == f).toList();
            assertEquals(List.of(f, x), order, "the resurrected object is the newest");
            assertTrue(entry(space, x).serial() > entry(space, f).serial(), "a serial after the float's, was " + serialBefore);
            space.decref(f);
            space.decref(x);
            space.decref(cls);
        }
    }

    private static LiveObject entry(ObjectSpace space, long o) {
        return space.liveObjects().stream().filter(e -> e.address() == o).findFirst().orElseThrow();
    }

    @Test
    void closeReportsLeaksWithoutThrowing() {
        ObjectSpace space = ObjectSpace.builder().traceRefs(true).build();
        long d = space.dicts().newDict();
        long k = space.strs().newStr("key");
        space.dicts().set(d, k, space.none());
        space.decref(k); // the dict still holds k
        space.close();
        LeakReport report = space.leakReport();
        assertFalse(report.isClean());
        assertEquals(2, report.leakedObjectCount());
        assertEquals("dict", report.objects().get(0).typeName());
        assertEquals("str", report.objects().get(1).typeName());
        assertTrue(report.toString().startsWith("2 objects still alive"), report.toString());
    }

    @Test
    void theLeakReportReadsTheSameWhateverTheJvmsLocale() {
        // The tool prints it beside figures formatted with Locale.ROOT: under ar-EG, %d gives Arabic-Indic digits.
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("ar-EG"));
        try {
            ObjectSpace space = ObjectSpace.builder().traceRefs(true).build();
            long f = space.floats().newFloat(1);
            space.incref(f);
            space.close();
            String entry = space.leakReport().objects().getFirst().toString();
            assertEquals(String.format(Locale.ROOT, "0x%x float refcount=2 serial=1", f), entry);
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void withoutTraceRefsLeaksAreCounted() {
        ObjectSpace space = ObjectSpace.create();
        space.floats().newFloat(1);
        space.close();
        assertEquals(1, space.leakReport().leakedObjectCount());
        assertTrue(space.leakReport().toString().contains("enable trace-refs mode"));
        // @throws IllegalStateException if the space is not in trace-refs mode
        try (ObjectSpace untraced = ObjectSpace.create()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, untraced::liveObjects);
            assertTrue(e.getMessage().contains("needs trace-refs mode"), e.getMessage());
            assertEquals(0, untraced.leakReport().leakedObjectCount(), "leakReport is never refused");
        }
    }

    @Test
    void closingTheSpaceReturnsEveryBlockToTheMemory() {
        try (Memory memory = Memory.create()) {
            try (ObjectSpace space = ObjectSpace.builder().memory(memory).build()) {
                long l = space.lists().newList();
                for (int i = 0; i < 1000; i++) {
                    long f = space.floats().newFloat(i);
                    space.lists().append(l, f);
                    space.decref(f);
                    long t = space.tuples().of(l, l);
                    space.decref(t);
                }
                long d = space.dicts().newDict();
                long key = space.ints().newInt(1000);
                space.dicts().set(d, key, l);
                space.decref(key);
                space.decref(l);
                space.decref(d);
                assertTrue(memory.pymalloc().stats().smallBlocksInUse() > 0, "free lists hold blocks");
                assertTrue(space.leakReport().isClean(), () -> space.leakReport().toString());
            }
            assertEquals(0, memory.pymalloc().stats().smallBlocksInUse());
            assertEquals(0, memory.obj().liveBlocks());
            assertEquals(0, memory.mem().liveBlocks());
            assertEquals(0, memory.raw().liveBlocks(), "the static area is returned too");
        }
    }
}
