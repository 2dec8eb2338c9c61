package org.pymalloc4j.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The examples in the class comments of the allocator's API, run as written, with their
 * comments made asserts, as ReadmeUsageTest does for the README's.
 */
class JavadocExamplesTest {
    /** PyMalloc's class comment. */
    @Test
    void pyMallocExample() {
        String stats;
        try (PyMalloc heap = PyMalloc.create()) {
            long p = heap.malloc(64);          // a 64-byte block from size class 3
            assertEquals(64, heap.usableSize(p));
            heap.segment(p).fill((byte) 0);    // a bounds-checked view of it
            p = heap.realloc(p, 200);          // moves to class 12
            assertEquals(Geometry.blockSize(12), heap.usableSize(p));
            heap.free(p);
            stats = heap.debugMallocStats();
        }
        assertTrue(stats.startsWith("Small block threshold = 512, in 32 size classes."), stats);
    }

    /** PyMallocBuilder's class comment. */
    @Test
    void builderExample() {
        PyMalloc heap = PyMalloc.builder()
                .geometry(Geometry.PY38)
                .limit(64 << 20)                       // at most 64 MiB from the OS
                .arenaAllocator(ArenaAllocator.mmap())
                .build();
        try (heap) {
            assertEquals(64L << 20, heap.memoryLimit());
            assertEquals(4096, heap.geometry().poolSize());
        }
    }

    /** Memory's class comment. */
    @Test
    void memoryExample() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).limit(256 << 20).build()) {
            long object = memory.obj().malloc(40);     // PyObject_Malloc
            long items = memory.mem().malloc(8 * 16);  // PyMem_Malloc
            memory.obj().free(object);
            memory.mem().free(items);
            assertEquals(256L << 20, memory.memoryLimit());
        }
    }

    /** DebugHooks' class comment: the message ends as its comment says. */
    @Test
    void debugHooksExample() {
        MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> {
            try (PyMalloc heap = PyMalloc.create(); DebugHooks hooks = DebugHooks.create()) {
                BlockAllocator mem = hooks.wrap(Domain.MEM, heap);
                BlockAllocator obj = hooks.wrap(Domain.OBJ, heap);
                long p = mem.malloc(10);
                obj.free(p);   // MemoryCorruptionException: ... bad ID: Allocated using API 'm', verified using API 'o'
            }
        });
        assertTrue(e.getMessage().endsWith("\n_PyMem_DebugRawFree: bad ID: Allocated using API 'm', verified using API 'o'"),
                e.getMessage());
    }

    /** Tracer's class comment, and Snapshot's top() layout. */
    @Test
    void tracerExample() {
        try (Memory memory = Memory.create()) {
            Tracer tracer = memory.tracer();
            tracer.start(10);                                // up to 10 frames per traceback
            long block = memory.obj().malloc(100);
            String top = tracer.takeSnapshot().top(GroupBy.LINE, 10);
            // this package's frames are the allocator's, left out: the block is the caller's (JUnit's)
            assertTrue(top.matches("Top 10 lines\n#1: \\w+\\.java:\\d+: 0\\.1 KiB\n    in [\\w.]+\n"
                    + "Total allocated size: 0\\.1 KiB\n"), top);
            tracer.stop();                                   // removes the hooks, forgets the traces
            assertEquals(0, tracer.traceCount());
            memory.obj().free(block);
        }
    }

    /**
     * Snapshot's and Statistic's class comments quote one group's line: 1001 traces of 141,784
     * bytes (138 KiB, 142 B on average) from Foo.java:12, against a snapshot without them.
     */
    @Test
    void snapshotAndStatisticExamples() {
        Traceback foo = new Traceback(List.of(new TraceFrame("org.example.Foo", "bar", "Foo.java", 12)), 1);
        List<Trace> traces = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            traces.add(new Trace(Domain.OBJ, i < 643 ? 142 : 141, foo));
        }
        Snapshot before = new Snapshot(List.of(), 1);
        Snapshot after = new Snapshot(traces, 1);
        assertEquals("Foo.java:12: size=138 KiB (+138 KiB), count=1001 (+1001), average=142 B",
                after.compareTo(before, GroupBy.LINE).get(0).toString());
        assertEquals("Foo.java:12: size=138 KiB, count=1001, average=142 B", after.statistics(GroupBy.LINE).get(0).toString());
    }

    /** TraceFilter's class comment: org.example's blocks but its cache's, and no raw ones. */
    @Test
    void traceFilterExample() {
        Trace app = trace(Domain.OBJ, "org.example.App");
        Trace cache = trace(Domain.OBJ, "org.example.cache.Lru");
        Trace rawApp = trace(Domain.RAW, "org.example.App");
        Trace other = trace(Domain.OBJ, "com.other.Thing");
        Snapshot snapshot = new Snapshot(List.of(app, cache, rawApp, other), 1);
        Snapshot kept = snapshot.filterTraces(List.of(
                TraceFilter.include("org.example.*"),              // only blocks allocated by org.example
                TraceFilter.exclude("org.example.cache.*"),        // ...except its cache
                TraceFilter.domain(Domain.RAW, false)));           // and not raw blocks
        assertEquals(List.of(app), kept.traces());
    }

    private static Trace trace(Domain domain, String className) {
        return new Trace(domain, 16, new Traceback(List.of(new TraceFrame(className, "run", "X.java", 1)), 1));
    }
}
