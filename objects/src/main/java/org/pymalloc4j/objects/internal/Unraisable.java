package org.pymalloc4j.objects.internal;

/**
 * CPython's {@code PyErr_WriteUnraisable}: an exception thrown by code the runtime calls and
 * cannot hand an error back to (a finalizer, a weakref callback, a {@code gc.callbacks} entry)
 * goes to the current thread's uncaught-exception handler, and the runtime carries on. A handler
 * that throws is written to {@code System.err} instead, as CPython writes a failing
 * {@code sys.unraisablehook} with its default hook, and dropped if {@code System.err} throws
 * too: the caller may be half way through a collection or a deallocation, which an exception
 * escaping here would leave half done. With no handler set anywhere (the thread's, its groups',
 * the default), the JDK's thread group would print "Exception in thread ...", which says the
 * thread died: it is written as CPython's default hook writes it, "Exception ignored", instead.
 */
public final class Unraisable {
    private Unraisable() {
    }

    public static void report(Throwable e) {
        Thread t = Thread.currentThread();
        Thread.UncaughtExceptionHandler handler = t.getUncaughtExceptionHandler();
        if (noHandlerSet(handler)) {
            try {
                System.err.print("Exception ignored (unraisable, as CPython's PyErr_WriteUnraisable; thread \""
                        + t.getName() + "\" goes on): ");
                e.printStackTrace();
            } catch (Throwable errFailure) {
                // System.err throws: dropped, as CPython's default hook ignores a failing sys.stderr
            }
            return;
        }
        try {
            handler.uncaughtException(t, e);
        } catch (Throwable hookFailure) {
            hookFailure.addSuppressed(e);
            try {
                System.err.print("Exception ignored in the uncaught-exception handler of " + t.getName() + ": ");
                hookFailure.printStackTrace();
            } catch (Throwable errFailure) {
                // System.err throws too: dropped, as CPython's default hook ignores a failing sys.stderr
            }
        }
    }

    /** Whether {@code handler} is a plain thread group with plain parents and no default handler: the JDK's printing alone. */
    private static boolean noHandlerSet(Thread.UncaughtExceptionHandler handler) {
        if (Thread.getDefaultUncaughtExceptionHandler() != null || !(handler instanceof ThreadGroup group)) {
            return false;
        }
        for (ThreadGroup g = group; g != null; g = g.getParent()) {
            if (g.getClass() != ThreadGroup.class) {
                return false;
            }
        }
        return true;
    }
}
