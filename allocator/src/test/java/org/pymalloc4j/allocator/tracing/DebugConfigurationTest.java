package org.pymalloc4j.allocator.tracing;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.DebugHooks;
import org.pymalloc4j.allocator.Domain;
import org.pymalloc4j.allocator.LibcAllocator;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MemoryCorruptionException;
import org.pymalloc4j.allocator.MemoryDomain;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.testkit.ForwardingAllocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The debug configurations as a {@link Memory} assembles them, and the hooks and the tracer
 * together: a corruption report carries the block's allocation traceback, as CPython's does
 * under {@code PYTHONTRACEMALLOC}. In a subpackage so that this class's frames are traced.
 */
class DebugConfigurationTest {

    @Test
    void debugConfigurationsWrapEveryDomain() {
        for (AllocatorName name : AllocatorName.values()) {
            try (Memory memory = Memory.builder().allocator(name).build()) {
                for (Domain d : Domain.values()) {
                    assertEquals(name.hasDebugHooks(), DebugHooks.isDebugAllocator(memory.getAllocator(d)), name + " " + d);
                }
                assertEquals(name.resolved(), memory.allocatorName().orElseThrow(), name.toString());
                assertEquals(name.hasDebugHooks(), memory.debugHooks().isPresent());
            }
        }
    }

    @Test
    void userSizesUpTo488StayInPymallocUnderTheHooks() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build()) {
            long small = memory.obj().malloc(488);
            long big = memory.obj().malloc(489);
            assertTrue(memory.pymalloc().isArenaAddress(small));
            assertFalse(memory.pymalloc().isArenaAddress(big));
            assertEquals((byte) 0xCD, NativeMemory.getByte(small + 487), "fresh memory is CLEANBYTE");
            memory.obj().free(small);
            memory.obj().free(big);
            memory.checkInvariants();
        }
    }

    @Test
    void anOverflowReportShowsWhereTheBlockWasAllocated() {
        try (Memory memory = Memory.builder().allocator("debug").build()) {
            memory.tracer().start(5);
            int line = TracingSupport.here() + 1;
            long p = memory.obj().malloc(20);
            NativeMemory.putByte(p + 20, (byte) 0x55); // one byte past the end
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> memory.obj().free(p));
            assertEquals(MemoryCorruptionException.Kind.BAD_TRAILING_PAD, e.kind());
            String report = e.getMessage();
            assertTrue(report.contains("at tail+0: 0x55 *** OUCH"), report);
            String header = "Memory block allocated at (most recent call first):\n  File ";
            assertTrue(report.contains(header), report);
            assertEquals(report.indexOf("Memory block allocated"), report.lastIndexOf("Memory block allocated"), report);
            assertTrue(report.contains("DebugConfigurationTest.java\", line " + line), report);
            assertEquals(1, memory.obj().liveBlocks(), "the corrupt block stays allocated");
            NativeMemory.putByte(p + 20, (byte) 0xFD);
            memory.obj().free(p);
            memory.tracer().stop();
            memory.checkInvariants();
        }
    }

    /**
     * Tracing, but the block was allocated before tracing started: CPython's
     * {@code _PyMem_DumpTraceback} prints nothing, neither a traceback nor the "Enable tracemalloc"
     * hint. Recorded with CPython 3.11.7, {@code PYTHONMALLOC=debug python3 -c ...}: ctypes
     * {@code p = PyMem_Malloc(2)}, memset(p, 0x41, 2), {@code tracemalloc.start()}, memset(p + 2, 0, 1),
     * {@code PyMem_Free(p)}; stderr, addresses replaced:
     */
    @Test
    void anUntracedBlockIsReportedWithoutTracebackSectionWhileTracing() {
        try (Memory memory = Memory.builder().allocator("debug").build()) {
            long p = memory.mem().malloc(2);
            NativeMemory.putByte(p, (byte) 0x41);
            NativeMemory.putByte(p + 1, (byte) 0x41);
            memory.tracer().start(1);
            NativeMemory.putByte(p + 2, (byte) 0);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> memory.mem().free(p));
            assertEquals("Debug memory block at address p=0x" + Long.toHexString(p) + ": API 'm'\n"
                    + "    2 bytes originally requested\n"
                    + "    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.\n"
                    + "    The 8 pad bytes at tail=0x" + Long.toHexString(p + 2) + " are not all FORBIDDENBYTE (0xfd):\n"
                    + "        at tail+0: 0x00 *** OUCH\n"
                    + "        at tail+1: 0xfd\n"
                    + "        at tail+2: 0xfd\n"
                    + "        at tail+3: 0xfd\n"
                    + "        at tail+4: 0xfd\n"
                    + "        at tail+5: 0xfd\n"
                    + "        at tail+6: 0xfd\n"
                    + "        at tail+7: 0xfd\n"
                    + "    Data at p: 41 41\n"
                    + "\n"
                    + "_PyMem_DebugRawFree: bad trailing pad byte", e.getMessage()); // CPython: "Fatal Python error: " before it
            NativeMemory.putByte(p + 2, (byte) 0xFD);
            memory.mem().free(p);
            memory.tracer().stop();
        }
    }

    @Test
    void aMismatchedDomainIsReportedWithoutTracingHint() {
        try (Memory memory = Memory.builder().allocator("malloc_debug").build()) {
            long p = memory.mem().malloc(10);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> memory.obj().free(p));
            assertEquals(MemoryCorruptionException.Kind.BAD_ID, e.kind());
            assertTrue(e.getMessage().contains("bad ID: Allocated using API 'm', verified using API 'o'"), e.getMessage());
            assertTrue(e.getMessage().contains("Enable tracemalloc to get the memory block allocation traceback"));
            memory.mem().free(p);
        }
    }

    @Test
    void writeAfterFreeIsFoundWhenFreedMemoryIsChecked() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).quarantine(4).build()) {
            long p = memory.obj().malloc(32);
            memory.obj().free(p);
            NativeMemory.putLong(p + 8, 42);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class,
                    () -> memory.debugHooks().orElseThrow().checkFreedMemory());
            assertEquals(MemoryCorruptionException.Kind.WRITE_AFTER_FREE, e.kind());
            memory.checkInvariants();
        }
    }

    /**
     * MemoryDomain.free, both forms: "@throws MemoryCorruptionException under the debug hooks, ...
     * or if the quarantined block released to make room was written after free; this block is
     * then not freed".
     */
    @Test
    void aFreeThatEvictsAWrittenBlockReportsItAndFreesNothing() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).quarantine(1).build()) {
            MemoryDomain obj = memory.obj();
            MemorySegment s = obj.allocate(32, 8);
            long b = obj.malloc(32);
            for (Executable call : new Executable[] {() -> obj.free(b), () -> obj.free(s)}) {
                long written = obj.malloc(16);
                obj.free(written);
                NativeMemory.putByte(written, (byte) 1);
                MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, call);
                assertEquals(MemoryCorruptionException.Kind.WRITE_AFTER_FREE, e.kind());
                assertEquals(written, e.address());
                assertEquals(2, obj.liveBlocks(), "the block being freed stays allocated");
            }
            obj.free(b);
            obj.free(s);
            assertEquals(0, obj.liveBlocks());
            memory.checkInvariants();
        }
    }

    /** setupDebugHooks: "@throws IllegalStateException if a domain to wrap has live blocks ...". */
    @Test
    void hooksCannotGoUnderLiveBlocks() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build()) {
            long p = memory.mem().malloc(16);
            IllegalStateException e = assertThrows(IllegalStateException.class, memory::setupDebugHooks);
            assertTrue(e.getMessage().contains("MEM domain: 1 block allocated without them is live"), e.getMessage());
            assertSame(memory.pymalloc(), memory.getAllocator(Domain.OBJ), "nothing changed");
            memory.mem().free(p);
            DebugHooks hooks = memory.setupDebugHooks();
            assertSame(hooks, memory.setupDebugHooks(), "already wrapped domains are skipped");
            assertEquals(AllocatorName.PYMALLOC_DEBUG, memory.allocatorName().orElseThrow());
        }
    }

    /**
     * setupDebugHooks while tracing (PyMem_SetupDebugHooks may be called at any time): the hooks
     * go beneath the tracer, as if installed before it started, so its traces are the hooks'
     * user addresses and stopping it leaves them on. The hooks over the tracer instead (CPython's
     * order) would be taken off by stop, under blocks laid out by them.
     */
    @Test
    void hooksSetUpWhileTracingGoBeneathTheTracer() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build()) {
            memory.tracer().start(5);
            DebugHooks hooks = memory.setupDebugHooks();
            assertEquals(AllocatorName.PYMALLOC_DEBUG, memory.allocatorNameBeneathTracer().orElseThrow());
            assertTrue(memory.tracer().isTracing());
            long p = memory.mem().malloc(10);
            assertTrue(memory.tracer().tracebackOf(p).isPresent(), "traced at the hooks' user address");
            assertEquals(10, memory.tracer().tracedMemory().current());
            NativeMemory.putByte(p + 10, (byte) 0);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> memory.mem().free(p));
            assertEquals(MemoryCorruptionException.Kind.BAD_TRAILING_PAD, e.kind());
            assertTrue(e.getMessage().contains("hooksSetUpWhileTracingGoBeneathTheTracer"), "with its traceback: " + e.getMessage());
            NativeMemory.putByte(p + 10, (byte) 0xFD);
            memory.mem().free(p);
            assertEquals(0, memory.tracer().traceCount());
            assertSame(hooks, memory.setupDebugHooks(), "already beneath: nothing to do");
            memory.tracer().stop();
            assertEquals(AllocatorName.PYMALLOC_DEBUG, memory.allocatorName().orElseThrow(), "stop leaves the hooks on");
            memory.checkInvariants();
        }
    }

    /** setupDebugHooks still refuses a wrapper of the user's over a domain: it cannot be rewrapped. */
    @Test
    void hooksCannotGoUnderAUsersWrapper() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build()) {
            memory.tracer().start();
            memory.wrapAllocator(Domain.OBJ, inner -> new ForwardingAllocator(inner));
            IllegalStateException e = assertThrows(IllegalStateException.class, memory::setupDebugHooks);
            assertTrue(e.getMessage().contains("OBJ domain: a wrapper is installed over its allocator"), e.getMessage());
            memory.unwrapAllocator(Domain.OBJ);
            assertEquals(AllocatorName.PYMALLOC, memory.allocatorNameBeneathTracer().orElseThrow(), "nothing changed");
        }
    }

    /**
     * setupDebugHooks: "@throws IllegalStateException ... if this memory's hooks were once
     * installed on a domain over another allocator than its current one ... Every domain is
     * checked first: nothing is changed then". RAW, wrapped first, must not be re-hooked when
     * OBJ is refused.
     */
    @Test
    void hooksOnceOverAnotherAllocatorAreRefusedBeforeAnyDomainChanges() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build();
             LibcAllocator other = LibcAllocator.create()) {
            BlockAllocator libc = DebugHooks.unwrap(memory.getAllocator(Domain.RAW));
            BlockAllocator heap = DebugHooks.unwrap(memory.getAllocator(Domain.OBJ));
            memory.setAllocator(Domain.RAW, libc);  // hooks off, over the allocator they wrapped
            memory.setAllocator(Domain.OBJ, other); // hooks off, another allocator
            IllegalStateException e = assertThrows(IllegalStateException.class, memory::setupDebugHooks);
            assertTrue(e.getMessage().contains("OBJ domain: its hooks were installed over"), e.getMessage());
            assertSame(libc, memory.getAllocator(Domain.RAW), "RAW was re-hooked before OBJ was refused");
            assertSame(other, memory.getAllocator(Domain.OBJ));
            assertTrue(DebugHooks.isDebugAllocator(memory.getAllocator(Domain.MEM)));

            memory.setAllocator(Domain.OBJ, heap); // the allocator the hooks were over: they go back on
            memory.setupDebugHooks();
            assertEquals(AllocatorName.PYMALLOC_DEBUG, memory.allocatorName().orElseThrow());
        }
    }

    /** setupDebugHooks: "@throws IllegalStateException ... if the hooks were closed". */
    @Test
    void closedHooksAreRefusedBeforeAnyDomainChanges() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build()) {
            BlockAllocator libc = DebugHooks.unwrap(memory.getAllocator(Domain.RAW));
            BlockAllocator heap = DebugHooks.unwrap(memory.getAllocator(Domain.OBJ));
            memory.setAllocator(Domain.RAW, libc);
            memory.setAllocator(Domain.MEM, heap);   // hooks a domain uses refuse to close
            memory.setAllocator(Domain.OBJ, heap);
            memory.debugHooks().orElseThrow().close();
            IllegalStateException e = assertThrows(IllegalStateException.class, memory::setupDebugHooks);
            assertTrue(e.getMessage().contains("RAW domain: this memory's debug hooks were closed"), e.getMessage());
            assertSame(libc, memory.getAllocator(Domain.RAW));
        }
    }

    /** Builder.quarantine: "@throws IllegalArgumentException if blocks is negative or over ...". */
    @Test
    void quarantineMustBeInRange() {
        for (int blocks : new int[] {-1, DebugHooks.MAX_QUARANTINE_BLOCKS + 1}) {
            assertEquals("quarantine must be 0.." + DebugHooks.MAX_QUARANTINE_BLOCKS + " blocks, was " + blocks,
                    assertThrows(IllegalArgumentException.class, () -> Memory.builder().quarantine(blocks)).getMessage());
        }
    }

    /** setAllocator: "@throws IllegalStateException ... if a wrapper (such as the tracer's) is installed". */
    @Test
    void theTracersWrapperCannotBeReplacedUnderIt() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
             LibcAllocator libc = LibcAllocator.create()) {
            memory.tracer().start(1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.setAllocator(Domain.OBJ, libc));
            assertTrue(e.getMessage().contains("unwrapAllocator (or stop the tracer) first"), e.getMessage());
            memory.tracer().stop();
            memory.setAllocator(Domain.OBJ, libc);
            assertSame(libc, memory.getAllocator(Domain.OBJ));
        }
    }

    /**
     * MemoryDomain.realloc and free(MemorySegment): "@throws MemoryCorruptionException under the
     * debug hooks, if the block's guard bytes or API id are damaged; the block is left allocated".
     */
    @Test
    void reallocAndSegmentFreeOfADamagedBlockAreRefusedAndTheBlockStays() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build()) {
            MemorySegment s = memory.obj().allocate(24, 8);
            long p = s.address();
            NativeMemory.putByte(p + 24, (byte) 0x55); // one byte past the end
            for (Executable call : new Executable[] {() -> memory.obj().realloc(p, 100), () -> memory.obj().free(s)}) {
                MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, call);
                assertEquals(MemoryCorruptionException.Kind.BAD_TRAILING_PAD, e.kind());
                assertEquals(p, e.address());
                assertTrue(e.getMessage().contains("at tail+0: 0x55 *** OUCH"), e.getMessage());
                assertEquals(1, memory.obj().liveBlocks(), "the damaged block stays allocated");
            }
            NativeMemory.putByte(p + 24, (byte) 0xFD);
            memory.obj().free(s);
            assertEquals(0, memory.obj().liveBlocks());
            memory.checkInvariants();
        }
    }
}
