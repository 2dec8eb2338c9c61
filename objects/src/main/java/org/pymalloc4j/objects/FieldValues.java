package org.pymalloc4j.objects;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.GcHead;

import static java.util.Map.entry;
import static org.pymalloc4j.allocator.internal.NativeMemory.getByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.objects.TypeLayout.TP_NAME_OFFSET;

/**
 * The C type of each field of the layouts, and its value decoded for a reader: addresses with
 * what they point at, flags by name, counts with their unit. Field names are CPython's, as the
 * FFM layouts name them; one name means one thing in every structure here.
 */
final class FieldValues {
    private static final Map<String, String> C_TYPES = Map.ofEntries(
            entry("ob_refcnt", "Py_ssize_t"), entry("ob_type", "PyTypeObject*"), entry("ob_size", "Py_ssize_t"),
            entry("ob_fval", "double"), entry("ob_digit", "digit"), entry("ob_shash", "Py_hash_t"),
            entry("ob_item", "PyObject*"), entry("allocated", "Py_ssize_t"), entry("ma_used", "Py_ssize_t"),
            entry("ma_version_tag", "uint64_t"), entry("ma_keys", "PyDictKeysObject*"),
            entry("ma_values", "PyDictValues*"), entry("length", "Py_ssize_t"), entry("hash", "Py_hash_t"),
            entry("state", "uint32_t bits"), entry("wstr", "wchar_t*"), entry("utf8_length", "Py_ssize_t"),
            entry("utf8", "char*"), entry("wstr_length", "Py_ssize_t"), entry("tp_name", "const char*"),
            entry("tp_basicsize", "Py_ssize_t"), entry("tp_itemsize", "Py_ssize_t"), entry("tp_dealloc", "destructor"),
            entry("tp_flags", "unsigned long"), entry("tp_doc", "const char*"), entry("tp_traverse", "traverseproc"),
            entry("tp_clear", "inquiry"), entry("tp_weaklistoffset", "Py_ssize_t"), entry("tp_base", "PyTypeObject*"),
            entry("tp_weaklist", "PyObject*"), entry("tp_version_tag", "unsigned int"),
            entry("_gc_next", "uintptr_t"), entry("_gc_prev", "uintptr_t"), entry("dk_refcnt", "Py_ssize_t"),
            entry("dk_log2_size", "uint8_t"), entry("dk_log2_index_bytes", "uint8_t"), entry("dk_kind", "uint8_t"),
            entry("dk_version", "uint32_t"), entry("dk_usable", "Py_ssize_t"), entry("dk_nentries", "Py_ssize_t"),
            entry("me_hash", "Py_hash_t"), entry("me_key", "PyObject*"), entry("me_value", "PyObject*"),
            entry("slot", "PyObject*"), entry("wr_object", "PyObject*"), entry("wr_callback", "PyObject*"),
            entry("wr_prev", "PyWeakReference*"), entry("wr_next", "PyWeakReference*"),
            entry("vectorcall", "vectorcallfunc"), entry("__weakref__", "PyWeakReference*"));

    /**
     * {@code tp_flags} bits by name, as 3.11's {@code Include/object.h} names them (without
     * {@code Py_TPFLAGS_}): every bit the built-ins' {@code __flags__} have, not only those this
     * code sets or tests, so no bit of a built-in is left as bare hex.
     */
    private static final Map<Long, String> TYPE_FLAGS = Map.ofEntries(
            entry(1L << 4, "MANAGED_DICT"), entry(1L << 5, "SEQUENCE"), entry(1L << 6, "MAPPING"),
            entry(1L << 7, "DISALLOW_INSTANTIATION"), entry(TypeLayout.IMMUTABLETYPE, "IMMUTABLETYPE"),
            entry(TypeLayout.HEAPTYPE, "HEAPTYPE"), entry(TypeLayout.BASETYPE, "BASETYPE"),
            entry(1L << 11, "HAVE_VECTORCALL"), entry(TypeLayout.READY, "READY"), entry(1L << 13, "READYING"),
            entry(TypeLayout.HAVE_GC, "HAVE_GC"), entry(1L << 17, "METHOD_DESCRIPTOR"),
            entry(TypeLayout.HAVE_VERSION_TAG, "HAVE_VERSION_TAG"), entry(TypeLayout.VALID_VERSION_TAG, "VALID_VERSION_TAG"),
            entry(1L << 20, "IS_ABSTRACT"), entry(1L << 22, "MATCH_SELF"), entry(1L << 24, "LONG_SUBCLASS"),
            entry(1L << 25, "LIST_SUBCLASS"), entry(1L << 26, "TUPLE_SUBCLASS"), entry(1L << 27, "BYTES_SUBCLASS"),
            entry(1L << 28, "UNICODE_SUBCLASS"), entry(1L << 29, "DICT_SUBCLASS"),
            entry(1L << 30, "BASE_EXC_SUBCLASS"), entry(1L << 31, "TYPE_SUBCLASS"));

    private final ObjectSpace space;

    FieldValues(ObjectSpace space) {
        this.space = space;
    }

    /** The C type of a field; element fields ({@code ob_digit[3]}) by their array's name. */
    static String cType(String field) {
        if (field.equals("ob_item")) {
            return "PyObject**"; // a list's pointer to its array; a tuple's elements are ob_item[i]
        }
        int bracket = field.indexOf('[');
        String name = bracket < 0 ? field : field.substring(0, bracket);
        String type = C_TYPES.get(name);
        if (type == null) {
            throw new IllegalArgumentException("no C type recorded for the field " + field);
        }
        return type;
    }

    /** The value {@code raw} (the field's bits, zero-extended) of {@code field}, decoded. */
    String describe(String field, long raw) {
        String name = field.indexOf('[') < 0 ? field : field.substring(0, field.indexOf('['));
        return switch (name) {
            case "ob_refcnt" -> raw >= Core.IMMORTAL_REFCNT ? raw + " (static object: immortal)" : Long.toString(raw);
            case "ob_type", "tp_base" -> raw == 0 ? "0 (NULL)" : hex(raw) + " (" + typeName(raw) + ")";
            case "ob_fval" -> PyRepr.ofFloat(Double.longBitsToDouble(raw)) + " (" + hex(raw) + ")";
            case "ob_digit" -> raw + " (× 2^" + 30 * index(field) + ")";
            case "ob_shash", "hash" -> raw == -1 ? "-1 (not computed yet)" : Long.toString(raw);
            case "ob_item" -> field.equals(name) ? arrayPointer(raw) : object(raw);
            case "me_key", "me_value", "slot" -> object(raw);
            case "wr_object" -> object(raw) + (raw == space.none() ? ": dead, its referent is gone" : "");
            case "wr_callback" -> "0 (NULL: a callback, if any, is Java code the space keeps)";
            case "wr_prev", "wr_next", "__weakref__", "tp_weaklist" -> raw == 0 ? "0 (NULL)" : hex(raw) + " (a weakref)";
            case "tp_weaklistoffset" -> raw == 0 ? "0 (instances cannot be weakly referenced)"
                    : raw + " (where an instance keeps the head of its weakref list)";
            case "vectorcall" -> "0 (NULL)";
            case "state" -> strState(raw);
            case "wstr", "utf8" -> raw == 0 ? "0 (NULL: no cached encoding)" : hex(raw);
            case "ma_keys" -> hex(raw) + " (its keys object, below)";
            case "ma_values" -> raw == 0 ? "0 (NULL: a combined table)" : hex(raw);
            case "tp_name" -> hex(raw) + " (\"" + cString(raw) + "\")";
            case "tp_dealloc", "tp_traverse", "tp_clear" -> raw == 0 ? "0 (NULL: the behaviour is Java code)" : hex(raw);
            case "tp_doc" -> raw == 0 ? "0 (NULL)" : hex(raw);
            case "tp_flags" -> hex(raw) + " (" + typeFlags(raw) + ")";
            case "tp_version_tag" -> raw + " (row of the space's Java behaviour table)";
            case "_gc_next" -> gcNext(raw);
            case "_gc_prev" -> gcPrev(raw);
            case "dk_log2_size" -> raw + " (" + (1L << raw) + " index slots)";
            case "dk_log2_index_bytes" -> raw + " (" + (1L << raw) + " bytes of indices)";
            case "dk_kind" -> raw == DictKeysLayout.KIND_GENERAL ? "0 (general: hash, key, value)"
                    : raw == DictKeysLayout.KIND_UNICODE ? "1 (unicode: every key an exact str)" : raw + " (unknown kind!)";
            case "dk_usable" -> raw + " (entries still free)";
            case "dk_nentries" -> raw + " (entries used, deleted ones included)";
            default -> Long.toString(raw);
        };
    }

    /** An object's address with its type's name, or why it is not a live object. */
    String object(long address) {
        if (address == 0) {
            return "0 (NULL)";
        }
        try {
            return hex(address) + " (" + space.typeName(address) + ")";
        } catch (RuntimeException e) {
            return hex(address) + " (not a live object: " + e.getMessage() + ")";
        }
    }

    private static String arrayPointer(long raw) {
        return raw == 0 ? "0 (NULL: no items allocated)" : hex(raw) + " (its item array, below)";
    }

    private static String gcNext(long raw) {
        if (raw == 0) {
            return "0 (untracked)";
        }
        String flags = (raw & GcHead.NEXT_MASK_UNREACHABLE) != 0 ? ", flag UNREACHABLE" : "";
        return hex(raw & ~GcHead.NEXT_MASK_UNREACHABLE) + " (tracked: the next GC head in its generation" + flags + ")";
    }

    private static String gcPrev(long raw) {
        List<String> flags = new ArrayList<>();
        if ((raw & GcHead.PREV_MASK_FINALIZED) != 0) {
            flags.add("FINALIZED");
        }
        if ((raw & GcHead.PREV_MASK_COLLECTING) != 0) {
            flags.add("COLLECTING");
        }
        long pointer = raw & GcHead.PREV_MASK;
        if (raw == 0) {
            return "0 (untracked: no links, no flags)";
        }
        String what = pointer == 0 ? "0 (no previous head" : hex(pointer) + " (the previous GC head";
        return what + (flags.isEmpty() ? ", no flags)" : ", flags " + String.join(" | ", flags) + ")");
    }

    private static String strState(long raw) {
        int interned = (int) raw & StrLayout.INTERNED_MASK;
        int kind = ((int) raw & StrLayout.KIND_MASK) >>> StrLayout.KIND_SHIFT;
        StringBuilder b = new StringBuilder(hex(raw)).append(" (");
        b.append(switch (interned) {
            case StrLayout.NOT_INTERNED -> "not interned";
            case StrLayout.INTERNED_MORTAL -> "interned";
            case StrLayout.INTERNED_IMMORTAL -> "interned, immortal";
            default -> "interned=" + interned + "!";
        });
        b.append(", kind ").append(kind);
        if ((raw & StrLayout.COMPACT) != 0) {
            b.append(", compact");
        }
        if ((raw & StrLayout.ASCII) != 0) {
            b.append(", ascii");
        }
        if ((raw & StrLayout.READY) != 0) {
            b.append(", ready");
        }
        return b.append(')').toString();
    }

    private static String typeFlags(long raw) {
        List<String> names = new ArrayList<>();
        long rest = raw;
        for (int bit = 0; bit < 64; bit++) {
            String name = TYPE_FLAGS.get(1L << bit);
            if (name != null && (raw & (1L << bit)) != 0) {
                names.add(name);
                rest &= ~(1L << bit);
            }
        }
        if (rest != 0) {
            names.add(hex(rest));
        }
        return names.isEmpty() ? "none" : String.join(" | ", names);
    }

    /** The name of the type object at {@code type}, read from its {@code tp_name}. */
    static String typeName(long type) {
        return cString(getLong(type + TP_NAME_OFFSET));
    }

    /** A NUL-terminated UTF-8 string, at most 200 bytes of it, a longer one cut between characters. */
    static String cString(long address) {
        byte[] bytes = new byte[200];
        int n = 0;
        while (n < bytes.length && (bytes[n] = getByte(address + n)) != 0) {
            n++;
        }
        if (n < bytes.length || getByte(address + n) == 0) {
            return new String(bytes, 0, n, StandardCharsets.UTF_8);
        }
        while (n > 0 && (getByte(address + n) & 0xC0) == 0x80) { // the first byte left out continues a character
            n--;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8) + "…";
    }

    static String hex(long v) {
        return String.format(Locale.ROOT, "0x%x", v);
    }

    private static int index(String element) {
        return Integer.parseInt(element.substring(element.indexOf('[') + 1, element.indexOf(']')));
    }
}
