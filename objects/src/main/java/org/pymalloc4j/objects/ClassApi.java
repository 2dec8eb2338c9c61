package org.pymalloc4j.objects;

import java.util.Objects;

import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.Instances;

/**
 * Classes with {@code __slots__} and their instances, of one {@link ObjectSpace}:
 * {@code space.classes()}. Ownership and checked mode as the space's class comment says.
 */
public final class ClassApi {
    /**
     * The most slots a class may have: 60 make a 512-byte instance with its GC head, pymalloc's
     * largest size class. With {@code __weakref__} such an instance is 520 bytes and, as in
     * CPython, a raw block from malloc.
     */
    public static final int MAX_SLOTS = 60;

    private final Core core;
    private final Instances instances;
    private final boolean checked;

    ClassApi(Builtins b) {
        this.core = b.core;
        this.instances = b.instances;
        this.checked = b.core.checked;
    }

    /**
     * A new class with {@code slots} reference slots per instance (Python's
     * {@code class name: __slots__ = (...)}): a new reference to the type object. Instances hold
     * references to their class, so it lives until the last of them is gone.
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code slots} is negative or above {@link #MAX_SLOTS} (60),
     *                                  or {@code name} holds a NUL character or a lone surrogate
     * @throws IllegalStateException    if the space is closed
     * @throws OutOfMemoryError         if the type object or its name cannot be had, even after a
     *                                  full collection; nothing is left behind
     */
    public long newClass(String name, int slots) {
        return newClass(new ClassSpec(name, slots, false, null, null));
    }

    /**
     * A new class as {@code spec} says: a new reference to the type object. With a finalizer,
     * an instance whose refcount reaches 0 is finalized first (once; it may resurrect itself),
     * then its weakrefs' callbacks run, then its slots are released; the collector runs
     * finalizers of unreachable instances before it frees them (PEP 442). A finalizer's
     * exception goes to the thread's uncaught-exception handler and the deallocation goes on.
     *
     * @throws NullPointerException  if {@code spec} is null
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the type object or its name cannot be had, even after a
     *                               full collection; nothing is left behind
     */
    public long newClass(ClassSpec spec) {
        Objects.requireNonNull(spec, "spec");
        core.checkOpen();
        ClassSpec.Finalizer fin = spec.finalizer();
        ClassSpec.Finalizer legacy = spec.legacyFinalizer();
        return instances.newClass(spec.name(), spec.slots(), spec.isWeakReferenceable(),
                fin == null ? null : fin::finalize, legacy == null ? null : legacy::finalize);
    }

    /**
     * A new reference to a new instance of {@code cls}, every slot NULL.
     *
     * @throws WrongTypeException    in checked mode, if {@code cls} is not a class made by {@link #newClass}
     * @throws FreedObjectException  in checked mode, if {@code cls} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newInstance(long cls) {
        if (checked) {
            core.args.checkType(cls, core.typeType, "classes().newInstance");
            if (!Instances.isClass(cls)) {
                throw core.args.wrongType(cls, "classes().newInstance (a built-in type)", "class");
            }
        }
        return instances.newInstance(cls);
    }

    /**
     * Slot {@code i} of an instance, <b>borrowed</b> (0 if unset).
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code o} is not an instance of a class
     * @throws FreedObjectException      in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException     in checked mode, if the space is closed
     */
    public long getSlot(long o, long i) {
        if (checked) {
            checkSlot(o, i, "classes().getSlot");
        }
        return Instances.slot(o, i);
    }

    /**
     * Sets slot {@code i} like {@code o.attr = value}: a new reference to {@code value} (not
     * stolen; 0 clears the slot), releasing the old value.
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code o} is not an instance of a class
     * @throws FreedObjectException      in checked mode, if {@code o} or {@code value} is not a live
     *                                   object, or if the value replaced was freed behind the
     *                                   instance's back: {@code value} is stored first, then that
     *                                   value is named
     * @throws IllegalStateException     in checked mode, if the space is closed; checked or not, if
     *                                   the value replaced held the last counted reference to a
     *                                   static object ({@code value} is stored first, the static's
     *                                   refcount put back)
     */
    public void setSlot(long o, long i, long value) {
        if (checked) {
            checkSlot(o, i, "classes().setSlot");
        }
        core.xincref(value);
        long old = Instances.slot(o, i);
        Instances.putSlot(o, i, value);
        core.xdecref(old);
    }

    private void checkSlot(long o, long i, String operation) {
        core.checkLive(o);
        if (!Instances.isClass(core.typeOf(o))) {
            throw core.args.wrongType(o, operation, "class instance");
        }
        long n = Instances.slotCount(o);
        if (i < 0 || i >= n) {
            throw core.args.indexError(o, operation, i, n);
        }
    }
}
