package org.pymalloc4j.allocator.tracing;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.testkit.ForwardingAllocator;
import org.pymalloc4j.allocator.Domain;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MemoryLimitExceededError;
import org.pymalloc4j.allocator.TracedMemory;
import org.pymalloc4j.allocator.Traceback;
import org.pymalloc4j.allocator.Tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the tracer hooks the domains: installing and removing its wrappers, allocators beneath
 * and above it, exceptions from beneath, re-entrant calls and closing the memory.
 */
class TracerHookingTest {
    private Memory memory;
    private Tracer tracer;

    @BeforeEach
    void open() {
        memory = TracingSupport.pymalloc();
        tracer = memory.tracer();
    }

    @AfterEach
    void close() {
        memory.close();
    }

    private void assertTraced(long current, long peak, String what) {
        assertEquals(new TracedMemory(current, peak), tracer.tracedMemory(), what);
    }

    private Map<Domain, BlockAllocator> allocators() {
        Map<Domain, BlockAllocator> map = new EnumMap<>(Domain.class);
        for (Domain d : Domain.values()) {
            map.put(d, memory.getAllocator(d));
        }
        return map;
    }

    /** allocatorNameBeneathTracer takes off the tracer's wrappers only: another wrapper is still a custom allocator. */
    @Test
    void beneathTheTracerAnotherWrapperIsStillCustom() {
        memory.wrapAllocator(Domain.OBJ, inner -> new ForwardingAllocator(inner));
        tracer.start(1);
        assertEquals(Optional.empty(), memory.allocatorName());
        assertEquals(Optional.empty(), memory.allocatorNameBeneathTracer());
        tracer.stop();
    }

    @Test
    void stopRestoresTheOriginalAllocatorsAndClearsTheTraces() {
        Map<Domain, BlockAllocator> originals = allocators();
        assertEquals(Optional.of(AllocatorName.PYMALLOC), memory.allocatorName());
        tracer.start(3);
        for (Domain d : Domain.values()) {
            assertNotSame(originals.get(d), memory.getAllocator(d), d + " is wrapped");
            assertTrue(memory.getAllocator(d).toString().startsWith("tracing("), memory.getAllocator(d).toString());
        }
        assertEquals(Optional.empty(), memory.allocatorName(), "hooks installed: no standard configuration");
        assertEquals(Optional.of(AllocatorName.PYMALLOC), memory.allocatorNameBeneathTracer(), "what serves the blocks");
        long p = memory.obj().malloc(30);
        long q = memory.raw().malloc(3000);
        tracer.stop();
        for (Domain d : Domain.values()) {
            assertSame(originals.get(d), memory.getAllocator(d), d + " restored");
        }
        assertEquals(Optional.of(AllocatorName.PYMALLOC), memory.allocatorName());
        assertEquals(0, tracer.traceCount());
        assertTraced(0, 0, "after stop");
        assertTrue(tracer.tracebackOf(p).isEmpty());
        assertEquals(3, tracer.tracebackLimit(), "the limit is kept after stop");
        memory.obj().free(p);
        memory.raw().free(q);
        tracer.stop(); // not tracing: nothing
        memory.checkInvariants();
    }

    @Test
    void startWhileTracingKeepsTheLimitAsCPython() {
        assertEquals(1, tracer.tracebackLimit(), "CPython's limit before any start");
        Map<Domain, BlockAllocator> originals = allocators();
        tracer.start(5);
        Map<Domain, BlockAllocator> wrapped = allocators();
        tracer.start(2);
        assertEquals(5, tracer.tracebackLimit(), "_PyTraceMalloc_Start: hooks already installed: do nothing");
        assertEquals(wrapped, allocators(), "no second wrapper");
        assertEquals("the number of frames must be in range [1; 65535], was 0",
                assertThrows(IllegalArgumentException.class, () -> tracer.start(0), "the range is checked first").getMessage());
        tracer.stop();
        assertEquals(originals, allocators(), "one stop undoes one effective start");
        tracer.start(2);
        assertEquals(2, tracer.tracebackLimit());
    }

    /** An allocator beneath the tracer that keeps a 16-byte RAW note per block, through the same memory. */
    private final class Bookkeeping implements BlockAllocator {
        final BlockAllocator inner;
        final List<Long> notes = new ArrayList<>();

        Bookkeeping(BlockAllocator inner) {
            this.inner = inner;
        }

        private void note() {
            notes.add(memory.raw().malloc(16));
        }

        @Override
        public long malloc(long size) {
            note();
            return inner.malloc(size);
        }

        @Override
        public long calloc(long nelem, long elsize) {
            note();
            return inner.calloc(nelem, elsize);
        }

        @Override
        public long realloc(long address, long newSize) {
            if (address == 0) {
                note();
            }
            return inner.realloc(address, newSize);
        }

        @Override
        public void free(long address) {
            inner.free(address);
            memory.raw().free(notes.removeLast());
        }
    }

    @Test
    void allocationsMadeInsideATracedCallAreNotTraced() {
        List<Bookkeeping> keepers = new ArrayList<>();
        // MEM and OBJ keep their notes in RAW (a RAW keeper would recurse into itself, tracer or not)
        for (Domain d : List.of(Domain.MEM, Domain.OBJ)) {
            memory.wrapAllocator(d, inner -> {
                Bookkeeping k = new Bookkeeping(inner);
                keepers.add(k);
                return k;
            });
        }
        tracer.start();
        long a = memory.obj().malloc(100);
        long b = memory.mem().calloc(2, 8);
        long c = memory.raw().malloc(1000);
        long d = memory.mem().realloc(0, 40);
        assertEquals(3, keepers.stream().mapToInt(k -> k.notes.size()).sum(), "every MEM and OBJ call kept a note");
        assertEquals(4, tracer.traceCount(), "one trace per user allocation, none for the notes");
        assertTraced(1156, 1156, "the notes are not counted");
        Map<Domain, Long> byDomain = new EnumMap<>(Domain.class);
        tracer.takeSnapshot().traces().forEach(t -> byDomain.merge(t.domain(), t.size(), Long::sum));
        assertEquals(Map.of(Domain.OBJ, 100L, Domain.MEM, 56L, Domain.RAW, 1000L), byDomain);
        memory.obj().free(a);
        memory.mem().free(b);
        memory.raw().free(c);
        memory.mem().free(d);
        assertTraced(0, 1156, "all freed");
        assertEquals(0, keepers.stream().mapToInt(k -> k.notes.size()).sum());
        tracer.stop();
        memory.unwrapAllocator(Domain.MEM);
        memory.unwrapAllocator(Domain.OBJ);
        assertEquals(Optional.of(AllocatorName.PYMALLOC), memory.allocatorName());
    }

    /** Runs (then drops) the queued actions in its malloc, beneath the tracer; passes everything through. */
    private static final class RunsBeneath extends ForwardingAllocator {
        final List<Runnable> queued = new ArrayList<>();

        RunsBeneath(BlockAllocator inner) {
            super(inner);
        }

        @Override
        public long malloc(long size) {
            queued.forEach(Runnable::run);
            queued.clear();
            return inner.malloc(size);
        }
    }

    /**
     * A traced block freed or moved inside a traced call loses its trace, as tracemalloc 3.11's
     * {@code tracemalloc_free} and re-entrant {@code tracemalloc_realloc_gil} remove it: no
     * trace outlives its block.
     */
    @Test
    void aBlockFreedOrMovedInsideATracedCallLosesItsTrace() {
        RunsBeneath beneath = (RunsBeneath) memory.wrapAllocator(Domain.MEM, RunsBeneath::new);
        tracer.start();
        long freed = memory.raw().malloc(1000);
        long moved = memory.raw().malloc(2000);
        long[] movedTo = new long[1];
        beneath.queued.add(() -> movedTo[0] = memory.raw().realloc(moved, 3000));
        beneath.queued.add(() -> memory.raw().free(freed));
        long m = memory.mem().malloc(50);
        assertEquals(1, tracer.traceCount(), "only m: the moved block is untraced, as in CPython");
        assertTrue(tracer.tracebackOf(freed).isEmpty());
        assertTrue(tracer.tracebackOf(movedTo[0]).isEmpty());
        assertTraced(50, 3000, "the freed and the moved block left the count");
        memory.mem().free(m);
        memory.raw().free(movedTo[0]);
        assertTraced(0, 3000, "all freed");
        tracer.stop();
        memory.unwrapAllocator(Domain.MEM);
    }

    /** Passes everything through, or throws {@link Refused} from every call while {@code refuse}. */
    private static final class Refusing implements BlockAllocator {
        final BlockAllocator inner;
        boolean refuse;

        Refusing(BlockAllocator inner) {
            this.inner = inner;
        }

        private void check() {
            if (refuse) {
                throw new Refused();
            }
        }

        @Override
        public long malloc(long size) {
            check();
            return inner.malloc(size);
        }

        @Override
        public long calloc(long nelem, long elsize) {
            check();
            return inner.calloc(nelem, elsize);
        }

        @Override
        public long realloc(long address, long newSize) {
            check();
            return inner.realloc(address, newSize);
        }

        @Override
        public void free(long address) {
            check();
            inner.free(address);
        }
    }

    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused() {
            super("refused");
        }
    }

    @Test
    void exceptionsFromTheInnerAllocatorLeaveTheTracesAlone() {
        Refusing refusing = (Refusing) memory.wrapAllocator(Domain.MEM, Refusing::new);
        tracer.start();
        long a = memory.mem().malloc(100);
        Traceback tb = tracer.tracebackOf(a).orElseThrow();
        refusing.refuse = true;
        assertThrows(Refused.class, () -> memory.mem().malloc(10));
        assertThrows(Refused.class, () -> memory.mem().calloc(1, 10));
        assertThrows(Refused.class, () -> memory.mem().realloc(a, 5000));
        assertThrows(Refused.class, () -> memory.mem().free(a));
        assertTraced(100, 100, "nothing changed");
        assertEquals(1, tracer.traceCount());
        assertSame(tb, tracer.tracebackOf(a).orElseThrow());
        refusing.refuse = false;
        memory.mem().free(a);
        assertTraced(0, 100, "freed");
    }

    @Test
    void aMemoryLimitErrorLeavesTheTracesAlone() {
        memory.close();
        memory = Memory.builder().allocator(AllocatorName.PYMALLOC).limit(4 << 20).build();
        tracer = memory.tracer();
        tracer.start();
        long a = memory.raw().malloc(1 << 20);
        assertEquals("pymalloc4j: malloc(8388608): a raw block of 8,388,608 bytes would exceed the memory limit of 4,194,304 bytes"
                + " (1,048,576 in use)", assertThrows(MemoryLimitExceededError.class, () -> memory.raw().malloc(8 << 20))
                        .getMessage());
        assertEquals("pymalloc4j: realloc(0x" + Long.toHexString(a) + ", 8388608): the raw block's increase of 7,340,032 bytes would exceed"
                + " the memory limit of 4,194,304 bytes (1,048,576 in use)",
                assertThrows(MemoryLimitExceededError.class, () -> memory.raw().realloc(a, 8 << 20)).getMessage());
        assertTraced(1 << 20, 1 << 20, "only the first block");
        assertEquals(1, tracer.traceCount());
        memory.raw().free(a);
    }

    /**
     * The traceback of a traced call was interned before the inner allocator ran and stayed when
     * it refused: every refused allocation from a new stack (here, one more frame deep each time)
     * grew the tracer's tables with a traceback no trace used. tracemalloc interns a traceback
     * only for a block it traces (tracemalloc_alloc calls the allocator first).
     */
    @Test
    void refusedAllocationsKeepNoTraceback() {
        memory.close();
        memory = Memory.builder().allocator(AllocatorName.PYMALLOC).limit(4 << 20).build();
        tracer = memory.tracer();
        Refusing refusing = (Refusing) memory.wrapAllocator(Domain.MEM, Refusing::new);
        long[] retagging = {0};
        memory.wrapAllocator(Domain.OBJ, inner -> new ForwardingAllocator(inner) {
            @Override
            public long malloc(long size) {
                if (retagging[0] == 0) {
                    return inner.malloc(size);
                }
                tracer.retag(retagging[0]);
                throw new Refused();
            }
        });
        tracer.start();
        long a = memory.raw().malloc(16);
        long before = tracer.tracerMemory();
        refusing.refuse = true;
        for (int depth = 0; depth < 40; depth++) {
            fromDepth(depth, () -> assertThrows(MemoryLimitExceededError.class, () -> memory.raw().malloc(8 << 20)));
            fromDepth(depth, () -> assertThrows(MemoryLimitExceededError.class, () -> memory.obj().calloc(8, 1 << 20)));
            fromDepth(depth, () -> assertThrows(MemoryLimitExceededError.class, () -> memory.raw().realloc(a, 8 << 20)));
            fromDepth(depth, () -> assertThrows(Refused.class, () -> memory.mem().malloc(10)));
        }
        assertEquals(before, tracer.tracerMemory(), "refused allocations interned tracebacks");
        refusing.refuse = false;
        long b = memory.raw().malloc(16);
        assertTrue(tracer.tracerMemory() > before, "an allocation from a new line interns its traceback");
        assertEquals(2, tracer.traceCount());
        // A traceback interned from inside the refusing allocator, here by a retag, stays, and so does the call's.
        retagging[0] = b;
        fromDepth(1, () -> assertThrows(Refused.class, () -> memory.obj().malloc(10)));
        assertEquals("malloc", tracer.tracebackOf(b).orElseThrow().mostRecent().methodName(), "retagged beneath the tracer");
        assertEquals(2, tracer.takeSnapshot().traces().size());
        memory.raw().free(a);
        memory.raw().free(b);
    }

    /** Runs {@code call} {@code depth} frames below this one. */
    private static void fromDepth(int depth, Runnable call) {
        if (depth > 0) {
            fromDepth(depth - 1, call);
        } else {
            call.run();
        }
    }

    @Test
    void stopRefusesWhileAWrapperSitsOnTop() {
        tracer.start();
        Map<Domain, BlockAllocator> tracing = allocators();
        memory.wrapAllocator(Domain.MEM, Refusing::new);
        long p = memory.mem().malloc(10);
        IllegalStateException e = assertThrows(IllegalStateException.class, tracer::stop);
        assertTrue(e.getMessage().contains("MEM") && e.getMessage().contains("unwrap"), e.getMessage());
        assertTrue(tracer.isTracing(), "nothing changed");
        assertSame(tracing.get(Domain.RAW), memory.getAllocator(Domain.RAW), "RAW not unwrapped");
        assertSame(tracing.get(Domain.OBJ), memory.getAllocator(Domain.OBJ), "OBJ not unwrapped");
        assertEquals(1, tracer.traceCount(), "traces kept");
        memory.unwrapAllocator(Domain.MEM);
        tracer.stop();
        assertFalse(tracer.isTracing());
        memory.mem().free(p);
    }

    /**
     * unwrapAllocator: "@throws IllegalStateException ... if it is the tracer's (stop the tracer
     * instead ...)". Taken off, the tracer would keep tracing with no wrapper its stop could find.
     */
    @Test
    void unwrapAllocatorRefusesTheTracersWrapper() {
        tracer.start();
        Map<Domain, BlockAllocator> tracing = allocators();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.unwrapAllocator(Domain.MEM));
        assertTrue(e.getMessage().contains("MEM allocator is the tracer's wrapper: stop the tracer instead"), e.getMessage());
        assertEquals(tracing, allocators(), "nothing changed");
        assertTrue(tracer.isTracing());

        BlockAllocator refusing = memory.wrapAllocator(Domain.MEM, Refusing::new);
        assertSame(refusing, memory.unwrapAllocator(Domain.MEM), "a wrapper over the tracer's still comes off");
        tracer.stop();
        assertFalse(tracer.isTracing());
        e = assertThrows(IllegalStateException.class, () -> memory.unwrapAllocator(Domain.MEM), "no wrapper left");
        assertTrue(e.getMessage().startsWith("the MEM allocator (")
                && e.getMessage().endsWith(") is not a wrapper installed by wrapAllocator"), e.getMessage());
    }

    /** isTracing's one-test answer for an idle tracer (see Tracer.idle) gives way to the refusal on close. */
    @Test
    void anIdleTracerRefusesOnceTheMemoryIsClosed() {
        for (boolean startedAndStopped : new boolean[] {false, true}) {
            Memory m = TracingSupport.pymalloc();
            if (startedAndStopped) {
                m.tracer().start();
                m.tracer().stop();
            }
            assertFalse(m.tracer().isTracing());
            m.close();
            assertEquals("this Memory is closed", assertThrows(IllegalStateException.class, m.tracer()::isTracing).getMessage());
            assertEquals("this Memory is closed", assertThrows(IllegalStateException.class, () -> m.tracer().retag(16)).getMessage());
        }
    }

    @Test
    void closingTheMemoryStopsTracing() {
        tracer.start();
        memory.obj().malloc(10);
        memory.close();
        assertEquals("this Memory is closed", assertThrows(IllegalStateException.class, tracer::isTracing).getMessage());
        assertEquals("closed", memory.domain(Domain.OBJ).allocator().toString());
    }

    @Test
    void closingWorksWithAWrapperOverTheTracer() {
        tracer.start();
        memory.wrapAllocator(Domain.RAW, Refusing::new);
        memory.close();
        assertTrue(memory.isClosed());
        assertEquals("closed", memory.domain(Domain.RAW).allocator().toString());
    }
}
