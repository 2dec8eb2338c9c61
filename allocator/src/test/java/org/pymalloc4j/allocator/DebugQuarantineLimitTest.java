package org.pymalloc4j.allocator;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pymalloc4j.allocator.MemoryCorruptionException.Kind;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.testkit.ForwardingAllocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.DebugFixture.all;

/**
 * Quarantined blocks still hold memory, so an allocation the inner allocator refuses (a memory
 * limit, the OS) empties the quarantine and is tried again: under the debug hooks too, freeing
 * makes room.
 */
class DebugQuarantineLimitTest {
    private static final long LIMIT = 4L << 20;

    static Stream<Arguments> configurations() {
        return Stream.of(AllocatorName.PYMALLOC_DEBUG, AllocatorName.MALLOC_DEBUG)
                .flatMap(name -> Stream.of(Domain.values()).map(domain -> Arguments.of(name, domain)));
    }

    private static Memory limited(AllocatorName name) {
        return Memory.builder().allocator(name).limit(LIMIT).build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void aFreedBlockInTheQuarantineDoesNotKeepItsRoom(AllocatorName name, Domain domain) {
        try (Memory memory = limited(name)) {
            MemoryDomain d = memory.domain(domain);
            DebugHooks hooks = memory.debugHooks().orElseThrow();
            for (int i = 0; i < 5; i++) {
                long p = d.malloc(3L << 20);
                d.free(p);
            }
            assertEquals(1, hooks.quarantinedBlocks(), "only the last freed block is held");
            long grown = d.realloc(d.malloc(100), 2L << 20); // realloc's new block makes room too
            assertTrue(all(grown, 100, 0xcd), "copied");
            d.free(grown);
            for (int i = 0; i < 20_000; i++) { // small blocks need arenas while a big freed block is held
                d.free(d.calloc(1, 200));
            }
            assertEquals(0, d.liveBlocks());
            memory.checkInvariants();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void aRequestThatCannotFitIsStillRefused(AllocatorName name, Domain domain) {
        try (Memory memory = limited(name)) {
            MemoryDomain d = memory.domain(domain);
            DebugHooks hooks = memory.debugHooks().orElseThrow();
            long kept = d.malloc(2L << 20);
            d.free(d.malloc(2000));
            MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> d.malloc(LIMIT));
            assertTrue(e.getMessage().contains("would exceed the memory limit of 4,194,304 bytes"), e.getMessage());
            assertEquals(1, hooks.quarantinedBlocks(), "more than the whole limit: the quarantine is kept");
            e = assertThrows(MemoryLimitExceededError.class, () -> d.malloc(5L << 19));
            assertTrue(e.getMessage().contains("would exceed the memory limit of 4,194,304 bytes"), e.getMessage());
            assertEquals(0, hooks.quarantinedBlocks(), "it might have fitted: the quarantine was emptied");
            assertEquals(1, d.liveBlocks());
            assertTrue(all(kept, 2L << 20, 0xcd), "the live block is intact");
            d.free(kept);
            memory.checkInvariants();
        }
    }

    /**
     * Under a limit smaller than an arena, a small block can only be a raw block (CPython's
     * fallback). The error that refuses it is the arena's, more than the whole limit, with the raw
     * block's refusal suppressed in it; the raw block would fit once the quarantine is emptied.
     */
    @Test
    void aSmallBlockRefusedItsArenaStillEmptiesTheQuarantineForItsRawBlock() {
        long limit = 512 << 10;
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).limit(limit).build()) {
            MemoryDomain obj = memory.obj();
            obj.free(obj.malloc(limit - 24 - 40)); // held by the quarantine: 40 bytes of the limit left
            long p = obj.malloc(40); // a 64-byte raw block once the freed one is really freed
            assertEquals(0, memory.debugHooks().orElseThrow().quarantinedBlocks());
            assertTrue(all(p, 40, 0xcd), "allocated");
            obj.free(p);
            memory.checkInvariants();
        }
    }

    /**
     * MemoryDomain.allocate: "@throws MemoryCorruptionException under the debug hooks, as
     * malloc": the segment allocator's malloc empties the quarantine too. Its Javadoc listed no
     * such exception.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void allocateReportsAWriteAfterFreeFoundWhileMakingRoom(AllocatorName name, Domain domain) {
        try (Memory memory = limited(name)) {
            MemoryDomain d = memory.domain(domain);
            java.lang.foreign.MemorySegment s = d.allocate(3L << 20, 16);
            d.free(s);
            NativeMemory.putByte(s.address() + 5, (byte) 7);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> d.allocate(2L << 20, 16));
            assertEquals(Kind.WRITE_AFTER_FREE, e.kind());
            assertEquals(s.address(), e.address());
            assertEquals(0, d.liveBlocks(), "nothing was allocated");
            d.free(d.allocate(2L << 20, 16)); // retried: the written block was released
        }
    }

    /** A quarantined block written after free is reported as it is released; the retry succeeds. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void aWriteAfterFreeFoundWhileMakingRoomIsReportedOnce(AllocatorName name, Domain domain) {
        try (Memory memory = limited(name)) {
            MemoryDomain d = memory.domain(domain);
            long p = d.malloc(3L << 20);
            d.free(p);
            NativeMemory.putByte(p + 5, (byte) 7);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> d.malloc(2L << 20));
            assertEquals(Kind.WRITE_AFTER_FREE, e.kind());
            assertEquals(p, e.address());
            assertTrue(e.getMessage().contains("        at p+5: 0x07 *** OUCH\n"), e.getMessage());
            assertTrue(e.getMessage().contains("    The quarantine was emptied to make room for an allocation the"
                    + " inner allocator refused.\n"), e.getMessage());
            assertTrue(e.getMessage().endsWith("\n_PyMem_DebugRawMalloc: write after free"), e.getMessage());
            assertEquals(0, d.liveBlocks(), "nothing was allocated");
            long q = d.malloc(2L << 20); // retried: the written block was released
            d.free(q);
            NativeMemory.putByte(q, (byte) 1);
            e = assertThrows(MemoryCorruptionException.class, () -> d.calloc(3, 1L << 20));
            assertTrue(e.getMessage().endsWith("\n_PyMem_DebugRawCalloc: write after free"), e.getMessage());
            long small = d.malloc(10);
            long big = d.malloc(2L << 20);
            d.free(big);
            NativeMemory.putByte(big, (byte) 1);
            e = assertThrows(MemoryCorruptionException.class, () -> d.realloc(small, 2L << 20));
            assertTrue(e.getMessage().endsWith("\n_PyMem_DebugRawRealloc: write after free"), e.getMessage());
            assertTrue(all(small, 10, 0xcd), "not moved");
            d.free(d.realloc(small, 2L << 20));
            memory.checkInvariants();
        }
    }

    /**
     * An inner allocator whose free or malloc frees a block through another hooked domain (a
     * reentrant free) takes the room the outer free or realloc made in the quarantine before it
     * called the inner allocator: the outer block must still fit. It was pushed past the full
     * ring, over the oldest block, which was never returned (and the ring's count went past
     * its capacity).
     */
    @Test
    void aReentrantFreeFromTheInnerAllocatorDoesNotOverfillTheQuarantine() {
        for (boolean realloc : new boolean[] {false, true}) {
            try (Memory memory = Memory.builder().quarantine(2).build()) {
                MemoryDomain mem = memory.mem();
                long[] pending = new long[1];
                memory.setAllocator(Domain.OBJ, new ForwardingAllocator(memory.getAllocator(Domain.OBJ)) {
                    @Override
                    public long malloc(long size) {
                        freePending();
                        return inner.malloc(size);
                    }

                    @Override
                    public void free(long address) {
                        freePending();
                        inner.free(address);
                    }

                    private void freePending() {
                        if (pending[0] != 0) {
                            mem.free(pending[0]);
                            pending[0] = 0;
                        }
                    }
                });
                DebugHooks hooks = memory.setupDebugHooks();
                MemoryDomain obj = memory.obj();
                long p = obj.malloc(16);
                obj.free(obj.malloc(16));
                obj.free(obj.malloc(16)); // the quarantine is full
                pending[0] = mem.malloc(16);
                if (realloc) {
                    obj.free(obj.realloc(p, 32)); // room made, then the inner malloc frees pending
                } else {
                    obj.free(p); // room made by evicting a block, whose inner free frees pending
                }
                assertEquals(2, hooks.quarantinedBlocks(), "realloc " + realloc);
                hooks.checkInvariants();
                memory.checkInvariants();
                assertEquals(0, obj.liveBlocks());
                assertEquals(0, mem.liveBlocks());
            }
        }
    }
    /**
     * free: "@throws MemoryCorruptionException if ... the quarantined block evicted to make room
     * was written after free (this block is then not freed)", and realloc's "(the block is not
     * moved)". When a reentrant free from the inner allocator (the evicted block's free, or
     * realloc's malloc) took the room just made, the block's retirement evicted the next oldest
     * (since 3e98e2f), and a write after free in that one was thrown after the block was
     * quarantined (and realloc's new block allocated): the caller, told the call failed, kept a
     * freed address, and realloc's new block was lost.
     */
    @Test
    void aFreeOrReallocWhoseRoomAReentrantFreeTookLeavesTheBlockAloneWhenTheEvictedOneWasWritten() {
        for (boolean realloc : new boolean[] {false, true}) {
            try (Memory memory = Memory.builder().quarantine(2).build()) {
                MemoryDomain mem = memory.mem();
                long[] pending = new long[1];
                Runnable freePending = () -> {
                    if (pending[0] != 0) {
                        mem.free(pending[0]);
                        pending[0] = 0;
                    }
                };
                memory.setAllocator(Domain.OBJ, new ForwardingAllocator(memory.getAllocator(Domain.OBJ)) {
                    @Override
                    public long malloc(long size) {
                        freePending.run();
                        return inner.malloc(size);
                    }

                    @Override
                    public void free(long address) {
                        freePending.run();
                        inner.free(address);
                    }
                });
                DebugHooks hooks = memory.setupDebugHooks();
                MemoryDomain obj = memory.obj();
                long p = obj.malloc(16);
                NativeMemory.putLong(p, 42);
                obj.free(obj.malloc(16));
                long written = obj.malloc(16);
                obj.free(written);
                NativeMemory.putByte(written + 3, (byte) 7); // the quarantine's second oldest, written after free
                pending[0] = mem.malloc(16);
                long live = obj.liveBlocks();
                MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class,
                        () -> {
                            if (realloc) {
                                obj.realloc(p, 32);
                            } else {
                                obj.free(p);
                            }
                        });
                assertEquals(Kind.WRITE_AFTER_FREE, e.kind());
                assertEquals(written, e.address());
                assertEquals(live, obj.liveBlocks(), "realloc " + realloc + ": no block freed or left behind");
                assertEquals(42, NativeMemory.getLong(p), "realloc " + realloc + ": the block is not freed or moved");
                hooks.checkInvariants();
                memory.checkInvariants();
                obj.free(p); // still live: not 'already freed'
                assertEquals(0, obj.liveBlocks());
                assertEquals(0, mem.liveBlocks());
            }
        }
    }
}
