package org.pymalloc4j.allocator.tracing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Domain;
import org.pymalloc4j.allocator.GroupBy;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MemoryDomain;
import org.pymalloc4j.allocator.Statistic;
import org.pymalloc4j.allocator.Trace;
import org.pymalloc4j.allocator.TraceFrame;
import org.pymalloc4j.allocator.TracedMemory;
import org.pymalloc4j.allocator.Traceback;
import org.pymalloc4j.allocator.Tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.tracing.TracingSupport.here;

/** The tracer's hooks, counters, tracebacks and life cycle on a live {@link Memory}. */
class TracerTest {
    private Memory memory;
    private Tracer tracer;
    /** The line of the allocation in {@link #allocateHere}, set by each call. */
    private int allocationLine;

    @BeforeEach
    void open() {
        memory = TracingSupport.pymalloc();
        tracer = memory.tracer();
    }

    @AfterEach
    void close() {
        memory.close();
    }

    /** Allocates from a known line: the frame every traceback of this block must start with. */
    private long allocateHere(Domain domain, long size) {
        allocationLine = here() + 1;
        return memory.domain(domain).malloc(size);
    }

    private void assertTraced(long current, long peak, String what) {
        assertEquals(new TracedMemory(current, peak), tracer.tracedMemory(), what);
    }

    @Test
    void tracesAppearOnlyWhileTracing() {
        long before = memory.obj().malloc(40);
        assertFalse(tracer.isTracing());
        assertEquals(0, tracer.traceCount());
        tracer.start();
        assertTrue(tracer.isTracing());
        long during = memory.obj().malloc(50);
        assertEquals(1, tracer.traceCount());
        assertTrue(tracer.tracebackOf(during).isPresent());
        assertTrue(tracer.tracebackOf(before).isEmpty(), "a block from before start() is not traced");
        assertTraced(50, 50, "one block of 50");
        tracer.stop();
        assertFalse(tracer.isTracing());
        long after = memory.obj().malloc(60);
        assertEquals(0, tracer.traceCount());
        assertTrue(tracer.tracebackOf(during).isEmpty());
        assertTrue(tracer.tracebackOf(after).isEmpty());
        assertTraced(0, 0, "after stop");
        memory.obj().free(before);
        memory.obj().free(during);
        memory.obj().free(after);
    }

    static Stream<Arguments> configurationsAndDomains() {
        return Stream.of(AllocatorName.PYMALLOC, AllocatorName.MALLOC)
                .flatMap(a -> Stream.of(Domain.values()).map(d -> Arguments.of(a, d)));
    }

    @ParameterizedTest
    @MethodSource("configurationsAndDomains")
    void countsFollowEveryOperation(AllocatorName configuration, Domain domain) {
        memory.close();
        memory = Memory.builder().allocator(configuration).build();
        tracer = memory.tracer();
        MemoryDomain d = memory.domain(domain);
        tracer.start();
        long a = d.malloc(100);
        assertTraced(100, 100, "malloc 100");
        long b = d.calloc(3, 40);
        assertTraced(220, 220, "calloc 3 x 40");
        long a2 = d.realloc(a, 300);
        assertTraced(420, 420, "realloc 100 -> 300");
        assertEquals(a2 == a, tracer.tracebackOf(a).isPresent(), "old address traced iff not moved");
        long a3 = d.realloc(a2, 50);
        assertTraced(170, 420, "realloc 300 -> 50");
        long a4 = d.realloc(a3, 5000);
        assertTraced(5120, 5120, "realloc 50 -> 5000");
        if (a4 != a3) {
            assertTrue(tracer.tracebackOf(a3).isEmpty(), "the moved-from address lost its trace");
        }
        long c = d.realloc(0, 70);
        assertTraced(5190, 5190, "realloc(0, 70)");
        assertEquals(3, tracer.traceCount());
        List<Trace> traces = new ArrayList<>(tracer.takeSnapshot().traces());
        traces.sort((x, y) -> Long.compare(x.size(), y.size()));
        assertEquals(List.of(70L, 120L, 5000L), traces.stream().map(Trace::size).toList());
        assertTrue(traces.stream().allMatch(t -> t.domain() == domain), "domains: " + traces);
        d.free(b);
        assertTraced(5070, 5190, "free the calloc block");
        d.free(a4);
        d.free(c);
        assertTraced(0, 5190, "all freed");
        assertEquals(0, tracer.traceCount());
        tracer.stop();
    }

    @Test
    void resetPeakSetsThePeakToTheCurrentBytes() {
        tracer.resetPeak(); // not tracing: nothing
        tracer.start();
        long big = memory.mem().malloc(1000);
        long small = memory.mem().malloc(10);
        memory.mem().free(big);
        assertTraced(10, 1010, "after freeing the big block");
        tracer.resetPeak();
        assertTraced(10, 10, "after resetPeak");
        long more = memory.mem().malloc(20);
        assertTraced(30, 30, "a new peak");
        memory.mem().free(small);
        memory.mem().free(more);
        assertTraced(0, 30, "all freed");
    }

    @Test
    void blocksAllocatedBeforeStartDoNotDisturbTheCounts() {
        long pre1 = memory.obj().malloc(64);
        long pre2 = memory.mem().malloc(64);
        long pre3 = memory.raw().malloc(700);
        tracer.start();
        long x = memory.obj().malloc(100);
        memory.obj().free(pre1);
        assertTraced(100, 100, "freeing an untraced block passes through");
        assertEquals(1, tracer.traceCount());
        long pre2b = memory.mem().realloc(pre2, 200);
        assertTraced(300, 300, "a realloc traces the untraced block it resizes");
        assertTrue(tracer.tracebackOf(pre2b).isPresent());
        memory.raw().free(pre3);
        assertTraced(300, 300, "freeing another untraced block");
        assertEquals(2, tracer.traceCount());
        memory.obj().free(x);
        memory.mem().free(pre2b);
        assertTraced(0, 300, "all freed");
    }

    @Test
    void theMostRecentFrameIsTheAllocatingLine() {
        tracer.start(2);
        int callLine = here() + 1;
        long p = allocateHere(Domain.MEM, 24);
        Traceback tb = tracer.tracebackOf(p).orElseThrow();
        assertEquals(2, tb.frames().size());
        assertEquals(new TraceFrame(TracerTest.class.getName(), "allocateHere", "TracerTest.java", allocationLine),
                tb.mostRecent());
        assertEquals(new TraceFrame(TracerTest.class.getName(), "theMostRecentFrameIsTheAllocatingLine",
                "TracerTest.java", callLine), tb.frames().get(1));
        assertTrue(tb.totalFrames() > 2, "JUnit's frames lie beneath: " + tb.totalFrames());
        memory.mem().free(p);
    }

    /**
     * A segment's block is the caller's line too: the domain's {@code SegmentAllocator} methods
     * (the JDK's default methods and the allocator's internal views) are the API it called, as
     * {@code PyMem_Malloc} is, not where the block was allocated.
     */
    @Test
    void aSegmentIsTracedToTheLineThatAskedForIt() {
        tracer.start(1);
        int line = here() + 1;
        MemorySegment text = memory.mem().allocateFrom("text");
        MemorySegment word = memory.obj().allocate(ValueLayout.JAVA_LONG);
        MemorySegment bytes = memory.raw().allocate(40);
        TraceFrame expected = new TraceFrame(TracerTest.class.getName(), "aSegmentIsTracedToTheLineThatAskedForIt",
                "TracerTest.java", line);
        assertEquals(expected, tracer.tracebackOf(text.address()).orElseThrow().mostRecent());
        assertEquals(new TraceFrame(expected.className(), expected.methodName(), expected.fileName(), line + 1),
                tracer.tracebackOf(word.address()).orElseThrow().mostRecent());
        assertEquals(new TraceFrame(expected.className(), expected.methodName(), expected.fileName(), line + 2),
                tracer.tracebackOf(bytes.address()).orElseThrow().mostRecent());
        memory.mem().free(text);
        memory.obj().free(word);
        memory.raw().free(bytes);
    }

    /** captureTraceback is the traceback a block allocated at the same place gets: the same instance. */
    @Test
    void captureTracebackIsWhatAnAllocationHereRecords() {
        tracer.start(3);
        // both on one line, so that the two stacks are the same
        long p = memory.obj().malloc(24); Traceback captured = tracer.captureTraceback();
        assertSame(tracer.tracebackOf(p).orElseThrow(), captured, "interned with the traces' tracebacks");
        assertEquals(3, captured.frames().size());
        assertEquals("captureTracebackIsWhatAnAllocationHereRecords", captured.mostRecent().methodName());
        assertEquals(1, tracer.traceCount(), "nothing recorded");
        memory.obj().free(p);
    }

    /**
     * retag is tracemalloc's {@code _PyTraceMalloc_NewReference}: the traced block takes the
     * caller's traceback, captured as an allocation's is; its size, domain and the traced bytes
     * stay, and statistics by line move it from the allocating line to the retagging one.
     */
    @Test
    void retagGivesATracedBlockTheCallersTracebackAndKeepsItsSize() {
        tracer.start(3);
        long p = allocateHere(Domain.MEM, 40);
        int lineA = allocationLine;
        TracedMemory before = tracer.tracedMemory();
        // both on one line, so that the two stacks are the same
        int lineB = here(); tracer.retag(p); Traceback captured = tracer.captureTraceback();
        Traceback retagged = tracer.tracebackOf(p).orElseThrow();
        assertSame(captured, retagged, "captured as an allocation's, interned");
        assertEquals(new TraceFrame(TracerTest.class.getName(), "retagGivesATracedBlockTheCallersTracebackAndKeepsItsSize",
                "TracerTest.java", lineB), retagged.mostRecent());
        assertEquals(3, retagged.frames().size(), "the limit");
        assertEquals(before, tracer.tracedMemory(), "the traced bytes and their peak do not change");
        assertEquals(1, tracer.traceCount());
        Trace trace = tracer.takeSnapshot().traces().get(0);
        assertEquals(new Trace(Domain.MEM, 40, retagged), trace, "size and domain as allocated");
        List<Statistic> byLine = tracer.takeSnapshot().statistics(GroupBy.LINE);
        assertEquals(1, byLine.size(), byLine::toString);
        assertEquals(lineB, byLine.get(0).traceback().mostRecent().lineNumber(), "not line " + lineA + ": " + byLine);
        assertEquals(40, byLine.get(0).size());
        memory.mem().free(p);
        assertTraced(0, 40, "freed: the trace goes as any other");
    }

    /** As _PyTraceMalloc_NewReference, retag does nothing when not tracing or to a block not traced. */
    @Test
    void retagDoesNothingWhenNotTracingOrToAnUntracedBlock() {
        long before = memory.obj().malloc(24);
        tracer.retag(before); // not tracing
        tracer.start();
        tracer.retag(before); // allocated before start(): its size is unknown, so no trace is made
        tracer.retag(0);
        assertEquals(0, tracer.traceCount());
        assertTrue(tracer.tracebackOf(before).isEmpty());
        long p = allocateHere(Domain.OBJ, 32);
        tracer.clearTraces();
        tracer.retag(p); // untraced by clearTraces
        assertEquals(0, tracer.traceCount());
        assertTraced(0, 0, "nothing traced");
        memory.obj().free(p);
        memory.obj().free(before);
    }

    private long recurse(int depth, long size) {
        return depth == 0 ? allocateHere(Domain.OBJ, size) : recurse(depth - 1, size);
    }

    @Test
    void theFrameLimitCutsTheTracebackButNotTheTotal() {
        tracer.start(4);
        long p = recurse(10, 16);
        Traceback tb = tracer.tracebackOf(p).orElseThrow();
        assertEquals(4, tb.frames().size());
        assertEquals("allocateHere", tb.mostRecent().methodName());
        assertTrue(tb.frames().subList(1, 4).stream().allMatch(f -> f.methodName().equals("recurse")), tb.frames()::toString);
        assertTrue(tb.totalFrames() >= 13, "10 + 1 recursions, allocateHere and the test: " + tb.totalFrames());
        tracer.stop();
        tracer.start(Traceback.MAX_FRAMES);
        long q = recurse(10, 16);
        Traceback whole = tracer.tracebackOf(q).orElseThrow();
        assertEquals(whole.totalFrames(), whole.frames().size(), "a limit above the depth keeps every frame");
        assertEquals(tb.totalFrames(), whole.totalFrames(), "same depth both times");
        for (TraceFrame f : whole.frames()) {
            assertFalse(f.className().matches("org\\.pymalloc4j\\.allocator\\.[^.]*"), "machinery frame " + f);
        }
        memory.obj().free(p);
        memory.obj().free(q);
    }

    @Test
    void identicalTracebacksAreShared() {
        tracer.start(1);
        long[] blocks = new long[4];
        for (int i = 0; i < 2; i++) {
            blocks[i] = allocateHere(Domain.OBJ, 8 + i);
        }
        blocks[2] = allocateHere(Domain.OBJ, 100); // another caller line, same allocating line
        assertSame(tracer.tracebackOf(blocks[0]).orElseThrow(), tracer.tracebackOf(blocks[1]).orElseThrow());
        assertSame(tracer.tracebackOf(blocks[0]).orElseThrow(), tracer.tracebackOf(blocks[2]).orElseThrow(),
                "with one frame the caller does not matter");
        tracer.stop();
        tracer.start(2);
        long a = allocateHere(Domain.OBJ, 8);
        long b = allocateHere(Domain.OBJ, 8);
        Traceback ta = tracer.tracebackOf(a).orElseThrow();
        Traceback tbb = tracer.tracebackOf(b).orElseThrow();
        assertNotSame(ta, tbb, "different caller lines");
        assertSame(ta.mostRecent(), tbb.mostRecent(), "frames are interned too");
        for (long p : new long[] {blocks[0], blocks[1], blocks[2], a, b}) {
            memory.obj().free(p);
        }
    }

    @Test
    void clearTracesForgetsEverythingButKeepsTracing() {
        tracer.start();
        long a = memory.obj().malloc(10);
        long b = memory.obj().malloc(20);
        tracer.clearTraces();
        assertTrue(tracer.isTracing());
        assertEquals(0, tracer.traceCount());
        assertTraced(0, 0, "cleared");
        assertTrue(tracer.tracebackOf(a).isEmpty());
        memory.obj().free(a);
        assertTraced(0, 0, "freeing a forgotten block");
        long c = memory.obj().malloc(30);
        assertTraced(30, 30, "a new block");
        memory.obj().free(b);
        memory.obj().free(c);
    }

    @Test
    void tracerMemoryGrowsWithTracesAndShrinksWhenCleared() {
        tracer.start(5);
        long empty = tracer.tracerMemory();
        assertTrue(empty > 0);
        long[] blocks = new long[2000];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = memory.obj().malloc(16);
        }
        long full = tracer.tracerMemory();
        assertTrue(full >= empty + 2000L * 2 * 21, "at least the trace table's slots: " + empty + " -> " + full);
        tracer.clearTraces();
        assertEquals(empty, tracer.tracerMemory(), "back to the empty tables");
        for (long p : blocks) {
            memory.obj().free(p);
        }
    }

    /**
     * captureTraceback when not tracing (a layer keeping tracebacks of its own, say) interned
     * what it captured in the tracer's tables, where no trace could share it, and where neither
     * stop() nor clearTraces(), both doing nothing when not tracing, could drop it: the tables
     * grew with every new stack, and the next start() began with them. Now it keeps nothing.
     */
    @Test
    void captureTracebackWhileNotTracingKeepsNothingInTheTracersTables() {
        tracer.start(5);
        tracer.stop();
        long stopped = tracer.tracerMemory();
        for (int depth = 0; depth < 50; depth++) {
            Traceback t = captureAtDepth(depth);
            assertEquals("captureAtDepth", t.mostRecent().methodName());
            assertEquals(5, t.frames().size(), "the limit of the last start");
        }
        assertEquals(stopped, tracer.tracerMemory(), "nothing kept");
        tracer.start(5);
        tracer.clearTraces();
        long started = tracer.tracerMemory();
        tracer.stop();
        assertEquals(stopped, tracer.tracerMemory());
        tracer.start(5);
        assertEquals(started, tracer.tracerMemory(), "a start begins with empty tables");
    }

    /** captureTraceback {@code depth} calls deep, each depth a stack of its own. */
    private Traceback captureAtDepth(int depth) {
        return depth == 0 ? tracer.captureTraceback() : captureAtDepth(depth - 1);
    }

    @Test
    void formatsTheDebugHooksReport() {
        tracer.start(2);
        int callLine = here() + 1;
        long p = allocateHere(Domain.OBJ, 48);
        String cls = TracerTest.class.getName();
        assertEquals("Memory block allocated at (most recent call first):\n"
                + "  File \"TracerTest.java\", line " + allocationLine + ", in " + cls + ".allocateHere\n"
                + "  File \"TracerTest.java\", line " + callLine + ", in " + cls + ".formatsTheDebugHooksReport\n"
                + "\n", tracer.formatAllocationTraceback(p));
        long untraced = memory.obj().malloc(8);
        memory.obj().free(untraced);
        assertNull(tracer.formatAllocationTraceback(untraced), "a freed block");
        tracer.stop();
        assertNull(tracer.formatAllocationTraceback(p), "not tracing");
        memory.obj().free(p);
    }

    @ParameterizedTest
    @EnumSource(Domain.class)
    void callocRecordsTheProduct(Domain domain) {
        tracer.start();
        long p = memory.domain(domain).calloc(7, 9);
        assertEquals(63, tracer.takeSnapshot().traces().getFirst().size());
        memory.domain(domain).free(p);
    }
}
