package org.pymalloc4j.objects.internal;

import java.math.BigDecimal;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;

/**
 * {@code PyObject_Hash} and {@code PyObject_RichCompare(==)} for the built-in types, as dicts
 * need them. Numbers compare by value across int, bool and float (so {@code 1}, {@code 1.0} and
 * {@code True} are one dict key, as in Python); instances, types and None by identity.
 */
public final class Protocols {
    private final Core core;
    private final Ints ints;

    public Protocols(Core core, Ints ints) {
        this.core = core;
        this.ints = ints;
    }

    /**
     * The object's hash, CPython 3.11's value for numbers and tuples of them.
     *
     * @throws org.pymalloc4j.objects.WrongTypeException for lists and dicts (unhashable)
     */
    public long hash(long o) {
        long t = getLong(o + OB_TYPE_OFFSET);
        if (t == core.intType || t == core.boolType) {
            return Ints.hash(o);
        } else if (t == core.strType) {
            return Strs.hash(o);
        } else if (t == core.floatType) {
            return Hashing.ofDouble(o, Floats.value(o));
        } else if (t == core.tupleType) {
            long n = Tuples.size(o);
            long[] lanes = new long[(int) n];
            for (int i = 0; i < n; i++) {
                long item = Tuples.item(o, i);
                if (item == 0) {
                    throw new IllegalStateException(String.format("the tuple at 0x%x has a NULL item %d", o, i));
                }
                lanes[i] = hash(item);
            }
            return Hashing.combineTuple(lanes);
        } else if (t == core.bytesType) {
            return BytesObjects.hash(o);
        } else if (t == core.listType || t == core.dictType) {
            throw core.args.wrongType(o, "hash (unhashable type: '" + core.typeName(o) + "')", "hashable");
        }
        return Hashing.pointer(o);
    }

    /**
     * {@code PyObject_RichCompareBool(a, b, Py_EQ)} for the built-in types: identity first (a NaN
     * equals itself), then Python's {@code a == b}; identity for everything else.
     *
     * @throws IllegalStateException if two tuples of one size are compared and one has a NULL item
     */
    public boolean equal(long a, long b) {
        if (a == b) {
            return true;
        }
        long ta = getLong(a + OB_TYPE_OFFSET);
        long tb = getLong(b + OB_TYPE_OFFSET);
        boolean intA = ta == core.intType || ta == core.boolType;
        boolean intB = tb == core.intType || tb == core.boolType;
        if (intA && intB) {
            return Ints.equal(a, b);
        }
        if (ta == core.floatType || tb == core.floatType) {
            if (ta == tb) {
                return Floats.value(a) == Floats.value(b);
            }
            if (intA || intB) {
                double d = Floats.value(intA ? b : a);
                long i = intA ? a : b;
                return Double.isFinite(d) && new BigDecimal(d).compareTo(new BigDecimal(ints.toBigInteger(i))) == 0;
            }
            return false;
        }
        if (ta != tb) {
            return false;
        }
        if (ta == core.strType) {
            return Strs.equal(a, b);
        } else if (ta == core.bytesType) {
            return BytesObjects.equal(a, b);
        } else if (ta == core.tupleType) {
            long n = Tuples.size(a);
            if (n != Tuples.size(b)) {
                return false;
            }
            for (long i = 0; i < n; i++) {
                long itemA = Tuples.item(a, i);
                long itemB = Tuples.item(b, i);
                if (itemA == 0 || itemB == 0) { // a tuple still being filled: no header to read
                    throw new IllegalStateException(String.format("the tuple at 0x%x has a NULL item %d",
                            itemA == 0 ? a : b, i));
                }
                if (!equal(itemA, itemB)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
