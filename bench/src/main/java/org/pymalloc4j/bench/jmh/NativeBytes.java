package org.pymalloc4j.bench.jmh;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pymalloc4j.allocator.PyMalloc;

/**
 * Reports the native memory an implementation took from the OS as a secondary result
 * ({@code :nativeBytes}, beside the time): JMH's {@code -prof gc} sees only the Java heap, and
 * the allocators under test live outside it.
 *
 * <p>A benchmark's own {@code @State} takes this state in its trial {@code @Setup} and calls
 * {@link #track}; only the benchmark methods that use that state report the counter (JMH
 * rejects a counter injected twice into one method). The value is read once at the end of each
 * iteration, never on the hot path, and it is a gauge, so JMH's score for it (the sum over
 * iterations and forks, as for every {@code EVENTS} counter) means nothing: read the
 * per-iteration values ({@code rawData} in the JSON), as {@code pymalloc4j bench} does.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class NativeBytes {
    private LongSupplier source = () -> 0;
    private long atIterationEnd;

    /** Reports {@code bytes} from now on. */
    void track(LongSupplier bytes) {
        source = bytes;
    }

    /** The most arena memory {@code heap} has held at once: high-water arenas at full size. */
    static LongSupplier arenaHighWater(PyMalloc heap) {
        return () -> heap.stats().arenasHighWater() * heap.geometry().arenaSize();
    }

    /**
     * The bytes of the JDK's "direct" buffer pool: direct byte buffers and the segments of
     * automatic arenas, live or dropped and not yet freed by their cleaners. Confined and
     * shared arenas' segments are not counted there.
     */
    static long directPool() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("this JVM has no \"direct\" buffer pool");
    }

    /** Read here, before the trial teardown closes what {@link #track} points at. */
    @TearDown(Level.Iteration)
    public void capture() {
        atIterationEnd = source.getAsLong();
    }

    /** The counter: bytes held, as of the end of the iteration. */
    public long nativeBytes() {
        return atIterationEnd;
    }
}
