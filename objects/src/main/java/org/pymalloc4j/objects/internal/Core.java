package org.pymalloc4j.objects.internal;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MemoryDomain;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.objects.FreedObjectException;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_REFCNT_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_VERSION_TAG_OFFSET;

/**
 * The object runtime of one space: object allocation, reference counting, deallocation with
 * CPython's trashcan, and the checked-mode validation every public operation starts with.
 *
 * <pre>
 *  live objects == objects allocated or revived − objects freed or parked   (static ones apart)
 *  0 &lt;= trashDepth &lt;= TRASH_UNWIND_LEVEL + 1 (weakrefs and classes are never deferred);
 *  trashHead != 0 and refusedWhileDeallocating != null
 *      only while trashDepth &gt; 0
 *  a deferred object has refcount 0, is untracked (_gc_next == 0), and is linked through the
 *  pointer bits of its GC head's _gc_prev (3.11's _PyTrash_thread_deposit_object)
 *  a GC object is untracked before its deallocation runs or is deferred
 *  checked mode: every object in trusted (TrustedObjects) is live, and none once the space is closed
 * </pre>
 */
public final class Core {
    /** The type word of a freed or parked object in checked mode (CPython debug builds' dead byte 0xDD). */
    public static final long DEAD = 0xDDDDDDDDDDDDDDDDL;
    /** CPython 3.11's refcount of statically allocated objects ({@code _PyObject_IMMORTAL_INIT}). */
    public static final long IMMORTAL_REFCNT = 999_999_999L;
    /** {@code PyTrash_UNWIND_LEVEL}: deallocations nested deeper than this are deferred. */
    public static final int TRASH_UNWIND_LEVEL = 50;

    public final boolean checked;
    public final MemoryDomain obj;
    public final MemoryDomain mem;
    public final TypeTable types = new TypeTable();
    public final StaticArea statics;
    public final GcState gc;
    /** Allocation with the event-based collection on running out of memory. */
    public final SpaceAllocation alloc;
    /** The checks of the public operations' arguments: type, index, a stolen item. */
    public final ArgumentChecks args = new ArgumentChecks(this);
    private final PyMalloc heap;
    /** From an object's block to the heap's: the debug hooks' header (size word, API id, pad), or 0. */
    private final long debugHeader;
    private final TraceRefs trace;
    private final Memory memory;
    /** Checked mode: live objects outside the arenas. */
    private final RawObjects rawObjects;
    private long liveObjects;
    /**
     * Checked mode's objects known live, whose headers can be read without asking the arena
     * index: the object born or revived last (a temporary, made, used and released, is checked
     * with one compare) and a few found live lately (a container's long-lived items).
     */
    private final TrustedObjects trusted = new TrustedObjects();
    private long serial;
    private int trashDepth;
    private long trashHead;
    /** Checked mode: the first held reference to a dead object met while deallocating; see refuseHeld. */
    private RuntimeException refusedWhileDeallocating;
    private boolean closed;
    private boolean memoryClosed;

    // The built-in types, set once at bootstrap.
    public long typeType;
    public long objectType;
    public long noneType;
    public long boolType;
    public long intType;
    public long floatType;
    public long bytesType;
    public long strType;
    public long tupleType;
    public long listType;
    public long dictType;
    public long weakrefType;
    /** {@code Py_None}, which a dead weakref points at. */
    public long none;

    public Core(Memory memory, boolean checked, boolean traceRefs, long staticBytes) {
        this.checked = checked;
        this.obj = memory.obj();
        this.mem = memory.mem();
        // Only under a known configuration (tracing or not) do objects come from this heap, which can then tell an
        // object's block from a foreign address; a custom allocator may put them anywhere: no heap.
        AllocatorName serving = memory.allocatorNameBeneathTracer().orElse(AllocatorName.MALLOC);
        this.heap = serving.usesPymalloc() ? memory.pymalloc() : null;
        this.debugHeader = serving.hasDebugHooks() ? 16 : 0;
        this.memory = memory;
        this.trace = traceRefs ? new TraceRefs() : null;
        this.rawObjects = checked ? new RawObjects() : null;
        this.statics = new StaticArea(memory.raw(), staticBytes);
        this.gc = new GcState(this, statics);
        this.alloc = new SpaceAllocation(obj, mem, gc);
    }

    // ------------------------------------------------------------------ allocation

    /** A new non-GC object of {@code size} bytes: refcount 1, the given type, the rest unset. */
    public long newObject(long size, long type) {
        long o = alloc.objMalloc(size);
        born(o, type);
        return o;
    }

    /**
     * A new object of a GC type: its block starts with a zeroed (untracked) GC head
     * ({@code _PyObject_GC_Link}); counted in generation 0, which may run a collection now,
     * before the caller has built (and tracked) the object. The caller tracks it once built.
     */
    public long newGcObject(long size, long type) {
        long block = alloc.objMalloc(GC_HEAD_LENGTH + size);
        putLong(block, 0);
        putLong(block + 8, 0);
        long o = block + GC_HEAD_LENGTH;
        born(o, type);
        gc.linked();
        return o;
    }

    /** A parked object taken back from a free list ({@code _Py_NewReference}); its type word stayed (see park). */
    public void revive(long o, long type) {
        assert getLong(o, OB_TYPE_OFFSET) == type : String.format("parked 0x%x changed type", o);
        markLive(o);
        newReference(o);
    }

    /** {@code _Py_NewReference} on a revived or resurrected {@code o}: listed anew as the newest, retagged when tracing. */
    public void newReference(long o) {
        if (trace != null) {
            trace.add(o, ++serial);
        }
        if (memory.tracer().isTracing()) { // one test when not tracing, as CPython's tracemalloc_config.tracing
            memory.tracer().retag(blockOf(o));
        }
    }

    private void born(long o, long type) {
        initHeader(o, type);
        if (trace != null) {
            trace.add(o, ++serial);
        } else {
            serial++;
        }
        // Ask the heap where the block went whatever its size: a small one is raw when no arena could be had.
        if (checked && heap != null && !heap.isArenaAddress(o)) {
            rawObjects.add(o);
        }
    }

    /** A new object's header: its type, then what a revived one gets too ({@link #markLive}). */
    private void initHeader(long o, long type) {
        putLong(o, OB_TYPE_OFFSET, type);
        markLive(o);
    }

    /** What a new object and a revived one share: refcount 1, counted, the newest. */
    private void markLive(long o) {
        putLong(o, OB_REFCNT_OFFSET, 1);
        liveObjects++;
        trusted.born(o);
    }

    /**
     * A deallocated object parked on its type's free list ({@code _Py_ForgetReference}), to be
     * revived by {@link #revive}. Its refcount, 0 since the decref that deallocated it, is what
     * marks it as not live (no check passes an object with a refcount below 1); its type word is
     * kept, so neither this nor revive writes it, two native stores fewer on each create + decref
     * of a float, tuple, list or dict. Its block is still allocated, so it stays readable.
     */
    public void park(long o) {
        assert getLong(o) == 0 : String.format("parking 0x%x with refcount %d", o, getLong(o));
        uncount(o);
    }

    /**
     * Frees the block of an object parked on a free list (a free list cleared), first marking it
     * freed as {@link #forget} does, so that checked mode recognises a later use of it. A GC
     * object goes as {@code PyObject_GC_Del} sends it: uncounted from generation 0 (it was
     * parked untracked, and counted since its {@code _PyObject_GC_Link}).
     */
    public void freeParked(long o, boolean gcObject) {
        if (checked) {
            putLong(o, OB_TYPE_OFFSET, DEAD);
            rawObjects.remove(o); // a parked object may be raw: a small block no arena could be had for
        }
        if (gcObject) {
            gc.deleted();
        }
        obj.free(gcObject ? o - GC_HEAD_LENGTH : o);
    }

    /** Marks a deallocated object so checked mode recognises it ({@code _Py_ForgetReference}). */
    public void forget(long o) {
        if (checked) {
            putLong(o, OB_TYPE_OFFSET, DEAD);
            rawObjects.remove(o);
        }
        uncount(o);
    }

    /** What a parked object and a freed one share: no longer trusted, counted or on the trace-refs list. */
    private void uncount(long o) {
        if (checked) {
            trusted.forgotten(o);
        }
        liveObjects--;
        if (trace != null) {
            trace.remove(o);
        }
    }

    public void freeObject(long o) {
        forget(o);
        obj.free(o);
    }

    /** {@code PyObject_GC_Del}: untracked if still tracked, and uncounted from generation 0. */
    public void freeGcObject(long o) {
        gc.untrack(o);
        gc.deleted();
        forget(o);
        obj.free(o - GC_HEAD_LENGTH);
    }

    /** A static object: refcount {@link #IMMORTAL_REFCNT}, never deallocated. */
    public long newStatic(long size, long type, boolean gc) {
        long o = statics.carve(gc ? GC_HEAD_LENGTH + size : size) + (gc ? GC_HEAD_LENGTH : 0);
        putLong(o, OB_REFCNT_OFFSET, IMMORTAL_REFCNT);
        putLong(o, OB_TYPE_OFFSET, type);
        return o;
    }

    // ------------------------------------------------------------------ reference counting

    public void incref(long o) {
        putLong(o, (checked ? liveRefcount(o) : getLong(o)) + 1);
    }

    /** Incref of an object the caller has just checked live: the check is not repeated. */
    public void increfLive(long o) {
        putLong(o, getLong(o) + 1);
    }

    public void decref(long o) {
        long rc = (checked ? liveRefcount(o) : getLong(o)) - 1;
        putLong(o, rc);
        if (rc == 0) {
            dealloc(o);
        }
    }

    /** Decref of an object the caller knows is live (it holds a reference it took itself). */
    public void decrefLive(long o) {
        long rc = getLong(o) - 1;
        putLong(o, rc);
        if (rc == 0) {
            dealloc(o);
        }
    }

    /**
     * Decref of a reference an object held (an item, a slot, a dict entry) as it lets go of it:
     * checked with {@link #heldRefcount}; a trusted object referenced elsewhere too takes one test.
     */
    public void decrefHeld(long o) {
        if (checked && trusted.contains(o)) {
            long rc = getLong(o);
            if (rc > 1) {
                putLong(o, rc - 1);
                return;
            }
        }
        long rc = (checked ? heldRefcount(o) : getLong(o)) - 1;
        if (rc > 0) {
            putLong(o, rc);
        } else if (rc == 0) {
            putLong(o, 0);
            dealloc(o);
        } // rc < 0: refused while deallocating (heldRefcount kept the error), o not touched
    }

    /** {@link #decrefHeld} of a reference that may be NULL. */
    public void xdecrefHeld(long o) {
        if (o != 0) {
            decrefHeld(o);
        }
    }

    /** Decref of a reference that may be NULL ({@code Py_XDECREF}). */
    public void xdecref(long o) {
        if (o != 0) {
            decref(o);
        }
    }

    public void xincref(long o) {
        if (o != 0) {
            incref(o);
        }
    }

    /** {@code _Py_Dealloc} with the trashcan around GC types' deallocations. */
    private void dealloc(long o) {
        if (statics.contains(o)) { // refcount put back; a container being freed goes on, as for a dangling item
            refuse(deallocatingStatic(o));
            return;
        }
        long type = getLong(o, OB_TYPE_OFFSET);
        int t = getInt(type, TP_VERSION_TAG_OFFSET);
        if (!types.isGc(t)) {
            types.behaviour(t).dealloc(o);
            return;
        }
        gc.untrack(o); // each GC type's tp_dealloc starts with PyObject_GC_UnTrack
        // Weakrefs and classes are freed at once: 3.11's weakref_dealloc and type_dealloc have no
        // trashcan (a deferred weakref would wait, dead, in its referent's list for a collection).
        if (trashDepth >= TRASH_UNWIND_LEVEL && type != weakrefType && type != typeType) {
            GcHead.setPrev(o - GC_HEAD_LENGTH, trashHead); // _gc_prev links the deferred list
            trashHead = o;
            return;
        }
        trashDepth++;
        try {
            types.behaviour(t).dealloc(o);
        } finally {
            trashDepth--;
        }
        if (trashDepth == 0 && (trashHead != 0 || refusedWhileDeallocating != null)) {
            afterOutermostDealloc();
        }
    }

    /** The deferred objects deallocated, then any refusal met on the way thrown. */
    private void afterOutermostDealloc() {
        if (trashHead != 0) {
            destroyChain();
        }
        RuntimeException refused = refusedWhileDeallocating;
        if (refused != null) {
            refusedWhileDeallocating = null;
            throw refused;
        }
    }

    /** Deallocates the deferred objects; each may defer more, all at depth below the limit. */
    private void destroyChain() {
        trashDepth++;
        try {
            while (trashHead != 0) {
                long o = trashHead;
                trashHead = GcHead.prev(o - GC_HEAD_LENGTH);
                GcHead.setPrev(o - GC_HEAD_LENGTH, 0);
                types.behaviour(getInt(getLong(o, OB_TYPE_OFFSET), TP_VERSION_TAG_OFFSET)).dealloc(o);
            }
        } finally {
            trashDepth--;
        }
    }

    private IllegalStateException deallocatingStatic(long o) {
        putLong(o, IMMORTAL_REFCNT); // as if the unbalanced decrefs had never happened
        return Refusals.deallocatingStatic(o, typeName(o));
    }

    // ------------------------------------------------------------------ checks

    public void checkOpen() {
        if (closed) {
            throw new IllegalStateException(memoryClosed ? "this ObjectSpace is closed: its Memory was closed under it"
                    : "this ObjectSpace is closed");
        }
    }

    /** Checked mode: {@code o} is a live object of this space with a positive refcount. */
    public void checkLive(long o) {
        liveRefcount(o);
    }

    /**
     * {@link #checkLive}, returning the refcount it read. A trusted object needs only its refcount
     * tested; otherwise the fast path is three one-branch tests: the space open and {@code o} in
     * an arena, a positive refcount, a type word the type table found lately (never 0 or DEAD),
     * and {@code o} is trusted from then on. Anything else (a static or raw object, a type not
     * seen lately) takes {@link #checkLiveFully}, which throws the precise error or returns.
     * The header is read at one site each way: C2 parses about 550 IR nodes per native access
     * and stops inlining at 18,000 per compilation, so a site saved is one a caller can inline.
     */
    public long liveRefcount(long o) {
        boolean known = trusted.contains(o);
        // The header is read only once o is known live or known to be in an arena.
        if (!known && (closed || heap == null || !heap.isArenaAddress(o))) {
            return refcountOfChecked(o);
        }
        long rc = getLong(o);
        if ((rc <= 0) | (!known && !types.isRecent(getLong(o, OB_TYPE_OFFSET)))) {
            return refcountOfChecked(o); // a refcount of 0 mid-deallocation or below, or a type not seen lately
        }
        if (!known) {
            if (!startsItsBlock(o)) {
                return refcountOfChecked(o); // an address inside an object: refused there
            }
            trusted.found(o);
        }
        return rc;
    }

    /** The cold half of {@link #liveRefcount}: throws the precise error, or returns the refcount. */
    private long refcountOfChecked(long o) {
        checkLiveFully(o);
        return getLong(o);
    }

    private void checkLiveFully(long o) {
        if (closed) {
            checkOpen();
        }
        if (o == 0) {
            throw new NullPointerException("NULL object (address 0)");
        }
        if (!isReadable(o)) {
            throw Refusals.notAnObject(o);
        }
        if (isFreed(o)) {
            throw Refusals.useAfterFree(o);
        }
        long type = getLong(o, OB_TYPE_OFFSET);
        if (types.find(type) < 0) {
            throw Refusals.noType(o, type);
        }
        if (!startsItsBlock(o)) {
            throw Refusals.notAnObject(o);
        }
        if (getLong(o) <= 0) {
            throw refcountBelowOne(o);
        }
    }

    /**
     * Whether an object of {@code o}'s (registered) type would start at {@code o}: its block, or
     * its GC head 16 bytes before it, is one the heap handed out (under the debug hooks, the one
     * their header precedes). Without this an address inside an object could pass for one, its
     * words read as a refcount and a type. Objects outside the arenas (static, raw) are found by
     * their exact address already.
     */
    private boolean startsItsBlock(long o) {
        return heap == null || !heap.isArenaAddress(o) || heap.isLive(blockOf(o) - debugHeader);
    }

    /**
     * Checked mode, for a reference read out of a live object: the pointer was checked when it
     * was stored, so only what can have happened since is checked (the object freed by
     * unbalanced decrefs, its arena perhaps returned), not the type table. Returns the refcount
     * it read (see {@link #liveRefcount}).
     */
    public long heldRefcount(long o) {
        boolean known = trusted.contains(o);
        if (!known && !isReadable(o)) {
            return refuseHeld(o, false);
        }
        long rc = getLong(o);
        if ((!known && getLong(o, OB_TYPE_OFFSET) == DEAD) | (rc <= 0)) {
            return refuseHeld(o, true);
        }
        return rc;
    }

    /**
     * {@link #heldRefcount}'s test without its errors, for the collector, which walks every
     * reference it finds: a trusted object, or one in readable memory, not dead, refcount &gt; 0.
     */
    public boolean isHeldLive(long o) {
        return (trusted.contains(o) || isReadable(o) && getLong(o, OB_TYPE_OFFSET) != DEAD) && getLong(o) > 0;
    }

    /**
     * The cold half of {@link #heldRefcount}: the error for an object not in readable memory, freed,
     * or with a refcount below 1. Thrown at once, or, while a GC object is being deallocated, kept
     * (later ones suppressed in it) for the outermost deallocation to throw once all are done, and
     * 0 returned: the reference is skipped, so a dangling item neither leaks its container nor
     * keeps the container's other items alive.
     */
    private long refuseHeld(long o, boolean readable) {
        refuse(!readable ? Refusals.notAnObject(o) : isFreed(o) ? Refusals.useAfterFree(o) : refcountBelowOne(o));
        return 0;
    }

    /** Throws {@code e}, or while deallocating keeps it (later ones suppressed in it) for the outermost deallocation. */
    private void refuse(RuntimeException e) {
        if (trashDepth == 0) {
            throw e;
        }
        refusedWhileDeallocating = Refusals.keepFirst(refusedWhileDeallocating, e);
    }

    /**
     * Checked mode: {@code o} lies in memory this space can read, a static object, an arena or a
     * live raw object (under a custom allocator, which may put objects anywhere, always true).
     */
    private boolean isReadable(long o) {
        // the arena first: where nearly every object is
        return heap == null || heap.isArenaAddress(o) || statics.contains(o) || rawObjects.contains(o);
    }

    /** Whether the readable {@code o} is marked freed, or parked on its type's free list (refcount 0). */
    private boolean isFreed(long o) {
        long type = getLong(o, OB_TYPE_OFFSET);
        if (type == DEAD) {
            return true;
        }
        int t = types.find(type);
        return getLong(o) == 0 && t >= 0 && types.behaviour(t).isParked(o);
    }

    private FreedObjectException refcountBelowOne(long o) {
        return Refusals.refcountBelowOne(o, typeName(o), getLong(o));
    }

    // ------------------------------------------------------------------ types

    public long typeOf(long o) {
        return getLong(o, OB_TYPE_OFFSET);
    }

    public int typeIndex(long o) {
        return getInt(getLong(o, OB_TYPE_OFFSET), TP_VERSION_TAG_OFFSET);
    }

    public String typeName(long o) {
        return nameOfType(getLong(o, OB_TYPE_OFFSET));
    }

    public String nameOfType(long type) {
        int i = types.find(type);
        return i < 0 ? String.format("<unknown type 0x%x>", type) : types.name(i);
    }

    /**
     * The address of the block {@code o} lives in: 16 bytes before a GC object (its GC head, as
     * CPython's {@code _PyTraceMalloc_NewReference} subtracts it), the object itself otherwise.
     */
    public long blockOf(long o) {
        return types.isGc(typeIndex(o)) ? o - GC_HEAD_LENGTH : o;
    }

    public TypeBehaviour behaviourOf(long o) {
        return types.behaviour(typeIndex(o));
    }

    // ------------------------------------------------------------------ state

    public long liveObjects() {
        return liveObjects;
    }

    public TraceRefs trace() {
        return trace;
    }

    public PyMalloc heap() {
        return heap;
    }

    public boolean isClosed() {
        return closed;
    }

    public void markClosed() {
        closed = true;
        trusted.clear();
    }

    /** The memory was closed under the space: every later call is refused, saying so. */
    public void markMemoryClosed() {
        memoryClosed = true;
        markClosed();
    }

    /** Whether a refusal met while deallocating waits to be thrown (never between operations). */
    public boolean refusalPending() {
        return refusedWhileDeallocating != null;
    }

    public int trashDepth() {
        return trashDepth;
    }

    /** The objects checked mode trusts without probing (see {@link #liveRefcount}). */
    public TrustedObjects trusted() {
        return trusted;
    }
}
