package org.pymalloc4j.objects;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * CPython 3.11's {@code PyTypeObject} on 64-bit: a full 408-byte block with every field at its
 * CPython offset. This project fills the fields named below; the others (the C slot function
 * pointers, which have no meaning for Java-side behaviour) stay 0.
 *
 * <pre>
 *  0          8          16         24         32            40           48
 *  +----------+----------+----------+----------+-------------+------------+------------+ ...
 *  | ob_refcnt| ob_type  | ob_size  | tp_name  | tp_basicsize| tp_itemsize| tp_dealloc | ...
 *  +----------+----------+----------+----------+-------------+------------+------------+ ...
 *   ... 168        176      184           192        208                 256       368           384              388  392 ... 408
 *   ... | tp_flags | tp_doc | tp_traverse | tp_clear | ... | tp_weaklistoffset | ... | tp_base | ... | tp_weaklist | ... | tp_version_tag | pad | ... |
 * </pre>
 *
 * <ul>
 * <li>{@code ob_type} is the address of {@code type}; {@code type}'s own is itself.</li>
 * <li>{@code ob_size}: 0 for built-in types; the number of slots for classes (as CPython's
 *     heap types count their {@code __slots__} members).</li>
 * <li>{@code tp_name}: a NUL-terminated UTF-8 C string.</li>
 * <li>{@code tp_weaklistoffset}: where an instance keeps its weakref list ({@code type}'s is
 *     368, its {@code tp_weaklist}; a class's is after its slots if it has {@code __weakref__}).</li>
 * <li>{@code tp_base}: {@code object} for every type but {@code object} (0) and {@code bool} ({@code int}).</li>
 * <li>{@code tp_weaklist}: the head of the list of weakrefs to the type object itself.</li>
 * <li>{@code tp_version_tag}: the type's index in the space's Java-side behaviour table
 *     (CPython uses it as a unique method-cache tag; here it is a unique tag too).</li>
 * <li>{@code tp_dealloc}, {@code tp_traverse}, {@code tp_clear} stay 0: behaviour is Java code in
 *     the table, never a Java object in native memory.</li>
 * </ul>
 * Type objects carry a 16-byte GC head before them, as {@code type} has {@code Py_TPFLAGS_HAVE_GC}
 * (which is why CPython 3.11's {@code sys.getsizeof(int)} is 408 + 16 = 424).
 */
public final class TypeLayout {
    public static final long TP_NAME_OFFSET = 24;
    public static final long TP_BASICSIZE_OFFSET = 32;
    public static final long TP_ITEMSIZE_OFFSET = 40;
    public static final long TP_DEALLOC_OFFSET = 48;
    public static final long TP_FLAGS_OFFSET = 168;
    public static final long TP_DOC_OFFSET = 176;
    public static final long TP_TRAVERSE_OFFSET = 184;
    public static final long TP_CLEAR_OFFSET = 192;
    /** {@code tp_weaklistoffset}: where an instance keeps the head of its weakref list; 0 if it cannot be weakly referenced. */
    public static final long TP_WEAKLISTOFFSET_OFFSET = 208;
    public static final long TP_BASE_OFFSET = 256;
    /** {@code tp_weaklist}: the head of a type object's own weakref list ({@code type}'s weaklist offset). */
    public static final long TP_WEAKLIST_OFFSET = 368;
    public static final long TP_VERSION_TAG_OFFSET = 384;
    /** {@code sizeof(PyTypeObject)} in 3.11. */
    public static final int TYPE_OBJECT_LENGTH = 408;

    /** {@code Py_TPFLAGS_IMMUTABLETYPE}. */
    public static final long IMMUTABLETYPE = 1L << 8;
    /** {@code Py_TPFLAGS_HEAPTYPE}: a class made at run time. */
    public static final long HEAPTYPE = 1L << 9;
    /** {@code Py_TPFLAGS_BASETYPE}. */
    public static final long BASETYPE = 1L << 10;
    /** {@code Py_TPFLAGS_READY}. */
    public static final long READY = 1L << 12;
    /** {@code Py_TPFLAGS_HAVE_GC}: instances carry the 16-byte GC head. */
    public static final long HAVE_GC = 1L << 14;
    /** {@code Py_TPFLAGS_HAVE_VERSION_TAG}: in 3.8's {@code Py_TPFLAGS_DEFAULT}; 3.11's types do not carry it. */
    public static final long HAVE_VERSION_TAG = 1L << 18;
    /** {@code Py_TPFLAGS_VALID_VERSION_TAG}: the type's {@code tp_version_tag} is in use, as for every type here. */
    public static final long VALID_VERSION_TAG = 1L << 19;

    public static final StructLayout PY_TYPE_OBJECT = MemoryLayout.structLayout(
            ObjectHeader.PY_VAR_OBJECT.withName("ob_base"),
            ADDRESS.withName("tp_name"),
            JAVA_LONG.withName("tp_basicsize"),
            JAVA_LONG.withName("tp_itemsize"),
            ADDRESS.withName("tp_dealloc"),
            MemoryLayout.paddingLayout(TP_FLAGS_OFFSET - TP_DEALLOC_OFFSET - 8),
            JAVA_LONG.withName("tp_flags"),
            ADDRESS.withName("tp_doc"),
            ADDRESS.withName("tp_traverse"),
            ADDRESS.withName("tp_clear"),
            MemoryLayout.paddingLayout(TP_WEAKLISTOFFSET_OFFSET - TP_CLEAR_OFFSET - 8),
            JAVA_LONG.withName("tp_weaklistoffset"),
            MemoryLayout.paddingLayout(TP_BASE_OFFSET - TP_WEAKLISTOFFSET_OFFSET - 8),
            ADDRESS.withName("tp_base"),
            MemoryLayout.paddingLayout(TP_WEAKLIST_OFFSET - TP_BASE_OFFSET - 8),
            ADDRESS.withName("tp_weaklist"),
            MemoryLayout.paddingLayout(TP_VERSION_TAG_OFFSET - TP_WEAKLIST_OFFSET - 8),
            JAVA_INT.withName("tp_version_tag"),
            MemoryLayout.paddingLayout(TYPE_OBJECT_LENGTH - TP_VERSION_TAG_OFFSET - 4)).withName("PyTypeObject");

    private TypeLayout() {
    }
}
