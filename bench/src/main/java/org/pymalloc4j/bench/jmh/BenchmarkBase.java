package org.pymalloc4j.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The run conventions shared by every benchmark class in this package, which all extend it
 * (JMH reads these class-level annotations through the superclass chain, as in
 * {@code JMHSample_24_Inheritance}; a subclass or the command line may override any of them):
 *
 * <ul>
 *   <li>average time per operation in nanoseconds;</li>
 *   <li>3 forks x (5 x 1 s warmup + 5 x 1 s measurement);</li>
 *   <li>one benchmark thread: the allocators under test are single-owner, and this box has
 *       2 vCPUs, the second of which is left to the JIT, the GC and the JMH control thread;</li>
 *   <li>the fork flags in {@link JvmArgs}.</li>
 * </ul>
 *
 * <p>Benchmarks return their result (an address, a segment, an array) or sink it in a
 * {@code Blackhole}, so the JIT cannot drop the work, and never loop by hand except under
 * {@code @OperationsPerInvocation}.
 *
 * <p>{@link org.pymalloc4j.allocator.PyMalloc} runs in its default checked mode
 * ({@code pymalloc4j.checks} unset). To measure it unchecked, add
 * {@code -jvmArgsPrepend -Dpymalloc4j.checks=false} on the JMH command line
 * ({@code -jvmArgsAppend} on the command line would replace the flags above, not extend them).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = JvmArgs.FORKS, jvmArgsAppend = {
    JvmArgs.NATIVE_ACCESS, JvmArgs.NO_ASSERTIONS, JvmArgs.HEAP_MIN, JvmArgs.HEAP_MAX,
    JvmArgs.PARALLEL_GC, JvmArgs.NETTY_NO_LEAK_DETECTION,
})
@Warmup(iterations = JvmArgs.WARMUP_ITERATIONS, time = JvmArgs.ITERATION_SECONDS, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = JvmArgs.MEASUREMENT_ITERATIONS, time = JvmArgs.ITERATION_SECONDS, timeUnit = TimeUnit.SECONDS)
@Threads(1)
public abstract class BenchmarkBase {
}
