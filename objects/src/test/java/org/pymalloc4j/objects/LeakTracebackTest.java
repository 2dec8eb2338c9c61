package org.pymalloc4j.objects;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.Traceback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4: closing a space reports each object still alive with its type, refcount and, when
 * the memory is tracing, where it was allocated. (In this package, not the allocator's, so that
 * the tracer keeps these frames.)
 */
class LeakTracebackTest {
    private static boolean mentions(Optional<Traceback> traceback, String method) {
        return traceback.orElseThrow().frames().stream()
                .anyMatch(f -> f.className().equals(LeakTracebackTest.class.getName()) && f.methodName().equals(method));
    }

    private static long allocateFloat(ObjectSpace space) {
        return space.floats().newFloat(2.5);
    }

    private static long allocateList(ObjectSpace space) {
        return space.lists().newList();
    }

    @ParameterizedTest
    @EnumSource(value = AllocatorName.class, names = {"PYMALLOC", "PYMALLOC_DEBUG", "MALLOC"})
    void leakReportSaysWhereEachObjectWasAllocated(AllocatorName allocator) {
        try (Memory memory = Memory.builder().allocator(allocator).build()) {
            memory.tracer().start(10);
            ObjectSpace space = ObjectSpace.builder().memory(memory).traceRefs(true).build();
            long f = allocateFloat(space);
            long l = allocateList(space);
            space.lists().append(l, f);
            // a GC object's block starts at its GC head, 16 bytes before the object
            assertTrue(memory.tracer().tracebackOf(l).isEmpty());
            assertTrue(memory.tracer().tracebackOf(l - 16).isPresent());
            space.close();

            LeakReport report = space.leakReport();
            List<LiveObject> leaked = report.objects();
            assertEquals(2, leaked.size());
            assertEquals("float", leaked.get(0).typeName());
            assertEquals(2, leaked.get(0).refcount());
            assertTrue(mentions(leaked.get(0).traceback(), "allocateFloat"), leaked.get(0).toString());
            assertEquals("list", leaked.get(1).typeName());
            assertTrue(mentions(leaked.get(1).traceback(), "allocateList"), leaked.get(1).toString());
            String text = report.toString();
            assertTrue(text.startsWith("2 objects still alive"), text);
            assertTrue(text.contains("float refcount=2 serial=1, allocated at (most recent call first):"), text);
            assertTrue(text.contains("in " + LeakTracebackTest.class.getName() + ".allocateList"), text);
        }
    }

    @Test
    void withoutTracingTheEntriesHaveNoTraceback() {
        ObjectSpace space = ObjectSpace.builder().traceRefs(true).build();
        allocateFloat(space);
        space.close();
        LiveObject leaked = space.leakReport().objects().get(0);
        assertTrue(leaked.traceback().isEmpty());
        assertFalse(leaked.toString().contains("allocated at"), leaked.toString());
    }

    private static long firstAllocation(ObjectSpace space) {
        return space.floats().newFloat(1);
    }

    private static long reviveFromFreeList(ObjectSpace space) {
        return space.floats().newFloat(2);
    }

    @Test
    void anObjectRevivedFromAFreeListIsReportedWhereItWasRevived() {
        try (Memory memory = Memory.create()) {
            memory.tracer().start(10);
            try (ObjectSpace space = ObjectSpace.builder().memory(memory).traceRefs(true).build()) {
                long first = firstAllocation(space);
                space.decref(first); // parked on the float free list: the block stays allocated
                long f = reviveFromFreeList(space);
                assertEquals(first, f, "the free list hands the same block back");
                LiveObject live = space.liveObjects().get(0);
                assertTrue(mentions(live.traceback(), "reviveFromFreeList"), live.toString());
                assertFalse(mentions(live.traceback(), "firstAllocation"), live.toString());
                // the tracer's own trace of the block (its snapshots) still names the first allocation
                assertTrue(mentions(memory.tracer().tracebackOf(f), "firstAllocation"));
                space.decref(f);
            }
        }
    }

    @Test
    void aBlockAllocatedBeforeTracingStartedStaysUntracedWhenRevived() {
        try (Memory memory = Memory.create()) {
            try (ObjectSpace space = ObjectSpace.builder().memory(memory).traceRefs(true).build()) {
                space.decref(firstAllocation(space));
                memory.tracer().start(10);
                long f = reviveFromFreeList(space);
                // as _PyTraceMalloc_NewReference, which retags only a block already traced
                assertTrue(space.liveObjects().get(0).traceback().isEmpty());
                long g = allocateFloat(space);
                assertTrue(mentions(space.liveObjects().get(1).traceback(), "allocateFloat"));
                space.decref(f);
                space.decref(g);
            }
        }
    }

    /**
     * objects/README.md: the object layer's own frames come first, at most eight of them (the
     * tuples {@code dicts().items} makes), so a tracer started with 9 frames reaches the caller of
     * every allocation, also of an object revived from a free list.
     */
    @Test
    void nineFramesReachTheCallerOfEveryAllocation() {
        try (Memory memory = Memory.create()) {
            memory.tracer().start(9);
            try (ObjectSpace s = ObjectSpace.builder().memory(memory).traceRefs(true).build()) {
                long f = s.floats().newFloat(2.5);
                long cls = s.classes().newClass(ClassSpec.named("C").slots(1).weakReferenceable());
                long inst = s.classes().newInstance(cls);
                long d = s.dicts().newDict();
                s.dicts().set(d, f, f);
                for (int revived = 0; revived < 2; revived++) { // then again from the free lists
                    long[] made = {s.tuples().of(f, f), s.tuples().of(f), s.tuples().of(f, f, f), s.tuples().newTuple(3),
                        s.floats().newFloat(0.5), s.strs().newStr("hello"), s.strs().intern("world"), s.ints().newInt(1000),
                        s.ints().newInt(BigInteger.TEN.pow(30)), s.bytes().newBytes(new byte[] {1, 2}),
                        s.lists().newList(), s.lists().newList(2), s.dicts().newDict(), s.weakrefs().newRef(inst),
                        s.weakrefs().newRef(inst, wr -> { }), s.classes().newClass("D", 1),
                        s.dicts().keys(d), s.dicts().values(d), s.dicts().items(d)};
                    for (LiveObject o : s.liveObjects()) {
                        assertTrue(mentions(o.traceback(), "nineFramesReachTheCallerOfEveryAllocation"), o.toString());
                    }
                    for (long o : made) {
                        s.decref(o);
                    }
                }
                s.decref(d);
                s.decref(inst);
                s.decref(cls);
                s.decref(f);
            }
        }
    }
}
