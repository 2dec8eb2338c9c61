package org.pymalloc4j.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.pymalloc4j.bench.Trace;

/**
 * Replays a real program's allocations: every pymalloc call (the MEM and OBJ domains) that
 * {@code python3.11 -c pass} made from the interpreter's start to its finalization, recorded
 * with {@code pymalloc4j record} ({@value #TRACE}, the fidelity suite's
 * {@code python-startup.trace}: 79,789 mallocs, 2,013 of them raw (1,985 over 512 bytes, 28 of
 * 0 bytes), 2,564 reallocs, 79,318 frees). Otherwise {@link TraceReplayBenchmark}: the score
 * is trace operations per second, on a {@link org.pymalloc4j.allocator.PyMalloc} heap and on
 * libc behind a domain, and the CPython harness replays the same file through
 * {@code PyObject_Malloc}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProgramReplayBenchmark extends BenchmarkBase {

    /** The trace, a class-path resource (the build copies it from the fidelity suite). */
    public static final String TRACE = "/traces/python-startup.trace";
    /** Its operations; setup fails if the resource has a different number. */
    static final int OPERATIONS = 161_671;

    /** Reads {@link #TRACE}. */
    public static Trace recorded() {
        return TraceReplayBenchmark.read(TRACE, OPERATIONS);
    }

    /** The program's trace and its slot table. */
    @State(Scope.Thread)
    public static class Program extends TraceReplayBenchmark.Recorded {
        @Override
        Trace load() {
            return recorded();
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPERATIONS)
    public long[] pymalloc(Program r, PyMallocHeap h) {
        return TraceReplayBenchmark.replay(r, h.heap);
    }

    @Benchmark
    @OperationsPerInvocation(OPERATIONS)
    public long[] libcMalloc(Program r, TraceReplayBenchmark.Libc l) {
        return TraceReplayBenchmark.replay(r, l.memory.obj());
    }
}
