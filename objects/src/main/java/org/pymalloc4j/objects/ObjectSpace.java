package org.pymalloc4j.objects;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.BytesObjects;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.Floats;
import org.pymalloc4j.objects.internal.FreeListStats;
import org.pymalloc4j.objects.internal.Instances;
import org.pymalloc4j.objects.internal.Lists;
import org.pymalloc4j.objects.internal.SpaceValidator;
import org.pymalloc4j.objects.internal.Strs;
import org.pymalloc4j.objects.internal.Tuples;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/**
 * One CPython-style object heap: native objects with CPython 3.11's 64-bit layouts in the OBJ
 * domain of a {@link Memory} (list item arrays in MEM, static objects in one RAW block), with
 * reference counting, free lists, frames and a leak report. An object is its address: the
 * {@code long} every method takes and returns is the object's {@code id}.
 *
 * <p><b>Ownership</b>, as in the C API. Each method says whether it returns a <i>new</i>
 * reference (the caller owns it and must {@link #decref} it, or hand it to a {@link Frame}) or a
 * <i>borrowed</i> one (valid while its owner keeps it), and whether it <i>steals</i> an
 * argument (takes over the caller's reference, even when it throws, as {@code PyTuple_SetItem}
 * does). Methods not saying so neither steal nor keep their arguments. See README-objects.md.
 *
 * <p><b>Checked mode</b> (the default; {@code -Dpymalloc4j.checks=false} or
 * {@link Builder#checked(boolean)} turns it off): every object passed in is validated first, so
 * a freed object, an unbalanced decref, a wrong type, a bad index or a closed space is an
 * exception naming the object's address and type, thrown before anything changes. Unchecked,
 * bad input corrupts the heap exactly as it would corrupt CPython's.
 *
 * <p>One owner at a time, like the heap beneath it.
 */
public final class ObjectSpace implements AutoCloseable {
    /** The default for {@link Builder#checked}: true unless {@code pymalloc4j.checks} is {@code false}. */
    public static final boolean CHECKS_DEFAULT = !"false".equalsIgnoreCase(System.getProperty("pymalloc4j.checks"));

    private final Memory memory;
    private final boolean ownsMemory;
    private final Core core;
    private final Builtins b;
    private final boolean checked;
    private LeakReport leakReport;

    private ObjectSpace(Builder builder) {
        this.ownsMemory = builder.memory == null;
        this.memory = ownsMemory
                ? (builder.allocator == null ? Memory.create() : Memory.builder().allocator(builder.allocator).build())
                : builder.memory;
        this.checked = builder.checked;
        this.core = new Core(memory, checked, builder.traceRefs, Builtins.STATIC_BYTES);
        this.b = new Builtins(core);
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

    // ------------------------------------------------------------------ int

    /**
     * {@code PyLong_FromLong}: a new reference; -5..256 are the static small ints, so two
     * requests for 56 give the same object.
     *
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long newInt(long value) {
        if (checked) {
            core.checkOpen();
        }
        return b.ints.fromLong(value);
    }

    /**
     * An int of any size: a new reference.
     *
     * @throws NullPointerException  if {@code value} is null
     * @throws IllegalStateException if the space is closed
     */
    public long newInt(BigInteger value) {
        Objects.requireNonNull(value, "value");
        core.checkOpen();
        return b.ints.fromBigInteger(value);
    }

    /**
     * {@code PyLong_AsLong} of an int or bool.
     *
     * @throws ArithmeticException   if the value does not fit in a long
     * @throws WrongTypeException    in checked mode, if {@code o} is not an int or bool
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long intValue(long o) {
        if (checked) {
            checkInt(o, "intValue");
        }
        return b.ints.toLong(o);
    }

    /**
     * The value of an int or bool.
     *
     * @throws WrongTypeException    in checked mode, if {@code o} is not an int or bool
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public BigInteger bigIntegerValue(long o) {
        if (checked) {
            checkInt(o, "bigIntegerValue");
        }
        return b.ints.toBigInteger(o);
    }

    private void checkInt(long o, String operation) {
        core.checkLive(o);
        long t = core.typeOf(o);
        if (t != core.intType && t != core.boolType) {
            throw core.wrongType(o, operation, "int");
        }
    }

    // ------------------------------------------------------------------ float, bytes, str

    /**
     * {@code PyFloat_FromDouble}: a new reference, reusing the most recently freed float's
     * block when the free list has one.
     *
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long newFloat(double value) {
        if (checked) {
            core.checkOpen();
        }
        return b.floats.newFloat(value);
    }

    /**
     * {@code PyFloat_AS_DOUBLE}.
     *
     * @throws WrongTypeException    in checked mode, if {@code o} is not a float
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public double floatValue(long o) {
        if (checked) {
            core.checkType(o, core.floatType, "floatValue");
        }
        return Floats.value(o);
    }

    /**
     * {@code PyBytes_FromStringAndSize}: a new reference ({@code b''} is a static singleton).
     *
     * @throws NullPointerException  if {@code value} is null
     * @throws IllegalStateException if the space is closed
     */
    public long newBytes(byte[] value) {
        Objects.requireNonNull(value, "value");
        core.checkOpen();
        return b.bytes.newBytes(value);
    }

    /**
     * A copy of a bytes object's contents.
     *
     * @throws WrongTypeException    in checked mode, if {@code o} is not bytes
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public byte[] bytesValue(long o) {
        if (checked) {
            core.checkType(o, core.bytesType, "bytesValue");
        }
        return BytesObjects.value(o);
    }

    /**
     * A str in the most compact of CPython's forms (ASCII, latin-1, UCS-2, UCS-4): a new
     * reference. The empty string and one-character latin-1 strings are static singletons.
     *
     * @throws NullPointerException  if {@code value} is null
     * @throws IllegalStateException if the space is closed
     */
    public long newStr(String value) {
        Objects.requireNonNull(value, "value");
        core.checkOpen();
        return b.strs.newStr(value);
    }

    /**
     * The value of a str.
     *
     * @throws WrongTypeException    in checked mode, if {@code o} is not a str
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public String strValue(long o) {
        if (checked) {
            core.checkType(o, core.strType, "strValue");
        }
        return Strs.value(o);
    }

    /**
     * {@code PyUnicode_InternFromString}: a new reference to the interned str equal to
     * {@code value}; equal interned strings are one object.
     *
     * @throws NullPointerException  if {@code value} is null
     * @throws IllegalStateException if the space is closed
     */
    public long intern(String value) {
        return internInPlace(newStr(value));
    }

    /**
     * {@code PyUnicode_InternInPlace}: <b>steals</b> {@code str} and returns a new reference to
     * the interned string equal to it, which is {@code str} itself if none was interned yet.
     * The intern table's own references are not counted, as in CPython.
     *
     * @throws WrongTypeException    in checked mode, if {@code str} is not a str (nothing stolen)
     * @throws FreedObjectException  in checked mode, if {@code str} is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public long internInPlace(long str) {
        core.checkOpen();
        if (checked) {
            core.checkType(str, core.strType, "internInPlace");
        }
        return b.strs.internInPlace(str);
    }

    /**
     * Whether a str is interned.
     *
     * @throws WrongTypeException    in checked mode, if {@code str} is not a str
     * @throws FreedObjectException  in checked mode, if {@code str} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public boolean isInterned(long str) {
        if (checked) {
            core.checkType(str, core.strType, "isInterned");
        }
        return Strs.isInterned(str);
    }

    // ------------------------------------------------------------------ tuple

    /**
     * {@code PyTuple_New(n)}: a new reference to a tuple of {@code n} NULL items, to be filled
     * with {@link #tupleSet} before it is shared; {@code n == 0} gives the static empty tuple.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException    in checked mode, if the space is closed
     */
    public long newTuple(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative tuple size " + n);
        }
        if (checked) {
            core.checkOpen();
        }
        return b.tuples.newTuple(n);
    }

    /**
     * {@code PyTuple_Pack}: a new reference to a tuple of the given items, each increfed
     * (nothing stolen).
     *
     * @throws FreedObjectException  in checked mode, if an item is not a live object (nothing changed)
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long tupleOf(long... items) {
        if (checked) {
            core.checkOpen();
            for (long item : items) {
                core.checkLive(item);
            }
        }
        long t = b.tuples.newTuple(items.length);
        for (int i = 0; i < items.length; i++) {
            core.incref(items[i]);
            Tuples.setItem(t, i, items[i]);
        }
        return t;
    }

    /**
     * {@code PyTuple_GetItem}: item {@code i}, <b>borrowed</b> (0 if not yet set).
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code tuple} is not a tuple
     * @throws FreedObjectException      in checked mode, if {@code tuple} is not a live object
     * @throws IllegalStateException     in checked mode, if the space is closed
     */
    public long tupleGet(long tuple, long i) {
        if (checked) {
            checkIndex(tuple, core.tupleType, "tupleGet", i, Tuples.size(tuple));
        }
        return Tuples.item(tuple, i);
    }

    /**
     * {@code PyTuple_SetItem}: <b>steals</b> {@code item} (0 allowed) into slot {@code i},
     * releasing what was there. Only legal while the tuple is unshared (refcount 1). In checked
     * mode a bad tuple or index releases {@code item} and throws, as CPython does.
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code tuple} is not a tuple
     * @throws IllegalStateException     in checked mode, if the tuple's refcount is not 1 or the
     *                                   space is closed
     * @throws FreedObjectException      in checked mode, if {@code tuple} or {@code item} is not a
     *                                   live object ({@code item} is not stolen if it is the bad one)
     */
    public void tupleSet(long tuple, long i, long item) {
        if (checked) {
            if (item != 0) {
                core.checkLive(item);
            }
            try {
                checkIndex(tuple, core.tupleType, "tupleSet", i, Tuples.size(tuple));
                if (getLong(tuple) != 1) {
                    throw new IllegalStateException(String.format(
                            "tupleSet on the shared tuple at 0x%x (refcount %d): tuples are immutable once shared",
                            tuple, getLong(tuple)));
                }
            } catch (RuntimeException e) {
                core.xdecref(item);
                throw e;
            }
        }
        long old = Tuples.item(tuple, i);
        Tuples.setItem(tuple, i, item);
        core.xdecref(old);
    }

    /**
     * The number of items of a tuple.
     *
     * @throws WrongTypeException    in checked mode, if {@code tuple} is not a tuple
     * @throws FreedObjectException  in checked mode, if {@code tuple} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long tupleSize(long tuple) {
        if (checked) {
            core.checkType(tuple, core.tupleType, "tupleSize");
        }
        return Tuples.size(tuple);
    }

    // ------------------------------------------------------------------ list

    /**
     * {@code PyList_New(0)}: a new reference to an empty list (no item array yet).
     *
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long newList() {
        return newList(0);
    }

    /**
     * {@code PyList_New(n)}: a new reference to a list of {@code n} NULL items, capacity exactly {@code n}.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException    in checked mode, if the space is closed
     */
    public long newList(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative list size " + n);
        }
        if (checked) {
            core.checkOpen();
        }
        return b.lists.newList(n);
    }

    /**
     * {@code PyList_Append}: adds a new reference to {@code item} (not stolen), growing the
     * item array by CPython's pattern 0, 4, 8, 16, 24, 32, 40, 52, ...
     *
     * @throws WrongTypeException    in checked mode, if {@code list} is not a list
     * @throws FreedObjectException  in checked mode, if {@code list} or {@code item} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public void listAppend(long list, long item) {
        if (checked) {
            core.checkType(list, core.listType, "listAppend");
            core.checkLive(item);
        }
        b.lists.append(list, item);
    }

    /**
     * {@code PyList_GetItem}: item {@code i}, <b>borrowed</b>.
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code list} is not a list
     * @throws FreedObjectException      in checked mode, if {@code list} is not a live object
     * @throws IllegalStateException     in checked mode, if the space is closed
     */
    public long listGet(long list, long i) {
        if (checked) {
            checkIndex(list, core.listType, "listGet", i, Lists.size(list));
        }
        return Lists.item(list, i);
    }

    /**
     * {@code PyList_SetItem}: <b>steals</b> {@code item} (0 allowed) into slot {@code i},
     * releasing what was there. In checked mode a bad list or index releases {@code item} and
     * throws, as CPython does.
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code list} is not a list
     * @throws FreedObjectException      in checked mode, if {@code list} or {@code item} is not a
     *                                   live object ({@code item} is not stolen if it is the bad one)
     * @throws IllegalStateException     in checked mode, if the space is closed
     */
    public void listSet(long list, long i, long item) {
        if (checked) {
            if (item != 0) {
                core.checkLive(item);
            }
            try {
                checkIndex(list, core.listType, "listSet", i, Lists.size(list));
            } catch (RuntimeException e) {
                core.xdecref(item);
                throw e;
            }
        }
        long old = Lists.item(list, i);
        Lists.setItem(list, i, item);
        core.xdecref(old);
    }

    /**
     * The number of items of a list.
     *
     * @throws WrongTypeException    in checked mode, if {@code list} is not a list
     * @throws FreedObjectException  in checked mode, if {@code list} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long listSize(long list) {
        if (checked) {
            core.checkType(list, core.listType, "listSize");
        }
        return Lists.size(list);
    }

    /**
     * The list's {@code allocated}: how many items its array holds.
     *
     * @throws WrongTypeException    in checked mode, if {@code list} is not a list
     * @throws FreedObjectException  in checked mode, if {@code list} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long listCapacity(long list) {
        if (checked) {
            core.checkType(list, core.listType, "listCapacity");
        }
        return Lists.allocated(list);
    }

    // ------------------------------------------------------------------ dict

    /**
     * {@code PyDict_New}: a new reference to an empty dict.
     *
     * @throws IllegalStateException if the space is closed
     */
    public long newDict() {
        core.checkOpen();
        return b.dicts.newDict();
    }

    /**
     * {@code PyDict_SetItem}: maps {@code key} to {@code value}, taking new references to both
     * (nothing stolen).
     *
     * @throws WrongTypeException    if {@code key} is unhashable (a list or dict), or in checked
     *                               mode if {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public void dictSet(long dict, long key, long value) {
        checkDictArgs(dict, key, "dictSet");
        if (checked) {
            core.checkLive(value);
        }
        b.dicts.set(dict, key, value);
    }

    /**
     * {@code PyDict_GetItem}: the value for {@code key}, <b>borrowed</b>, or 0 if absent.
     *
     * @throws WrongTypeException    if {@code key} is unhashable, or in checked mode if
     *                               {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public long dictGet(long dict, long key) {
        checkDictArgs(dict, key, "dictGet");
        return b.dicts.get(dict, key);
    }

    /**
     * {@code PyDict_DelItem}: removes {@code key}, releasing the dict's references.
     *
     * @return whether the key was present (CPython raises KeyError instead)
     * @throws WrongTypeException    if {@code key} is unhashable, or in checked mode if
     *                               {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public boolean dictDelete(long dict, long key) {
        checkDictArgs(dict, key, "dictDelete");
        return b.dicts.delete(dict, key);
    }

    /**
     * The number of entries of a dict.
     *
     * @throws WrongTypeException    in checked mode, if {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if {@code dict} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long dictSize(long dict) {
        if (checked) {
            core.checkType(dict, core.dictType, "dictSize");
        }
        return org.pymalloc4j.objects.internal.Dicts.size(dict);
    }

    private void checkDictArgs(long dict, long key, String operation) {
        core.checkOpen();
        if (checked) {
            core.checkType(dict, core.dictType, operation);
            core.checkLive(key);
        }
    }

    // ------------------------------------------------------------------ classes

    /**
     * A new class with {@code slots} reference slots per instance (Python's
     * {@code class name: __slots__ = (...)}): a new reference to the type object. Instances hold
     * references to their class, so it lives until the last of them is gone.
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code slots} is negative or above 60 (instances stay
     *                                  pymalloc-sized)
     * @throws IllegalStateException    if the space is closed
     */
    public long newClass(String name, int slots) {
        Objects.requireNonNull(name, "name");
        if (slots < 0 || slots > 60) {
            throw new IllegalArgumentException("slots must be in [0, 60], was " + slots);
        }
        core.checkOpen();
        return b.instances.newClass(name, slots);
    }

    /**
     * A new reference to a new instance of {@code cls}, every slot NULL.
     *
     * @throws WrongTypeException    in checked mode, if {@code cls} is not a class made by {@link #newClass}
     * @throws FreedObjectException  in checked mode, if {@code cls} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long newInstance(long cls) {
        if (checked) {
            core.checkType(cls, core.typeType, "newInstance");
            if (!Instances.isClass(cls)) {
                throw core.wrongType(cls, "newInstance (a built-in type)", "class");
            }
        }
        return b.instances.newInstance(cls);
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
            checkSlot(o, i, "getSlot");
        }
        return Instances.slot(o, i);
    }

    /**
     * Sets slot {@code i} like {@code o.attr = value}: a new reference to {@code value} (not
     * stolen; 0 clears the slot), releasing the old value.
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code o} is not an instance of a class
     * @throws FreedObjectException      in checked mode, if {@code o} or {@code value} is not a live object
     * @throws IllegalStateException     in checked mode, if the space is closed
     */
    public void setSlot(long o, long i, long value) {
        if (checked) {
            checkSlot(o, i, "setSlot");
        }
        core.xincref(value);
        long old = Instances.slot(o, i);
        Instances.putSlot(o, i, value);
        core.xdecref(old);
    }

    private void checkSlot(long o, long i, String operation) {
        core.checkLive(o);
        if (!Instances.isClass(core.typeOf(o))) {
            throw core.wrongType(o, operation, "class instance");
        }
        long n = Instances.slotCount(o);
        if (i < 0 || i >= n) {
            throw core.indexError(o, operation, i, n);
        }
    }

    private void checkIndex(long o, long type, String operation, long i, long size) {
        core.checkType(o, type, operation);
        if (i < 0 || i >= size) {
            throw core.indexError(o, operation, i, size);
        }
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
     * @throws IllegalStateException in checked mode, if the space is closed, or if a static
     *                               object (None, a small int, a type...) would be deallocated
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
     * CPython 3.11's {@code sys.getsizeof(o)}.
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
     * and bytes with {@code PYTHONHASHSEED=0}; identity-based for the rest.
     *
     * @throws WrongTypeException    if {@code o} is unhashable (a list or dict)
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long hash(long o) {
        if (checked) {
            core.checkLive(o);
        }
        return b.protocols.hash(o);
    }

    /**
     * Python's {@code a == b} for built-in values; identity for instances and types.
     *
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
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
     * Every live object made at run time, oldest first ({@code Py_TRACE_REFS}'s list).
     *
     * @throws IllegalStateException if the space is not in trace-refs mode, or is closed
     */
    public List<LiveObject> liveObjects() {
        core.checkOpen();
        if (core.trace() == null) {
            throw new IllegalStateException("liveObjects() needs trace-refs mode: ObjectSpace.builder().traceRefs(true)");
        }
        List<LiveObject> out = new ArrayList<>();
        for (long[] e : core.trace().entries()) {
            out.add(new LiveObject(e[0], core.typeName(e[0]), getLong(e[0]), e[1]));
        }
        return out;
    }

    /**
     * The leak report made when the space closed: the objects still alive then, listed in
     * trace-refs mode, counted in any mode. Before close, a report of what is alive now.
     *
     * @throws IllegalStateException never after close; before it, as {@link #liveObjects()} if tracing
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
     * Validates the whole space: the type table, free lists, static objects, the heap; in
     * trace-refs mode also every live object (refcount at least 1 and at least the references
     * other live objects hold, a valid type, list size within capacity, dict tables, items live).
     * Expensive; for tests and diagnostics.
     *
     * @throws IllegalStateException naming the first broken invariant, or if the space is closed
     */
    public void checkInvariants() {
        core.checkOpen();
        new SpaceValidator(b).check();
        memory.checkInvariants();
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return core.isClosed();
    }

    /**
     * Closes open frames (releasing their locals), records the {@link #leakReport()}, frees the
     * free lists and static objects, and closes the memory if the space created it. Leaked
     * objects are reported, not freed: their blocks stay in a memory the caller passed in.
     * Never throws for leaks. Closing again does nothing.
     */
    @Override
    public void close() {
        if (core.isClosed()) {
            return;
        }
        try {
            b.stack.closeAll();
        } finally {
            leakReport = leakReport();
            b.clearFreeLists();
            core.markClosed();
            core.statics.release();
            if (ownsMemory) {
                memory.close();
            }
        }
    }

    @Override
    public String toString() {
        return "ObjectSpace[" + (isClosed() ? "closed" : core.liveObjects() + " live objects") + ", " + memory + "]";
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
         *
         * @throws NullPointerException if {@code memory} is null
         */
        public Builder memory(Memory memory) {
            this.memory = Objects.requireNonNull(memory, "memory");
            return this;
        }

        /**
         * The configuration of the memory the space makes for itself.
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
         * @throws IllegalStateException if the memory given is closed
         * @throws OutOfMemoryError      if the static objects cannot be allocated
         */
        public ObjectSpace build() {
            if (memory != null && memory.isClosed()) {
                throw new IllegalStateException("the memory given is closed");
            }
            return new ObjectSpace(this);
        }
    }
}
