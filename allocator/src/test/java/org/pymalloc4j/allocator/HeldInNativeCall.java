package org.pymalloc4j.allocator;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CountDownLatch;

/**
 * A segment held by a native call in another thread, as FFM holds every argument's scope for the
 * length of a call: libc's {@code qsort} is given the segment as two 8-byte elements, and its
 * comparator, an upcall, waits inside the call until {@link #close}. No clock decides anything:
 * the constructor returns once the call is under way, and the call lasts until released. For
 * the tests of a close refused while a segment is in use.
 */
final class HeldInNativeCall implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle QSORT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("qsort").orElseThrow(),
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS));
    private static final FunctionDescriptor COMPARE =
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS);

    private final CountDownLatch inCall = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final Arena stub = Arena.ofShared();
    private final Thread caller;

    /** Returns once a native call holding {@code sixteenBytes} is under way in another thread. */
    HeldInNativeCall(MemorySegment sixteenBytes) throws ReflectiveOperationException, InterruptedException {
        MethodHandle compare = MethodHandles.lookup().findVirtual(HeldInNativeCall.class, "compare",
                MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class)).bindTo(this);
        MemorySegment comparator = LINKER.upcallStub(compare, COMPARE, stub);
        caller = new Thread(() -> {
            try {
                QSORT.invokeExact(sixteenBytes, 2L, 8L, comparator);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        });
        caller.start();
        inCall.await();
    }

    /** The comparator: the first call waits, inside qsort, until released. An upcall must not throw. */
    private int compare(MemorySegment a, MemorySegment b) {
        inCall.countDown();
        boolean interrupted = false;
        while (true) {
            try {
                released.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Lets the call return, and with it the segment. */
    @Override
    public void close() throws InterruptedException {
        released.countDown();
        caller.join();
        stub.close();
    }
}
