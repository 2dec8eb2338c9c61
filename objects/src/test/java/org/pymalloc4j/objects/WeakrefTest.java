package org.pymalloc4j.objects;

import java.lang.foreign.MemoryLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.objects.GcTestSupport.selfCycle;

/**
 * Weak references: sharing of the basic ref, list order, callbacks on death by refcount and in
 * collections, sizes and layout, each as CPython 3.11 does (the Python checked is quoted).
 */
class WeakrefTest {
    /** {@code class C: __slots__ = ('a', '__weakref__')}. */
    private static long weakReferenceableClass(ObjectSpace s) {
        return s.classes().newClass(ClassSpec.named("C").slots(1).weakReferenceable());
    }

    @Test
    void theBasicRefIsSharedAndListedFirstThenCallbackRefsNewestFirst() {
        // o = C(); a = weakref.ref(o, cb); b = weakref.ref(o, cb); r = weakref.ref(o)
        // weakref.ref(o) is weakref.ref(o) -> True; getweakrefs(o) -> [r, b, a]
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            WeakrefApi w = s.weakrefs();
            long cls = weakReferenceableClass(s);
            long o = s.classes().newInstance(cls);
            WeakrefApi.Callback ignore = ref -> { };
            long a = w.newRef(o, ignore);
            long b = w.newRef(o, ignore);
            assertNotEquals(a, b, "a ref with a callback is never shared");
            long r = w.newRef(o);
            assertEquals(r, w.newRef(o), "the basic ref is shared");
            assertEquals(2, s.refcount(r));
            assertEquals(List.of(r, b, a), w.refsTo(o));
            assertEquals(3, w.count(o));
            assertEquals(o, w.get(r));
            assertEquals(1, s.refcount(o), "weakrefs and get() take no reference");
            assertEquals("weakref.ReferenceType", s.typeName(r));
            s.decref(b);
            assertEquals(List.of(r, a), w.refsTo(o), "a dead weakref leaves the list");
            s.decref(r);
            s.decref(r);
            assertEquals(List.of(a), w.refsTo(o));
            long r2 = w.newRef(o);
            assertEquals(List.of(r2, a), w.refsTo(o), "a new basic ref goes to the head");
            for (long x : new long[] {r2, a, o, cls}) {
                s.decref(x);
            }
            assertEquals(0, s.liveObjectCount());
            s.checkInvariants();
        }
    }

    @Test
    void callbacksRunNewestFirstWhenTheReferentDiesByRefcountAndSeeItDead() {
        // o = C(); a = weakref.ref(o, lambda r: print("a", r() is None)); b = ... "b"; del o
        // prints "b True" then "a True"
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            WeakrefApi w = s.weakrefs();
            long cls = weakReferenceableClass(s);
            long o = s.classes().newInstance(cls);
            List<String> events = new ArrayList<>();
            long a = w.newRef(o, ref -> events.add("a " + (w.get(ref) == s.none())));
            long b = w.newRef(o, ref -> events.add("b " + (w.get(ref) == s.none())));
            long basic = w.newRef(o);
            s.decref(o);
            assertEquals(List.of("b true", "a true"), events);
            for (long ref : new long[] {a, b, basic}) {
                assertEquals(s.none(), w.get(ref));
                s.decref(ref);
            }
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        }
    }

    @Test
    void aCallbackThatThrowsIsReportedAndTheOthersStillRun() {
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            WeakrefApi w = s.weakrefs();
            long cls = weakReferenceableClass(s);
            long o = s.classes().newInstance(cls);
            List<String> events = new ArrayList<>();
            long a = w.newRef(o, ref -> events.add("a"));
            long b = w.newRef(o, ref -> {
                throw new IllegalStateException("callback b");
            });
            List<Throwable> reported = GcTestSupport.reportedDuring(() -> s.decref(o));
            assertEquals(List.of("a"), events);
            assertEquals(1, reported.size());
            assertEquals("callback b", reported.get(0).getMessage());
            s.decref(a);
            s.decref(b);
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        }
    }

    @Test
    void aWeakrefThatIsGarbageItselfHasItsCallbackSkipped() {
        // def note(r): events.append("callback")
        // o = C(); o2 = C(); o2.a = weakref.ref(o, note); o.a = [o, o2]; del o, o2
        // gc.collect() -> 4 (o, the list, o2, the weakref); events -> []
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            long cls = weakReferenceableClass(s);
            long o = s.classes().newInstance(cls);
            long o2 = s.classes().newInstance(cls);
            List<String> events = new ArrayList<>();
            long wr = s.weakrefs().newRef(o, ref -> events.add("callback"));
            s.classes().setSlot(o2, 0, wr);
            s.decref(wr);
            long list = s.lists().newList();
            s.lists().append(list, o);
            s.lists().append(list, o2);
            s.classes().setSlot(o, 0, list);
            for (long x : new long[] {list, o, o2}) {
                s.decref(x);
            }
            assertEquals(4, s.gc().collect());
            assertEquals(List.of(), events);
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        }
    }

    @Test
    void aSurvivingWeakrefsCallbackRunsDuringCollectionAndSeesItDead() {
        // o = C(); o.a = o; w = weakref.ref(o, lambda r: events.append(r() is None)); del o
        // gc.collect() -> 1; events -> [True]
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            long cls = weakReferenceableClass(s);
            long o = selfCycle(s, cls);
            List<Boolean> events = new ArrayList<>();
            long wr = s.weakrefs().newRef(o, ref -> events.add(s.weakrefs().get(ref) == s.none()));
            s.decref(o);
            assertEquals(1, s.gc().collect());
            assertEquals(List.of(true), events);
            assertEquals(s.none(), s.weakrefs().get(wr));
            s.decref(wr);
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
        }
    }

    @Test
    void collectCountsAWeakrefFreedByItsOwnCallback() {
        // holder = {}; o = C(); o.a = o
        // def cb(r): del holder['w']
        // holder['w'] = weakref.ref(o, cb); del o; gc.collect() -> 2 (o and the weakref)
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            long cls = weakReferenceableClass(s);
            long o = selfCycle(s, cls);
            long[] holder = new long[1];
            holder[0] = s.weakrefs().newRef(o, ref -> {
                s.decref(holder[0]);
                holder[0] = 0;
            });
            s.decref(o);
            assertEquals(2, s.gc().collect());
            assertEquals(0, holder[0]);
            assertEquals(new Collector.GenerationStats(1, 2, 0), s.gc().getStats().get(2));
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
            s.checkInvariants();
        }
    }

    @Test
    void aWeakrefDying50DeallocationsDeepIsUnlinkedAtOnce() {
        // weakref_dealloc has no trashcan: the weakref is gone before F's finalizer collects x
        // class F: __slots__ = (); def __del__(self): res.append(gc.collect())
        // x = C(); x.a = x; wr = weakref.ref(x, lambda r: events.append('cb')); del x
        // inner = [wr]; del wr; 48 times: inner = [inner]; top = [F(), inner]; del inner; del top
        // res -> [1]; events -> []
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            long cls = weakReferenceableClass(s);
            long x = selfCycle(s, cls);
            List<String> events = new ArrayList<>();
            long wr = s.weakrefs().newRef(x, ref -> events.add("cb"));
            s.decref(x);
            long[] collected = {-1};
            long fin = s.classes().newClass(ClassSpec.named("F").finalizer(self -> collected[0] = s.gc().collect()));
            long inner = s.lists().newList();
            s.lists().append(inner, wr);
            s.decref(wr);
            for (int i = 0; i < 48; i++) { // top is the 1st list, inner the 50th: wr is released 50 deep
                long outer = s.lists().newList();
                s.lists().append(outer, inner);
                s.decref(inner);
                inner = outer;
            }
            long top = s.lists().newList();
            long f = s.classes().newInstance(fin);
            s.lists().append(top, f);
            s.decref(f);
            s.lists().append(top, inner);
            s.decref(inner);
            s.decref(top); // items last first: the chain, then f, whose finalizer collects x
            assertEquals(1, collected[0]);
            assertEquals(List.of(), events);
            s.decref(fin);
            s.decref(cls);
            assertEquals(0, s.liveObjectCount());
            s.checkInvariants();
        }
    }

    @Test
    void onlyInstancesOfWeakReferenceableClassesAndClassesCanBeReferenced() {
        // weakref.ref([]) / weakref.ref(1) -> TypeError: cannot create weak reference to 'list' object
        try (ObjectSpace s = ObjectSpace.create()) {
            WeakrefApi w = s.weakrefs();
            long list = s.lists().newList();
            long big = s.ints().newInt(1 << 20);
            long plain = s.classes().newClass("D", 1);
            long instance = s.classes().newInstance(plain);
            for (long o : new long[] {list, big, instance}) {
                assertFalse(w.canReference(o));
                assertEquals(0, w.count(o));
                assertEquals(List.of(), w.refsTo(o));
                WrongTypeException e = assertThrows(WrongTypeException.class, () -> w.newRef(o));
                assertTrue(e.getMessage().startsWith("cannot create weak reference to '" + s.typeName(o) + "' object"),
                        e.getMessage());
                assertEquals(e.getMessage(), assertThrows(WrongTypeException.class, () -> w.newRef(o, ref -> { })).getMessage());
            }
            assertTrue(w.canReference(plain), "classes themselves can be weakly referenced");
            long cls = weakReferenceableClass(s);
            long referenceable = s.classes().newInstance(cls);
            assertTrue(w.canReference(referenceable));
            for (long o : new long[] {list, big, instance, plain, referenceable, cls}) {
                s.decref(o);
            }
        }
    }

    @Test
    void aWeakrefToAClassCallsBackWhenTheClassGoes() {
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            long cls = s.classes().newClass("D", 0);
            List<Long> called = new ArrayList<>();
            long wr = s.weakrefs().newRef(cls, called::add);
            assertEquals(cls, s.weakrefs().get(wr));
            s.decref(cls);
            assertEquals(List.of(wr), called);
            assertEquals(s.none(), s.weakrefs().get(wr));
            s.decref(wr);
            assertEquals(0, s.liveObjectCount());
        }
    }

    @Test
    void sizesAreCpython311s() {
        // class C: __slots__ = ('a', '__weakref__');  class D: __slots__ = ('a',)
        // sys.getsizeof(C()) -> 48; sys.getsizeof(D()) -> 40; sys.getsizeof(weakref.ref(C())) -> 80
        try (ObjectSpace s = ObjectSpace.create()) {
            long c = weakReferenceableClass(s);
            long d = s.classes().newClass("D", 1);
            long ci = s.classes().newInstance(c);
            long di = s.classes().newInstance(d);
            long wr = s.weakrefs().newRef(ci);
            assertEquals(48, s.sizeOf(ci));
            assertEquals(40, s.sizeOf(di));
            assertEquals(80, s.sizeOf(wr));
            for (long o : new long[] {wr, ci, di, c, d}) {
                s.decref(o);
            }
        }
    }

    @Test
    void weakrefConstantsMatchTheStructLayout() {
        MemoryLayout wr = BuiltinLayouts.PY_WEAK_REFERENCE;
        assertEquals(BuiltinLayouts.WEAKREF_LENGTH, wr.byteSize());
        assertEquals(BuiltinLayouts.WR_OBJECT_OFFSET, LayoutTest.offset(wr, "wr_object"));
        assertEquals(BuiltinLayouts.WR_CALLBACK_OFFSET, LayoutTest.offset(wr, "wr_callback"));
        assertEquals(BuiltinLayouts.WR_HASH_OFFSET, LayoutTest.offset(wr, "hash"));
        assertEquals(BuiltinLayouts.WR_PREV_OFFSET, LayoutTest.offset(wr, "wr_prev"));
        assertEquals(BuiltinLayouts.WR_NEXT_OFFSET, LayoutTest.offset(wr, "wr_next"));
        assertEquals(BuiltinLayouts.WR_VECTORCALL_OFFSET, LayoutTest.offset(wr, "vectorcall"));
    }

    /**
     * checkInvariants() checked no weakref list: a weakref unlinked from its referent's list
     * (whose callback would then never run) or linked to the wrong neighbour passed it.
     */
    @Test
    void checkInvariantsFindsABrokenWeakrefList() {
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            long cls = weakReferenceableClass(s);
            long o = s.classes().newInstance(cls);
            long basic = s.weakrefs().newRef(o);
            long a = s.weakrefs().newRef(o, ref -> { });
            long b = s.weakrefs().newRef(o, ref -> { });
            s.checkInvariants();
            assertEquals(List.of(basic, b, a), s.weakrefs().refsTo(o));
            NativeMemory.putLong(a + BuiltinLayouts.WR_PREV_OFFSET, basic); // a says it follows basic; b does
            String m = assertThrows(IllegalStateException.class, s::checkInvariants).getMessage();
            assertTrue(m.startsWith(String.format("weakref 0x%x not linked after its wr_prev 0x%x", a, basic)), m);
            NativeMemory.putLong(a + BuiltinLayouts.WR_PREV_OFFSET, b);
            NativeMemory.putLong(b + BuiltinLayouts.WR_NEXT_OFFSET, 0);  // a unlinked: b ends the list
            m = assertThrows(IllegalStateException.class, s::checkInvariants).getMessage();
            assertTrue(m.contains("not linked after its wr_prev"), m);
            NativeMemory.putLong(b + BuiltinLayouts.WR_NEXT_OFFSET, a);
            s.checkInvariants();
            for (long x : new long[] {a, b, basic, o, cls}) {
                s.decref(x);
            }
            assertEquals(0, s.liveObjectCount());
        }
    }

    /** Random sequences of making and dropping weakrefs: the list order always follows the rule. Prints its seed. */
    @Test
    void randomMakingAndDroppingKeepsCpythonsListOrder() {
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            WeakrefApi w = s.weakrefs();
            long cls = weakReferenceableClass(s);
            long o = s.classes().newInstance(cls);
            List<Long> withCallback = new ArrayList<>(); // newest first, as the list keeps them
            long basic = 0;
            long basicRefs = 0;
            for (int step = 0; step < 2_000; step++) {
                int op = random.nextInt(4);
                if (op == 0) {
                    withCallback.add(0, w.newRef(o, ref -> { }));
                } else if (op == 1) {
                    long r = w.newRef(o);
                    assertTrue(basic == 0 || basic == r, "seed " + seed);
                    basic = r;
                    basicRefs++;
                } else if (op == 2 && !withCallback.isEmpty()) {
                    s.decref(withCallback.remove(random.nextInt(withCallback.size())));
                } else if (op == 3 && basic != 0) {
                    s.decref(basic);
                    if (--basicRefs == 0) {
                        basic = 0;
                    }
                }
                List<Long> expected = new ArrayList<>();
                if (basic != 0) {
                    expected.add(basic);
                }
                expected.addAll(withCallback);
                assertEquals(expected, w.refsTo(o), "seed " + seed + ", step " + step);
            }
            s.checkInvariants();
            for (long r : withCallback) {
                s.decref(r);
            }
            for (; basicRefs > 0; basicRefs--) {
                s.decref(basic);
            }
            s.decref(o);
            s.decref(cls);
            assertEquals(0, s.liveObjectCount(), "seed " + seed);
        }
    }

    /**
     * PyWeakref_NewRef: the new weakref's allocation may run a collection whose finalizers make
     * the basic ref to the same object; "Return that one instead of this one to avoid violating
     * the invariants of the list of weakrefs for ob".
     */
    @Test
    void aBasicRefMadeByTheCollectionANewRefsAllocationRunsIsTheOneReturned() {
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            WeakrefApi w = s.weakrefs();
            Collector gc = s.gc();
            gc.disable();
            long cls = weakReferenceableClass(s);
            long target = s.classes().newInstance(cls);
            long[] made = new long[1];
            long dying = s.classes().newClass(ClassSpec.named("D").slots(1).finalizer(self -> made[0] = w.newRef(target)));
            s.decref(selfCycle(s, dying)); // garbage, in generation 0 for the next collection
            gc.setThreshold(1);
            gc.enable();
            long r = w.newRef(target); // its allocation collects: the finalizer makes the basic ref first
            gc.disable();
            assertTrue(made[0] != 0, "the collection ran the finalizer");
            assertEquals(made[0], r);
            assertEquals(List.of(r), w.refsTo(target));
            assertEquals(2, s.refcount(r), "the finalizer's reference and ours");
            s.checkInvariants();
            for (long x : new long[] {r, r, target, cls, dying}) {
                s.decref(x);
            }
            assertEquals(0, s.liveObjectCount());
        }
    }
}
