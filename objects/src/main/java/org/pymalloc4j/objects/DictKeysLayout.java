package org.pymalloc4j.objects;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * CPython 3.11's {@code PyDictKeysObject}, the combined hash table a dict's {@code ma_keys}
 * points at: a header, an index table of {@code 2^log2_size} signed slots (1, 2, 4 or 8 bytes
 * each: -1 empty, -2 dummy, else an entry number), then the entries in insertion order.
 *
 * <pre>
 *  0           8        9                 10      11   12          16          24            32
 *  +-----------+--------+-----------------+-------+----+-----------+-----------+-------------+------------------+-------------+
 *  | dk_refcnt | log2_  | log2_index_bytes| kind  |pad | dk_version| dk_usable | dk_nentries | indices[2^log2]  | entries ... |
 *  |           | size   |                 |       |    |           |           |             | (1 &lt;&lt; log2_index_bytes bytes)  |
 *  +-----------+--------+-----------------+-------+----+-----------+-----------+-------------+------------------+-------------+
 *  general entry (kind 0): | me_hash | me_key | me_value |  24 bytes
 *  unicode entry (kind 1): | me_key  | me_value |           16 bytes (every key an exact str; the hash is the str's)
 *
 *  usable_fraction(size) = 2 * size / 3;   dk_usable + dk_nentries == usable_fraction(size)
 *  block bytes = 32 + (1 &lt;&lt; log2_index_bytes) + usable_fraction(size) * entry size
 * </pre>
 * The split-table form ({@code ma_values}, kind 2) is not used: dicts here are always combined.
 */
public final class DictKeysLayout {
    public static final long DK_REFCNT_OFFSET = 0;
    public static final long DK_LOG2_SIZE_OFFSET = 8;
    public static final long DK_LOG2_INDEX_BYTES_OFFSET = 9;
    public static final long DK_KIND_OFFSET = 10;
    public static final long DK_VERSION_OFFSET = 12;
    public static final long DK_USABLE_OFFSET = 16;
    public static final long DK_NENTRIES_OFFSET = 24;
    public static final long DK_INDICES_OFFSET = 32;
    public static final int KIND_GENERAL = 0;
    public static final int KIND_UNICODE = 1;
    public static final int GENERAL_ENTRY_LENGTH = 24;
    public static final int UNICODE_ENTRY_LENGTH = 16;
    /** {@code PyDict_LOG_MINSIZE}: the smallest table has 8 slots. */
    public static final int LOG2_MIN_SIZE = 3;

    public static final StructLayout PY_DICT_KEYS_OBJECT = MemoryLayout.structLayout(
            JAVA_LONG.withName("dk_refcnt"),
            JAVA_BYTE.withName("dk_log2_size"),
            JAVA_BYTE.withName("dk_log2_index_bytes"),
            JAVA_BYTE.withName("dk_kind"),
            MemoryLayout.paddingLayout(1),
            JAVA_INT.withName("dk_version"),
            JAVA_LONG.withName("dk_usable"),
            JAVA_LONG.withName("dk_nentries")).withName("PyDictKeysObject");

    public static final StructLayout PY_DICT_KEY_ENTRY = MemoryLayout.structLayout(
            JAVA_LONG.withName("me_hash"),
            ADDRESS.withName("me_key"),
            ADDRESS.withName("me_value")).withName("PyDictKeyEntry");

    public static final StructLayout PY_DICT_UNICODE_ENTRY = MemoryLayout.structLayout(
            ADDRESS.withName("me_key"),
            ADDRESS.withName("me_value")).withName("PyDictUnicodeEntry");

    private DictKeysLayout() {
    }
}
