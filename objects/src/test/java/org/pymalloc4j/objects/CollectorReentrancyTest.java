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
     * CPython's default unraisable hook ignores a failing {@code sys.stderr}: with a throwing
     * thread handler and a {@code System.err} that throws too, the collection still goes on.
     */
    @Test
    void aThrowingHandlerAndAThrowingSystemErrLeaveTheCollectionWhole() {
        Thread thread = Thread.currentThread();
        Thread.UncaughtExceptionHandler before = thread.getUncaughtExceptionHandler();
        PrintStream err = System.err;
        System.setErr(new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                throw new java.io.UncheckedIOException(new java.io.IOException("stderr closed"));
            }
        }, true, StandardCharsets.UTF_8));
        thread.setUncaughtExceptionHandler((t, e) -> {
            throw new IllegalStateException("handler failed on " + e.getMessage());
        });
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            long cls = s.classes().newClass(ClassSpec.named("A").slots(1).finalizer(self -> {
                throw new IllegalArgumentException("from __del__");
            }));
            s.decref(GcTestSupport.selfCycle(s, cls));
            s.decref(GcTestSupport.selfCycle(s, cls));
            assertEquals(2, s.gc().collect());
            s.checkInvariants();
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        } finally {
            thread.setUncaughtExceptionHandler(before);
            System.setErr(err);
        }
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

    /**
     * The reference finalize_garbage holds across a finalizer is the object's last once the
     * finalizer broke its cycle; releasing it deallocates the object, whose slot held the last
     * counted reference to None (999,999,998 stray decrefs, simulated): the static deallocation
     * is refused with an IllegalStateException, which is reported as unraisable like the
     * collection's other late refusals, not thrown out of the middle of the collection.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "checked={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aRefusalWhileReleasingAFinalizedObjectIsReportedAndTheCollectionFinishes(boolean checked) {
        try (ObjectSpace s = ObjectSpace.builder().checked(checked).traceRefs(true).build()) {
            s.gc().disable();
            long none = s.none();
            long cls = s.classes().newClass(ClassSpec.named("Breaker").slots(2).finalizer(self -> s.classes().setSlot(self, 0, 0)));
            long a = GcTestSupport.selfCycle(s, cls);
            s.classes().setSlot(a, 1, none);
            long b = GcTestSupport.selfCycle(s, cls); // a second candidate, still in the collection's lists then
            s.decref(a);
            s.decref(b);
            org.pymalloc4j.allocator.internal.NativeMemory.putLong(none, 1);
            long[] n = new long[1];
            List<Throwable> reported = GcTestSupport.reportedDuring(() -> n[0] = s.gc().collect());
            assertEquals(0, n[0], "both freed by the release after their finalizer, before delete_garbage (3.11: 0)");
            assertEquals(1, reported.size(), reported.toString());
            assertTrue(reported.get(0) instanceof IllegalStateException
                    && reported.get(0).getMessage().contains("NoneType"), reported.get(0).toString());
            assertEquals(999_999_999L, s.refcount(none));
            s.checkInvariants();
            s.decref(cls);
            assertEquals(0, s.liveObjectCount(), () -> s.liveObjects().toString());
        }
    }

    /**
     * 3.11.7: a {@code __del__} calling {@code gc.freeze()} in a collection of generation 0 leaves
     * the counts (0, 0, 0) (the collection's own count[1]++ frozen away too), generation 1 empty
     * and the survivors frozen, still tracked; the cycle is collected all the same.
     */
    @Test
    void aFinalizerThatFreezesDuringACollectionFreezesTheSurvivorsAsCpythonDoes() {
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            long cls = s.classes().newClass(ClassSpec.named("A").slots(1).finalizer(self -> s.gc().freeze()));
            s.gc().collect();
            long l = s.lists().newList();
            s.decref(GcTestSupport.selfCycle(s, cls));
            assertEquals(1, s.gc().collect(0));
            org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 0, 0}, s.gc().getCount());
            assertTrue(s.gc().getFreezeCount() > 0);
            assertTrue(s.gc().isTracked(l) && !s.gc().getObjects().contains(l));
            assertEquals(List.of(), s.gc().getObjects(1));
            s.checkInvariants();
            s.gc().unfreeze();
            s.checkInvariants();
            s.decref(l);
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        }
    }

    /**
     * 3.11.7: a weakref with a callback that a {@code __del__} makes to its own (unresurrected)
     * object during a collection is not cleared by handle_weakrefs, which ran before; the
     * callback runs when delete_garbage frees the object, and the weakref is dead after.
     */
    @Test
    void aWeakrefAFinalizerMakesToItsObjectHasItsCallbackRunWhenTheCollectionFreesIt() {
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            List<String> log = new ArrayList<>();
            long keep = s.lists().newList();
            long cls = s.classes().newClass(ClassSpec.named("A").slots(1).weakReferenceable().finalizer(self -> {
                long wr = s.weakrefs().newRef(self, w -> log.add("cb"));
                s.lists().append(keep, wr);
                s.decref(wr);
            }));
            s.decref(GcTestSupport.selfCycle(s, cls));
            assertEquals(1, s.gc().collect());
            assertEquals(List.of("cb"), log);
            assertEquals(s.none(), s.weakrefs().get(s.lists().get(keep, 0)));
            s.checkInvariants();
            s.decref(keep);
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        }
    }
}
