package org.pymalloc4j.objects.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.BuiltinLayouts.WEAKREF_LENGTH;
import static org.pymalloc4j.objects.BuiltinLayouts.WR_CALLBACK_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.WR_HASH_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.WR_NEXT_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.WR_OBJECT_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.WR_PREV_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.WR_VECTORCALL_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_WEAKLISTOFFSET_OFFSET;

/**
 * {@code weakref.ref} objects (3.11's {@code Objects/weakrefobject.c}) and the weakref list of
 * every object whose type has a weaklist offset.
 *
 * <pre>
 *  list(o) = o + tp_weaklistoffset(type(o)):  head -&gt; wr -&gt; wr ...   (wr_next / wr_prev)
 *  every wr in list(o) has wr_object == o; a dead wr has wr_object == None and is in no list
 *  at most one wr without a callback per object, and then it is the head (the "basic ref")
 *  weakrefs with a callback follow it, newest first (insert_after the basic ref, or at the head)
 * </pre>
 * A callback is Java code, kept in {@link #callbacks} by the weakref's address, so the native
 * {@code wr_callback} stays NULL and no Java object is referenced from native memory.
 */
public final class Weakrefs extends TypeBehaviour {
    private final Core core;
    private final Tuples tuples;
    private final Map<Long, LongConsumer> callbacks = new HashMap<>();

    public Weakrefs(Core core, Tuples tuples) {
        this.core = core;
        this.tuples = tuples;
    }

    @Override
    public int traits() {
        return WEAKREF;
    }

    /** The address of {@code o}'s weaklist head, or 0 if its type has no weaklist offset. */
    public long listOf(long o) {
        long offset = getLong(getLong(o + OB_TYPE_OFFSET) + TP_WEAKLISTOFFSET_OFFSET);
        return offset <= 0 ? 0 : o + offset;
    }

    /** Whether any weakref points at {@code o}. */
    public boolean hasWeakrefs(long o) {
        long list = listOf(o);
        return list != 0 && getLong(list) != 0;
    }

    public boolean hasCallback(long wr) {
        return callbacks.containsKey(wr);
    }

    public long referent(long wr) {
        return getLong(wr + WR_OBJECT_OFFSET);
    }

    /**
     * {@code weakref.ref(o, callback)}: a new reference; without a callback the existing basic
     * ref is shared, also one that a collection run by the new weakref's allocation made. {@code o}
     * must have a weaklist ({@link #listOf} != 0).
     */
    public long newRef(long o, LongConsumer callback) {
        long list = listOf(o);
        if (callback == null && basicRef(list) != 0) {
            long ref = basicRef(list);
            core.increfLive(ref);
            return ref;
        }
        long wr = core.newGcObject(WEAKREF_LENGTH, core.weakrefType); // may collect: look again after
        putLong(wr + WR_OBJECT_OFFSET, o);
        putLong(wr + WR_CALLBACK_OFFSET, 0);
        putLong(wr + WR_HASH_OFFSET, -1);
        putLong(wr + WR_PREV_OFFSET, 0);
        putLong(wr + WR_NEXT_OFFSET, 0);
        putLong(wr + WR_VECTORCALL_OFFSET, 0);
        long basic = basicRef(list);
        if (callback == null) {
            if (basic != 0) {
                // PyWeakref_NewRef: "Someone else added a ref without a callback during GC.
                // Return that one instead of this one", keeping one basic ref per object
                core.decrefLive(wr);
                core.increfLive(basic);
                return basic;
            }
            insertHead(wr, list);
        } else {
            callbacks.put(wr, callback);
            if (basic == 0) {
                insertHead(wr, list);
            } else {
                insertAfter(wr, basic);
            }
        }
        core.gc.track(wr);
        return wr;
    }

    private long basicRef(long list) {
        long head = getLong(list);
        return head != 0 && !callbacks.containsKey(head) ? head : 0;
    }

    private static void insertHead(long wr, long list) {
        long next = getLong(list);
        putLong(wr + WR_PREV_OFFSET, 0);
        putLong(wr + WR_NEXT_OFFSET, next);
        if (next != 0) {
            putLong(next + WR_PREV_OFFSET, wr);
        }
        putLong(list, wr);
    }

    private static void insertAfter(long wr, long prev) {
        long next = getLong(prev + WR_NEXT_OFFSET);
        putLong(wr + WR_PREV_OFFSET, prev);
        putLong(wr + WR_NEXT_OFFSET, next);
        if (next != 0) {
            putLong(next + WR_PREV_OFFSET, wr);
        }
        putLong(prev + WR_NEXT_OFFSET, wr);
    }

    /** {@code _PyWeakref_ClearRef}: unlinked, referent None; the callback is kept. */
    public void clearRef(long wr) {
        long o = getLong(wr + WR_OBJECT_OFFSET);
        if (o == core.none) {
            return;
        }
        long list = listOf(o);
        long prev = getLong(wr + WR_PREV_OFFSET);
        long next = getLong(wr + WR_NEXT_OFFSET);
        if (getLong(list) == wr) {
            putLong(list, next);
        }
        if (prev != 0) {
            putLong(prev + WR_NEXT_OFFSET, next);
        }
        if (next != 0) {
            putLong(next + WR_PREV_OFFSET, prev);
        }
        putLong(wr + WR_OBJECT_OFFSET, core.none);
        putLong(wr + WR_PREV_OFFSET, 0);
        putLong(wr + WR_NEXT_OFFSET, 0);
    }

    /** The number of weakrefs to {@code o} ({@code weakref.getweakrefcount}). */
    public int count(long o) {
        long list = listOf(o);
        int n = 0;
        for (long wr = list == 0 ? 0 : getLong(list); wr != 0; wr = getLong(wr + WR_NEXT_OFFSET)) {
            n++;
        }
        return n;
    }

    /** The weakrefs to {@code o} in list order, borrowed. */
    public long[] refsTo(long o) {
        long[] out = new long[count(o)];
        long wr = out.length == 0 ? 0 : getLong(listOf(o));
        for (int i = 0; i < out.length; i++, wr = getLong(wr + WR_NEXT_OFFSET)) {
            out[i] = wr;
        }
        return out;
    }

    /**
     * {@code PyObject_ClearWeakRefs}, as {@code o} dies with refcount 0: the basic ref is
     * cleared; every other weakref is cleared, then their callbacks run in list order (newest
     * first), each called with its (dead) weakref held alive across the call. With more than one,
     * 3.11 holds them in a new tuple of twice as many items (weakref, callback; the callbacks are
     * Java here, so NULL): counted in generation 0 unless the free list supplies it, parked after.
     * A tuple the memory refuses leaves them held on the Java side, callbacks and all (3.11 would
     * return leaving the weakrefs pointing at the freed object).
     */
    public void clearWeakRefs(long o) {
        long list = listOf(o);
        clearBasicRef(list);
        if (getLong(list) == 0) {
            return;
        }
        int weakrefCount = count(o);
        long tuple = weakrefCount > 1 ? holder(2 * weakrefCount) : 0;
        clearBasicRef(list); // the tuple's allocation may have collected: look again
        int n = count(o);
        long[] refs = new long[n];
        LongConsumer[] calls = new LongConsumer[n];
        long wr = getLong(list);
        for (int i = 0; i < n; i++) {
            long next = getLong(wr + WR_NEXT_OFFSET);
            LongConsumer callback = callbacks.remove(wr);
            if (getLong(wr) > 0) {
                core.increfLive(wr);
                refs[i] = wr;
                calls[i] = callback;
            }
            clearRef(wr);
            wr = next;
        }
        int held = tuple == 0 ? 0 : (int) Math.min(n, Tuples.size(tuple) / 2);
        for (int i = 0; i < held; i++) {
            Tuples.setItem(tuple, 2L * i, refs[i]); // the tuple owns these references now
        }
        for (int i = 0; i < n; i++) {
            if (calls[i] != null) {
                call(calls[i], refs[i]);
            }
        }
        for (int i = n - 1; i >= held; i--) { // as the tuple releases its items: back to front
            if (refs[i] != 0) {
                core.decref(refs[i]);
            }
        }
        if (tuple != 0) {
            core.decref(tuple);
        }
    }

    private void clearBasicRef(long list) {
        long head = getLong(list);
        if (head != 0 && !callbacks.containsKey(head)) {
            clearRef(head);
        }
    }

    /** {@code PyTuple_New(n)} (NULL items), or 0 if the memory refuses it. */
    private long holder(int n) {
        try {
            return tuples.newTuple(n);
        } catch (OutOfMemoryError e) {
            return 0;
        }
    }

    /** After a finalizer ran in a dying object: weakrefs made meanwhile are cleared, callbacks not run. */
    public void clearWithoutCallbacks(long o) {
        long list = listOf(o);
        while (getLong(list) != 0) {
            long wr = getLong(list);
            clearRef(wr);
            callbacks.remove(wr);
        }
    }

    /** Runs the callback of a cleared weakref, reporting what it throws; the callback is dropped. */
    public void runCallback(long wr) {
        LongConsumer callback = callbacks.remove(wr);
        if (callback != null) {
            call(callback, wr);
        }
    }

    private void call(LongConsumer callback, long wr) {
        try {
            callback.accept(wr);
        } catch (Throwable e) { // checked ones too: Kotlin, or a sneaky throw, can throw them here
            Unraisable.report(e);
        }
    }

    /**
     * {@code checkInvariants()} in trace-refs mode, for a live weakref: the class comment's list
     * rules, {@code live} telling a live referent. Returns a description of what is wrong, or null.
     */
    String check(long wr, java.util.function.LongPredicate live) {
        long o = referent(wr);
        long prev = getLong(wr + WR_PREV_OFFSET);
        long next = getLong(wr + WR_NEXT_OFFSET);
        if (o == core.none) {
            return prev != 0 || next != 0 ? "dead, but still linked" : null;
        }
        long list = live.test(o) ? listOf(o) : 0;
        if (list == 0) {
            return String.format("refers to 0x%x, which is no live weakly referenceable object", o);
        }
        boolean basic = !callbacks.containsKey(wr);
        if (prev == 0 ? getLong(list) != wr : getLong(prev + WR_NEXT_OFFSET) != wr || referent(prev) != o || basic) {
            return String.format("not linked after its wr_prev 0x%x in the list of 0x%x%s", prev, o,
                    basic && prev != 0 ? " (a basic ref must be the head)" : "");
        }
        if (next != 0 && (getLong(next + WR_PREV_OFFSET) != wr || !callbacks.containsKey(next))) {
            return String.format("its wr_next 0x%x does not link back, or is a second basic ref", next);
        }
        return null;
    }

    /** The weakrefs holding a callback, for {@code checkInvariants()}. */
    java.util.Set<Long> withCallbacks() {
        return java.util.Collections.unmodifiableSet(callbacks.keySet());
    }

    @Override
    public void dealloc(long wr) {
        clearRef(wr);
        callbacks.remove(wr);
        core.freeGcObject(wr);
    }

    /** {@code gc_clear}: dead, and the callback dropped. */
    @Override
    public void clear(long wr) {
        clearRef(wr);
        callbacks.remove(wr);
    }

    @Override
    public long sizeOf(long wr) {
        return GC_HEAD_LENGTH + WEAKREF_LENGTH;
    }
}
