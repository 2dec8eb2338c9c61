package org.pymalloc4j.allocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RawAllocator.alignedMalloc, "or 0 on failure": it opened an arena per call for posix_memalign's
 * out slot, so where the JVM could not have those 8 bytes the JDK's OutOfMemoryError ("Unable to
 * allocate 8 bytes", no "pymalloc4j:") came out of it, past the heap's budget charge for the raw
 * block, which stayed charged (bytesFromOs grew with every such refusal). The slot is now made
 * once per thread, and a slot that cannot be had is a refusal like libc's.
 */
class AlignedMallocSlotTest {
    @Test
    void aSlotTheJvmCannotHaveIsTheHeapsRefusalAndChargesNothing() throws Exception {
        // NMT's malloc limit refuses the JVM's Unsafe allocations (category Other) and not libc's.
        String out = TestSupport.runLimited(1L << 40, "true", SlotRefused.class, "-XX:+UnlockDiagnosticVMOptions",
                "-XX:NativeMemoryTracking=summary", "-XX:MallocLimit=other:2m:oom");
        assertTrue(out.contains("refused: pymalloc4j: allocate(100000, 64): cannot allocate 100000 bytes aligned to 64\n"), out);
        assertTrue(out.contains("bytesFromOs after the refusal: 0\n"), out);
        assertTrue(out.contains("allocated once the JVM has memory again: true\n"), out);
    }

    /** The child of {@link #aSlotTheJvmCannotHaveIsTheHeapsRefusalAndChargesNothing}. */
    public static final class SlotRefused {
        public static void main(String[] args) throws Exception {
            try (PyMalloc heap = PyMalloc.create()) {
                Arena fill = Arena.ofShared();
                List<MemorySegment> held = new ArrayList<>();
                try {
                    while (true) {
                        held.add(fill.allocate(64)); // the JVM's malloc, up to its limit
                    }
                } catch (OutOfMemoryError expected) {
                    System.out.println("filled: " + held.size());
                }
                // A new thread, which has no slot yet.
                Thread t = new Thread(() -> {
                    try {
                        heap.allocate(100_000, 64);
                        System.out.println("allocated while the JVM had no memory");
                    } catch (OutOfMemoryError e) {
                        System.out.println("refused: " + e.getMessage());
                    }
                });
                t.start();
                t.join();
                System.out.println("bytesFromOs after the refusal: " + heap.bytesFromOs());
                fill.close();
                MemorySegment block = heap.allocate(100_000, 64);
                System.out.println("allocated once the JVM has memory again: " + (block.address() % 64 == 0));
            }
        }
    }

    /** The slot is one per thread: threads allocating at once each get their own aligned, distinct blocks. */
    @Test
    void threadsAllocatingAtOnceGetDistinctAlignedBlocks() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            ConcurrentHashMap<Long, Boolean> seen = new ConcurrentHashMap<>();
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(pool.submit(() -> {
                    long[] blocks = new long[2_000];
                    for (int i = 0; i < blocks.length; i++) {
                        long alignment = 32L << (i % 6);
                        blocks[i] = RawAllocator.alignedMalloc(alignment, 48);
                        assertTrue(blocks[i] != 0 && (blocks[i] & (alignment - 1)) == 0, "block " + blocks[i]);
                        assertEquals(null, seen.put(blocks[i], true));
                    }
                    for (long b : blocks) {
                        seen.remove(b);
                        RawAllocator.free(b);
                    }
                    return null;
                }));
            }
            for (Future<?> f : tasks) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
