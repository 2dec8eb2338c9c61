package org.pymalloc4j.allocator.tracing;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.TraceFrame;
import org.pymalloc4j.allocator.Traceback;
import org.pymalloc4j.allocator.Tracer;
import org.pymalloc4j.allocator.tracing.layer.FakeLayer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.tracing.TracingSupport.here;

/**
 * {@link Tracer#addLayerPackage}: a layer built on a memory (the object layer) declares its
 * package, and the tracer attributes the layer's allocations to its caller's line, as
 * tracemalloc attributes an object to the Python line that made it and never to
 * {@code Objects/*.c}; only the layer's frames above the first other frame are left out.
 */
class TracerLayerTest {
    private static final String LAYER = FakeLayer.class.getPackageName();
    private static final String TEST = TracerLayerTest.class.getName();

    private Memory memory;
    private Tracer tracer;
    private FakeLayer layer;

    @BeforeEach
    void open() {
        memory = TracingSupport.pymalloc();
        tracer = memory.tracer();
        layer = new FakeLayer(memory);
    }

    @AfterEach
    void close() {
        memory.close();
    }

    private Traceback traceOf(long p) {
        return tracer.tracebackOf(p).orElseThrow();
    }

    @Test
    void undeclaredALayersFramesAreKept() {
        tracer.start(1);
        long p = layer.make(16);
        assertEquals(new TraceFrame(FakeLayer.class.getName(), "allocate", "FakeLayer.java", 26), traceOf(p).mostRecent());
        memory.obj().free(p);
    }

    @Test
    void declaredTheLayersTopFramesAreLeftOutAndNotCounted() {
        tracer.start(Traceback.MAX_FRAMES);
        long direct = memory.obj().malloc(16); long viaLayer = layer.make(16); // one line: equal stacks beneath
        tracer.addLayerPackage(LAYER);
        int line = here() + 1;
        long declared = layer.make(16);
        TraceFrame caller = new TraceFrame(TEST, "declaredTheLayersTopFramesAreLeftOutAndNotCounted", "TracerLayerTest.java", line);
        assertEquals(caller, traceOf(declared).mostRecent());
        assertEquals(traceOf(direct).totalFrames(), traceOf(declared).totalFrames(), "the layer's frames are not counted");
        assertEquals(traceOf(direct).totalFrames() + 2, traceOf(viaLayer).totalFrames(), "made before the declaration");
        for (long p : new long[] {direct, viaLayer, declared}) {
            memory.obj().free(p);
        }
    }

    /**
     * A callback from the layer into its caller's code that allocates (a finalizer, a weakref
     * callback) shows the callback's line, then the layer's frames that called it and the caller
     * beneath: only the frames above the first frame outside the layer are left out.
     */
    @Test
    void aCallbackThatAllocatesShowsItsLineAndTheChainBeneath() {
        tracer.addLayerPackage(LAYER);
        tracer.start(5);
        int line = here() + 1;
        long p = layer.callBack(() -> layer.make(16));
        List<TraceFrame> frames = traceOf(p).frames();
        assertEquals(TEST, frames.get(0).className());
        assertTrue(frames.get(0).methodName().startsWith("lambda$"), frames::toString);
        assertEquals(line, frames.get(0).lineNumber());
        assertEquals(List.of("run", "callBack"), frames.subList(1, 3).stream().map(TraceFrame::methodName).toList());
        assertEquals(new TraceFrame(TEST, "aCallbackThatAllocatesShowsItsLineAndTheChainBeneath", "TracerLayerTest.java", line),
                frames.get(3));
        memory.obj().free(p);
    }

    /** captureTraceback, asked from inside the layer, is what an allocation through it records there. */
    @Test
    void captureTracebackFromInsideTheLayerIsTheCallers() {
        tracer.addLayerPackage(LAYER);
        tracer.start(3);
        long p = layer.make(24); Traceback captured = layer.capture(); // one line: the same stack
        assertSame(traceOf(p), captured);
        assertEquals("captureTracebackFromInsideTheLayerIsTheCallers", captured.mostRecent().methodName());
        memory.obj().free(p);
    }

    /** retag, asked from inside the layer (as the object layer revives an object), names the layer's caller. */
    @Test
    void retagFromInsideTheLayerNamesTheCaller() {
        tracer.addLayerPackage(LAYER);
        tracer.start(3);
        long p = layer.make(24);
        int line = here() + 1;
        layer.retag(p);
        assertEquals(new TraceFrame(TEST, "retagFromInsideTheLayerNamesTheCaller", "TracerLayerTest.java", line),
                traceOf(p).mostRecent());
        memory.obj().free(p);
    }

    /** Only the package itself: a name that is a prefix of it, not at a dot, declares nothing. */
    @Test
    void aDeclarationIsOfOnePackageKeptAcrossStopAndRepeatable() {
        tracer.addLayerPackage(LAYER.substring(0, LAYER.length() - 1));
        tracer.start(1);
        long p = layer.make(16);
        assertEquals("allocate", traceOf(p).mostRecent().methodName());
        memory.obj().free(p);
        tracer.addLayerPackage(LAYER);
        tracer.addLayerPackage(LAYER);
        tracer.stop();
        tracer.start(1);
        long q = layer.make(16);
        assertEquals("aDeclarationIsOfOnePackageKeptAcrossStopAndRepeatable", traceOf(q).mostRecent().methodName());
        memory.obj().free(q);
    }
}
