package org.pymalloc4j.objects;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * CPython 3.11's object headers on 64-bit, as native objects in this project carry them.
 *
 * <pre>
 *  PyObject (16 bytes)                      PyVarObject (24 bytes)
 *  0            8            16             0            8            16           24
 *  +------------+------------+              +------------+------------+------------+
 *  | ob_refcnt  | ob_type    |              | ob_refcnt  | ob_type    | ob_size    |
 *  +------------+------------+              +------------+------------+------------+
 *
 *  GC objects: PyGC_Head (16 bytes) sits just before the object; the block starts at the GC head.
 *  -16          -8           0
 *  +------------+------------+------------ ...
 *  | _gc_next   | _gc_prev   | PyObject ...
 *  +------------+------------+------------ ...
 * </pre>
 */
public final class ObjectHeader {
    public static final long OB_REFCNT_OFFSET = 0;
    public static final long OB_TYPE_OFFSET = 8;
    /** Bytes of {@code PyObject_HEAD}. */
    public static final int OBJECT_LENGTH = 16;
    public static final long OB_SIZE_OFFSET = 16;
    /** Bytes of {@code PyObject_VAR_HEAD}. */
    public static final int VAR_OBJECT_LENGTH = 24;

    /** {@code _gc_next}, relative to the GC head. */
    public static final long GC_NEXT_OFFSET = 0;
    /** {@code _gc_prev}, relative to the GC head. */
    public static final long GC_PREV_OFFSET = 8;
    /** Bytes of {@code PyGC_Head}; the object starts this far after its block. */
    public static final int GC_HEAD_LENGTH = 16;

    public static final StructLayout PY_OBJECT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ob_refcnt"),
            ADDRESS.withName("ob_type")).withName("PyObject");

    public static final StructLayout PY_VAR_OBJECT = MemoryLayout.structLayout(
            PY_OBJECT.withName("ob_base"),
            JAVA_LONG.withName("ob_size")).withName("PyVarObject");

    public static final StructLayout PY_GC_HEAD = MemoryLayout.structLayout(
            JAVA_LONG.withName("_gc_next"),
            JAVA_LONG.withName("_gc_prev")).withName("PyGC_Head");

    private ObjectHeader() {
    }
}
