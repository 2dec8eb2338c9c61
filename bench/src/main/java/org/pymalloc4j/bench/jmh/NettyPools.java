package org.pymalloc4j.bench.jmh;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The four Netty allocators every benchmark class compares with, configured once here (the
 * configuration is described in {@link PairBenchmark}). Each benchmark state builds its own, so
 * that no pooled memory is shared between benchmarks.
 */
final class NettyPools {
    private NettyPools() {
    }

    /**
     * Netty's {@code PooledByteBufAllocator(preferDirect)}, 4.1's default: in 4.2 a thread that
     * is not an event loop's gets a thread cache of size 0, so every op goes to the arena.
     */
    static PooledByteBufAllocator uncached() {
        return new PooledByteBufAllocator(true);
    }

    /** The same with {@code useCacheForAllThreads}: the thread cache an event-loop thread has. */
    static PooledByteBufAllocator cached() {
        return new PooledByteBufAllocator(true,
                PooledByteBufAllocator.defaultNumHeapArena(), PooledByteBufAllocator.defaultNumDirectArena(),
                PooledByteBufAllocator.defaultPageSize(), PooledByteBufAllocator.defaultMaxOrder(),
                PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(),
                true);
    }

    /**
     * Netty 4.2's default allocator, {@code AdaptiveByteBufAllocator(preferDirect)}: a thread
     * that is not an event loop's allocates from the magazines all such threads share
     * ({@code io.netty.allocator.useCachedMagazinesForNonEventLoopThreads} is false by default).
     */
    static AdaptiveByteBufAllocator adaptive() {
        return new AdaptiveByteBufAllocator(true);
    }

    /** The same with a magazine of the thread's own, as an event-loop thread has. */
    static AdaptiveByteBufAllocator adaptiveCached() {
        return new AdaptiveByteBufAllocator(true, true);
    }
}
