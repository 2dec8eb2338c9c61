package org.pymalloc4j.objects.internal;

/**
 * CPython's {@code PyErr_WriteUnraisable}: an exception thrown by code the runtime calls and
 * cannot hand an error back to (a finalizer, a weakref callback, a {@code gc.callbacks} entry)
 * goes to the current thread's uncaught-exception handler, and the runtime carries on.
 */
public final class Unraisable {
    private Unraisable() {
    }

    public static void report(Throwable e) {
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, e);
    }
}
