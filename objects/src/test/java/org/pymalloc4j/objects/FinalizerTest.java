package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.objects.GcTestSupport.reportedDuring;
import static org.pymalloc4j.objects.GcTestSupport.selfCycle;

/**
 * PEP 442 finalizers (run once, may resurrect, reported when they throw), legacy finalizers
 * (their cycles end in {@code gc.garbage}, uncollectable), and code the collector runs that
 * allocates or collects. Each CPython 3.11 fact is quoted from python3.11.
 */
class FinalizerTest {
    @Test
    void aFinalizerRunsBeforeTheWeakrefCallbacksOnRefcountDeathAndAfterThemInACollection() {
        // class F: __slots__ = ('a', '__weakref__'); def __del__(self): events.append(("del", w() is None))
        // f = F(); w = weakref.ref(f, lambda r: events.append("cb")); del f   -> [("del", False), "cb"]
        // f = F(); f.a = f; w = weakref.ref(f, ...); del f; gc.collect()     -> 1, ["cb", ("del", True)]
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            List<String> events = new ArrayList<>();
            long[] wr = new long[1];
            long cls = s.classes().newClass(ClassSpec.named("F").slots(1).weakReferenceable()
                    .finalizer(self -> events.add("del " + (s.weakrefs().get(wr[0]) == s.none()))));
            long f = s.classes().newInstance(cls);
            wr[0] = s.weakrefs().newRef(f, ref -> events.add("cb"));
            s.decref(f);
            assertEquals(List.of("del false", "cb"), events);
            s.decref(wr[0]);
            events.clear();
            f = selfCycle(s, cls);
            wr[0] = s.weakrefs().newRef(f, ref -> events.add("cb"));
            s.decref(f);
            assertEquals(1, s.gc().collect());
            assertEquals(List.of("cb", "del true"), events);
            s.decref(wr[0]);
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        }
    }

    @Test
    void clearingTheFreeListsAtAFullCollectionUncountsTheParkedGcObjectsAsPyObjectGcDel() {
        // class G: __slots__ = ('a',)
        // class F: __slots__ = ('a',); def __del__(self): keep.extend(G() for _ in range(50))
        // f = F(); f.a = f; del f; gc.collect(); gc.get_count()[0]  -> 49 (50 made, f's GC_Del)
        // the same after ts = [(i, i) for i in range(30)]; del ts     -> 18 (python3.11.7): the 30
        // tuples and the list, parked on their free lists, are freed by PyObject_GC_Del when the
        // full collection clears the free lists; floats are no GC objects and count for nothing
        try (ObjectSpace s = ObjectSpace.builder().build()) {
            s.gc().disable();
            List<Long> keep = new ArrayList<>();
            long plain = s.classes().newClass(ClassSpec.named("G").slots(1));
            long cls = s.classes().newClass(ClassSpec.named("F").slots(1).finalizer(self -> {
                for (int i = 0; i < 50; i++) {
                    keep.add(s.classes().newInstance(plain));
                }
            }));
            s.decref(selfCycle(s, cls));
            assertEquals(1, s.gc().collect());
            assertEquals(49, s.gc().getCount()[0], "the finalizer's 50, less F's own PyObject_GC_Del");
            keep.forEach(s::decref);
            keep.clear();
            s.gc().collect(); // the free lists are empty now

            long list = s.lists().newList();
            for (int i = 0; i < 30; i++) {
                s.lists().append(list, s.tuples().of(s.none(), s.none()));
                s.decref(s.lists().get(list, i)); // the list holds the tuple's only reference
            }
            for (int i = 0; i < 5; i++) {
                s.decref(s.floats().newFloat(i));
            }
            s.decref(list); // parks the list and its 30 tuples, the 5 floats parked already
            s.decref(selfCycle(s, cls));
            assertEquals(1, s.gc().collect());
            assertEquals(49 - 31, s.gc().getCount()[0], "and less the 31 parked GC objects freed");
            keep.forEach(s::decref);
            s.decref(cls);
            s.decref(plain);
            assertEquals(0, s.liveObjectCount());
        }
    }

    @Test
    void aFinalizerThatResurrectsInACollectionRunsOnlyOnce() {
        // class F: __slots__ = ('a',); def __del__(self): events.append("del"); saved.append(self)
        // f = F(); f.a = f; del f; gc.collect() -> 0; events -> ["del"]; gc.is_finalized(saved[0]) -> True
        // f = saved.pop(); del f; gc.collect() -> 1; events -> ["del"]  (not called again)
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            List<Long> saved = new ArrayList<>();
            long cls = s.classes().newClass(ClassSpec.named("F").slots(1).finalizer(self -> {
                s.incref(self);
                saved.add(self);
            }));
            long f = selfCycle(s, cls);
            assertFalse(s.gc().isFinalized(f));
            s.decref(f);
            assertEquals(0, s.gc().collect(), "resurrected: nothing collected");
            assertEquals(List.of(f), saved);
            assertTrue(s.gc().isFinalized(f));
            assertEquals(f, s.classes().getSlot(f, 0), "a resurrected object is untouched");
            s.checkInvariants();
            s.decref(f);
            assertEquals(1, s.gc().collect());
            assertEquals(1, saved.size(), "the finalizer ran once");
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        }
    }

    @Test
    void aFinalizerThatResurrectsOnRefcountDeathRunsOnlyOnce() {
        // class R: __slots__ = ('a',); def __del__(self): events.append("del"); saved.append(self)
        // r = R(); del r -> events ["del"]; gc.is_finalized(saved[0]) -> True; saved.clear() -> events still ["del"]
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            List<Long> saved = new ArrayList<>();
            long cls = s.classes().newClass(ClassSpec.named("R").slots(1).finalizer(self -> {
                s.incref(self);
                saved.add(self);
            }));
            long r = s.classes().newInstance(cls);
            s.decref(r);
            assertEquals(List.of(r), saved);
            assertEquals(1, s.refcount(r));
            assertTrue(s.gc().isFinalized(r));
            assertTrue(s.gc().isTracked(r), "a resurrected object is tracked again");
            s.decref(r);
            assertEquals(1, saved.size(), "the finalizer ran once");
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
            s.checkInvariants();
        }
    }

    @Test
    void aThrowingFinalizerIsReportedAndTheCollectionFreesEverything() {
        // class T: __slots__ = ('a',); def __del__(self): raise ValueError("boom")
        // t = T(); t.a = t; del t; gc.collect() -> 1, "Exception ignored in: <function T.__del__ ...>"
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            long cls = s.classes().newClass(ClassSpec.named("T").slots(1).finalizer(self -> {
                throw new IllegalStateException("boom");
            }));
            List<LiveObject> baseline = s.liveObjects();
            long a = s.classes().newInstance(cls);
            long b = s.classes().newInstance(cls);
            long c = s.classes().newInstance(cls);
            s.classes().setSlot(a, 0, b);
            s.classes().setSlot(b, 0, c);
            s.classes().setSlot(c, 0, a);
            for (long o : new long[] {a, b, c}) {
                s.decref(o);
            }
            long[] found = new long[1];
            List<Throwable> reported = reportedDuring(() -> found[0] = s.gc().collect());
            assertEquals(3, found[0]);
            assertEquals(3, reported.size());
            for (Throwable e : reported) {
                assertEquals("boom", e.getMessage());
            }
            assertEquals(baseline, s.liveObjects(), "nothing leaked");
            s.checkInvariants();
            s.decref(cls);
        }
    }

    @Test
    void legacyFinalizerCyclesAreUncollectableAndStaySo() {
        // @_testcapi.with_tp_del class L: __slots__ = ('a',); def __tp_del__(self): events.append("tp_del")
        // l = L(); l.a = [l]; del l
        // gc.collect() -> 2; gc.garbage -> [L]; get_stats()[2] uncollectable 2; stop info
        //   {'generation': 2, 'collected': 0, 'uncollectable': 2}; events -> []
        // gc.garbage.clear(); gc.collect() -> 2; gc.garbage -> [L]; uncollectable 4
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            Collector gc = s.gc();
            gc.disable();
            List<String> events = new ArrayList<>();
            long cls = s.classes().newClass(ClassSpec.named("L").slots(1).legacyFinalizer(self -> events.add("tp_del")));
            List<Collector.Info> stops = new ArrayList<>();
            gc.callbacks().add((phase, info) -> {
                if (phase == Collector.Phase.STOP) {
                    stops.add(info);
                }
            });
            long l = GcTestSupport.inListCycle(s, cls);
            s.decref(l);
            long garbage = gc.garbage();
            for (int round = 1; round <= 2; round++) {
                assertEquals(2, gc.collect());
                assertEquals(1, s.lists().size(garbage));
                assertEquals(l, s.lists().get(garbage, 0), "only the object with tp_del is listed");
                assertEquals(new Collector.GenerationStats(round, 0, 2L * round), gc.getStats().get(2));
                assertEquals(new Collector.Info(2, 0, 2), stops.get(stops.size() - 1));
                assertEquals(List.of(), events, "the collector never runs tp_del");
                s.checkInvariants();
                if (round == 1) {
                    s.lists().clear(garbage); // the cycle is unreachable again, and uncollectable again
                    assertEquals(0, s.lists().size(garbage));
                }
            }
            // break the cycle by hand: then the refcount frees it, running tp_del
            s.incref(l);
            s.lists().clear(garbage);
            s.classes().setSlot(l, 0, 0);
            s.decref(l);
            assertEquals(List.of("tp_del"), events);
            gc.callbacks().clear();
            s.decref(cls);
            assertEquals(1, s.liveObjectCount(), "only gc.garbage, the list itself, is left");
        }
    }

    /**
     * gc.garbage lists the unreachable objects with tp_del, not what they reach (which is counted
     * as uncollectable all the same); a tp_del object that only garbage reaches is freed, tp_del
     * run, when that garbage is cleared, and then not counted; a weakref the legacy set reaches is
     * not garbage, so its callback runs.
     */
    @Test
    void gcGarbageListsTheLegacyFinalizersAloneAndCountsWhatTheyReach() {
        // L = _testcapi.with_tp_del(class L: __slots__ = ('x', '__weakref__'); def __tp_del__(self): log.append('tp_del'))
        // P: the same without __tp_del__ (python3.11.7, gc disabled):
        // a = L(); b = P(); a.x = b; b.x = a; del a, b; gc.collect()      -> 2, garbage [L], log []
        // u = P(); u.x = [u, L()]; del u; gc.collect()                    -> 2, garbage [], log ['tp_del']
        // a = L(); p = P(); p.x = p; a.x = [a, weakref.ref(p, cb)]; del a, p; gc.collect()
        //                                     -> 4 (3 here: the lambda is an object there), garbage [L], log ['cb']
        // gc.set_debug(gc.DEBUG_SAVEALL); a = L(); a.x = [a]; p = P(); p.x = p; del a, p; gc.collect()
        //                                     -> 3, garbage [P, L, list]
        try (ObjectSpace s = ObjectSpace.create()) {
            Collector gc = s.gc();
            gc.disable();
            List<String> log = new ArrayList<>();
            long cl = s.classes().newClass(ClassSpec.named("L").slots(1).weakReferenceable().legacyFinalizer(o -> log.add("tp_del")));
            long cp = s.classes().newClass(ClassSpec.named("P").slots(1).weakReferenceable());
            long garbage = gc.garbage();

            long a = s.classes().newInstance(cl);
            long b = s.classes().newInstance(cp);
            s.classes().setSlot(a, 0, b);
            s.classes().setSlot(b, 0, a);
            s.decref(a);
            s.decref(b);
            assertEquals(2, gc.collect());
            assertEquals(List.of("L"), typeNames(s, garbage), "b, which a reaches, is not listed");
            assertEquals(List.of(), log);
            s.classes().setSlot(a, 0, s.none());
            s.lists().clear(garbage); // a and b go by their refcounts
            assertEquals(List.of("tp_del"), log);
            log.clear();

            long u = s.classes().newInstance(cp);
            long list = s.lists().newList();
            s.lists().append(list, u);
            long d = s.classes().newInstance(cl);
            s.lists().append(list, d);
            s.decref(d);
            s.classes().setSlot(u, 0, list);
            s.decref(list);
            s.decref(u);
            assertEquals(2, gc.collect(), "u and the list; d, freed as they were cleared, is not counted");
            assertEquals(List.of(), typeNames(s, garbage));
            assertEquals(List.of("tp_del"), log);
            log.clear();

            a = s.classes().newInstance(cl);
            long p = s.classes().newInstance(cp);
            s.classes().setSlot(p, 0, p);
            list = s.lists().newList();
            s.lists().append(list, a);
            long w = s.weakrefs().newRef(p, r -> log.add("cb"));
            s.lists().append(list, w);
            s.classes().setSlot(a, 0, list);
            s.decref(list);
            s.decref(a);
            s.decref(p);
            assertEquals(3, gc.collect(), "p collected; a and its list uncollectable; w moved out of the legacy set");
            assertEquals(List.of("L"), typeNames(s, garbage));
            assertEquals(List.of("cb"), log);
            assertEquals(s.none(), s.weakrefs().get(w));
            s.lists().clear(list);
            s.lists().clear(garbage);
            log.clear();

            gc.setDebug(Collector.DEBUG_SAVEALL);
            a = s.classes().newInstance(cl);
            list = s.lists().newList();
            s.lists().append(list, a);
            s.classes().setSlot(a, 0, list);
            s.decref(list);
            s.decref(a);
            p = s.classes().newInstance(cp);
            s.classes().setSlot(p, 0, p);
            s.decref(p);
            assertEquals(3, gc.collect());
            assertEquals(List.of("P", "L", "list"), typeNames(s, garbage), "the collectable first, then the legacy set");
            gc.setDebug(0);
            s.classes().setSlot(p, 0, s.none());
            s.lists().clear(list);
            s.lists().clear(garbage);
            assertEquals(List.of("tp_del"), log);
            s.decref(cl);
            s.decref(cp);
            s.checkInvariants();
        }
    }

    private static List<String> typeNames(ObjectSpace s, long list) {
        List<String> names = new ArrayList<>();
        for (long i = 0; i < s.lists().size(list); i++) {
            names.add(s.typeName(s.lists().get(list, i)));
        }
        return names;
    }

    @Test
    void aFinalizerMayAllocateAndItsCollectReturnsZero() {
        // class A: __slots__ = ('a',)
        //     def __del__(self): x = [[] for i in range(1000)]; events.append(gc.collect())
        // a = A(); a.a = a; del a; gc.collect() -> 1; events -> [0]
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            List<Long> inside = new ArrayList<>();
            long cls = s.classes().newClass(ClassSpec.named("A").slots(1).finalizer(self -> {
                long x = s.lists().newList();
                for (int i = 0; i < 1000; i++) { // past threshold 700: no automatic collection starts
                    long item = s.lists().newList();
                    s.lists().append(x, item);
                    s.decref(item);
                }
                inside.add(s.gc().collect());
                s.decref(x);
            }));
            s.gc().collect();
            long collectionsBefore = s.gc().getStats().get(0).collections();
            s.decref(selfCycle(s, cls));
            assertEquals(1, s.gc().collect());
            assertEquals(List.of(0L), inside);
            assertEquals(collectionsBefore, s.gc().getStats().get(0).collections(), "no collection inside the collection");
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
            s.checkInvariants();
        }
    }

    @Test
    void aWeakrefCallbackRunByTheCollectorMayAllocateAndItsCollectReturnsZero() {
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            long cls = s.classes().newClass(ClassSpec.named("C").slots(1).weakReferenceable());
            List<Long> inside = new ArrayList<>();
            long[] made = new long[1];
            long wr = s.weakrefs().newRef(selfCycle(s, cls), ref -> {
                made[0] = GcTestSupport.selfList(s); // new garbage, not seen by this collection
                inside.add(s.gc().collect());
            });
            s.decref(s.weakrefs().get(wr));
            assertEquals(1, s.gc().collect());
            assertEquals(List.of(0L), inside);
            s.decref(made[0]);
            assertEquals(1, s.gc().collect(), "the callback's cycle is found by the next collection");
            s.decref(wr);
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        }
    }

    /**
     * close() from code the space runs, a collection or a deallocation still under way, is
     * refused: it unmapped the memory under them, and the JVM died (SIGSEGV) in the collection
     * a gc callback's close() had let go on. The refusal is reported as the code's exception is.
     */
    @Test
    void closeFromCodeTheSpaceRunsIsRefusedAndTheSpaceWorksOn() {
        ObjectSpace s = ObjectSpace.create();
        long[] wr = closeRefusedInEveryCallback(s, s::close, "close() called from code the space is running (a finalizer,"
                + " a weakref callback or a gc callback) while a collection or a deallocation is under way: close it once"
                + " that returns");
        assertFalse(s.isClosed());
        s.gc().callbacks().clear();
        s.decref(wr[0]);
        s.decref(wr[1]);
        s.checkInvariants();
        s.close();
        assertTrue(s.isClosed());
        assertTrue(s.leakReport().isClean(), s.leakReport().toString());
    }

    /**
     * The same for the {@link Memory} under a space that was given it: its close() from code the
     * space runs, mid-collection or mid-deallocation, would unmap the objects the collection is
     * walking. It is refused, saying why, and memory and space work on.
     */
    @Test
    void closingTheMemoryUnderASpaceFromCodeTheSpaceRunsIsRefused() {
        try (Memory memory = Memory.create()) {
            ObjectSpace s = ObjectSpace.builder().memory(memory).build();
            long[] wr = closeRefusedInEveryCallback(s, memory::close, "this Memory cannot close now: an ObjectSpace over"
                    + " it is in a collection or a deallocation (close() called from a finalizer, a weakref callback or a"
                    + " gc callback?); close it once that returns");
            assertFalse(memory.isClosed());
            assertFalse(s.isClosed());
            s.gc().callbacks().clear();
            s.decref(wr[0]);
            s.decref(wr[1]);
            s.checkInvariants();
            s.close();
            assertTrue(s.leakReport().isClean(), s.leakReport().toString());
        }
    }

    /**
     * checkInvariants() from code a collection or a deallocation runs is refused as such: the
     * scratch lists and the trashcan are mid-way then, and it failed as if an invariant were
     * broken ("collector running between operations"). Between operations it passes.
     */
    @Test
    void checkInvariantsFromCodeTheSpaceRunsIsRefusedAsSuch() {
        try (ObjectSpace s = ObjectSpace.create()) {
            long[] wr = closeRefusedInEveryCallback(s, s::checkInvariants, "checkInvariants() called from code the space"
                    + " is running (a finalizer, a weakref callback or a gc callback) while a collection or a deallocation"
                    + " is under way: call it once that returns");
            s.gc().callbacks().clear();
            s.decref(wr[0]);
            s.decref(wr[1]);
            s.checkInvariants();
        }
    }

    /**
     * Calls {@code close} from a gc callback (START and STOP), the collector's finalizer, refcount
     * death's finalizer and a weakref callback: each is refused with {@code message}, reported as
     * unraisable. Returns the weakref and the class, for the caller to release.
     */
    private static long[] closeRefusedInEveryCallback(ObjectSpace s, Runnable close, String message) {
        long[] wrAndClass = new long[2];
        long cls = s.classes().newClass(ClassSpec.named("F").slots(1).weakReferenceable().finalizer(self -> close.run()));
        wrAndClass[1] = cls;
        s.gc().callbacks().add((phase, info) -> close.run());
        List<Throwable> reported = reportedDuring(() -> {
            s.decref(selfCycle(s, cls));
            assertEquals(1, s.gc().collect(), "a gc callback's close() and the finalizer's are refused");
            long f = s.classes().newInstance(cls);
            wrAndClass[0] = s.weakrefs().newRef(f, ref -> close.run());
            s.decref(f);                                  // the finalizer, then the weakref callback
        });
        assertEquals(5, reported.size(), reported.toString()); // START, the finalizer, STOP; the finalizer, the callback
        for (Throwable t : reported) {
            assertEquals(IllegalStateException.class, t.getClass());
            assertEquals(message, t.getMessage());
        }
        return wrAndClass;
    }
}
