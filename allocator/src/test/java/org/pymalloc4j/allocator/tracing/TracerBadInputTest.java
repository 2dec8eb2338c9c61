package org.pymalloc4j.allocator.tracing;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.Domain;
import org.pymalloc4j.allocator.GroupBy;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.Snapshot;
import org.pymalloc4j.allocator.Statistic;
import org.pymalloc4j.allocator.StatisticDiff;
import org.pymalloc4j.allocator.Trace;
import org.pymalloc4j.allocator.TraceFilter;
import org.pymalloc4j.allocator.TraceFrame;
import org.pymalloc4j.allocator.Traceback;
import org.pymalloc4j.allocator.Tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One check per {@code @throws} clause of the tracer's public API. */
class TracerBadInputTest {
    private static final TraceFrame F = new TraceFrame("a.B", "c", "B.java", 1);
    private static final Traceback TB = new Traceback(List.of(F), 1);

    @Test
    void startRefusesAFrameLimitOutOfRange() {
        try (Memory memory = TracingSupport.pymalloc()) {
            Tracer tracer = memory.tracer();
            BlockAllocator obj = memory.getAllocator(Domain.OBJ);
            for (int bad : new int[] {0, -1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tracer.start(bad));
                assertEquals("the number of frames must be in range [1; 65535], was " + bad, e.getMessage());
            }
            assertFalse(tracer.isTracing());
            assertSame(obj, memory.getAllocator(Domain.OBJ), "nothing installed");
            tracer.start(65535);
            assertEquals(65535, tracer.tracebackLimit());
        }
    }

    @Test
    void takeSnapshotRefusesWhenNotTracing() {
        try (Memory memory = TracingSupport.pymalloc()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, memory.tracer()::takeSnapshot);
            assertEquals("the tracer is not tracing; call start() first", e.getMessage());
        }
    }

    @Test
    void stopRefusesWhenSomethingWrappedOverTheTracer() {
        try (Memory memory = TracingSupport.pymalloc()) {
            Tracer tracer = memory.tracer();
            tracer.start();
            BlockAllocator top = memory.wrapAllocator(Domain.OBJ, Wrapper::new);
            IllegalStateException e = assertThrows(IllegalStateException.class, tracer::stop);
            assertTrue(e.getMessage().startsWith("cannot stop tracing: the OBJ allocator is "), e.getMessage());
            assertSame(top, memory.getAllocator(Domain.OBJ));
            assertTrue(tracer.isTracing());
        }
    }

    private record Wrapper(BlockAllocator inner) implements BlockAllocator {
        public long malloc(long size) {
            return inner.malloc(size);
        }

        public long calloc(long nelem, long elsize) {
            return inner.calloc(nelem, elsize);
        }

        public long realloc(long address, long newSize) {
            return inner.realloc(address, newSize);
        }

        public void free(long address) {
            inner.free(address);
        }
    }

    @Test
    void everyMethodRefusesOnceTheMemoryIsClosed() {
        Memory memory = TracingSupport.pymalloc();
        Tracer tracer = memory.tracer();
        tracer.start();
        memory.close();
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("start()", tracer::start);
        calls.put("start(int)", () -> tracer.start(3));
        calls.put("stop", tracer::stop);
        calls.put("isTracing", tracer::isTracing);
        calls.put("tracebackLimit", tracer::tracebackLimit);
        calls.put("tracedMemory", tracer::tracedMemory);
        calls.put("resetPeak", tracer::resetPeak);
        calls.put("clearTraces", tracer::clearTraces);
        calls.put("tracerMemory", tracer::tracerMemory);
        calls.put("traceCount", tracer::traceCount);
        calls.put("tracebackOf", () -> tracer.tracebackOf(16));
        calls.put("formatAllocationTraceback", () -> tracer.formatAllocationTraceback(16));
        calls.put("takeSnapshot", tracer::takeSnapshot);
        calls.forEach((name, call) -> assertEquals("this Memory is closed",
                assertThrows(IllegalStateException.class, call, name).getMessage(), name));
    }

    @Test
    void valueTypesRefuseBadComponents() {
        assertThrows(NullPointerException.class, () -> new TraceFrame(null, "m", "F.java", 1));
        assertThrows(NullPointerException.class, () -> new TraceFrame("C", null, "F.java", 1));
        assertThrows(NullPointerException.class, () -> new TraceFrame("C", "m", null, 1));
        assertThrows(IllegalArgumentException.class, () -> new TraceFrame("C", "m", "F.java", -1));

        assertThrows(NullPointerException.class, () -> new Traceback(null, 1));
        assertThrows(NullPointerException.class, () -> new Traceback(Arrays.asList(F, null), 2));
        assertThrows(IllegalArgumentException.class, () -> new Traceback(List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> new Traceback(Collections.nCopies(65536, F), 65535));
        assertThrows(IllegalArgumentException.class, () -> new Traceback(List.of(F, F), 1));
        assertThrows(IllegalArgumentException.class, () -> new Traceback(List.of(F), 65536));

        assertThrows(NullPointerException.class, () -> new Trace(null, 1, TB));
        assertThrows(NullPointerException.class, () -> new Trace(Domain.RAW, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new Trace(Domain.RAW, -1, TB));

        assertThrows(NullPointerException.class, () -> new Statistic(null, 1, 1));
        assertThrows(NullPointerException.class, () -> new StatisticDiff(null, 1, 1, 1, 1));
    }

    @Test
    void snapshotRefusesBadArguments() {
        assertThrows(NullPointerException.class, () -> new Snapshot(null, 1));
        assertThrows(NullPointerException.class, () -> new Snapshot(Arrays.asList((Trace) null), 1));
        assertThrows(IllegalArgumentException.class, () -> new Snapshot(List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> new Snapshot(List.of(), 65536));
        Snapshot s = new Snapshot(List.of(new Trace(Domain.MEM, 8, TB)), 1);
        assertThrows(NullPointerException.class, () -> s.filterTraces(null));
        assertThrows(NullPointerException.class, () -> s.filterTraces(Arrays.asList((TraceFilter) null)));
        assertThrows(NullPointerException.class, () -> s.statistics(null));
        assertThrows(NullPointerException.class, () -> s.statistics(null, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.statistics(GroupBy.TRACEBACK, true));
        assertEquals("cumulative statistics need GroupBy.LINE or GroupBy.CLASS, not TRACEBACK", e.getMessage());
        assertThrows(NullPointerException.class, () -> s.compareTo(null, GroupBy.LINE));
        assertThrows(NullPointerException.class, () -> s.compareTo(s, null));
        assertThrows(NullPointerException.class, () -> s.compareTo(s, null, true));
        assertThrows(IllegalArgumentException.class, () -> s.compareTo(s, GroupBy.TRACEBACK, true));
        assertThrows(NullPointerException.class, () -> s.top(null, 3));
        assertThrows(IllegalArgumentException.class, () -> s.top(GroupBy.LINE, -1));
        assertEquals(1, s.traces().size(), "the snapshot is unchanged");
    }

    @Test
    void filtersRefuseBadArguments() {
        assertThrows(NullPointerException.class, () -> TraceFilter.include(null));
        assertThrows(NullPointerException.class, () -> TraceFilter.include(null, 3));
        assertThrows(IllegalArgumentException.class, () -> TraceFilter.include("a.*", -1));
        assertThrows(NullPointerException.class, () -> TraceFilter.exclude(null));
        assertThrows(NullPointerException.class, () -> TraceFilter.exclude(null, 3));
        assertThrows(IllegalArgumentException.class, () -> TraceFilter.exclude("a.*", -1));
        assertThrows(NullPointerException.class, () -> TraceFilter.domain(null, true));
        assertThrows(NullPointerException.class, () -> TraceFilter.include("a.*").inDomain(null));
        TraceFilter domain = TraceFilter.domain(Domain.RAW, true);
        assertThrows(IllegalStateException.class, () -> domain.allFrames(true));
        assertThrows(IllegalStateException.class, () -> domain.inDomain(Domain.MEM));
    }
}
