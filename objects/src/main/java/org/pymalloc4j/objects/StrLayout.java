package org.pymalloc4j.objects;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * CPython 3.11's compact strings (PEP 393) on 64-bit. One block: header, then
 * {@code (length + 1) * kind} bytes of characters ending in a NUL character.
 *
 * <pre>
 *  PyASCIIObject (48 bytes; all characters &lt; 128; data at 48)
 *  0          8          16         24         32              36     40        48
 *  +----------+----------+----------+----------+---------------+------+---------+
 *  | ob_refcnt| ob_type  | length   | hash     | state (uint32)| pad  | wstr    |
 *  +----------+----------+----------+----------+---------------+------+---------+
 *  PyCompactUnicodeObject (72 bytes; latin-1, UCS-2 or UCS-4; data at 72)
 *  48            56         64            72
 *  +-------------+----------+-------------+
 *  | utf8_length | utf8     | wstr_length |
 *  +-------------+----------+-------------+
 *
 *  state bits:  0-1 interned (0 no, 1 mortal, 2 immortal) | 2-4 kind (1, 2, 4 bytes per char)
 *               5 compact | 6 ascii | 7 ready
 * </pre>
 * {@code hash} is -1 until computed; {@code utf8} and {@code wstr} stay NULL here (no cached
 * encodings are made), so {@code sizeOf == header + (length + 1) * kind}.
 */
public final class StrLayout {
    public static final long LENGTH_OFFSET = 16;
    public static final long HASH_OFFSET = 24;
    public static final long STATE_OFFSET = 32;
    public static final long WSTR_OFFSET = 40;
    public static final int ASCII_LENGTH = 48;
    public static final long UTF8_LENGTH_OFFSET = 48;
    public static final long UTF8_OFFSET = 56;
    public static final long WSTR_LENGTH_OFFSET = 64;
    public static final int COMPACT_LENGTH = 72;

    public static final int INTERNED_MASK = 0b11;
    public static final int NOT_INTERNED = 0;
    public static final int INTERNED_MORTAL = 1;
    public static final int INTERNED_IMMORTAL = 2;
    public static final int KIND_SHIFT = 2;
    public static final int KIND_MASK = 0b111 << KIND_SHIFT;
    public static final int COMPACT = 1 << 5;
    public static final int ASCII = 1 << 6;
    public static final int READY = 1 << 7;

    public static final StructLayout PY_ASCII_OBJECT = MemoryLayout.structLayout(
            ObjectHeader.PY_OBJECT.withName("ob_base"),
            JAVA_LONG.withName("length"),
            JAVA_LONG.withName("hash"),
            JAVA_INT.withName("state"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("wstr")).withName("PyASCIIObject");

    public static final StructLayout PY_COMPACT_UNICODE_OBJECT = MemoryLayout.structLayout(
            PY_ASCII_OBJECT.withName("_base"),
            JAVA_LONG.withName("utf8_length"),
            ADDRESS.withName("utf8"),
            JAVA_LONG.withName("wstr_length")).withName("PyCompactUnicodeObject");

    private StrLayout() {
    }
}
