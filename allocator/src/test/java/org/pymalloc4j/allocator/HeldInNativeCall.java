package org.pymalloc4j.allocator;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.CountDownLatch;

/**
 * A segment held by a native call in another thread, as FFM holds every argument's scope for the
 * length of a call: {@code nanosleep} is given the segment as its 2-second timespec. For the
 * tests of a close refused while a segment is in use.
 */
final class HeldInNativeCall implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle NANOSLEEP = LINKER.downcallHandle(
            LINKER.defaultLookup().find("nanosleep").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private final Thread sleeper;

    /** Writes the timespec into {@code sixteenBytes} and returns once the call is well under way. */
    HeldInNativeCall(MemorySegment sixteenBytes) throws InterruptedException {
        sixteenBytes.set(ValueLayout.JAVA_LONG, 0, 2); // tv_sec
        sixteenBytes.set(ValueLayout.JAVA_LONG, 8, 0); // tv_nsec
        CountDownLatch calling = new CountDownLatch(1);
        sleeper = new Thread(() -> {
            calling.countDown();
            try {
                int unused = (int) NANOSLEEP.invokeExact(sixteenBytes, MemorySegment.NULL);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        });
        sleeper.start();
        calling.await();
        Thread.sleep(300); // well inside the 2-second call
    }

    /** Waits for the call to return, and with it the segment. */
    @Override
    public void close() throws InterruptedException {
        sleeper.join();
    }
}
