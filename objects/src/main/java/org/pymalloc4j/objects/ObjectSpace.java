package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.Traceback;
import org.pymalloc4j.allocator.Tracer;
import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.FreeListStats;
import org.pymalloc4j.objects.internal.GcCallbackInfo;
import org.pymalloc4j.objects.internal.SpaceValidator;
import org.pymalloc4j.objects.internal.TraceRefs;
import org.pymalloc4j.objects.internal.Unraisable;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/**
 * One CPython-style object heap: native objects with CPython 3.11's 64-bit layouts in the OBJ
 * domain of a {@link Memory} (list item arrays in MEM, static objects in one RAW block), with
 * reference counting, free lists, frames and a leak report. An object is its address: every
 * {@code long} a method takes or returns for an object (not an index, size, count or hash) is
 * the object's {@code id}.
 *
 * <p><b>Shape.</b> The space holds what concerns every object: its life cycle, reference
 * counting, type and identity, hashing, the singletons, frames and diagnostics. Each family's
 * own operations, CPython's {@code PyLong_*}, {@code PyTuple_*} and so on, are on an API object
 * made once with the space: {@link #ints()}, {@link #floats()}, {@link #strs()},
 * {@link #bytes()}, {@link #tuples()}, {@link #lists()}, {@link #dicts()}, {@link #classes()},
 * {@link #weakrefs()}, and the collector, {@link #gc()}:
 * <pre>
 *  long f = space.floats().newFloat(1.5);                       // a new reference
 *  long t = space.tuples().of(f, space.none());                 // of takes references of its own
 *  space.decref(f);
 *  double d = space.floats().value(space.tuples().get(t, 0));   // get: borrowed
 *  space.decref(t);                                             // frees the tuple, then the float
 * </pre>
 *
 * <p><b>Ownership</b>, as in the C API. Each method says whether it returns a <i>new</i>
 * reference (the caller owns it and must {@link #decref} it, or hand it to a {@link Frame}) or a
 * <i>borrowed</i> one (valid while its owner keeps it), and whether it <i>steals</i> an
 * argument (takes over the caller's reference, also when it refuses the container, the index
 * or the frame, as {@code PyTuple_SetItem} does; not when it refuses the reference itself or a
 * closed space). Methods not saying so neither steal nor keep their arguments. See objects/README.md.
 *
 * <p><b>Checked mode</b> (the default; {@code -Dpymalloc4j.checks=false} or
 * {@link Builder#checked(boolean)} turns it off): every object passed in is validated first, so
 * a freed object, an unbalanced decref, a wrong type, a bad index or a closed space is an
 * exception naming the object's address and type, thrown before anything changes (but the
 * release of a stolen reference, above); 0 (NULL) where an object is required is a
 * {@link NullPointerException} ("NULL object (address 0)"), which the methods' {@code @throws}
 * leave out. Unchecked, objects, types and indexes are not checked and bad input corrupts
 * the heap as it would corrupt CPython's through its macros ({@code PyTuple_GET_ITEM},
 * {@code Py_DECREF}); CPython's functions ({@code PyTuple_GetItem} ...) check type and index in
 * every build.
 *
 * <p>One owner at a time, like the heap beneath it.
 */
public final class ObjectSpace implements AutoCloseable {
    /** The default for {@link Builder#checked}: the heaps' mode, {@link org.pymalloc4j.allocator.PyMalloc#CHECKS}. */
    public static final boolean CHECKS_DEFAULT = org.pymalloc4j.allocator.PyMalloc.CHECKS;

    private final Memory memory;
    private final boolean ownsMemory;
    private final Core core;
    private final Builtins b;
    private final boolean checked;
    private final IntApi ints;
    private final FloatApi floats;
    private final StrApi strs;
    private final BytesApi bytes;
    private final TupleApi tuples;
    private final ListApi lists;
    private final DictApi dicts;
    private final ClassApi classes;
    private final WeakrefApi weakrefs;
    private final Collector collector;
    private LeakReport leakReport;
    /** Registered with the space's memory, which may be closed under it (a memory given, or memory()'s). */
    private final Runnable memoryClosing = this::memoryClosing;
    private final Supplier<String> memoryBusy = this::busy;

    private ObjectSpace(Builder builder) {
        this.ownsMemory = builder.memory == null;
        this.memory = ownsMemory
                ? (builder.allocator == null ? Memory.create() : Memory.builder().allocator(builder.allocator).build())
                : builder.memory;
        this.checked = builder.checked;
        // as tracemalloc never names Objects/*.c: an object is traced to the line that made it
        memory.tracer().addLayerPackage(ObjectSpace.class.getPackageName());
        memory.tracer().addLayerPackage(Core.class.getPackageName());
        try {
            this.core = new Core(memory, checked, builder.traceRefs, Builtins.STATIC_BYTES);
        } catch (OutOfMemoryError e) { // the static objects refused: a memory of the space's own goes with it
            if (ownsMemory) {
                memory.close();
            }
            throw e;
        }
        this.b = new Builtins(core);
        this.ints = new IntApi(b);
        this.floats = new FloatApi(b);
        this.strs = new StrApi(b);
        this.bytes = new BytesApi(b);
        this.tuples = new TupleApi(b);
        this.lists = new ListApi(b);
        this.dicts = new DictApi(b);
        this.classes = new ClassApi(b);
        this.weakrefs = new WeakrefApi(b);
        this.collector = new Collector(core, b.collection, new GcCallbackInfo(b));
        memory.onClose(memoryClosing);
        memory.guardClose(memoryBusy);
    }

    /** Why neither the space nor its memory may close now, or null: a collection or a deallocation is walking them. */
    private String busy() {
        if (midway()) {
            return "an ObjectSpace over it is in a collection or a deallocation (close() called from a finalizer,"
                    + " a weakref callback or a gc callback?)";
        }
        return dicts.walking() ? "an ObjectSpace over it is walking a dict (close() called from a dicts().forEach visitor?)" : null;
    }

    /** Whether a collection or a deallocation is under way: the code it runs must not close or validate the space. */
    private boolean midway() {
        return core.gc.collecting || core.trashDepth() > 0;
    }

    /**
     * The space's memory is closing under it: the space records its leak report
     * while the objects can still be read, then refuses every call, since their memory is about
     * to go.
     */
    private void memoryClosing() {
        if (!core.isClosed()) {
            try {
                leakReport = leakReport();
            } finally { // an Error here (the Java heap) must not leave the space open over freed memory
                core.markMemoryClosed();
            }
        }
    }

    /**
     * A space over a new {@link Memory} of its own (closed with the space), checked unless
     * {@code pymalloc4j.checks=false}.
     *
     * @throws OutOfMemoryError if the static objects cannot be allocated
     */
    public static ObjectSpace create() {
        return builder().build();
    }

    /** A builder for a space over a given memory or allocator configuration. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ singletons

    /** {@code Py_None}, borrowed. */
    public long none() {
        return b.none;
    }

    /** {@code Py_True}, borrowed. */
    public long trueObject() {
        return b.ints.trueObject();
    }

    /** {@code Py_False}, borrowed. */
    public long falseObject() {
        return b.ints.falseObject();
    }

    /**
     * {@code PyBool_FromLong}: a new reference to True or False.
     *
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long newBool(boolean value) {
        long o = value ? b.ints.trueObject() : b.ints.falseObject();
        core.incref(o);
        return o;
    }

    // ------------------------------------------------------------------ the families' APIs

    /** {@code int} ({@code PyLong_*}): newInt, value, bigIntegerValue. */
    public IntApi ints() {
        return ints;
    }

    /** {@code float} ({@code PyFloat_*}): newFloat, value. */
    public FloatApi floats() {
        return floats;
    }

    /** {@code str} ({@code PyUnicode_*}): newStr, value, intern, internInPlace, isInterned. */
    public StrApi strs() {
        return strs;
    }

    /** {@code bytes} ({@code PyBytes_*}): newBytes, value. */
    public BytesApi bytes() {
        return bytes;
    }

    /** {@code tuple} ({@code PyTuple_*}): newTuple, of, get (borrowed), set (steals), size. */
    public TupleApi tuples() {
        return tuples;
    }

    /**
     * {@code list} ({@code PyList_*}): newList, append, insert, pop (a new reference), delete, get
     * (borrowed), set (steals), clear, size, capacity.
     */
    public ListApi lists() {
        return lists;
    }

    /**
     * {@code dict} ({@code PyDict_*}): newDict, set, get (borrowed), delete, size, keys, values and
     * items (new lists), forEach (borrowed entries).
     */
    public DictApi dicts() {
        return dicts;
    }

    /** Classes with slots, weakrefs and finalizers, and their instances: newClass, newInstance, getSlot (borrowed), setSlot. */
    public ClassApi classes() {
        return classes;
    }

    /** Weak references ({@code weakref.ref}): newRef with an optional callback, get (borrowed), count, refsTo. */
    public WeakrefApi weakrefs() {
        return weakrefs;
    }

    /** The cycle collector: CPython's {@code gc} module for this space. */
    public Collector gc() {
        return collector;
    }

    // ------------------------------------------------------------------ references and identity

    /**
     * {@code Py_INCREF}.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public void incref(long o) {
        core.incref(o);
    }

    /**
     * {@code Py_DECREF}: at zero the object is deallocated and releases its references; long
     * chains are cut by the trashcan, so no depth overflows the stack.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object (a decref
     *                               of an object already deallocated: below zero)
     * @throws IllegalStateException in checked mode, if the space is closed; checked or not, if a
     *                               static object (None, a small int, a type...) would be
     *                               deallocated (its refcount is put back; if a container being
     *                               deallocated let go of it, once the container is freed)
     */
    public void decref(long o) {
        core.decref(o);
    }

    /**
     * The reference count ({@code sys.getrefcount} without the argument's own reference).
     * Static objects start at 999,999,999 as in 3.11.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long refcount(long o) {
        if (checked) {
            core.checkLive(o);
        }
        return getLong(o);
    }

    /**
     * CPython 3.11's {@code sys.getsizeof(o)}, but for a class: 424 here, a plain type object's,
     * where CPython's classes are {@code PyHeapTypeObject}s of 920 (see objects/README.md).
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long sizeOf(long o) {
        if (checked) {
            core.checkLive(o);
        }
        return core.behaviourOf(o).sizeOf(o);
    }

    /**
     * {@code Py_TYPE(o)}: the type object, borrowed.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long type(long o) {
        if (checked) {
            core.checkLive(o);
        }
        return core.typeOf(o);
    }

    /**
     * The name of {@code o}'s type.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public String typeName(long o) {
        if (checked) {
            core.checkLive(o);
        }
        return core.typeName(o);
    }

    /**
     * {@code hash(o)}: CPython 3.11's value for ints, floats and tuples of them, and for str
     * and bytes with {@code PYTHONHASHSEED=0}; identity-based for the rest (weakrefs too, where
     * CPython's hash as their referent).
     *
     * @throws WrongTypeException    if {@code o} is unhashable (a list or dict, or a tuple holding
     *                               one at any depth)
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed; and if {@code o} is or
     *                               holds a tuple with a NULL item (not yet set), which has no hash
     */
    public long hash(long o) {
        if (checked) {
            core.checkLive(o);
        }
        return b.protocols.hash(o);
    }

    /**
     * {@code PyObject_RichCompareBool(a, b, Py_EQ)}, the comparison dicts, {@code in} and tuple
     * items use: an object equals itself, then Python's {@code a == b} for built-in values
     * (identity for instances and types). So a NaN equals itself here, as in {@code x in [x]}
     * and as a dict key, where Python's {@code x == x} is False.
     *
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed; and if two tuples of
     *                               one size are compared and an item of either is NULL (not yet set)
     */
    public boolean valueEquals(long a, long b) {
        if (checked) {
            core.checkLive(a);
            core.checkLive(b);
        }
        return this.b.protocols.equal(a, b);
    }

    /**
     * Opens a frame: a scope owning references, released when it closes.
     *
     * @throws IllegalStateException if the space is closed
     */
    public Frame frame() {
        core.checkOpen();
        return new Frame(core, b.stack);
    }

    // ------------------------------------------------------------------ diagnostics

    /** Whether checked mode is on. */
    public boolean isChecked() {
        return checked;
    }

    /** Whether {@code address} lies in this space's static area (types, None, small ints ...), whatever its refcount. */
    boolean isStatic(long address) {
        return core.statics.contains(address);
    }

    /** Whether this space runs in trace-refs mode. */
    public boolean isTraceRefs() {
        return core.trace() != null;
    }

    /** The memory this space allocates from. */
    public Memory memory() {
        return memory;
    }

    /** Objects made at run time and not yet deallocated (static objects and parked free-list blocks apart). */
    public long liveObjectCount() {
        return core.liveObjects();
    }

    /**
     * Every live object made at run time, oldest first ({@code Py_TRACE_REFS}'s list); each with
     * where it was allocated if the memory is tracing ({@link LiveObject#traceback()}).
     *
     * @throws IllegalStateException if the space is not in trace-refs mode, or is closed
     */
    public List<LiveObject> liveObjects() {
        core.checkOpen();
        if (core.trace() == null) {
            throw new IllegalStateException("liveObjects() needs trace-refs mode: ObjectSpace.builder().traceRefs(true)");
        }
        Tracer tracer = !memory.isClosed() && memory.tracer().isTracing() ? memory.tracer() : null;
        List<LiveObject> out = new ArrayList<>();
        for (TraceRefs.Entry e : core.trace().entries()) {
            long o = e.address();
            Optional<Traceback> traceback = Optional.empty();
            if (tracer != null) {
                traceback = tracer.tracebackOf(core.blockOf(o)); // retagged if revived from a free list
            }
            out.add(new LiveObject(o, core.typeName(o), getLong(o), e.serial(), traceback));
        }
        return out;
    }

    /**
     * The leak report made when the space closed: the objects still alive then, listed in
     * trace-refs mode (type, refcount, serial and, if the memory is tracing, where each was
     * allocated: {@link LiveObject#traceback()}), counted in any mode. Before close, a report of
     * what is alive now. Never refused, open or closed, in any mode.
     */
    public LeakReport leakReport() {
        if (leakReport != null) {
            return leakReport;
        }
        return new LeakReport(core.liveObjects(), core.trace() == null ? List.of() : liveObjects(), core.trace() != null);
    }

    /**
     * CPython 3.11's {@code sys._debugmallocstats()} text: the pymalloc heap's section (if the
     * memory has a pymalloc heap), a blank line, then the free-list lines
     * ({@code 4 free PyFloatObjects * 24 bytes each = 96} ...).
     *
     * @throws IllegalStateException if the space is closed
     */
    public String debugMallocStats() {
        core.checkOpen();
        String heap = memory.hasPymalloc() ? memory.pymalloc().debugMallocStats() + "\n" : "";
        return heap + FreeListStats.format(b);
    }

    /**
     * Validates the whole space: the type table, free lists, static objects, the frames' data
     * stack, the heap; in trace-refs mode also every live object (refcount at least 1 and at least
     * the references other live objects and frames hold, a valid type, list size within capacity,
     * dict tables, items and frame locals live).
     * Expensive; for tests and diagnostics.
     *
     * @throws IllegalStateException naming the first broken invariant; if the space is closed; or
     *                               if called from code the space is running (a finalizer, a
     *                               weakref callback or a gc callback) while a collection or a
     *                               deallocation, mid-way, is under way
     */
    public void checkInvariants() {
        core.checkOpen();
        if (midway()) {
            throw new IllegalStateException("checkInvariants() called from code the space is running (a finalizer, a"
                    + " weakref callback or a gc callback) while a collection or a deallocation is under way: call it"
                    + " once that returns");
        }
        new SpaceValidator(b).check();
        memory.checkInvariants();
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return core.isClosed();
    }

    /**
     * Closes open frames (innermost first, each releasing its locals in order), runs a full
     * collection (as CPython's shutdown does: unreachable cycles are freed, callbacks are not
     * called), records the {@link #leakReport()}, frees the free lists and static objects, and
     * closes the memory if the space created it. Leaked objects are reported, not freed: their
     * blocks stay in a memory the caller passed in. Never throws for leaks. Closing again does
     * nothing. A call another thread still makes on the space meanwhile (nothing detects it)
     * goes on in freed memory and may crash the JVM.
     *
     * @throws IllegalStateException if called from code the space is running (a finalizer, a
     *                               weakref callback or a gc callback) while a collection or a
     *                               deallocation is under way, or from a
     *                               {@link DictApi#forEach} visitor, which would go on in memory
     *                               freed under it: the space stays open
     */
    @Override
    public void close() {
        if (core.isClosed()) {
            return;
        }
        if (midway()) {
            throw new IllegalStateException("close() called from code the space is running (a finalizer, a weakref"
                    + " callback or a gc callback) while a collection or a deallocation is under way: close it once"
                    + " that returns");
        }
        if (dicts.walking()) {
            throw new IllegalStateException("close() called from a dicts().forEach visitor while its walk is under way:"
                    + " close it once forEach returns");
        }
        try {
            try {
                b.stack.closeAll();
            } catch (RuntimeException e) { // a dangling local, or a static's last reference: reported, the close goes on
                Unraisable.report(e);
            }
            b.collection.garbage.release(); // gc.garbage's objects get one more chance
            collector.collectAtClose();
            b.collection.garbage.release(); // what is uncollectable still is in the leak report
        } finally {
            leakReport = leakReport();
            b.clearFreeLists();
            core.markClosed();
            core.statics.release();
            if (ownsMemory) {
                memory.close();
            } else {
                memory.removeOnClose(memoryClosing);
                memory.removeCloseGuard(memoryBusy);
            }
        }
    }

    @Override
    public String toString() {
        return "ObjectSpace[" + (isClosed() ? "closed" : core.liveObjects() + (core.liveObjects() == 1 ? " live object" : " live objects")) + ", " + memory + "]";
    }

    /** Configures an {@link ObjectSpace}. */
    public static final class Builder {
        private Memory memory;
        private AllocatorName allocator;
        private boolean checked = CHECKS_DEFAULT;
        private boolean traceRefs;

        private Builder() {
        }

        /**
         * Allocate from this memory (not closed with the space); by default the space makes its own.
         * If the memory is closed first, the space is closed with it: its leak report is taken
         * then, and in checked mode every later call is refused with an
         * {@code IllegalStateException} (unchecked, only what a closed space refuses is refused).
         *
         * @throws NullPointerException if {@code memory} is null
         */
        public Builder memory(Memory memory) {
            this.memory = Objects.requireNonNull(memory, "memory");
            return this;
        }

        /**
         * The configuration of the memory the space makes for itself; with a {@link #memory}
         * given, {@link #build} refuses it.
         *
         * @throws NullPointerException if {@code name} is null
         */
        public Builder allocator(AllocatorName name) {
            this.allocator = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Checked mode; {@link #CHECKS_DEFAULT} unless set. */
        public Builder checked(boolean checked) {
            this.checked = checked;
            return this;
        }

        /** Trace-refs mode: every live object listed, the leak report naming each. Off by default. */
        public Builder traceRefs(boolean traceRefs) {
            this.traceRefs = traceRefs;
            return this;
        }

        /**
         * @throws IllegalStateException if the memory given is closed, or an {@link #allocator}
         *                               was set as well (it would be ignored)
         * @throws OutOfMemoryError      if the static objects cannot be allocated
         */
        public ObjectSpace build() {
            if (memory != null && (memory.isClosed() || allocator != null)) {
                throw new IllegalStateException(memory.isClosed() ? "the memory given is closed" : "allocator(" + allocator
                        + ") configures the memory a space makes for itself, and a memory was given (configured "
                        + memory.configured() + "): build that memory with Memory.builder().allocator(...) instead");
            }
            return new ObjectSpace(this);
        }
    }
}
