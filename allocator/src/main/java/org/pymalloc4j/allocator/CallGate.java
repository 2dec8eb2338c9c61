package org.pymalloc4j.allocator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread inside at a time: the debug hooks' stand-in for CPython's GIL check
 * ({@code _PyMem_DebugCheckGIL}). A call entering while another thread is inside is refused
 * before it changes anything; a call back in from the thread inside (an allocator beneath
 * the hooks calling them again) goes on. A hand-off through a happens-before edge is never
 * refused: the first thread has left by then.
 */
final class CallGate {
    private static final VarHandle INSIDE;

    static {
        try {
            INSIDE = MethodHandles.lookup().findVarHandle(CallGate.class, "inside", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The thread inside, or null. */
    @SuppressWarnings("unused") // through INSIDE
    private volatile Thread inside;

    /**
     * Lets the calling thread in.
     *
     * @param call names the call in the refusal
     * @return whether this is the thread's outermost call, which must {@link #leave} with it
     * @throws IllegalStateException if another thread is inside
     */
    boolean enter(String call) {
        Thread self = Thread.currentThread();
        if (INSIDE.compareAndSet(this, null, self)) {
            return true;
        }
        Thread other = (Thread) INSIDE.getVolatile(this);
        if (other == self) {
            return false;
        }
        throw new IllegalStateException(call + " from thread \"" + self.getName() + "\" while thread \""
                + (other != null ? other.getName() : "?") + "\" is inside these debug hooks: they, and the memory"
                + " beneath them, are used by one thread at a time (CPython's check the GIL here); nothing done");
    }

    /** Leaves after {@link #enter} returned {@code outermost}. */
    void leave(boolean outermost) {
        if (outermost) {
            INSIDE.setRelease(this, null);
        }
    }
}
