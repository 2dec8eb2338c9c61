package org.pymalloc4j.allocator;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The domains, the configurations, replacing allocators, the arena allocator and the limit. */
class MemoryTest {
    private Memory memory;

    @AfterEach
    void close() {
        if (memory != null) {
            memory.close();
        }
    }

    @Test
    void pymallocServesMemAndObjAndLibcServesRaw() {
        memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        assertSame(memory.pymalloc(), memory.getAllocator(Domain.MEM));
        assertSame(memory.pymalloc(), memory.getAllocator(Domain.OBJ));
        assertTrue(memory.getAllocator(Domain.RAW) instanceof LibcAllocator);
        long o = memory.obj().malloc(40);
        long m = memory.mem().malloc(40);
        long r = memory.raw().malloc(40);
        assertTrue(memory.pymalloc().isArenaAddress(o));
        assertTrue(memory.pymalloc().isArenaAddress(m));
        assertFalse(memory.pymalloc().isArenaAddress(r));
        assertEquals(1, memory.raw().liveBlocks());
        memory.obj().free(o);
        memory.mem().free(m);
        memory.raw().free(r);
        assertEquals(0, memory.obj().liveBlocks() + memory.mem().liveBlocks() + memory.raw().liveBlocks());
        assertEquals(AllocatorName.PYMALLOC, memory.allocatorName().orElseThrow());
        memory.checkInvariants();
    }

    @Test
    void mallocConfigurationHasNoPymallocHeap() {
        memory = Memory.builder().allocator("malloc").build();
        assertFalse(memory.hasPymalloc());
        IllegalStateException e = assertThrows(IllegalStateException.class, memory::pymalloc);
        assertTrue(e.getMessage().contains("malloc configuration has no pymalloc heap"), e.getMessage());
        assertTrue(memory.getArenaAllocator().isEmpty());
        assertEquals("the malloc configuration has no pymalloc heap",
                assertThrows(IllegalStateException.class, () -> memory.setArenaAllocator(ArenaAllocator.mmap())).getMessage());
        for (Domain d : Domain.values()) {
            assertTrue(memory.getAllocator(d) instanceof LibcAllocator, d.toString());
        }
        assertEquals(AllocatorName.MALLOC, memory.allocatorName().orElseThrow());
    }

    @Test
    void namesParseAsPythonMallocSpellsThem() {
        assertEquals(AllocatorName.PYMALLOC_DEBUG, AllocatorName.parse("pymalloc_debug"));
        assertEquals(AllocatorName.MALLOC, AllocatorName.parse(" MALLOC "));
        assertEquals(AllocatorName.PYMALLOC, AllocatorName.parse("default").resolved());
        assertEquals(AllocatorName.PYMALLOC_DEBUG, AllocatorName.parse("debug").resolved());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AllocatorName.parse("jemalloc"));
        assertTrue(e.getMessage().contains("unknown allocator 'jemalloc'"), e.getMessage());
        assertTrue(e.getMessage().contains("pymalloc_debug"), e.getMessage());
    }

    /** AllocatorName.fromSystemProperty: "@throws IllegalArgumentException if the property names no configuration". */
    @Test
    void systemPropertyChoosesTheConfiguration() {
        withAllocatorPropertyRestored(() -> {
            System.setProperty(AllocatorName.PROPERTY, "malloc");
            try (Memory m = Memory.create()) {
                assertEquals(AllocatorName.MALLOC, m.configured());
            }
            System.setProperty(AllocatorName.PROPERTY, "nonsense");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Memory::create);
            assertTrue(e.getMessage().startsWith("-Dpymalloc4j.malloc: unknown allocator 'nonsense'"), e.getMessage());
        });
    }

    /**
     * A configuration named to the builder wins over the system property, which is read only
     * when none is named, as CPython's preconfig reads PYTHONMALLOC only while the allocator is
     * unset: a bad property fails build() of a builder left to it, not every builder.
     */
    @Test
    void aNamedConfigurationIgnoresTheSystemProperty() {
        withAllocatorPropertyRestored(() -> {
            System.setProperty(AllocatorName.PROPERTY, "nonsense");
            try (Memory m = Memory.builder().allocator(AllocatorName.MALLOC).build()) {
                assertEquals(AllocatorName.MALLOC, m.configured());
            }
            Memory.Builder unnamed = Memory.builder().limit(1 << 30);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, unnamed::build);
            assertTrue(e.getMessage().startsWith("-Dpymalloc4j.malloc: unknown allocator 'nonsense'"), e.getMessage());
            System.setProperty(AllocatorName.PROPERTY, "malloc_debug");
            try (Memory m = unnamed.build()) {
                assertEquals(AllocatorName.MALLOC_DEBUG, m.configured(), "the property as it is when build() runs");
            }
        });
    }

    /**
     * Domain.RAW: "Unlike CPython's, the pymalloc heap's own blocks of 0 or over 512 bytes, and
     * its fallbacks, do not pass through this domain's allocator". CPython's _PyObject_Malloc
     * calls PyMem_RawMalloc, so a RAW allocator installed with PyMem_SetAllocator sees an OBJ
     * block of 1000 bytes; here a wrapper on RAW sees none, and MEM's and OBJ's blocks stay the
     * heap's (its statistics' raw blocks).
     */
    @Test
    void theHeapsRawBlocksDoNotPassThroughTheRawDomain() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build()) {
            List<Long> seen = new ArrayList<>();
            memory.wrapAllocator(Domain.RAW, inner -> new BlockAllocator() {
                public long malloc(long size) {
                    seen.add(size);
                    return inner.malloc(size);
                }

                public long calloc(long nelem, long elsize) {
                    seen.add(nelem * elsize);
                    return inner.calloc(nelem, elsize);
                }

                public long realloc(long address, long newSize) {
                    seen.add(newSize);
                    return inner.realloc(address, newSize);
                }

                public void free(long address) {
                    inner.free(address);
                }
            });
            long big = memory.obj().malloc(1000);
            long zero = memory.mem().malloc(0);
            long moved = memory.mem().realloc(memory.mem().malloc(100), 5000);
            assertEquals(List.of(), seen, "the RAW domain's allocator saw the heap's raw blocks");
            assertEquals(3, memory.pymalloc().stats().rawBlocks());
            long own = memory.raw().malloc(1000);
            assertEquals(List.of(1000L), seen);
            memory.raw().free(own);
            memory.obj().free(big);
            memory.mem().free(zero);
            memory.mem().free(moved);
            memory.unwrapAllocator(Domain.RAW);
            memory.checkInvariants();
        }
    }

    /** setAllocator: "@throws IllegalStateException if the domain has live blocks". */
    @Test
    void replacingAnAllocatorUnderLiveBlocksIsRefused() {
        memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        long p = memory.obj().malloc(16);
        LibcAllocator other = LibcAllocator.create();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> memory.setAllocator(Domain.OBJ, other));
            assertTrue(e.getMessage().contains("while 1 block it allocated is live"), e.getMessage());
            assertSame(memory.pymalloc(), memory.getAllocator(Domain.OBJ), "unchanged");
            memory.obj().free(p);
            memory.setAllocator(Domain.OBJ, other);
            long q = memory.obj().malloc(16);
            assertTrue(other.isLive(q));
            assertFalse(memory.allocatorName().isPresent(), "a custom allocator has no name");
            memory.obj().free(q);
            assertEquals(0, other.liveBlocks());
        } finally {
            other.close();
        }
    }

    /** A wrapper that counts calls and forwards everything. */
    static final class Counting implements BlockAllocator {
        final BlockAllocator inner;
        int calls;

        Counting(BlockAllocator inner) {
            this.inner = inner;
        }

        @Override
        public long malloc(long size) {
            calls++;
            return inner.malloc(size);
        }

        @Override
        public long calloc(long nelem, long elsize) {
            calls++;
            return inner.calloc(nelem, elsize);
        }

        @Override
        public long realloc(long address, long newSize) {
            calls++;
            return inner.realloc(address, newSize);
        }

        @Override
        public void free(long address) {
            calls++;
            inner.free(address);
        }
    }

    @Test
    void wrappersGoOnAndComeOffWhileBlocksAreLive() {
        memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        long before = memory.mem().malloc(100);
        Counting counting = (Counting) memory.wrapAllocator(Domain.MEM, Counting::new);
        assertSame(counting, memory.getAllocator(Domain.MEM));
        long during = memory.mem().realloc(before, 300);
        memory.mem().free(during);
        long kept = memory.mem().calloc(3, 5);
        assertEquals(3, counting.calls);
        assertSame(counting, memory.unwrapAllocator(Domain.MEM));
        assertSame(memory.pymalloc(), memory.getAllocator(Domain.MEM));
        memory.mem().free(kept);
        assertEquals(3, counting.calls, "unwrapped: no more calls");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.unwrapAllocator(Domain.MEM));
        assertTrue(e.getMessage().contains("is not a wrapper installed by wrapAllocator"), e.getMessage());
        assertEquals("wrapper returned null",
                assertThrows(NullPointerException.class, () -> memory.wrapAllocator(Domain.MEM, inner -> null)).getMessage());
        assertSame(memory.pymalloc(), memory.getAllocator(Domain.MEM), "nothing installed");
    }

    /** An arena source that records what it handed out, over libc malloc: arenas not pool-aligned. */
    static final class RecordingArenas implements ArenaAllocator {
        final List<Long> live = new ArrayList<>();
        int allocated;

        @Override
        public long allocate(long size) {
            long a = RawAllocator.malloc(size);
            live.add(a);
            allocated++;
            return a;
        }

        @Override
        public void free(long address, long size) {
            assertTrue(live.remove(address), "an arena this allocator gave: 0x" + Long.toHexString(address));
            RawAllocator.free(address);
        }
    }

    @Test
    void arenasGoBackToTheAllocatorThatGaveThem() {
        memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        PyMalloc heap = memory.pymalloc();
        long arenaSize = heap.geometry().arenaSize();
        int perArena = (int) (arenaSize / 512);
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < perArena; i++) { // about one arena from mmap
            blocks.add(memory.obj().malloc(512));
        }
        RecordingArenas recording = new RecordingArenas();
        memory.setArenaAllocator(recording);
        assertSame(recording, memory.getArenaAllocator().orElseThrow());
        for (int i = 0; i < 3 * perArena; i++) {
            blocks.add(memory.obj().malloc(512));
        }
        assertTrue(recording.allocated >= 2, "new arenas came from the recording allocator");
        memory.checkInvariants();
        assertTrue(heap.stats().arenaAlignmentBytes() > 0, "malloc'ed arenas are not pool-aligned");
        memory.setArenaAllocator(ArenaAllocator.mmap());
        for (long b : blocks) {
            memory.obj().free(b);
        }
        memory.checkInvariants();
        assertTrue(recording.live.size() <= 1, "emptied arenas returned to their source: " + recording.live);
        memory.close();
        assertEquals(List.of(), recording.live, "close returns the rest");
    }

    @Test
    void theLimitRefusesAndTheHeapStaysUsable() {
        long limit = 4L << 20;
        memory = Memory.builder().allocator(AllocatorName.PYMALLOC).limit(limit).build();
        assertEquals(limit, memory.memoryLimit());
        List<Long> blocks = new ArrayList<>();
        MemoryLimitExceededError e = null;
        try {
            for (int i = 0; i < 100_000; i++) {
                blocks.add(memory.obj().malloc(256));
            }
        } catch (MemoryLimitExceededError refused) {
            e = refused;
        }
        assertTrue(e != null, "the limit was crossed");
        assertTrue(e.getMessage().contains("a new arena of 1,048,576 bytes would exceed the memory limit of 4,194,304 bytes"),
                e.getMessage());
        assertEquals(limit, e.limit());
        assertTrue(memory.bytesFromOs() <= limit);
        MemoryLimitExceededError raw = assertThrows(MemoryLimitExceededError.class, () -> memory.raw().malloc(1 << 20));
        assertEquals(1 << 20, raw.requested());
        memory.checkInvariants();
        for (int i = 0; i < blocks.size() / 2; i++) {
            memory.obj().free(blocks.get(i));
        }
        long big = memory.raw().malloc(1 << 20);  // room again: emptied arenas went back
        memory.raw().free(big);
        memory.checkInvariants();
        for (int i = blocks.size() / 2; i < blocks.size(); i++) {
            memory.obj().free(blocks.get(i));
        }
        assertTrue(memory.bytesFromOs() <= memory.pymalloc().geometry().arenaSize(), "one arena kept against thrashing");
    }

    @Test
    void theLimitCoversLibcUnderTheMallocConfiguration() {
        memory = Memory.builder().allocator(AllocatorName.MALLOC).limit(10_000).build();
        long a = memory.obj().malloc(6_000);
        MemoryLimitExceededError refused = assertThrows(MemoryLimitExceededError.class, () -> memory.mem().malloc(6_000));
        assertTrue(refused.getMessage().endsWith("of 6,000 bytes would exceed the memory limit of 10,000 bytes (6,000 in use)"),
                refused.getMessage());
        assertEquals(6_000, memory.bytesFromOs(), "nothing taken");
        long grown = memory.obj().realloc(a, 9_000);
        assertEquals(9_000, memory.bytesFromOs());
        MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> memory.obj().realloc(grown, 20_000));
        assertTrue(e.getMessage().contains("realloc(0x" + Long.toHexString(grown) + ", 20000): the raw block's increase of 11,000 bytes"),
                e.getMessage());
        memory.obj().free(grown);
        assertEquals(0, memory.bytesFromOs());
    }

    /** Builder.limit: "@throws IllegalArgumentException if bytes is not positive". */
    @Test
    void aLimitMustBePositive() {
        assertEquals("memory limit must be positive, was 0",
                assertThrows(IllegalArgumentException.class, () -> Memory.builder().limit(0)).getMessage());
        assertEquals("memory limit must be positive, was -1",
                assertThrows(IllegalArgumentException.class, () -> PyMalloc.builder().limit(-1)).getMessage());
    }

    @ParameterizedTest
    @EnumSource(AllocatorName.class)
    void everyCallAfterCloseIsRefused(AllocatorName name) {
        Memory m = Memory.builder().allocator(name).build();
        long p = m.obj().malloc(10);
        m.close();
        m.close();
        assertTrue(m.isClosed());
        List<Executable> calls = new ArrayList<>();
        try (LibcAllocator libc = LibcAllocator.create()) {
            for (Domain d : Domain.values()) {
                MemoryDomain domain = m.domain(d);
                calls.addAll(List.of(() -> domain.malloc(10), () -> domain.calloc(1, 10), () -> domain.realloc(0, 10),
                        () -> domain.free(p), () -> domain.free(0), () -> domain.free(MemorySegment.NULL),
                        () -> m.getAllocator(d), () -> m.setAllocator(d, libc), () -> m.wrapAllocator(d, a -> a),
                        () -> m.unwrapAllocator(d)));
            }
            calls.add(m::checkInvariants);
            for (Executable call : calls) { // free(0) too, as every allocator's
                assertEquals("this Memory is closed", assertThrows(IllegalStateException.class, call).getMessage());
            }
        }
        assertNotEquals("", m.toString());
    }

    /**
     * Every "@throws NullPointerException" of Memory, its builder and PyMalloc's builder: each
     * names the null argument, and the memory is unchanged.
     */
    @Test
    void nullArgumentsAreRefusedByName() {
        memory = Memory.create();
        BlockAllocator obj = memory.getAllocator(Domain.OBJ);
        ArenaAllocator arenas = memory.getArenaAllocator().orElseThrow();
        record Call(String argument, Executable call) {
        }
        try (LibcAllocator libc = LibcAllocator.create()) {
            for (Call c : List.of(
                    new Call("domain", () -> memory.domain(null)),
                    new Call("domain", () -> memory.getAllocator(null)),
                    new Call("domain", () -> memory.setAllocator(null, libc)),
                    new Call("allocator", () -> memory.setAllocator(Domain.OBJ, null)),
                    new Call("domain", () -> memory.wrapAllocator(null, a -> a)),
                    new Call("wrapper", () -> memory.wrapAllocator(Domain.OBJ, null)),
                    new Call("allocator", () -> memory.setArenaAllocator(null)),
                    new Call("name", () -> Memory.builder().allocator((AllocatorName) null)),
                    new Call("geometry", () -> Memory.builder().geometry(null)),
                    new Call("allocator", () -> Memory.builder().arenaAllocator(null)),
                    new Call("geometry", () -> PyMalloc.builder().geometry(null)),
                    new Call("allocator", () -> PyMalloc.builder().arenaAllocator(null)))) {
                assertEquals(c.argument(), assertThrows(NullPointerException.class, c.call()).getMessage());
            }
        }
        assertSame(obj, memory.getAllocator(Domain.OBJ), "no allocator replaced or wrapped");
        assertSame(arenas, memory.getArenaAllocator().orElseThrow());
        memory.obj().free(memory.obj().malloc(24));
        memory.checkInvariants();
    }

    /** Builder.allocator(String): "@throws IllegalArgumentException if name is no configuration". */
    @Test
    void theBuilderRefusesAnUnknownConfigurationByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Memory.builder().allocator("jemalloc"));
        assertTrue(e.getMessage().startsWith("unknown allocator 'jemalloc'; expected one of "), e.getMessage());
        assertTrue(e.getMessage().contains("pymalloc_debug"), e.getMessage());
        // AllocatorName.parse and Builder.allocator(String): "@throws NullPointerException if ... is null"
        assertEquals("value", assertThrows(NullPointerException.class, () -> AllocatorName.parse(null)).getMessage());
        assertEquals("value", assertThrows(NullPointerException.class, () -> Memory.builder().allocator((String) null)).getMessage());
    }

    /**
     * pymalloc, setArenaAllocator and setupDebugHooks: "@throws IllegalStateException ... or
     * closed", on a memory that has a pymalloc heap and no hooks yet.
     */
    @Test
    void aClosedMemoryRefusesItsHeapItsArenasAndTheHooks() {
        Memory m = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        m.close();
        for (Executable call : List.<Executable>of(m::pymalloc, () -> m.setArenaAllocator(ArenaAllocator.mmap()),
                m::setupDebugHooks)) {
            assertEquals("this Memory is closed", assertThrows(IllegalStateException.class, call).getMessage());
        }
    }

    /**
     * setAllocator and setupDebugHooks refuse a domain whose live-block count went negative (a
     * block of the other domain sharing its heap freed through it: "approximate", as free says),
     * since blocks it allocated may be live; the refusal said "-1 blocks it allocated are live".
     */
    @Test
    void aNegativeLiveCountIsRefusedAsACountThatIsOffNotAsMinusOneBlocks() {
        memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        memory.mem().free(memory.obj().malloc(24));
        LibcAllocator mine = LibcAllocator.create();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.setAllocator(Domain.MEM, mine));
            assertEquals("cannot replace the MEM allocator while its live-block count is -1, off since a block of"
                    + " another domain was freed through it, so blocks it allocated may be live:"
                    + " wrapAllocator(MEM, ...) to hook the allocator they came from", e.getMessage());
            e = assertThrows(IllegalStateException.class, memory::setupDebugHooks);
            assertEquals("cannot install the debug hooks on the MEM domain: its live-block count is -1, off since a"
                    + " block of another domain was freed through it, so blocks allocated without them may be live",
                    e.getMessage());
            assertSame(memory.pymalloc(), memory.getAllocator(Domain.MEM), "nothing changed");
        } finally {
            mine.close();
        }
    }

    /**
     * free: "@throws InvalidAddressException if address is not a live block of the domain's
     * allocator". MEM and OBJ share the pymalloc heap: an OBJ block freed through MEM is a live
     * block of MEM's allocator, taken as CPython's PyMem_Free takes a PyObject_Malloc block; the
     * domains' counts then say so, and only the debug hooks refuse the call, by API id.
     */
    @Test
    void aBlockFreedThroughAnotherDomainOfItsHeapIsTakenAndTheCountsShowIt() {
        memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        long p = memory.obj().malloc(24);
        memory.mem().free(p);
        assertFalse(memory.pymalloc().isLive(p));
        assertEquals(-1, memory.mem().liveBlocks());
        assertEquals(1, memory.obj().liveBlocks());
        IllegalStateException e = assertThrows(IllegalStateException.class, memory::checkInvariants);
        assertTrue(e.getMessage().startsWith("MEM domain (") && e.getMessage().endsWith("): negative live block count"),
                e.getMessage());
        try (Memory hooked = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build()) {
            long q = hooked.obj().malloc(24);
            MemoryCorruptionException refused = assertThrows(MemoryCorruptionException.class, () -> hooked.mem().free(q));
            assertEquals(MemoryCorruptionException.Kind.BAD_ID, refused.kind());
            assertTrue(refused.getMessage().contains("Allocated using API 'o', verified using API 'm'"), refused.getMessage());
            assertEquals(1, hooked.obj().liveBlocks(), "the refused block stays allocated");
            hooked.obj().free(q);
        }
    }

    /** Runs {@code body}, which sets {@value AllocatorName#PROPERTY}, and puts the property back as it was. */
    private static void withAllocatorPropertyRestored(Runnable body) {
        String old = System.getProperty(AllocatorName.PROPERTY);
        try {
            body.run();
        } finally {
            if (old == null) {
                System.clearProperty(AllocatorName.PROPERTY);
            } else {
                System.setProperty(AllocatorName.PROPERTY, old);
            }
        }
    }
}
