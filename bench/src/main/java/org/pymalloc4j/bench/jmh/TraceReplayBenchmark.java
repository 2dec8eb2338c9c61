package org.pymalloc4j.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.Trace;

/**
 * Replays a recorded allocation trace ({@value #TRACE}, the fidelity suite's "sizes-churn":
 * sizes 0..600, a ramp up to about 17,600 live blocks, then malloc/free churn; 26,002 mallocs,
 * 2,105 of them raw (0 or over 512 bytes), 8,443 frees and no realloc; see
 * {@code bench/cpython/make_traces.py}), then frees what it left live (17,559 blocks, which
 * neither this score nor CPython's harness counts as operations); the score is trace
 * operations per second. {@code pymalloc} replays on a {@link PyMalloc} heap, {@code libcMalloc}
 * on the libc allocator behind a {@link Memory} domain (the replay command's {@code --malloc
 * malloc}), and the CPython harness replays the same file through {@code PyObject_Malloc}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TraceReplayBenchmark extends BenchmarkBase {

    /** The trace, a class-path resource (the build copies it from the fidelity suite). */
    public static final String TRACE = "/traces/sizes-churn.trace";
    /** Its operations; setup fails if the resource has a different number. */
    static final int OPERATIONS = 34_445;

    /** Reads {@link #TRACE}. */
    public static Trace recorded() {
        return read(TRACE, OPERATIONS);
    }

    /** Reads the class-path trace {@code resource}, which must have {@code operations} operations. */
    static Trace read(String resource, int operations) {
        Trace trace = Trace.resource(resource);
        if (trace.length() != operations) {
            throw new IllegalStateException(resource + " has " + trace.length() + " operations, not " + operations);
        }
        return trace;
    }

    /** The trace and its slot table. */
    @State(Scope.Thread)
    public static class Recorded {
        Trace trace;
        long[] slots;

        @Setup(Level.Trial)
        public void read() {
            trace = load();
            slots = trace.newSlotTable();
        }

        /** The trace this state replays. */
        Trace load() {
            return recorded();
        }
    }

    /** libc malloc behind the object domain. */
    @State(Scope.Thread)
    public static class Libc {
        Memory memory;

        @Setup(Level.Trial)
        public void open() {
            memory = Memory.builder().allocator(AllocatorName.MALLOC).build();
        }

        @TearDown(Level.Trial)
        public void close() {
            memory.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPERATIONS)
    public long[] pymalloc(Recorded r, PyMallocHeap h) {
        return replay(r, h.heap);
    }

    @Benchmark
    @OperationsPerInvocation(OPERATIONS)
    public long[] libcMalloc(Recorded r, Libc l) {
        return replay(r, l.memory.obj());
    }

    static long[] replay(Recorded r, BlockAllocator heap) {
        r.trace.replayAndFreeAll(heap, r.slots);
        return r.slots;
    }
}
