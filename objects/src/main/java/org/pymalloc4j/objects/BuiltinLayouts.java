package org.pymalloc4j.objects;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The built-in objects' layouts, CPython 3.11 on 64-bit, offsets from the object address
 * (GC types have their 16-byte {@code PyGC_Head} at -16, see {@link ObjectHeader}).
 *
 * <pre>
 *  int, bool (PyLongObject)     | ob_refcnt | ob_type | ob_size = ±ndigits | ob_digit[max(1,n)] (uint32, 30 bits used)
 *                               0           8         16                   24
 *  float (PyFloatObject)        | ob_refcnt | ob_type | ob_fval (double) |                       24 bytes
 *  bytes (PyBytesObject)        | ob_refcnt | ob_type | ob_size | ob_shash | ob_sval[n+1] (NUL)   33 + n
 *                               0           8         16        24         32
 *  tuple (PyTupleObject, GC)    | ob_refcnt | ob_type | ob_size | ob_item[n] |                  24 + 8n
 *  list (PyListObject, GC)      | ob_refcnt | ob_type | ob_size | ob_item* | allocated |        40; items in the MEM domain
 *  dict (PyDictObject, GC)      | ob_refcnt | ob_type | ma_used | ma_version_tag | ma_keys* | ma_values* |   48
 *  instance of a class (GC)     | ob_refcnt | ob_type | slot[0] ... slot[n-1] | [weaklist] |  16 + 8n (+ 8)
 *  weakref (PyWeakReference,GC) | ob_refcnt | ob_type | wr_object | wr_callback | hash | wr_prev | wr_next | vectorcall |  64
 *                               0           8         16          24            32     40        48        56
 *  None                         | ob_refcnt | ob_type |                                        16
 * </pre>
 * Strings are in {@link StrLayout}, dict keys in {@link DictKeysLayout}.
 */
public final class BuiltinLayouts {
    public static final long OB_DIGIT_OFFSET = 24;
    /** Bits per digit ({@code PyLong_SHIFT}). */
    public static final int DIGIT_BITS = 30;
    public static final long OB_FVAL_OFFSET = 16;
    public static final int FLOAT_LENGTH = 24;
    public static final long OB_SHASH_OFFSET = 24;
    public static final long OB_SVAL_OFFSET = 32;
    /** {@code PyBytesObject_SIZE}: the header plus the trailing NUL. */
    public static final int BYTES_BASE_LENGTH = 33;
    public static final long TUPLE_ITEMS_OFFSET = 24;
    public static final long LIST_ITEMS_OFFSET = 24;
    public static final long LIST_ALLOCATED_OFFSET = 32;
    public static final int LIST_LENGTH = 40;
    public static final long MA_USED_OFFSET = 16;
    public static final long MA_VERSION_TAG_OFFSET = 24;
    public static final long MA_KEYS_OFFSET = 32;
    public static final long MA_VALUES_OFFSET = 40;
    public static final int DICT_LENGTH = 48;
    public static final long SLOTS_OFFSET = 16;
    /** The referent, or None once the weakref is dead. */
    public static final long WR_OBJECT_OFFSET = 16;
    /** NULL here: a weakref's callback is Java code, kept by the space beside the weakref. */
    public static final long WR_CALLBACK_OFFSET = 24;
    public static final long WR_HASH_OFFSET = 32;
    /** The doubly linked list of the weakrefs to one object, its head at the object's weaklist offset. */
    public static final long WR_PREV_OFFSET = 40;
    public static final long WR_NEXT_OFFSET = 48;
    public static final long WR_VECTORCALL_OFFSET = 56;
    public static final int WEAKREF_LENGTH = 64;

    public static final StructLayout PY_LONG_OBJECT = MemoryLayout.structLayout(
            ObjectHeader.PY_VAR_OBJECT.withName("ob_base"),
            MemoryLayout.sequenceLayout(1, JAVA_INT).withName("ob_digit")).withName("PyLongObject");

    public static final StructLayout PY_FLOAT_OBJECT = MemoryLayout.structLayout(
            ObjectHeader.PY_OBJECT.withName("ob_base"),
            JAVA_DOUBLE.withName("ob_fval")).withName("PyFloatObject");

    public static final StructLayout PY_BYTES_OBJECT = MemoryLayout.structLayout(
            ObjectHeader.PY_VAR_OBJECT.withName("ob_base"),
            JAVA_LONG.withName("ob_shash"),
            MemoryLayout.sequenceLayout(1, JAVA_BYTE).withName("ob_sval")).withName("PyBytesObject");

    public static final StructLayout PY_TUPLE_OBJECT = MemoryLayout.structLayout(
            ObjectHeader.PY_VAR_OBJECT.withName("ob_base"),
            MemoryLayout.sequenceLayout(1, ADDRESS).withName("ob_item")).withName("PyTupleObject");

    public static final StructLayout PY_LIST_OBJECT = MemoryLayout.structLayout(
            ObjectHeader.PY_VAR_OBJECT.withName("ob_base"),
            ADDRESS.withName("ob_item"),
            JAVA_LONG.withName("allocated")).withName("PyListObject");

    public static final StructLayout PY_DICT_OBJECT = MemoryLayout.structLayout(
            ObjectHeader.PY_OBJECT.withName("ob_base"),
            JAVA_LONG.withName("ma_used"),
            JAVA_LONG.withName("ma_version_tag"),
            ADDRESS.withName("ma_keys"),
            ADDRESS.withName("ma_values")).withName("PyDictObject");

    public static final StructLayout PY_WEAK_REFERENCE = MemoryLayout.structLayout(
            ObjectHeader.PY_OBJECT.withName("ob_base"),
            ADDRESS.withName("wr_object"),
            ADDRESS.withName("wr_callback"),
            JAVA_LONG.withName("hash"),
            ADDRESS.withName("wr_prev"),
            ADDRESS.withName("wr_next"),
            ADDRESS.withName("vectorcall")).withName("PyWeakReference");

    private BuiltinLayouts() {
    }
}
