package org.pymalloc4j.allocator.tracing;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.testkit.ForwardingAllocator;
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
    void addLayerPackageRefusesWhatIsNotAPackageName() {
        try (Memory memory = TracingSupport.pymalloc()) {
            Tracer tracer = memory.tracer();
            refuses(NullPointerException.class, "packageName", () -> tracer.addLayerPackage(null));
            for (String bad : new String[] {"", "my.pkg.*", "my.pkg.", ".my", "my..pkg", "1st.pkg", "my.Pkg$Inner", "my pkg"}) {
                refuses(IllegalArgumentException.class, "not a package name: \"" + bad
                        + "\" (give one package's full name, such as \"com.example.layer\"; no wildcards)",
                        () -> tracer.addLayerPackage(bad));
            }
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
            BlockAllocator top = memory.wrapAllocator(Domain.OBJ, ForwardingAllocator::new);
            IllegalStateException e = assertThrows(IllegalStateException.class, tracer::stop);
            assertTrue(e.getMessage().startsWith("cannot stop tracing: the OBJ allocator is "), e.getMessage());
            assertSame(top, memory.getAllocator(Domain.OBJ));
            assertTrue(tracer.isTracing());
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
        calls.put("captureTraceback", tracer::captureTraceback);
        calls.put("retag", () -> tracer.retag(16));
        calls.put("addLayerPackage", () -> tracer.addLayerPackage("org.example.layer"));
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

    /** Asserts that {@code call} throws {@code type} with exactly {@code message}, which names what was wrong. */
    private static void refuses(Class<? extends Throwable> type, String message, Executable call) {
        assertEquals(message, assertThrows(type, call).getMessage());
    }

    @Test
    void valueTypesRefuseBadComponents() {
        Class<NullPointerException> npe = NullPointerException.class;
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        refuses(npe, "className", () -> new TraceFrame(null, "m", "F.java", 1));
        refuses(npe, "methodName", () -> new TraceFrame("C", null, "F.java", 1));
        refuses(npe, "fileName", () -> new TraceFrame("C", "m", null, 1));
        refuses(iae, "line number must not be negative, was -1", () -> new TraceFrame("C", "m", "F.java", -1));

        refuses(npe, "frames", () -> new Traceback(null, 1));
        refuses(npe, "frames[1] is null", () -> new Traceback(Arrays.asList(F, null), 2));
        refuses(iae, "a traceback has 1 to 65535 frames, not 0", () -> new Traceback(List.of(), 0));
        refuses(iae, "a traceback has 1 to 65535 frames, not 65536", () -> new Traceback(Collections.nCopies(65536, F), 65535));
        refuses(iae, "total frames must be in [2; 65535], was 1", () -> new Traceback(List.of(F, F), 1));
        refuses(iae, "total frames must be in [1; 65535], was 65536", () -> new Traceback(List.of(F), 65536));

        refuses(npe, "domain", () -> new Trace(null, 1, TB));
        refuses(npe, "traceback", () -> new Trace(Domain.RAW, 1, null));
        refuses(iae, "size must not be negative, was -1", () -> new Trace(Domain.RAW, -1, TB));

        refuses(npe, "traceback", () -> new Statistic(null, 1, 1));
        refuses(npe, "traceback", () -> new StatisticDiff(null, 1, 1, 1, 1));
    }

    @Test
    void snapshotRefusesBadArguments() {
        Class<NullPointerException> npe = NullPointerException.class;
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        refuses(npe, "traces", () -> new Snapshot(null, 1));
        refuses(npe, "traces[0] is null", () -> new Snapshot(Arrays.asList((Trace) null), 1));
        refuses(iae, "the number of frames must be in range [1; 65535], was 0", () -> new Snapshot(List.of(), 0));
        refuses(iae, "the number of frames must be in range [1; 65535], was 65536", () -> new Snapshot(List.of(), 65536));
        Snapshot s = new Snapshot(List.of(new Trace(Domain.MEM, 8, TB)), 1);
        refuses(npe, "filters", () -> s.filterTraces(null));
        refuses(npe, "filters[1] is null", () -> s.filterTraces(Arrays.asList(TraceFilter.include("a.*"), null)));
        refuses(npe, "key", () -> s.statistics(null));
        refuses(npe, "key", () -> s.statistics(null, false));
        refuses(iae, "cumulative statistics need GroupBy.LINE or GroupBy.CLASS, not TRACEBACK",
                () -> s.statistics(GroupBy.TRACEBACK, true));
        refuses(npe, "older", () -> s.compareTo(null, GroupBy.LINE));
        refuses(npe, "key", () -> s.compareTo(s, null));
        refuses(npe, "key", () -> s.compareTo(s, null, true));
        refuses(iae, "cumulative statistics need GroupBy.LINE or GroupBy.CLASS, not TRACEBACK",
                () -> s.compareTo(s, GroupBy.TRACEBACK, true));
        refuses(npe, "key", () -> s.top(null, 3));
        refuses(iae, "n must not be negative, was -1", () -> s.top(GroupBy.LINE, -1));
        assertEquals(1, s.traces().size(), "the snapshot is unchanged");
    }

    @Test
    void filtersRefuseBadArguments() {
        Class<NullPointerException> npe = NullPointerException.class;
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        refuses(npe, "classPattern", () -> TraceFilter.include(null));
        refuses(npe, "classPattern", () -> TraceFilter.include(null, 3));
        refuses(iae, "line number must not be negative, was -1", () -> TraceFilter.include("a.*", -1));
        refuses(npe, "classPattern", () -> TraceFilter.exclude(null));
        refuses(npe, "classPattern", () -> TraceFilter.exclude(null, 3));
        refuses(iae, "line number must not be negative, was -1", () -> TraceFilter.exclude("a.*", -1));
        refuses(npe, "domain", () -> TraceFilter.domain(null, true));
        refuses(npe, "domain", () -> TraceFilter.include("a.*").inDomain(null));
        TraceFilter domain = TraceFilter.domain(Domain.RAW, true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> domain.allFrames(true));
        assertTrue(e.getMessage().startsWith("allFrames applies to class filters, not to the domain filter "), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> domain.inDomain(Domain.MEM));
        assertTrue(e.getMessage().startsWith("inDomain applies to class filters, not to the domain filter "), e.getMessage());
    }
}
