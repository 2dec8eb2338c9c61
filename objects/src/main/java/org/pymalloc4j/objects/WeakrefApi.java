package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.Weakrefs;

/**
 * Weak references ({@code weakref.ref}) of one {@link ObjectSpace}: {@code space.weakrefs()}.
 * A weakref is a native GC object of type {@code weakref.ReferenceType} (64 bytes, CPython
 * 3.11's {@code PyWeakReference}) that does not keep its referent alive. Instances of classes
 * made {@link ClassSpec#weakReferenceable()} and classes themselves can be weakly referenced;
 * built-in instances (ints, lists, dicts...) cannot, as in CPython.
 * <pre>
 *  long wr = space.weakrefs().newRef(obj, ref -&gt; System.out.println("gone"));
 *  space.decref(obj);                       // prints "gone"
 *  assert space.weakrefs().get(wr) == space.none();
 * </pre>
 * When a referent dies by refcount, the weakrefs to it are cleared and their callbacks run,
 * newest first. When the collector finds it unreachable, the weakrefs are cleared before any
 * finalizer runs, and only the callbacks of weakrefs that are not garbage themselves run.
 * A callback's exception goes to the thread's uncaught-exception handler.
 */
public final class WeakrefApi {
    /** A weakref callback: called with the (now dead) weakref, borrowed. */
    @FunctionalInterface
    public interface Callback {
        void call(long weakref);
    }

    private final Core core;
    private final Weakrefs weakrefs;
    private final boolean checked;

    WeakrefApi(Builtins b) {
        this.core = b.core;
        this.weakrefs = b.weakrefs;
        this.checked = b.core.checked;
    }

    /**
     * {@code PyWeakref_CheckRef}: whether {@code o} is a weak reference (with or without a callback). Classes made by {@link ObjectSpace#classes()}
     * derive from {@code object} alone, so no other type passes.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public boolean check(long o) {
        return core.args.hasType(o, core.weakrefType, 0);
    }

    /**
     * {@code weakref.ref(o)}: a new reference to the weakref without a callback, shared: the
     * existing one if {@code o} has it.
     *
     * @throws WrongTypeException    if {@code o}'s type cannot be weakly referenced
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newRef(long o) {
        checkReferent(o);
        return weakrefs.newRef(o, null);
    }

    /**
     * {@code weakref.ref(o, callback)}: a new reference to a new weakref whose callback runs
     * when {@code o} dies while the weakref is alive.
     *
     * @throws NullPointerException  if {@code callback} is null
     * @throws WrongTypeException    if {@code o}'s type cannot be weakly referenced
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newRef(long o, Callback callback) {
        Objects.requireNonNull(callback, "callback");
        checkReferent(o);
        return weakrefs.newRef(o, callback::call);
    }

    /**
     * {@code PyWeakref_GetObject}: the referent, <b>borrowed</b>, or {@link ObjectSpace#none()}
     * once it is dead.
     *
     * @throws WrongTypeException    in checked mode, if {@code weakref} is not a weakref
     * @throws FreedObjectException  in checked mode, if {@code weakref} is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public long get(long weakref) {
        core.checkOpen();
        if (checked) {
            core.args.checkType(weakref, core.weakrefType, "weakrefs().get");
        }
        return weakrefs.referent(weakref);
    }

    /**
     * Whether {@code o}'s type can be weakly referenced (has a weaklist offset).
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public boolean canReference(long o) {
        core.args.checkArgument(o);
        return weakrefs.listOf(o) != 0;
    }

    /**
     * {@code weakref.getweakrefcount(o)}: the number of weakrefs to {@code o} (0 for a type that
     * cannot be weakly referenced).
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public int count(long o) {
        core.args.checkArgument(o);
        return weakrefs.listOf(o) == 0 ? 0 : weakrefs.count(o);
    }

    /**
     * {@code weakref.getweakrefs(o)}: the weakrefs to {@code o}, borrowed, in list order (the
     * shared one first, then those with callbacks, newest first).
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public List<Long> refsTo(long o) {
        core.args.checkArgument(o);
        List<Long> out = new ArrayList<>();
        if (weakrefs.listOf(o) != 0) {
            for (long wr : weakrefs.refsTo(o)) {
                out.add(wr);
            }
        }
        return out;
    }

    private void checkReferent(long o) {
        core.args.checkArgument(o);
        if (weakrefs.listOf(o) == 0) {
            throw new WrongTypeException(o, core.typeName(o), String.format(
                    "cannot create weak reference to '%s' object (at 0x%x)", core.typeName(o), o));
        }
    }
}
