package org.pymalloc4j.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The examples under "Using the heap" and "Domains, debug hooks and tracing" in README.md, run as written, with their comments made asserts. */
class ReadmeUsageTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);

    /**
     * The tests below are copies of the README's examples: every line of each allocator example
     * (a block that opens a PyMalloc or a Memory) is in this file as written, comment included,
     * so that an edit to either side shows; only the prints and the "..." are the tests' own.
     */
    @Test
    void theExamplesBelowAreTheReadmesAsWritten() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        List<String> mine = Files.readAllLines(Path.of("src/test/java/org/pymalloc4j/allocator/ReadmeUsageTest.java"))
                .stream().map(ReadmeUsageTest::normalized).toList();
        List<String> missing = new ArrayList<>();
        int examples = 0;
        Matcher block = JAVA_BLOCK.matcher(readme);
        while (block.find()) {
            String code = block.group(1);
            if (!code.startsWith("try (PyMalloc heap") && !code.startsWith("try (Memory memory")) {
                continue;
            }
            examples++;
            for (String line : code.split("\n")) {
                String n = normalized(line);
                if (!n.isEmpty() && !n.startsWith("System.out.print") && !n.equals("...") && !mine.contains(n)) {
                    missing.add(line);
                }
            }
        }
        assertEquals(3, examples, "the README's allocator examples: Using the heap, Huge pages, Domains");
        assertEquals(List.of(), missing, "README lines not in ReadmeUsageTest");
    }

    private static String normalized(String line) {
        return line.strip().replaceAll("\\s+", " ");
    }

    @Test
    void theUsingTheHeapExampleRunsAsItsCommentsSay() {
        MemorySegment kept;
        String text;
        try (PyMalloc heap = PyMalloc.create()) {          // CPython 3.11 geometry: 16 KiB pools, 1 MiB arenas
            long p = heap.malloc(64);                      // size class 3 (64-byte blocks), 16-byte aligned
            assertEquals(0, p & 15);
            MemorySegment view = heap.segment(p);          // 64 bytes, bounds-checked, dead once the heap closes
            assertEquals(64, view.byteSize());
            kept = view;
            p = heap.realloc(p, 200);                      // moves to class 12 (208-byte blocks)
            assertEquals(208, heap.usableSize(p));
            long zeroed = heap.calloc(10, 8);              // 80 zeroed bytes
            assertTrue(heap.segment(zeroed).asSlice(0, 80).mismatch(MemorySegment.ofArray(new byte[80])) == -1);
            long big = heap.malloc(4096);                  // over 512 bytes: libc malloc, tracked by the heap
            assertFalse(heap.isArenaAddress(big));
            assertTrue(heap.isLive(big));
            MemorySegment name = heap.allocateFrom("pymalloc4j");   // the heap is a SegmentAllocator
            assertEquals("pymalloc4j", name.getString(0));
            heap.free(name);                               // a segment's block, freed as any other
            assertFalse(heap.isLive(name.address()));
            heap.free(p);
            heap.free(zeroed);
            heap.free(big);
            text = heap.debugMallocStats();                // CPython's sys._debugmallocstats() layout
            MallocStats s = heap.stats();                  // the same figures as a record
            assertEquals(1, s.arenasCurrent());
        }                                                  // close(): every arena and raw block returned
        assertTrue(text.startsWith("Small block threshold = 512, in 32 size classes."), text);
        assertFalse(kept.scope().isAlive(), "the view died with the heap");
    }

    /** "Domains, debug hooks and tracing": the {@code ...} is one traced block. */
    @Test
    void theDomainsExampleRunsAsItsCommentsSay() {
        String top;
        try (Memory memory = Memory.builder()
                .allocator(AllocatorName.PYMALLOC_DEBUG)   // or -Dpymalloc4j.malloc=pymalloc_debug with Memory.create()
                .limit(256L << 20)                         // at most 256 MiB from the OS, arenas plus raw blocks
                .build()) {
            long object = memory.obj().malloc(40);         // PyObject_Malloc
            long items = memory.mem().calloc(16, 8);       // PyMem_Calloc
            long buffer = memory.raw().malloc(1 << 20);    // PyMem_RawMalloc: libc
            assertTrue(memory.pymalloc().isArenaAddress(object - 16), "40 + 24 bytes: a pymalloc block");
            assertFalse(memory.pymalloc().isArenaAddress(buffer - 16));
            assertEquals(Optional.of(AllocatorName.PYMALLOC_DEBUG), memory.allocatorName());
            memory.tracer().start(8);                      // tracemalloc.start(8)
            long traced = memory.obj().malloc(100);
            top = memory.tracer().takeSnapshot().top(GroupBy.LINE, 10);
            assertEquals(0, memory.tracer().takeSnapshot()
                    .filterTraces(List.of(TraceFilter.include("org.example.*"))).traces().size());
            memory.obj().free(traced);
            memory.obj().free(object);                     // free through the domain that allocated it
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> memory.obj().free(items));
            assertEquals(MemoryCorruptionException.Kind.BAD_ID, e.kind(), "a MEM block freed through OBJ");
            memory.mem().free(items);
            memory.raw().free(buffer);
        }
        assertTrue(top.startsWith("Top 10 lines\n#1: "), top);
    }

    /** The debug hooks' table: a write into a freed block is found by the call its last row names. */
    @Test
    void theDebugHooksTableFindsAWriteAfterFreeAsItSays() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build()) {
            long p = memory.obj().malloc(32);
            memory.obj().free(p);
            memory.pymalloc().segment(p - 16).set(java.lang.foreign.ValueLayout.JAVA_BYTE, 16, (byte) 1);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class,
                    () -> memory.debugHooks().orElseThrow().checkFreedMemory());
            assertEquals(MemoryCorruptionException.Kind.WRITE_AFTER_FREE, e.kind());
        }
    }

    /** "Huge pages": the counts as printed, where the kernel offers transparent huge pages and no reserved pool. */
    @Test
    void theHugePagesExamplePrintsTheCounts() {
        assumeTrue(HugePages.transparentAvailable() && HugePages.transparentSize() == 2L << 20);
        assumeTrue(HugePages.reservedSize() == 0 || meminfoHugePagesFreeIsZero());
        try (PyMalloc heap = PyMalloc.create(Geometry.HUGE_PAGES)) {
            long p = heap.malloc(64);
            var arenas = (HugePageArenaAllocator) heap.arenaAllocator();
            assertEquals("hugepages (0 reserved, 1 advised for THP, 0 small-page arenas)", arenas.toString());
            assertTrue(HugePages.processBytesInTransparentHugePages() >= 0);
            heap.free(p);
        }
    }

    private static boolean meminfoHugePagesFreeIsZero() {
        try {
            return org.pymalloc4j.allocator.internal.ProcFiles.number(java.nio.file.Path.of("/proc/meminfo"), "HugePages_Free:") == 0;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }
}
