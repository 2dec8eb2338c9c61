package org.pymalloc4j.objects.tracing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.GroupBy;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.Snapshot;
import org.pymalloc4j.allocator.Statistic;
import org.pymalloc4j.allocator.TraceFilter;
import org.pymalloc4j.allocator.TraceFrame;
import org.pymalloc4j.allocator.Traceback;
import org.pymalloc4j.objects.ClassSpec;
import org.pymalloc4j.objects.LeakReport;
import org.pymalloc4j.objects.LiveObject;
import org.pymalloc4j.objects.ObjectSpace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4: closing a space reports each object still alive with its type, refcount and, when
 * the memory is tracing, where it was allocated: the line that made it, the object layer's own
 * frames left out. (In a package of its own, as a user's code is: the space declares the object
 * layer's packages to the tracer, whose frames at the top of a stack are left out.)
 */
class LeakTracebackTest {
    private static final String TEST = LeakTracebackTest.class.getName();

    /** The line of the caller of this method. */
    private static int here() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow().getLineNumber();
    }

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
                // from the tracer's own trace of the block, retagged on revival (_PyTraceMalloc_NewReference)
                assertTrue(mentions(memory.tracer().tracebackOf(f), "reviveFromFreeList"));
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
     * objects/README.md: the object layer's own frames are left out, so a tracer started with 1
     * frame names the caller of every allocation, also of an object revived from a free list.
     */
    @Test
    void oneFrameReachesTheCallerOfEveryAllocation() {
        try (Memory memory = Memory.create()) {
            memory.tracer().start(1);
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
                        TraceFrame top = o.traceback().orElseThrow().mostRecent();
                        assertEquals(TEST + ".oneFrameReachesTheCallerOfEveryAllocation",
                                top.className() + "." + top.methodName(), o.toString());
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

    /** The line of {@link #makeFloats}' allocation. */
    private static int floatLine;

    private static void makeFloats(ObjectSpace s, List<Long> keep, int n) {
        floatLine = here() + 2;
        for (int i = 0; i < n; i++) {
            keep.add(s.floats().newFloat(i + 0.5));
        }
    }

    /**
     * README.md's first tracing example over an object space: {@code top(GroupBy.LINE)} groups the
     * objects by the user's lines, as tracemalloc groups objects by the Python lines that made
     * them, and a filter on the user's classes matches them without {@code allFrames}.
     */
    @Test
    void topByLineOfAnObjectSpaceGroupsByTheUsersLines() {
        try (Memory memory = Memory.create()) {
            memory.tracer().start(1);
            try (ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
                List<Long> keep = new ArrayList<>();
                int listLine = here() + 2;
                for (int i = 0; i < 10; i++) {
                    keep.add(s.lists().newList(4));
                }
                makeFloats(s, keep, 100);
                Snapshot snapshot = memory.tracer().takeSnapshot();
                List<Statistic> stats = snapshot.statistics(GroupBy.LINE);
                Statistic floats = stats.stream().filter(st -> st.traceback().mostRecent().methodName().equals("makeFloats"))
                        .findFirst().orElseThrow(() -> new AssertionError(stats));
                assertEquals(100, floats.count(), stats::toString);
                assertEquals(new TraceFrame(TEST, "makeFloats", "LeakTracebackTest.java", floatLine),
                        floats.traceback().mostRecent());
                Statistic lists = stats.stream().filter(st -> st.traceback().mostRecent().lineNumber() == listLine)
                        .findFirst().orElseThrow(() -> new AssertionError(stats));
                assertEquals(20, lists.count(), "a list and its item array each: " + stats);
                for (Statistic st : stats) {
                    assertFalse(st.traceback().mostRecent().className().startsWith("org.pymalloc4j.objects.internal."),
                            stats::toString);
                }
                String top = snapshot.top(GroupBy.LINE, 2);
                assertTrue(top.startsWith("Top 2 lines\n#1: LeakTracebackTest.java:"), top);
                Snapshot mine = snapshot.filterTraces(List.of(TraceFilter.include(TEST)));
                assertEquals(121, mine.traces().size(), "every object and item array this test made, and the"
                        + " space's static objects (made by build())");
                for (long o : keep) {
                    s.decref(o);
                }
            }
        }
    }

    /**
     * A finalizer the object layer runs that allocates shows its own line, then the layer's
     * frames that ran it (the deallocation), then the line whose decref ran them: only the
     * layer's frames above the first user frame are left out.
     */
    @Test
    void aFinalizerThatAllocatesShowsItsLineAndTheChainBeneath() {
        try (Memory memory = Memory.create()) {
            memory.tracer().start(Traceback.MAX_FRAMES);
            try (ObjectSpace s = ObjectSpace.builder().memory(memory).traceRefs(true).build()) {
                long[] made = new long[1];
                int finalizerLine = here() + 2;
                long cls = s.classes().newClass(ClassSpec.named("F").slots(1)
                        .finalizer(self -> made[0] = s.floats().newFloat(1.5)));
                long inst = s.classes().newInstance(cls);
                int decrefLine = here() + 1;
                s.decref(inst);
                List<TraceFrame> frames = memory.tracer().tracebackOf(made[0]).orElseThrow().frames();
                assertEquals(TEST, frames.get(0).className(), frames::toString);
                assertEquals(finalizerLine, frames.get(0).lineNumber(), frames::toString);
                int caller = frames.indexOf(new TraceFrame(TEST, "aFinalizerThatAllocatesShowsItsLineAndTheChainBeneath",
                        "LeakTracebackTest.java", decrefLine));
                assertTrue(caller > 1, frames::toString);
                assertTrue(frames.subList(1, caller).stream().allMatch(f -> f.className().startsWith("org.pymalloc4j.objects.")),
                        "the layer's frames that ran the finalizer: " + frames);
                s.decref(made[0]);
                s.decref(cls);
            }
        }
    }

    /**
     * objects/README.md's leak report with allocation tracebacks is what a run prints (file, line
     * and method), so the quoted lines cannot drift.
     */
    @Test
    void theReadmesLeakReportIsWhatARunPrints() throws IOException {
        List<String> shown = Files.readString(Path.of("README.md")).lines()
                .dropWhile(line -> !line.contains(" float refcount=2 serial=1, allocated at")).skip(1)
                .takeWhile(line -> line.startsWith("    File ")).map(String::strip).toList();
        try (Memory memory = Memory.create()) {
            memory.tracer().start(2);
            ObjectSpace space = ObjectSpace.builder().memory(memory).traceRefs(true).build();
            space.incref(allocateFloat(space));
            space.close();
            List<String> printed = space.leakReport().toString().lines().skip(2).limit(2).map(String::strip).toList();
            assertEquals(printed, shown, space.leakReport().toString());
        }
    }

    /**
     * As for a finalizer (above), so for a weakref callback and a gc callback, which a collection runs: each
     * allocation shows the callback's own line first and the line of the collect() beneath the
     * layer's frames.
     */
    @Test
    void weakrefAndGcCallbacksThatAllocateShowTheirLinesAndTheCollectBeneath() {
        try (Memory memory = Memory.create()) {
            memory.tracer().start(Traceback.MAX_FRAMES);
            try (ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
                long[] made = new long[2];
                long cls = s.classes().newClass(ClassSpec.named("C").slots(1).weakReferenceable());
                long a = s.classes().newInstance(cls);
                s.classes().setSlot(a, 0, a); // a cycle: only a collection frees it
                int weakrefLine = here() + 1;
                long wr = s.weakrefs().newRef(a, ref -> made[0] = s.floats().newFloat(2.5));
                int gcLine = here() + 1;
                s.gc().callbacks().add((phase, info) -> made[1] = made[1] == 0 ? s.floats().newFloat(3.5) : made[1]);
                s.decref(a);
                int collectLine = here() + 1;
                s.gc().collect();
                s.gc().callbacks().clear();
                TraceFrame collect = new TraceFrame(TEST, "weakrefAndGcCallbacksThatAllocateShowTheirLinesAndTheCollectBeneath",
                        "LeakTracebackTest.java", collectLine);
                for (int i = 0; i < 2; i++) {
                    List<TraceFrame> frames = memory.tracer().tracebackOf(made[i]).orElseThrow().frames();
                    assertEquals(TEST, frames.get(0).className(), frames::toString);
                    assertEquals(i == 0 ? weakrefLine : gcLine, frames.get(0).lineNumber(), frames::toString);
                    int caller = frames.indexOf(collect);
                    assertTrue(caller > 1, frames::toString);
                    assertTrue(frames.subList(1, caller).stream().allMatch(f -> f.className().startsWith("org.pymalloc4j.objects.")),
                            "the layer's frames that ran the callback: " + frames);
                    s.decref(made[i]);
                }
                s.decref(wr);
                s.decref(cls);
            }
        }
    }
}
