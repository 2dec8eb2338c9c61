package org.pymalloc4j.objects;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Code the collector runs (finalizers, callbacks, the uncaught-exception handler) misbehaving. */
class CollectorReentrancyTest {
    /**
     * CPython writes a failing {@code sys.unraisablehook}'s own exception with the default hook
     * and the collection goes on; a thread handler that throws must not leave the candidates in
     * the collector's scratch lists, outside every generation.
     */
    @Test
    void aThrowingUncaughtExceptionHandlerLeavesTheCollectionWhole() {
        Thread thread = Thread.currentThread();
        Thread.UncaughtExceptionHandler before = thread.getUncaughtExceptionHandler();
        PrintStream err = System.err;
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        System.setErr(new PrintStream(written, true, StandardCharsets.UTF_8));
        List<Throwable> seen = new ArrayList<>();
        thread.setUncaughtExceptionHandler((t, e) -> {
            seen.add(e);
            throw new IllegalStateException("handler failed on " + e.getMessage());
        });
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            long cls = s.classes().newClass(ClassSpec.named("A").slots(1).weakReferenceable().finalizer(self -> {
                throw new IllegalArgumentException("from __del__");
            }));
            long a = GcTestSupport.selfCycle(s, cls);
            long b = GcTestSupport.selfCycle(s, cls);
            long holder = s.lists().newList();
            long wr = s.weakrefs().newRef(a, r -> {
                throw new IllegalArgumentException("from the callback");
            });
            s.lists().append(holder, wr);
            s.decref(wr);
            s.gc().callbacks().add((phase, info) -> {
                throw new IllegalArgumentException("from a gc callback");
            });
            s.decref(a);
            s.decref(b);
            assertEquals(2, s.gc().collect());
            s.checkInvariants();
            assertEquals(5, seen.size(), seen.toString()); // START, the weakref callback, two __del__, STOP
            s.gc().callbacks().clear();
            s.decref(holder);
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        } finally {
            thread.setUncaughtExceptionHandler(before);
            System.setErr(err);
        }
        String text = written.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("Exception ignored in the uncaught-exception handler of " + thread.getName()
                + ": java.lang.IllegalStateException: handler failed on from a gc callback"), text);
        assertTrue(text.contains("Suppressed: java.lang.IllegalArgumentException: from __del__"), text);
    }

    /**
     * Kotlin code, or Java with a sneaky throw, can throw a checked exception from a finalizer
     * or a callback: it is reported like any other, and the collection goes on.
     */
    @Test
    void checkedExceptionsFromFinalizersAndCallbacksAreReportedAndTheCollectionGoesOn() {
        List<Throwable> reported = GcTestSupport.reportedDuring(() -> {
            try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
                s.gc().disable();
                long cls = s.classes().newClass(ClassSpec.named("A").slots(1).weakReferenceable()
                        .finalizer(self -> sneakyThrow(new java.io.IOException("from __del__"))));
                long a = GcTestSupport.selfCycle(s, cls);
                long holder = s.lists().newList();
                long wr = s.weakrefs().newRef(a, r -> sneakyThrow(new java.io.IOException("from the callback")));
                s.lists().append(holder, wr);
                s.decref(wr);
                s.gc().callbacks().add((phase, info) -> sneakyThrow(new java.io.IOException("from a gc callback")));
                s.decref(a);
                assertEquals(1, s.gc().collect());
                s.checkInvariants();
                s.gc().callbacks().clear();
                long b = s.classes().newInstance(cls);
                s.decref(b); // the finalizer again, at refcount death
                s.decref(holder);
                s.decref(cls);
                assertEquals(0, s.liveObjectCount());
            }
        });
        assertEquals(List.of("from a gc callback", "from the callback", "from __del__", "from a gc callback",
                "from __del__"), reported.stream().map(Throwable::getMessage).toList());
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable e) throws T {
        throw (T) e;
    }

    /**
     * Finalizers and weakref callbacks run by a collection that fill the memory to its limit:
     * no collection may run for memory then (one is running), the allocation that does not fit
     * fails in the finalizer, and the collection ends with the heap whole.
     */
    @Test
    void finalizersThatFillTheMemoryDuringACollectionLeaveTheHeapWhole() {
        try (org.pymalloc4j.allocator.Memory memory = org.pymalloc4j.allocator.Memory.builder().limit(4L << 20).build();
             ObjectSpace s = ObjectSpace.builder().memory(memory).traceRefs(true).build()) {
            List<Long> filler = new ArrayList<>();
            List<Throwable> reported = GcTestSupport.reportedDuring(() -> {
                long cls = s.classes().newClass(ClassSpec.named("Filler").slots(1).weakReferenceable().finalizer(self -> {
                    Fill.untilRefused(filler, () -> s.lists().newList());
                    s.lists().newList(); // refused, reported
                }));
                long a = GcTestSupport.selfCycle(s, cls);
                long b = GcTestSupport.selfCycle(s, cls);
                long holder = s.lists().newList();
                long wr = s.weakrefs().newRef(a, r -> {
                    Fill.untilRefused(filler, () -> s.tuples().newTuple(3)); // runs first: handle_weakrefs
                    s.dicts().newDict(); // refused, reported
                });
                s.lists().append(holder, wr);
                s.decref(wr);
                s.decref(a);
                s.decref(b);
                long before = s.gc().getStats().get(2).collected();
                s.gc().collect();
                assertEquals(before + 2, s.gc().getStats().get(2).collected());
                s.checkInvariants();
                for (long o : filler) {
                    s.decref(o);
                }
                s.decref(holder);
                s.decref(cls);
            });
            assertEquals(3, reported.size(), reported.toString());
            reported.forEach(e -> assertTrue(e instanceof org.pymalloc4j.allocator.MemoryLimitExceededError, e.toString()));
            s.gc().collect();
            s.checkInvariants();
            assertEquals(0, s.liveObjectCount());
        }
    }
}
