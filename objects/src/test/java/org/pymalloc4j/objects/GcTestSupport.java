package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;

import org.pymalloc4j.allocator.Domain;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.testkit.ForwardingAllocator;

/** Helpers shared by the weakref, finalizer and collector tests. */
final class GcTestSupport {
    private GcTestSupport() {
    }

    /**
     * Runs {@code body} with an uncaught-exception handler that keeps what is reported
     * (finalizers', weakref callbacks' and gc callbacks' exceptions go there), then puts the
     * thread's handler back. Returns what was reported, in order.
     */
    static List<Throwable> reportedDuring(Runnable body) {
        List<Throwable> reported = new ArrayList<>();
        Thread thread = Thread.currentThread();
        Thread.UncaughtExceptionHandler before = thread.getUncaughtExceptionHandler();
        thread.setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            body.run();
        } finally {
            thread.setUncaughtExceptionHandler(before);
        }
        return reported;
    }

    /** A new instance of {@code cls} whose slot 0 refers to itself: a one-object cycle. */
    static long selfCycle(ObjectSpace space, long cls) {
        long o = space.classes().newInstance(cls);
        space.classes().setSlot(o, 0, o);
        return o;
    }

    /** A list holding itself: the smallest cycle of a built-in type. */
    static long selfList(ObjectSpace space) {
        long l = space.lists().newList();
        space.lists().append(l, l);
        return l;
    }

    /** {@code l = cls(); l.a = [l]}: a new reference to an instance in a cycle through a list (slot 0). */
    static long inListCycle(ObjectSpace space, long cls) {
        long l = space.classes().newInstance(cls);
        long list = space.lists().newList();
        space.lists().append(list, l);
        space.classes().setSlot(l, 0, list);
        space.decref(list);
        return l;
    }

    /** The OBJ-domain blocks freed while {@code body} runs, in the order freed (a collection's free-list clearing, say). */
    static List<Long> objectFreesDuring(Memory memory, Runnable body) {
        List<Long> freed = new ArrayList<>();
        memory.wrapAllocator(Domain.OBJ, inner -> new ForwardingAllocator(inner) {
            @Override
            public void free(long address) {
                freed.add(address);
                inner.free(address);
            }
        });
        try {
            body.run();
        } finally {
            memory.unwrapAllocator(Domain.OBJ);
        }
        return freed;
    }
}
