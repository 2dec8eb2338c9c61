package org.pymalloc4j.objects;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.testkit.DocComments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A space shared by two threads under a lock of the program's own, as the README advises for a
 * shared space: CPython 3.11 gives each thread a frame stack of its own under the GIL, but a
 * space has one data stack, so frames the threads keep open across the lock's releases nest in
 * the order they opened. The outer thread's frame is refused, not corrupted, and the docs say
 * frames are one stack per space.
 */
class FramesAcrossThreadsTest {
    @Test
    void framesOfTwoThreadsTakingTurnsAreOneStackAndTheOuterIsRefused() throws Exception {
        ReentrantLock gil = new ReentrantLock(); // the program's own lock, as a GIL
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (ObjectSpace space = ObjectSpace.create()) {
            long baseline = space.liveObjectCount();
            Frame a = locked(gil, space::frame);
            locked(gil, () -> a.local(space.floats().newFloat(1.5)));
            Frame b = other.submit(() -> locked(gil, () -> {
                Frame f = space.frame();
                f.local(space.strs().newStr("the other thread's"));
                return f;
            })).get();
            locked(gil, () -> {
                IllegalStateException refused = assertThrows(IllegalStateException.class,
                        () -> a.local(space.floats().newFloat(2.5)));
                assertTrue(refused.getMessage().contains("cannot take locals while frame 2"), refused.getMessage());
                assertThrows(IllegalStateException.class, a::close);
                return null;
            });
            other.submit(() -> locked(gil, () -> {
                b.close();
                return null;
            })).get();
            locked(gil, () -> {
                a.close();
                return null;
            });
            assertEquals(baseline, space.liveObjectCount(), "the refused local was released, the frames' locals too");
            space.checkInvariants();
        } finally {
            other.shutdown();
        }
    }

    @Test
    void theDocsSayFramesAreOneStackPerSpaceNotPerThread() throws IOException {
        String frame = DocComments.ofType("src/main/java/org/pymalloc4j/objects", "Frame");
        assertTrue(frame.contains("one stack per space, not one per thread"), "Frame's Javadoc: " + frame);
        String readme = DocComments.plain(Files.readString(Path.of("README.md")));
        assertTrue(readme.contains("one stack per space, not one per thread"), "objects/README.md's Frames section");
    }

    private static <T> T locked(ReentrantLock lock, java.util.concurrent.Callable<T> work) throws Exception {
        lock.lock();
        try {
            return work.call();
        } finally {
            lock.unlock();
        }
    }
}
