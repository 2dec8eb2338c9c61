package org.pymalloc4j.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.Trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The collector, trace-replay and native-bytes pieces of the suite run once, as JMH would call them. */
class SuiteBenchmarksTest {
    private static final Blackhole BLACKHOLE = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void collectCyclesFindsEveryObjectOfTheCycles() {
        CollectorBenchmark.Cycles cycles = new CollectorBenchmark.Cycles();
        cycles.open(new NativeBytes());
        cycles.build();
        assertEquals(2L * CollectorBenchmark.CYCLES, cycles.space.liveObjectCount());
        assertEquals(2L * CollectorBenchmark.CYCLES, new CollectorBenchmark().collectCycles(cycles));
        assertEquals(0, cycles.space.liveObjectCount());
        cycles.close(); // throws if anything leaked
    }

    @Test
    void theLiveHeapHasExactlyItsSizeAndSurvivesCollection() {
        CollectorBenchmark.LiveHeap heap = new CollectorBenchmark.LiveHeap();
        heap.liveObjects = 10_000;
        NativeBytes bytes = new NativeBytes();
        heap.build(bytes);
        assertEquals(10_000, heap.space.liveObjectCount());
        assertEquals(0, new CollectorBenchmark().collectLiveHeap(heap), "nothing is garbage");
        assertEquals(10_000, heap.space.liveObjectCount());
        bytes.capture();
        assertTrue(bytes.nativeBytes() > 10_000 * 56L, "10,000 lists take native memory: " + bytes.nativeBytes());
        heap.close();
    }

    @Test
    void traceReplayRunsTheWholeTraceAndFreesEverything() {
        TraceReplayBenchmark.Recorded recorded = new TraceReplayBenchmark.Recorded();
        TraceReplayBenchmark bench = new TraceReplayBenchmark();
        replaysWholeAndFreesEverything(recorded, TraceReplayBenchmark.OPERATIONS,
                h -> bench.pymalloc(recorded, h), l -> bench.libcMalloc(recorded, l));
    }

    @Test
    void programReplayRunsTheRecordedProgramAndFreesEverything() {
        ProgramReplayBenchmark.Program program = new ProgramReplayBenchmark.Program();
        ProgramReplayBenchmark bench = new ProgramReplayBenchmark();
        replaysWholeAndFreesEverything(program, ProgramReplayBenchmark.OPERATIONS,
                h -> bench.pymalloc(program, h), l -> bench.libcMalloc(program, l));
    }

    /** Runs a replay benchmark's two methods as JMH would, checking that each leaves nothing live. */
    private static void replaysWholeAndFreesEverything(TraceReplayBenchmark.Recorded recorded, int operations,
            Function<PyMallocHeap, long[]> pymalloc, Function<TraceReplayBenchmark.Libc, long[]> libcMalloc) {
        recorded.read();
        assertEquals(operations, recorded.trace.length());
        PyMallocHeap heap = new PyMallocHeap();
        NativeBytes bytes = new NativeBytes();
        heap.setUp(bytes);
        for (int i = 0; i < 2; i++) { // a second invocation starts from the emptied slot table
            long[] slots = pymalloc.apply(heap);
            assertTrue(java.util.Arrays.stream(slots).allMatch(a -> a == 0), "every block freed");
            assertEquals(0, heap.heap.stats().smallBlocksInUse());
            assertEquals(0, heap.heap.stats().rawBlocks(), "the blocks over 512 bytes too");
        }
        bytes.capture();
        assertTrue(bytes.nativeBytes() >= heap.heap.geometry().arenaSize(), "the arena high-water: " + bytes.nativeBytes());
        heap.tearDown();
        TraceReplayBenchmark.Libc libc = new TraceReplayBenchmark.Libc();
        libc.open();
        libcMalloc.apply(libc);
        assertEquals(0, libc.memory.obj().liveBlocks());
        libc.close();
    }

    @Test
    void batchAndRandomMixReportTheirHeapsArenaHighWater() {
        BatchBenchmark batch = new BatchBenchmark();
        batch.size = 64;
        PyMallocHeap heap = new PyMallocHeap();
        NativeBytes bytes = new NativeBytes();
        heap.setUp(bytes);
        batch.pymalloc(heap, BLACKHOLE);
        bytes.capture();
        long arena = heap.heap.geometry().arenaSize();
        // 100,000 blocks of 64 bytes are 6.4 MB: at least 7 arenas of 1 MiB were mapped at once.
        assertTrue(bytes.nativeBytes() >= 7 * arena, "high-water " + bytes.nativeBytes());
        assertEquals(0, heap.heap.stats().smallBlocksInUse());
        heap.tearDown();
    }

    @Test
    void theLoopsDoExactlyTheOpsOfThatManySingleCalls() {
        RandomMixBenchmark mix = new RandomMixBenchmark();
        RandomMixBenchmark.Workload single = new RandomMixBenchmark.Workload();
        RandomMixBenchmark.Workload looped = new RandomMixBenchmark.Workload();
        single.setUp();
        looped.setUp();
        RandomMixBenchmark.PyMallocLive one = new RandomMixBenchmark.PyMallocLive();
        RandomMixBenchmark.PyMallocLive many = new RandomMixBenchmark.PyMallocLive();
        one.setUp(single, new NativeBytes());
        many.setUp(looped, new NativeBytes());
        for (int i = 0; i < RandomMixBenchmark.LOOP; i++) {
            mix.pymalloc(single, one);
        }
        mix.pymallocLoop(looped, many);
        assertEquals(single.cursor, looped.cursor);
        assertEquals(RandomMixBenchmark.LOOP, looped.cursor);
        assertEquals(one.heap.stats().sizeClasses(), many.heap.stats().sizeClasses(), "the same blocks per class");
        one.heap.checkInvariants();
        many.heap.checkInvariants();
        one.tearDown();
        many.tearDown();

        PairBenchmark pair = new PairBenchmark();
        pair.size = 64;
        pair.setUp();
        pair.pymallocLoop();
        assertEquals(1, pair.heap.stats().smallBlocksInUse(), "only the ballast");
        pair.tearDown();
    }

    @Test
    void theSegmentPairFreesWhatItAllocatesFromTheSameBlock() {
        PairBenchmark pair = new PairBenchmark();
        pair.size = 256;
        pair.setUp();
        long first = pair.pymallocSegment();
        for (int i = 0; i < 1_000; i++) {
            assertEquals(first, pair.pymallocSegment(), "the pair's block, op after op");
        }
        assertEquals(1, pair.heap.stats().smallBlocksInUse(), "only the ballast");
        pair.heap.checkInvariants();
        pair.tearDown();
    }

    @Test
    void nativeBytesReportsNothingUntilTracked() {
        NativeBytes bytes = new NativeBytes();
        bytes.capture();
        assertEquals(0, bytes.nativeBytes());
        try (PyMalloc heap = PyMalloc.create()) {
            bytes.track(NativeBytes.arenaHighWater(heap));
            heap.free(heap.malloc(16));
            bytes.capture();
            assertEquals(heap.geometry().arenaSize(), bytes.nativeBytes());
        }
    }

    /**
     * The replayed traces are what the two classes' Javadocs say: sizes-churn has no realloc
     * (its Javadoc said malloc/realloc/free churn), and 2,013 of the program's mallocs take the
     * raw path, 28 of them of 0 bytes (its Javadoc said 2,013 over 512 bytes).
     */
    @Test
    void theReplayedTracesHoldTheCallsTheirJavadocsCount() {
        Trace churn = TraceReplayBenchmark.recorded();
        assertEquals(List.of(26_002L, 0L, 8_443L), calls(churn));
        assertEquals(List.of(529L, 1_576L), rawMallocs(churn), "mallocs of 0 bytes, then over 512");
        Trace program = ProgramReplayBenchmark.recorded();
        assertEquals(List.of(79_789L, 2_564L, 79_318L), calls(program));
        assertEquals(List.of(28L, 1_985L), rawMallocs(program), "mallocs of 0 bytes, then over 512");
    }

    private static List<Long> calls(Trace trace) {
        return List.of(trace.count(Trace.MALLOC), trace.count(Trace.REALLOC), trace.count(Trace.FREE));
    }

    private static List<Long> rawMallocs(Trace trace) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ops = arena.allocate(trace.length());
            MemorySegment slots = arena.allocate(ValueLayout.JAVA_INT, trace.length());
            MemorySegment sizes = arena.allocate(ValueLayout.JAVA_LONG, trace.length());
            trace.copyTo(ops, slots, sizes);
            long empty = 0;
            long large = 0;
            for (int i = 0; i < trace.length(); i++) {
                if (ops.get(ValueLayout.JAVA_BYTE, i) == Trace.MALLOC) {
                    long size = sizes.getAtIndex(ValueLayout.JAVA_LONG, i);
                    empty += size == 0 ? 1 : 0;
                    large += size > 512 ? 1 : 0;
                }
            }
            return List.of(empty, large);
        }
    }

    @Test
    void theRecordedTraceIsTheFidelitySuitesSizesChurn() {
        Trace trace = TraceReplayBenchmark.recorded();
        assertTrue(trace.slotCount() > 1000, "a real trace: " + trace.slotCount() + " slots");
    }
}
