package org.pymalloc4j.objects.tracing;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.TracedMemory;
import org.pymalloc4j.allocator.Tracer;
import org.pymalloc4j.objects.ClassSpec;
import org.pymalloc4j.objects.ObjectSpace;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An object its finalizer resurrects in its deallocation goes through {@code _Py_NewReference}
 * ({@code PyObject_CallFinalizerFromDealloc}; a {@code tp_del} such as _testcapi's
 * {@code slot_tp_del} does the same), which retags its trace when tracing: python3.11 with
 * {@code tracemalloc.start()}, {@code x = make()} at line A, {@code __del__} appending self to a
 * list, {@code del x} at line B: {@code get_object_traceback(keep[0])} names line B. A finalizer
 * run by the collector ({@code finalize_garbage}: {@code PyObject_CallFinalizer}) retags nothing.
 */
class ResurrectedTracebackTest {
    private static long make(ObjectSpace s, long cls) {
        return s.classes().newInstance(cls);
    }

    private static void drop(ObjectSpace s, long o) {
        s.decref(o);
    }

    private static String topMethod(Tracer tracer, long o) {
        return tracer.tracebackOf(o - 16).orElseThrow(() -> new AssertionError("untraced")).mostRecent().methodName();
    }

    @ParameterizedTest
    @ValueSource(strings = {"finalizer", "legacyFinalizer"})
    void anObjectResurrectedInItsDeallocationIsTracedToTheLineThatDroppedIt(String which) {
        try (Memory memory = Memory.create()) {
            Tracer tracer = memory.tracer();
            tracer.start(1);
            try (ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
                List<Long> keep = new ArrayList<>();
                boolean[] resurrecting = {true};
                ClassSpec.Finalizer resurrect = self -> {
                    if (resurrecting[0]) {
                        s.incref(self);
                        keep.add(self);
                    }
                };
                ClassSpec spec = ClassSpec.named("C").slots(1);
                long cls = s.classes().newClass(which.equals("finalizer") ? spec.finalizer(resurrect) : spec.legacyFinalizer(resurrect));
                long x = make(s, cls);
                assertEquals("make", topMethod(tracer, x));
                TracedMemory before = tracer.tracedMemory();
                drop(s, x);
                assertEquals(List.of(x), keep, "resurrected");
                assertEquals("drop", topMethod(tracer, x), which);
                assertEquals(before, tracer.tracedMemory(), "a retag moves no bytes");
                resurrecting[0] = false;
                s.decref(x);
                s.decref(cls);
            }
        }
    }

    /** Checked with python3.11: a cycle resurrected by its __del__ in gc.collect() keeps the traceback of its allocation. */
    @org.junit.jupiter.api.Test
    void anObjectResurrectedByAFinalizerTheCollectorRunsKeepsItsTraceback() {
        try (Memory memory = Memory.create()) {
            Tracer tracer = memory.tracer();
            tracer.start(1);
            try (ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
                s.gc().disable();
                List<Long> keep = new ArrayList<>();
                long cls = s.classes().newClass(ClassSpec.named("C").slots(1).finalizer(self -> {
                    s.incref(self);
                    keep.add(self);
                }));
                long x = make(s, cls);
                s.classes().setSlot(x, 0, x);
                drop(s, x); // garbage now, alive until the collection
                assertEquals(0, s.gc().collect(), "resurrected: nothing collected");
                assertEquals(List.of(x), keep);
                assertEquals("make", topMethod(tracer, x));
                s.classes().setSlot(x, 0, 0);
                s.decref(x);
                s.decref(cls);
            }
        }
    }
}
