package org.pymalloc4j.objects;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.internal.NativeMemory.getByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/** Every layout constant against its FFM StructLayout, and live objects read through them. */
class LayoutTest {
    static long offset(MemoryLayout layout, String... path) {
        PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = PathElement.groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    @Test
    void typeObjectConstantsMatchTheStructLayout() {
        MemoryLayout t = TypeLayout.PY_TYPE_OBJECT;
        assertEquals(TypeLayout.TYPE_OBJECT_LENGTH, t.byteSize());
        assertEquals(ObjectHeader.OB_SIZE_OFFSET, offset(t, "ob_base", "ob_size"));
        assertEquals(TypeLayout.TP_NAME_OFFSET, offset(t, "tp_name"));
        assertEquals(TypeLayout.TP_BASICSIZE_OFFSET, offset(t, "tp_basicsize"));
        assertEquals(TypeLayout.TP_ITEMSIZE_OFFSET, offset(t, "tp_itemsize"));
        assertEquals(TypeLayout.TP_DEALLOC_OFFSET, offset(t, "tp_dealloc"));
        assertEquals(TypeLayout.TP_FLAGS_OFFSET, offset(t, "tp_flags"));
        assertEquals(TypeLayout.TP_DOC_OFFSET, offset(t, "tp_doc"));
        assertEquals(TypeLayout.TP_TRAVERSE_OFFSET, offset(t, "tp_traverse"));
        assertEquals(TypeLayout.TP_CLEAR_OFFSET, offset(t, "tp_clear"));
        assertEquals(TypeLayout.TP_WEAKLISTOFFSET_OFFSET, offset(t, "tp_weaklistoffset"));
        assertEquals(TypeLayout.TP_BASE_OFFSET, offset(t, "tp_base"));
        assertEquals(TypeLayout.TP_WEAKLIST_OFFSET, offset(t, "tp_weaklist"));
        assertEquals(TypeLayout.TP_VERSION_TAG_OFFSET, offset(t, "tp_version_tag"));
    }

    @Test
    void builtinConstantsMatchTheStructLayouts() {
        assertEquals(BuiltinLayouts.OB_DIGIT_OFFSET, offset(BuiltinLayouts.PY_LONG_OBJECT, "ob_digit"));
        assertEquals(28, BuiltinLayouts.PY_LONG_OBJECT.byteSize());
        assertEquals(BuiltinLayouts.OB_FVAL_OFFSET, offset(BuiltinLayouts.PY_FLOAT_OBJECT, "ob_fval"));
        assertEquals(BuiltinLayouts.FLOAT_LENGTH, BuiltinLayouts.PY_FLOAT_OBJECT.byteSize());
        assertEquals(BuiltinLayouts.OB_SHASH_OFFSET, offset(BuiltinLayouts.PY_BYTES_OBJECT, "ob_shash"));
        assertEquals(BuiltinLayouts.OB_SVAL_OFFSET, offset(BuiltinLayouts.PY_BYTES_OBJECT, "ob_sval"));
        assertEquals(BuiltinLayouts.BYTES_BASE_LENGTH, BuiltinLayouts.PY_BYTES_OBJECT.byteSize());
        assertEquals(BuiltinLayouts.TUPLE_ITEMS_OFFSET, offset(BuiltinLayouts.PY_TUPLE_OBJECT, "ob_item"));
        assertEquals(BuiltinLayouts.LIST_ITEMS_OFFSET, offset(BuiltinLayouts.PY_LIST_OBJECT, "ob_item"));
        assertEquals(BuiltinLayouts.LIST_ALLOCATED_OFFSET, offset(BuiltinLayouts.PY_LIST_OBJECT, "allocated"));
        assertEquals(BuiltinLayouts.LIST_LENGTH, BuiltinLayouts.PY_LIST_OBJECT.byteSize());
        assertEquals(BuiltinLayouts.MA_USED_OFFSET, offset(BuiltinLayouts.PY_DICT_OBJECT, "ma_used"));
        assertEquals(BuiltinLayouts.MA_VERSION_TAG_OFFSET, offset(BuiltinLayouts.PY_DICT_OBJECT, "ma_version_tag"));
        assertEquals(BuiltinLayouts.MA_KEYS_OFFSET, offset(BuiltinLayouts.PY_DICT_OBJECT, "ma_keys"));
        assertEquals(BuiltinLayouts.MA_VALUES_OFFSET, offset(BuiltinLayouts.PY_DICT_OBJECT, "ma_values"));
        assertEquals(BuiltinLayouts.DICT_LENGTH, BuiltinLayouts.PY_DICT_OBJECT.byteSize());
    }

    @Test
    void strAndDictKeysConstantsMatchTheStructLayouts() {
        assertEquals(StrLayout.LENGTH_OFFSET, offset(StrLayout.PY_ASCII_OBJECT, "length"));
        assertEquals(StrLayout.HASH_OFFSET, offset(StrLayout.PY_ASCII_OBJECT, "hash"));
        assertEquals(StrLayout.STATE_OFFSET, offset(StrLayout.PY_ASCII_OBJECT, "state"));
        assertEquals(StrLayout.WSTR_OFFSET, offset(StrLayout.PY_ASCII_OBJECT, "wstr"));
        assertEquals(StrLayout.ASCII_LENGTH, StrLayout.PY_ASCII_OBJECT.byteSize());
        assertEquals(StrLayout.UTF8_LENGTH_OFFSET, offset(StrLayout.PY_COMPACT_UNICODE_OBJECT, "utf8_length"));
        assertEquals(StrLayout.UTF8_OFFSET, offset(StrLayout.PY_COMPACT_UNICODE_OBJECT, "utf8"));
        assertEquals(StrLayout.WSTR_LENGTH_OFFSET, offset(StrLayout.PY_COMPACT_UNICODE_OBJECT, "wstr_length"));
        assertEquals(StrLayout.COMPACT_LENGTH, StrLayout.PY_COMPACT_UNICODE_OBJECT.byteSize());
        MemoryLayout k = DictKeysLayout.PY_DICT_KEYS_OBJECT;
        assertEquals(DictKeysLayout.DK_REFCNT_OFFSET, offset(k, "dk_refcnt"));
        assertEquals(DictKeysLayout.DK_LOG2_SIZE_OFFSET, offset(k, "dk_log2_size"));
        assertEquals(DictKeysLayout.DK_LOG2_INDEX_BYTES_OFFSET, offset(k, "dk_log2_index_bytes"));
        assertEquals(DictKeysLayout.DK_KIND_OFFSET, offset(k, "dk_kind"));
        assertEquals(DictKeysLayout.DK_VERSION_OFFSET, offset(k, "dk_version"));
        assertEquals(DictKeysLayout.DK_USABLE_OFFSET, offset(k, "dk_usable"));
        assertEquals(DictKeysLayout.DK_NENTRIES_OFFSET, offset(k, "dk_nentries"));
        assertEquals(DictKeysLayout.DK_INDICES_OFFSET, k.byteSize());
        assertEquals(DictKeysLayout.GENERAL_ENTRY_LENGTH, DictKeysLayout.PY_DICT_KEY_ENTRY.byteSize());
        assertEquals(DictKeysLayout.UNICODE_ENTRY_LENGTH, DictKeysLayout.PY_DICT_UNICODE_ENTRY.byteSize());
    }

    @Test
    void liveObjectsReadBackThroughTheLayouts() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long f = space.floats().newFloat(2.5);
            assertEquals(1, getLong(f + ObjectHeader.OB_REFCNT_OFFSET));
            long floatType = getLong(f + ObjectHeader.OB_TYPE_OFFSET);
            assertEquals(space.type(f), floatType);
            assertEquals(Double.doubleToRawLongBits(2.5), getLong(f + BuiltinLayouts.OB_FVAL_OFFSET));
            // type(type) is type; object is the base; names are C strings
            long typeType = getLong(floatType + ObjectHeader.OB_TYPE_OFFSET);
            assertEquals(typeType, getLong(typeType + ObjectHeader.OB_TYPE_OFFSET));
            long object = getLong(floatType + TypeLayout.TP_BASE_OFFSET);
            assertEquals(0, getLong(object + TypeLayout.TP_BASE_OFFSET));
            assertEquals(object, getLong(typeType + TypeLayout.TP_BASE_OFFSET));
            assertEquals("float", cString(getLong(floatType + TypeLayout.TP_NAME_OFFSET)));
            assertEquals("object", cString(getLong(object + TypeLayout.TP_NAME_OFFSET)));
            assertEquals(24, getLong(floatType + TypeLayout.TP_BASICSIZE_OFFSET));
            assertEquals(0, getLong(floatType + TypeLayout.TP_FLAGS_OFFSET) & TypeLayout.HAVE_GC);

            long l = space.lists().newList();
            long listType = space.type(l);
            assertEquals(TypeLayout.HAVE_GC, getLong(listType + TypeLayout.TP_FLAGS_OFFSET) & TypeLayout.HAVE_GC);
            // tracked, alone in generation 0: both links point at the generation's sentinel head
            long next = getLong(l - ObjectHeader.GC_HEAD_LENGTH + ObjectHeader.GC_NEXT_OFFSET);
            assertTrue(next != 0, "tracked");
            assertEquals(next, getLong(l - ObjectHeader.GC_HEAD_LENGTH + ObjectHeader.GC_PREV_OFFSET));
            assertEquals(0, getLong(l + BuiltinLayouts.LIST_ITEMS_OFFSET));
            long bigInt = space.ints().newInt(-(1L << 40));
            assertEquals(-2, getLong(bigInt + ObjectHeader.OB_SIZE_OFFSET));
            assertEquals(0, getInt(bigInt + BuiltinLayouts.OB_DIGIT_OFFSET));
            assertEquals(1 << 10, getInt(bigInt + BuiltinLayouts.OB_DIGIT_OFFSET + 4));
            long s = space.strs().newStr("h\u20acy");
            int state = getInt(s + StrLayout.STATE_OFFSET);
            assertEquals(2, (state & StrLayout.KIND_MASK) >> StrLayout.KIND_SHIFT);
            assertEquals(0, state & StrLayout.ASCII);
            assertEquals(StrLayout.COMPACT | StrLayout.READY, state & (StrLayout.COMPACT | StrLayout.READY));
            assertEquals(3, getLong(s + StrLayout.LENGTH_OFFSET));
            assertEquals((byte) 0xAC, getByte(s + StrLayout.COMPACT_LENGTH + 2));
            assertEquals((byte) 0x20, getByte(s + StrLayout.COMPACT_LENGTH + 3));
            for (long o : new long[] {f, l, bigInt, s}) {
                space.decref(o);
            }
        }
    }

    private static String cString(long address) {
        StringBuilder s = new StringBuilder();
        for (long p = address; getByte(p) != 0; p++) {
            s.append((char) getByte(p));
        }
        return s.toString();
    }
}
