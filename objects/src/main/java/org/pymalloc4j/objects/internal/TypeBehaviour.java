package org.pymalloc4j.objects.internal;

import java.util.function.LongConsumer;

/**
 * The Java side of a type: what CPython keeps in {@code tp_dealloc}, {@code tp_traverse},
 * {@code tp_clear} and {@code __sizeof__}. Kept in the space's {@link TypeTable}, indexed by the
 * type's {@code tp_version_tag}, so no Java object is ever referenced from native memory. An
 * abstract class, not an interface: deallocation and clearing dispatch on it per object, and
 * a virtual call is cheaper than an interface call at a call site that sees every type.
 */
public abstract class TypeBehaviour {
    /** {@link #traits()}: instances have a PEP 442 finalizer ({@code tp_finalize}). */
    public static final int FINALIZER = 1;
    /** {@link #traits()}: instances have a legacy finalizer ({@code tp_del}): cycles through them are uncollectable. */
    public static final int LEGACY_FINALIZER = 2;
    /** {@link #traits()}: instances are weak references. */
    public static final int WEAKREF = 4;

    /** What the collector must look at in an unreachable instance: a mix of the bits above. */
    public int traits() {
        return 0;
    }

    /** {@code tp_finalize}, for a type with {@link #FINALIZER}: runs the finalizer, reporting what it throws. */
    public void finalize(long o) {
    }

    /**
     * Releases the object's references and its memory (or parks it on a free list). Runs with
     * the refcount at 0; the trashcan has already decided it may run now.
     */
    public abstract void dealloc(long o);

    /**
     * Whether {@code o}, an object of this type with refcount 0, is parked on one of its free
     * lists: for checked mode's error messages, so a linear search is fine.
     */
    public boolean isParked(long o) {
        return false;
    }

    /** Calls {@code visit} with every non-NULL reference the object owns ({@code tp_traverse}). */
    public void traverse(long o, LongConsumer visit) {
    }

    /** Drops every reference the object owns, each field NULLed before its decref ({@code tp_clear}). */
    public void clear(long o) {
    }

    /** CPython 3.11's {@code sys.getsizeof(o)}: {@code __sizeof__} plus the GC head if any. */
    public abstract long sizeOf(long o);
}
