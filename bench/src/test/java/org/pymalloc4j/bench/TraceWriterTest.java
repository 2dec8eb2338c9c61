package org.pymalloc4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.Domain;
import org.pymalloc4j.allocator.LibcAllocator;
import org.pymalloc4j.allocator.MallocStats;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MemoryDomain;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.allocator.testkit.Seeds;

/** {@link TraceWriter}: a Java program's calls written as a trace that replays to the same heap. */
class TraceWriterTest {
    @TempDir
    Path dir;

    @Test
    void theWrittenTraceReplaysToTheHeapTheProgramLeft() throws Exception {
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        Path file = dir.resolve("app.trace");
        MallocStats left;
        long calls;
        try (Memory memory = Memory.create(); TraceWriter trace = TraceWriter.open(file)) {
            memory.wrapAllocator(Domain.MEM, trace::wrap);
            memory.wrapAllocator(Domain.OBJ, trace::wrap);
            List<long[]> live = new ArrayList<>(); // {address, domain ordinal}
            for (int i = 0; i < 20_000; i++) {
                MemoryDomain domain = memory.domain(random.nextBoolean() ? Domain.MEM : Domain.OBJ);
                int op = random.nextInt(10);
                if (op < 5 || live.isEmpty()) {
                    long size = random.nextInt(1200);
                    long p = op == 0 ? domain.calloc(size, 1) : domain.malloc(size);
                    live.add(new long[] {p, domain.domain().ordinal()});
                } else if (op < 7) {
                    long[] b = live.get(random.nextInt(live.size()));
                    b[0] = memory.domain(Domain.values()[(int) b[1]]).realloc(b[0], random.nextInt(1200));
                } else {
                    long[] b = live.remove(random.nextInt(live.size()));
                    memory.domain(Domain.values()[(int) b[1]]).free(b[0]);
                }
            }
            memory.unwrapAllocator(Domain.OBJ);
            memory.unwrapAllocator(Domain.MEM);
            left = memory.pymalloc().stats();
            calls = trace.calls();
        }
        Trace recorded = Trace.read(file);
        assertEquals(calls, recorded.length(), "every call written, once");
        try (PyMalloc heap = PyMalloc.create()) {
            recorded.replay(heap, 1 << 16, done -> { });
            MallocStats replayed = heap.stats();
            assertEquals(left.sizeClasses(), replayed.sizeClasses(), "pools, blocks in use, available blocks");
            assertEquals(left.arenasCurrent(), replayed.arenasCurrent());
            assertEquals(left.rawBlocks(), replayed.rawBlocks());
            assertEquals(left.rawBytes(), replayed.rawBytes());
        }
    }

    @Test
    void blocksFromBeforeTheWrappingPassThroughAndRefusedCallsWriteNothing() throws Exception {
        Path file = dir.resolve("late.trace");
        try (Memory memory = Memory.create(); TraceWriter trace = TraceWriter.open(file)) {
            long early = memory.obj().malloc(40);
            long earlier = memory.obj().malloc(50);
            memory.wrapAllocator(Domain.OBJ, trace::wrap);
            memory.obj().free(early); // its malloc is not in the trace, so neither is its free
            long moved = memory.obj().realloc(earlier, 600); // a block the trace never saw: a malloc there
            assertEquals("malloc(-1): negative size",
                    assertThrows(IllegalArgumentException.class, () -> memory.obj().malloc(-1)).getMessage());
            long p = memory.obj().malloc(16);
            memory.obj().free(p);
            memory.unwrapAllocator(Domain.OBJ);
            memory.obj().free(moved);
            assertEquals(3, trace.calls());
        }
        assertEquals(List.of("# allocation calls of a Java program, recorded by TraceWriter", "m 0 600", "m 1 16", "f 1"),
                Files.readAllLines(file));
    }

    /**
     * An allocator written the C way returns 0 for a call it cannot do, which the domain above the
     * writer refuses as an OutOfMemoryError: the writer took the 0 for a block, and wrote a malloc
     * (and a realloc) the program never got, so the trace's replay kept blocks the program had not.
     */
    @Test
    void aZeroFromACStyleAllocatorIsARefusedCallAndWritesNothing() throws Exception {
        Path file = dir.resolve("zero.trace");
        try (Memory memory = Memory.create(); TraceWriter trace = TraceWriter.open(file)) {
            BlockAllocator below = memory.getAllocator(Domain.OBJ);
            memory.setAllocator(Domain.OBJ, new BlockAllocator() { // 0 for 999 bytes, as C's NULL
                @Override
                public long malloc(long size) {
                    return size == 999 ? 0 : below.malloc(size);
                }

                @Override
                public long calloc(long nelem, long elsize) {
                    return nelem * elsize == 999 ? 0 : below.calloc(nelem, elsize);
                }

                @Override
                public long realloc(long address, long newSize) {
                    return newSize == 999 ? 0 : below.realloc(address, newSize);
                }

                @Override
                public void free(long address) {
                    below.free(address);
                }
            });
            memory.wrapAllocator(Domain.OBJ, trace::wrap);
            long p = memory.obj().malloc(16);
            assertThrows(OutOfMemoryError.class, () -> memory.obj().malloc(999));
            assertThrows(OutOfMemoryError.class, () -> memory.obj().calloc(9, 111));
            assertThrows(OutOfMemoryError.class, () -> memory.obj().realloc(p, 999));
            memory.obj().free(p); // intact after the failed realloc: its free is written
            memory.unwrapAllocator(Domain.OBJ);
            memory.setAllocator(Domain.OBJ, below);
            assertEquals(2, trace.calls());
        }
        assertEquals(List.of("# allocation calls of a Java program, recorded by TraceWriter", "m 0 16", "f 0"),
                Files.readAllLines(file));
    }

    /** open: "@throws IOException if the file cannot be created"; wrap: "@throws IllegalStateException if closed". */
    @Test
    void aMissingDirectoryAndAClosedWriterAreRefused() throws IOException {
        Path nowhere = dir.resolve("no/such/dir.trace");
        assertEquals(nowhere.toString(),
                assertThrows(java.nio.file.NoSuchFileException.class, () -> TraceWriter.open(nowhere)).getMessage());
        TraceWriter trace = TraceWriter.open(dir.resolve("closed.trace"));
        try (Memory memory = Memory.create()) {
            memory.wrapAllocator(Domain.OBJ, trace::wrap);
            trace.close();
            trace.close(); // twice is once
            IllegalStateException late = assertThrows(IllegalStateException.class, () -> memory.obj().malloc(8));
            assertTrue(late.getMessage().contains("closed"), late.getMessage());
            assertEquals("this TraceWriter (" + dir.resolve("closed.trace") + ") is closed",
                    assertThrows(IllegalStateException.class, () -> trace.wrap(memory.obj())).getMessage());
        }
    }

    /**
     * close: "@throws UncheckedIOException if the file cannot be written", naming the file;
     * the writer is closed all the same. /dev/full refuses every write with ENOSPC, so the
     * header, still buffered, cannot be flushed.
     */
    @Test
    void aFileThatCannotBeWrittenIsReportedWhenTheWriterCloses() throws IOException {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "needs /dev/full");
        TraceWriter trace = TraceWriter.open(full);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, trace::close);
        assertEquals("TraceWriter: writing /dev/full failed", e.getMessage());
        assertTrue(e.getCause().getMessage().contains("No space left on device"), e.getCause().toString());
        trace.close(); // already closed: nothing to do
        try (LibcAllocator libc = LibcAllocator.create()) {
            IllegalStateException late = assertThrows(IllegalStateException.class, () -> trace.wrap(libc));
            assertEquals("this TraceWriter (/dev/full) is closed", late.getMessage());
        }
    }
}
