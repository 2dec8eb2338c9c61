package org.pymalloc4j.bench.jmh;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.LongUnaryOperator;
import java.util.function.ToLongBiFunction;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.lwjgl.system.jemalloc.JEmalloc;
import org.lwjgl.system.rpmalloc.RPmalloc;
import org.openjdk.jmh.infra.Blackhole;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The baselines of the batch and the random mix run as JMH would call them: each makes the
 * requests the pattern says and gives back what it took.
 */
class BaselineBenchmarksTest {
    private static final Blackhole BLACKHOLE = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    private static final int OPS = 3 * RandomMixBenchmark.LIVE;

    @Test
    void nettysBatchReleasesEveryBufferItTook() {
        BatchBenchmark batch = new BatchBenchmark();
        batch.size = 64;
        batch.setUp();
        ByteBuf first = BatchBenchmark.allocateAndRelease(batch.netty, batch.buffers, batch.size);
        assertEquals(64, first.capacity());
        assertEquals(0, first.refCnt(), "released");
        assertEquals(0, activeDirectBuffers(batch.netty), "every buffer back in its arena");
        assertTrue(Arrays.stream(batch.buffers).allMatch(Objects::isNull), "no released buffer kept");
        batch.nettyPooledDirectCached(BLACKHOLE);
        assertTrue(Arrays.stream(batch.buffers).allMatch(Objects::isNull), "no released buffer kept");
    }

    @Test
    void nettysAdaptiveBatchReleasesEveryBufferItTook() {
        BatchBenchmark batch = new BatchBenchmark();
        batch.size = 64;
        batch.setUp();
        ByteBuf[] taken = new ByteBuf[batch.buffers.length];
        ByteBuf first = BatchBenchmark.allocateAndRelease(new RecordingAllocator(batch.nettyAdaptive, taken),
                batch.buffers, batch.size);
        assertEquals(64, first.capacity());
        for (int i = 0; i < taken.length; i++) {
            assertEquals(64, taken[i].capacity(), "buffer " + i);
            assertEquals(0, taken[i].refCnt(), "buffer " + i + " released");
        }
        assertTrue(Arrays.stream(batch.buffers).allMatch(Objects::isNull), "no released buffer kept");
        batch.nettyAdaptiveDirectCached(BLACKHOLE);
        assertTrue(Arrays.stream(batch.buffers).allMatch(Objects::isNull), "no released buffer kept");
    }

    @Test
    void theByteArrayBatchDropsEveryArray() {
        BatchBenchmark batch = new BatchBenchmark();
        batch.size = 16;
        batch.javaByteArray(BLACKHOLE);
        assertTrue(Arrays.stream(batch.arrays).allMatch(Objects::isNull));
    }

    @Test
    void theGarbageCollectedBatchesDropEveryBlock() {
        BatchBenchmark batch = new BatchBenchmark();
        batch.size = 64;
        batch.arenaAuto(BLACKHOLE);
        assertTrue(Arrays.stream(batch.segments).allMatch(Objects::isNull), "no segment kept");
        batch.directByteBuffer(BLACKHOLE);
        assertTrue(Arrays.stream(batch.directBuffers).allMatch(Objects::isNull), "no buffer kept");
    }

    /** The shared arena's batch takes 100,000 separate blocks of the size asked, then closes the arena. */
    @Test
    void theSharedArenaBatchTakesSeparateBlocks() {
        BatchBenchmark batch = new BatchBenchmark();
        batch.size = 64;
        batch.arenaShared(BLACKHOLE);
        long[] sorted = batch.addresses.clone();
        Arrays.sort(sorted);
        assertTrue(sorted[0] != 0, "every block taken");
        for (int i = 1; i < sorted.length; i++) {
            assertTrue(sorted[i - 1] + batch.size <= sorted[i], "blocks at " + sorted[i - 1] + " and " + sorted[i]);
        }
    }

    @Test
    void nettysMixHoldsTheRequestedSizesAndGivesThemBack() {
        RandomMixBenchmark mix = new RandomMixBenchmark();
        for (RandomMixBenchmark.NettyLive live : new RandomMixBenchmark.NettyLive[] {
                new RandomMixBenchmark.NettyLive(), new RandomMixBenchmark.NettyCachedLive(),
                new RandomMixBenchmark.NettyAdaptiveLive(), new RandomMixBenchmark.NettyAdaptiveCachedLive()}) {
            RandomMixBenchmark.Workload w = workload();
            NativeBytes bytes = new NativeBytes();
            live.setUp(w, bytes);
            bytes.capture();
            assertTrue(bytes.nativeBytes() >= 100L * RandomMixBenchmark.LIVE,
                    "the live set's chunks: " + bytes.nativeBytes());
            String kind = live.getClass().getSimpleName();
            for (int i = 0; i < OPS; i++) {
                switch (live) {
                    case RandomMixBenchmark.NettyCachedLive cached -> mix.nettyPooledDirectCached(w, cached);
                    case RandomMixBenchmark.NettyAdaptiveLive adaptive -> mix.nettyAdaptiveDirect(w, adaptive);
                    case RandomMixBenchmark.NettyAdaptiveCachedLive cached -> mix.nettyAdaptiveDirectCached(w, cached);
                    default -> mix.nettyPooledDirect(w, live);
                }
            }
            int[] expected = sizesAfter(OPS);
            for (int slot = 0; slot < expected.length; slot++) {
                assertEquals(expected[slot], live.live[slot].capacity(), kind + ": slot " + slot);
                assertEquals(1, live.live[slot].refCnt(), kind + ": slot " + slot);
            }
            live.tearDown();
            assertTrue(Arrays.stream(live.live).allMatch(b -> b.refCnt() == 0), kind + ": every buffer released");
            // The pooled allocator without a cache counts its live buffers: replaceOne, which every
            // Netty op shares, released each one. (Netty recycles buffer objects, so their counts
            // cannot tell.)
            if (live.allocator instanceof PooledByteBufAllocator pooled
                    && !(live instanceof RandomMixBenchmark.NettyCachedLive)) {
                assertEquals(0, activeDirectBuffers(pooled), "every buffer back in its arena");
            }
        }
    }

    /** Confined and shared arenas, one a live block: each op closes its slot's arena and opens another. */
    @Test
    void theArenaMixesCloseTheSlotsArenaAndKeepOneOpenPerSlot() {
        RandomMixBenchmark mix = new RandomMixBenchmark();
        record Case(RandomMixBenchmark.ArenaLive live, ToLongBiFunction<RandomMixBenchmark.Workload,
                RandomMixBenchmark.ArenaLive> op, int ops) {
        }
        for (Case c : List.of(
                new Case(new RandomMixBenchmark.ArenaLive(), mix::arenaConfined, OPS),
                new Case(new RandomMixBenchmark.SharedArenaLive(), // each close is a handshake, about 10-50 µs
                        (w, live) -> mix.arenaShared(w, (RandomMixBenchmark.SharedArenaLive) live), OPS / 30))) {
            RandomMixBenchmark.ArenaLive live = c.live();
            String kind = live.getClass().getSimpleName();
            RandomMixBenchmark.Workload w = workload();
            live.setUp(w);
            java.lang.foreign.Arena before = live.live[w.slots[0]];
            for (int i = 0; i < c.ops(); i++) {
                assertTrue(c.op().applyAsLong(w, live) != 0, kind);
            }
            assertTrue(!before.scope().isAlive(), kind + ": the slot's first arena was closed");
            assertTrue(Arrays.stream(live.live).allMatch(a -> a.scope().isAlive()), kind + ": one open arena a slot");
            live.tearDown();
            assertTrue(Arrays.stream(live.live).noneMatch(a -> a.scope().isAlive()), kind + ": all closed");
        }
    }

    /**
     * The automatic arenas' and direct buffers' mixes hold a block of the size last asked in
     * each slot, and the direct pool they report counts at least those.
     */
    @Test
    void theGarbageCollectedMixesHoldTheRequestedSizes() {
        RandomMixBenchmark mix = new RandomMixBenchmark();
        int[] expected = sizesAfter(OPS);
        long liveBytes = Arrays.stream(expected).asLongStream().sum();

        RandomMixBenchmark.AutoArenaLive auto = new RandomMixBenchmark.AutoArenaLive();
        RandomMixBenchmark.Workload w = workload();
        NativeBytes bytes = new NativeBytes();
        auto.setUp(w, bytes);
        for (int i = 0; i < OPS; i++) {
            int slot = w.slots[w.cursor];
            assertEquals(mix.arenaAuto(w, auto), auto.live[slot], "op " + i + "'s segment in slot " + slot);
        }
        for (int slot = 0; slot < expected.length; slot++) {
            assertEquals(expected[slot], auto.live[slot].byteSize(), "Arena.ofAuto: slot " + slot);
        }
        bytes.capture();
        assertTrue(bytes.nativeBytes() >= liveBytes, "the direct pool " + bytes.nativeBytes() + " >= " + liveBytes);

        RandomMixBenchmark.DirectBufferLive direct = new RandomMixBenchmark.DirectBufferLive();
        w = workload();
        direct.setUp(w, bytes);
        for (int i = 0; i < OPS; i++) {
            int slot = w.slots[w.cursor];
            assertEquals(mix.directByteBuffer(w, direct), direct.live[slot], "op " + i + "'s buffer in slot " + slot);
        }
        for (int slot = 0; slot < expected.length; slot++) {
            assertEquals(expected[slot], direct.live[slot].capacity(), "allocateDirect: slot " + slot);
            assertTrue(direct.live[slot].isDirect());
        }
        bytes.capture();
        assertTrue(bytes.nativeBytes() >= liveBytes, "the direct pool " + bytes.nativeBytes() + " >= " + liveBytes);
    }

    @Test
    void theByteArrayMixHoldsTheRequestedSizes() {
        RandomMixBenchmark mix = new RandomMixBenchmark();
        RandomMixBenchmark.ByteArrayLive live = new RandomMixBenchmark.ByteArrayLive();
        RandomMixBenchmark.Workload w = workload();
        live.setUp(w);
        for (int i = 0; i < OPS; i++) {
            mix.javaByteArray(w, live);
        }
        int[] expected = sizesAfter(OPS);
        for (int slot = 0; slot < expected.length; slot++) {
            assertEquals(expected[slot], live.live[slot].length, "slot " + slot);
        }
    }

    /**
     * jemalloc's and rpmalloc's mixes, through LWJGL: each op's block goes into its slot, and
     * each slot ends holding a writable block, apart from every other, whose usable size covers
     * the size the workload last asked of it.
     */
    @Test
    void theLwjglMixesHoldTheRequestedSizesInSeparateBlocks() {
        RandomMixBenchmark mix = new RandomMixBenchmark();
        int[] expected = sizesAfter(OPS);
        record Case(String name, RandomMixBenchmark.NativeLive live,
                    ToLongBiFunction<RandomMixBenchmark.Workload, RandomMixBenchmark.NativeLive> op,
                    LongUnaryOperator usableSize) {
        }
        for (Case c : List.of(
                new Case("jemalloc", new RandomMixBenchmark.JemallocLive(),
                        (w, live) -> mix.jemalloc(w, (RandomMixBenchmark.JemallocLive) live), JEmalloc::nje_malloc_usable_size),
                new Case("rpmalloc", new RandomMixBenchmark.RpmallocLive(),
                        (w, live) -> mix.rpmalloc(w, (RandomMixBenchmark.RpmallocLive) live), RPmalloc::nrpmalloc_usable_size))) {
            RandomMixBenchmark.Workload w = workload();
            c.live().setUp(w);
            for (int i = 0; i < OPS; i++) {
                int slot = w.slots[w.cursor];
                assertEquals(c.op().applyAsLong(w, c.live()), c.live().live[slot],
                        c.name() + ": op " + i + "'s block in slot " + slot);
            }
            checkBlocks(c.name(), c.live().live, expected, c.usableSize());
            c.live().tearDown();
        }
    }

    private static void checkBlocks(String allocator, long[] live, int[] sizes, LongUnaryOperator usableSize) {
        Integer[] byAddress = new Integer[live.length];
        for (int slot = 0; slot < live.length; slot++) {
            assertTrue(usableSize.applyAsLong(live[slot]) >= sizes[slot], allocator + ": slot " + slot);
            MemorySegment.ofAddress(live[slot]).reinterpret(sizes[slot]).fill((byte) slot);
            byAddress[slot] = slot;
        }
        Arrays.sort(byAddress, (a, b) -> Long.compareUnsigned(live[a], live[b]));
        for (int k = 1; k < byAddress.length; k++) {
            int before = byAddress[k - 1];
            int after = byAddress[k];
            assertTrue(live[before] + sizes[before] <= live[after], allocator + ": slots " + before + " and " + after
                    + " overlap");
        }
    }

    /** An allocator that hands out {@code allocator}'s direct buffers and keeps each one it gave. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        private final ByteBufAllocator allocator;
        private final ByteBuf[] taken;
        private int count;

        RecordingAllocator(ByteBufAllocator allocator, ByteBuf[] taken) {
            super(true);
            this.allocator = allocator;
            this.taken = taken;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = allocator.directBuffer(initialCapacity, maxCapacity);
            taken[count++] = b;
            return b;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            throw new UnsupportedOperationException("the batch takes direct buffers");
        }

        @Override
        public boolean isDirectBufferPooled() {
            return allocator.isDirectBufferPooled();
        }
    }

    /** Direct buffers {@code allocator} has handed out and not had back, over all its arenas. */
    private static long activeDirectBuffers(PooledByteBufAllocator allocator) {
        long active = 0;
        for (PoolArenaMetric arena : allocator.metric().directArenas()) {
            active += arena.numActiveAllocations();
        }
        return active;
    }

    /**
     * The requests are those pymalloc_bench.c's time_mix draws (splitmix64 % bound): the first
     * three and the sums below were printed by that C code. With nextInt they differed from the
     * first request on, so CPython's row ran another sequence than every Java row.
     */
    @Test
    void theMixMakesTheRequestsOfCPythonsHarness() {
        RandomMixBenchmark.Workload w = workload();
        assertArrayEquals(new int[] {129, 72, 54}, Arrays.copyOf(w.initialSizes, 3));
        assertArrayEquals(new int[] {66975, 21171, 38413}, Arrays.copyOf(w.slots, 3));
        assertArrayEquals(new int[] {100, 393, 107}, Arrays.copyOf(w.sizes, 3));
        assertEquals(25_590_620L, Arrays.stream(w.initialSizes).asLongStream().sum());
        assertEquals(52_470_791_877L, Arrays.stream(w.slots).asLongStream().sum());
        assertEquals(268_966_126L, Arrays.stream(w.sizes).asLongStream().sum());
    }

    private static RandomMixBenchmark.Workload workload() {
        RandomMixBenchmark.Workload w = new RandomMixBenchmark.Workload();
        w.setUp();
        return w;
    }

    /** Each slot's size after the workload's first {@code ops} requests, replayed by hand. */
    private static int[] sizesAfter(int ops) {
        RandomMixBenchmark.Workload w = workload();
        int[] sizes = w.initialSizes.clone();
        for (int i = 0; i < ops; i++) {
            sizes[w.slots[i]] = w.sizes[i];
        }
        return sizes;
    }
}
