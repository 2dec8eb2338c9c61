package org.pymalloc4j.allocator;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.testkit.ForwardingAllocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPython's debug hooks are its way to find allocator calls from the wrong thread: each MEM and
 * OBJ call checks the GIL (_PyMem_DebugCheckGIL, a fatal error without it; Misc/NEWS of
 * bpo-26249 sends users to PYTHONMALLOC=debug for it). Here there is no GIL, and nothing
 * stopped two threads inside the hooks at once, racing on their live-block table and
 * quarantine; the second now finds the first there and is refused before it changes anything.
 */
class DebugHooksThreadsTest {
    /** Forwards to the heap; its malloc waits for the test once armed. */
    private static final class PausingMalloc extends ForwardingAllocator {
        volatile boolean armed;
        final CountDownLatch inside = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);

        PausingMalloc(BlockAllocator inner) {
            super(inner);
        }

        @Override
        public long malloc(long size) {
            if (armed) {
                armed = false;
                inside.countDown();
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            return inner.malloc(size);
        }
    }

    @Test
    void aCallFromASecondThreadWhileOneIsInsideTheHooksIsRefusedWithNothingChanged() throws Exception {
        ExecutorService first = Executors.newSingleThreadExecutor(r -> new Thread(r, "first"));
        try (PyMalloc heap = PyMalloc.create(); DebugHooks hooks = DebugHooks.create()) {
            PausingMalloc pausing = new PausingMalloc(heap);
            BlockAllocator mem = hooks.wrap(Domain.MEM, pausing);
            BlockAllocator obj = hooks.wrap(Domain.OBJ, heap);
            long kept = obj.malloc(24);
            mem.free(mem.malloc(8)); // one block quarantined
            pausing.armed = true;
            Future<Long> inside = first.submit(() -> mem.malloc(40));
            pausing.inside.await();
            long live = hooks.liveBlocks();
            long quarantined = hooks.quarantinedBlocks();
            for (Runnable call : new Runnable[] {() -> obj.malloc(16), () -> obj.calloc(2, 8), () -> obj.realloc(kept, 48),
                    () -> obj.free(kept), () -> obj.usableSize(kept)}) {
                IllegalStateException refused = assertThrows(IllegalStateException.class, call::run);
                assertTrue(refused.getMessage().contains("thread \"first\" is inside these debug hooks"), refused.getMessage());
                assertTrue(refused.getMessage().contains("nothing done"), refused.getMessage());
            }
            assertEquals(live, hooks.liveBlocks());
            assertEquals(quarantined, hooks.quarantinedBlocks());
            pausing.resume.countDown();
            long p = inside.get();
            obj.free(kept); // the first thread is out: this one may go in, and its calls work
            mem.free(p);
            hooks.checkInvariants();
            assertEquals(0, hooks.liveBlocks());
        } finally {
            first.shutdown();
        }
    }

    /** The same through a Memory's domains, each public call of MemoryDomain. */
    @Test
    void aMemorysDomainsUnderTheHooksRefuseASecondThread() throws Exception {
        ExecutorService first = Executors.newSingleThreadExecutor(r -> new Thread(r, "first"));
        try (Memory memory = Memory.create()) {
            PausingMalloc pausing = new PausingMalloc(memory.getAllocator(Domain.MEM));
            memory.setAllocator(Domain.MEM, pausing);
            memory.setupDebugHooks();
            MemoryDomain obj = memory.obj();
            long kept = obj.malloc(24);
            java.lang.foreign.MemorySegment segment = obj.allocate(32);
            pausing.armed = true;
            Future<Long> inside = first.submit(() -> memory.mem().malloc(40));
            pausing.inside.await();
            for (Runnable call : new Runnable[] {() -> obj.malloc(16), () -> obj.calloc(2, 8), () -> obj.realloc(kept, 48),
                    () -> obj.free(kept), () -> obj.free(0), () -> obj.usableSize(kept), () -> obj.segment(kept),
                    () -> obj.allocate(16, 16), () -> obj.free(segment)}) {
                IllegalStateException refused = assertThrows(IllegalStateException.class, call::run);
                assertTrue(refused.getMessage().contains("thread \"first\" is inside these debug hooks"), refused.getMessage());
            }
            assertEquals(2, obj.liveBlocks());
            pausing.resume.countDown();
            memory.mem().free(inside.get());
            obj.free(kept);
            obj.free(segment);
            memory.checkInvariants();
        } finally {
            first.shutdown();
        }
    }

    @Test
    void theReadmeSaysTheHooksCatchOverlappingThreads() throws java.io.IOException {
        String readme = org.pymalloc4j.allocator.testkit.DocComments.plain(java.nio.file.Files.readString(java.nio.file.Path.of("../README.md")));
        assertTrue(readme.contains("refuse a call made while another thread is inside them"), "README.md");
    }

    /** A call the hooks make into an allocator beneath them that calls the hooks again, on the same thread, is no race. */
    @Test
    void aCallBackIntoTheHooksOnTheSameThreadGoesOn() {
        try (PyMalloc heap = PyMalloc.create(); DebugHooks hooks = DebugHooks.create()) {
            BlockAllocator[] raw = new BlockAllocator[1];
            BlockAllocator mem = hooks.wrap(Domain.MEM, new ForwardingAllocator(heap) {
                @Override
                public long malloc(long size) {
                    raw[0].free(raw[0].malloc(100)); // a buffer of its own, through the hooks
                    return inner.malloc(size);
                }
            });
            raw[0] = hooks.wrap(Domain.RAW, heap);
            long p = mem.malloc(10);
            mem.free(p);
            hooks.checkInvariants();
        }
    }
}
