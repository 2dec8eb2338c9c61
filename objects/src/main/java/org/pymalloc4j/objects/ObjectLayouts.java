package org.pymalloc4j.objects;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.objects.internal.Strs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.pymalloc4j.allocator.internal.NativeMemory.getByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.objects.FieldValues.hex;

/**
 * The layout of a live native object in JOL's table form ({@code OFF  SZ  TYPE  DESCRIPTION
 * VALUE}), with every value read from native memory: refcount, type, {@code ob_size}, an int's
 * 30-bit digits, a str's state bits and characters, items as addresses with their types' names,
 * a GC object's {@code PyGC_Head} links and flags, padding, and under the table the block the
 * object lives in with the bytes its size class loses to quantization.
 *
 * <pre>
 *  try (ObjectSpace space = ObjectSpace.create()) {
 *      long f = space.floats().newFloat(1.5);
 *      System.out.print(ObjectLayouts.of(space, f));        // the table of a PyFloatObject
 *      space.decref(f);
 *  }
 * </pre>
 *
 * The rows come from the FFM layouts ({@link ObjectHeader}, {@link BuiltinLayouts},
 * {@link StrLayout}, {@link TypeLayout}, {@link DictKeysLayout}); the blocks an object owns (a
 * list's item array, a dict's keys object) have tables of their own from {@link #ownedBlocks}.
 * Reading only: nothing is allocated or changed. Needs a checked space, whose validation tells a
 * live object from a freed or foreign address before anything is read.
 */
public final class ObjectLayouts {
    /** The debug hooks' bytes before a block's data (size word, API id, pad) and after it: CPython's 2 and 1 SST. */
    private static final int DEBUG_HEADER = 16;
    private static final int DEBUG_TRAILER = 8;
    /**
     * The characters or bytes of a str or bytes value a row shows, "…" included: only those are
     * read, however long the value (a 100 MB bytes object once was copied whole to show a row).
     */
    private static final int SHOWN = 48;

    private ObjectLayouts() {
    }

    /**
     * The table of the object at {@code o}: a type object's too ({@code PyTypeObject}).
     *
     * @throws FreedObjectException  if {@code o} is not a live object of {@code space} (freed,
     *                               foreign, or not an object's start)
     * @throws NullPointerException  if {@code o} is 0
     * @throws IllegalStateException if {@code space} is closed, or not checked
     */
    public static LayoutTable of(ObjectSpace space, long o) {
        String typeName = checkedTypeName(space, o);
        long type = space.type(o);
        boolean gc = isGc(type);
        FieldValues values = new FieldValues(space);
        LayoutRows rows = new LayoutRows(o, values);
        if (gc) {
            rows.struct(ObjectHeader.PY_GC_HEAD, o - ObjectHeader.GC_HEAD_LENGTH);
        }
        String struct = fields(space, o, type, typeName, rows);
        long block = gc ? o - ObjectHeader.GC_HEAD_LENGTH : o;
        String title = String.format(Locale.ROOT, "%s object at %s (%s%s)", typeName, hex(o), struct,
                gc ? ", with the PyGC_Head before it: its block starts at " + hex(block) : "");
        List<String> summary = new ArrayList<>();
        String sizeOf = String.valueOf(space.sizeOf(o));
        // o is a class if its type is `type` (the one type whose type is itself), not any type named so
        if (space.type(type) == type && isHeapType(o)) { // a known difference (objects/README.md), said where it shows
            long heapType = getLong(type + TypeLayout.TP_BASICSIZE_OFFSET); // type's basicsize: sizeof(PyHeapTypeObject)
            sizeOf += String.format(Locale.ROOT, " here; %d in CPython, where a class is a %d-byte PyHeapTypeObject",
                    ObjectHeader.GC_HEAD_LENGTH + heapType, heapType);
        }
        summary.add(String.format(Locale.ROOT, "Object size: %d bytes in its block (sys.getsizeof: %s)",
                rows.span(), sizeOf));
        summary.addAll(blockLines(space, block, space.isStatic(o), rows)); // by address: decrefs may have taken the refcount below its start
        return new LayoutTable(title, rows.rows(), summary);
    }

    /**
     * The tables of the blocks {@code o} owns apart from its own: a list's item array (MEM
     * domain), a dict's keys object (for an empty dict, the static empty keys object all empty
     * dicts share, said so in the title). Empty for other objects and for a list with no array.
     *
     * @throws FreedObjectException  if {@code o} is not a live object of {@code space}
     * @throws NullPointerException  if {@code o} is 0
     * @throws IllegalStateException if {@code space} is closed, or not checked
     */
    public static List<LayoutTable> ownedBlocks(ObjectSpace space, long o) {
        String typeName = checkedTypeName(space, o);
        if (isHeapType(space.type(o))) {
            return List.of();
        }
        FieldValues values = new FieldValues(space);
        return switch (typeName) {
            case "list" -> listItems(space, o, values);
            case "dict" -> List.of(dictKeys(space, o, values));
            default -> List.of();
        };
    }

    private static String checkedTypeName(ObjectSpace space, long o) {
        if (!space.isChecked()) {
            if (space.isClosed()) {
                throw new IllegalStateException("this ObjectSpace is closed");
            }
            throw new IllegalStateException("ObjectLayouts needs a checked space, to tell a live object from a "
                    + "freed or foreign address before reading it: ObjectSpace.builder().checked(true)");
        }
        return space.typeName(o); // checked: refuses a closed space (saying why) and anything but a live object
    }

    /** Adds the object's own rows; returns the name of its C struct. */
    private static String fields(ObjectSpace space, long o, long type, String typeName, LayoutRows rows) {
        if (isHeapType(type)) {
            long slots = getLong(type + ObjectHeader.OB_SIZE_OFFSET);
            rows.struct(ObjectHeader.PY_OBJECT, o).array("slot", ADDRESS, o + BuiltinLayouts.SLOTS_OFFSET, slots);
            long weaklist = getLong(type + TypeLayout.TP_WEAKLISTOFFSET_OFFSET);
            String withSlots = "an instance of a class with " + slots + (slots == 1 ? " slot" : " slots");
            if (weaklist > 0) {
                rows.struct(WEAKLIST, o + weaklist);
                return withSlots + " and __weakref__: PyObject + PyObject*[" + slots + "] + PyWeakReference*";
            }
            return withSlots + ": PyObject + PyObject*[" + slots + "]";
        }
        switch (typeName) {
            case "float" -> rows.struct(BuiltinLayouts.PY_FLOAT_OBJECT, o);
            case "int", "bool" -> {
                long digits = Math.max(1, Math.abs(getLong(o + ObjectHeader.OB_SIZE_OFFSET)));
                rows.struct(BuiltinLayouts.PY_LONG_OBJECT, o).array("ob_digit", JAVA_INT, o + BuiltinLayouts.OB_DIGIT_OFFSET, digits);
                if (digits == 1) { // made in sizeof(PyLongObject), 32 (_PyLong_FromMedium): the struct's tail padding
                    rows.add(o + BuiltinLayouts.OB_DIGIT_OFFSET + 4, 4, "", LayoutTable.PADDING, "");
                }
                return "PyLongObject, " + digits + (digits == 1 ? " digit" : " digits") + " of 30 bits";
            }
            case "bytes" -> {
                long n = getLong(o + ObjectHeader.OB_SIZE_OFFSET);
                byte[] shown = new byte[(int) Math.min(n, SHOWN + 1)]; // what the repr shows and one more, to cut it
                for (int i = 0; i < shown.length; i++) {
                    shown[i] = getByte(o + BuiltinLayouts.OB_SVAL_OFFSET + i);
                }
                rows.struct(BuiltinLayouts.PY_BYTES_OBJECT, o).add(o + BuiltinLayouts.OB_SVAL_OFFSET, n + 1,
                        "char[" + (n + 1) + "]", "ob_sval", PyRepr.bytes(shown, SHOWN) + " + NUL");
            }
            case "str" -> {
                return str(space, o, rows);
            }
            case "tuple" -> {
                long n = getLong(o + ObjectHeader.OB_SIZE_OFFSET);
                rows.struct(BuiltinLayouts.PY_TUPLE_OBJECT, o).array("ob_item", ADDRESS, o + BuiltinLayouts.TUPLE_ITEMS_OFFSET, n);
            }
            case "list" -> rows.struct(BuiltinLayouts.PY_LIST_OBJECT, o);
            case "dict" -> rows.struct(BuiltinLayouts.PY_DICT_OBJECT, o);
            case "type" -> rows.struct(TypeLayout.PY_TYPE_OBJECT, o);
            case "weakref.ReferenceType" -> rows.struct(BuiltinLayouts.PY_WEAK_REFERENCE, o);
            default -> rows.struct(ObjectHeader.PY_OBJECT, o);
        }
        return structName(typeName);
    }

    /** An instance's {@code __weakref__} slot: the head of the list of weakrefs to it. */
    private static final StructLayout WEAKLIST = MemoryLayout.structLayout(ADDRESS.withName("__weakref__"));

    private static String structName(String typeName) {
        return switch (typeName) {
            case "float" -> BuiltinLayouts.PY_FLOAT_OBJECT.name().orElseThrow();
            case "bytes" -> BuiltinLayouts.PY_BYTES_OBJECT.name().orElseThrow();
            case "tuple" -> BuiltinLayouts.PY_TUPLE_OBJECT.name().orElseThrow();
            case "list" -> BuiltinLayouts.PY_LIST_OBJECT.name().orElseThrow();
            case "dict" -> BuiltinLayouts.PY_DICT_OBJECT.name().orElseThrow();
            case "type" -> TypeLayout.PY_TYPE_OBJECT.name().orElseThrow();
            case "weakref.ReferenceType" -> BuiltinLayouts.PY_WEAK_REFERENCE.name().orElseThrow();
            default -> ObjectHeader.PY_OBJECT.name().orElseThrow();
        };
    }

    private static String str(ObjectSpace space, long o, LayoutRows rows) {
        int state = getInt(o + StrLayout.STATE_OFFSET);
        boolean ascii = (state & StrLayout.ASCII) != 0;
        int kind = (state & StrLayout.KIND_MASK) >>> StrLayout.KIND_SHIFT;
        long length = getLong(o + StrLayout.LENGTH_OFFSET);
        StructLayout header = ascii ? StrLayout.PY_ASCII_OBJECT : StrLayout.PY_COMPACT_UNICODE_OBJECT;
        rows.struct(header, o);
        int[] shown = new int[(int) Math.min(length, SHOWN + 1)]; // as for bytes: not the whole value
        for (int i = 0; i < shown.length; i++) {
            shown[i] = Strs.codePoint(o, i);
        }
        rows.add(o + header.byteSize(), (length + 1) * kind, "Py_UCS" + kind + "[" + (length + 1) + "]", "data",
                PyRepr.str(shown, SHOWN) + " + NUL");
        return header.name().orElseThrow() + ", " + length + (length == 1 ? " character" : " characters")
                + " of " + kind + (kind == 1 ? " byte" : " bytes");
    }

    private static List<LayoutTable> listItems(ObjectSpace space, long list, FieldValues values) {
        long items = getLong(list + BuiltinLayouts.LIST_ITEMS_OFFSET);
        if (items == 0) {
            return List.of();
        }
        long size = getLong(list + ObjectHeader.OB_SIZE_OFFSET);
        long allocated = getLong(list + BuiltinLayouts.LIST_ALLOCATED_OFFSET);
        LayoutRows rows = new LayoutRows(items, values).array("ob_item", ADDRESS, items, size);
        if (allocated > size) {
            rows.add(items + 8 * size, 8 * (allocated - size), "PyObject*[" + (allocated - size) + "]",
                    "ob_item[" + size + ".." + (allocated - 1) + "]", "allocated, not in use (over-allocation)");
        }
        String title = String.format(Locale.ROOT, "ob_item array of the list at %s: %d of %d slots in use "
                + "(PyMem_Realloc, MEM domain), offsets from %s", hex(list), size, allocated, hex(items));
        List<String> summary = new ArrayList<>();
        summary.add("Array size: " + rows.span() + " bytes (8 × allocated)");
        summary.addAll(blockLines(space, items, false, rows));
        return List.of(new LayoutTable(title, rows.rows(), summary));
    }

    private static LayoutTable dictKeys(ObjectSpace space, long dict, FieldValues values) {
        long keys = getLong(dict + BuiltinLayouts.MA_KEYS_OFFSET);
        LayoutRows rows = new LayoutRows(keys, values).struct(DictKeysLayout.PY_DICT_KEYS_OBJECT, keys);
        int log2Size = getByte(keys + DictKeysLayout.DK_LOG2_SIZE_OFFSET);
        int log2IndexBytes = getByte(keys + DictKeysLayout.DK_LOG2_INDEX_BYTES_OFFSET);
        long slots = 1L << log2Size;
        long indexBytes = 1L << log2IndexBytes;
        int width = (int) (indexBytes / slots);
        long indices = keys + DictKeysLayout.DK_INDICES_OFFSET;
        rows.add(indices, indexBytes, "int" + 8 * width + "_t[" + slots + "]", "dk_indices",
                indexList(indices, slots, width));
        boolean general = getByte(keys + DictKeysLayout.DK_KIND_OFFSET) == DictKeysLayout.KIND_GENERAL;
        StructLayout entry = general ? DictKeysLayout.PY_DICT_KEY_ENTRY : DictKeysLayout.PY_DICT_UNICODE_ENTRY;
        long used = getLong(keys + DictKeysLayout.DK_NENTRIES_OFFSET);
        long usable = used + getLong(keys + DictKeysLayout.DK_USABLE_OFFSET);
        long first = indices + indexBytes;
        long shown = Math.min(used, LayoutRows.MAX_ELEMENTS / 3);
        for (long i = 0; i < shown; i++) {
            rows.struct(entry, first + i * entry.byteSize());
        }
        if (used > shown) {
            rows.add(first + shown * entry.byteSize(), (used - shown) * entry.byteSize(),
                    entry.name().orElseThrow() + "[" + (used - shown) + "]", "entries[" + shown + ".." + (used - 1) + "]",
                    (used - shown) + " more, not shown");
        }
        if (usable > used) {
            rows.add(first + used * entry.byteSize(), (usable - used) * entry.byteSize(),
                    entry.name().orElseThrow() + "[" + (usable - used) + "]", "entries[" + used + ".." + (usable - 1) + "]",
                    "free (usable_fraction of the table)");
        }
        boolean shared = space.isStatic(keys);
        String title = String.format(Locale.ROOT, "ma_keys of the dict at %s: %s at %s (%s)", hex(dict),
                DictKeysLayout.PY_DICT_KEYS_OBJECT.name().orElseThrow(), hex(keys),
                shared ? "the static empty keys object every empty dict shares" : used + " of " + usable + " usable entries used");
        List<String> summary = new ArrayList<>();
        summary.add("Keys object size: " + rows.span() + " bytes (32 + indices + usable entries)");
        summary.addAll(blockLines(space, keys, shared, rows));
        return new LayoutTable(title, rows.rows(), summary);
    }

    private static String indexList(long indices, long slots, int width) {
        StringBuilder b = new StringBuilder("[");
        long shown = Math.min(slots, 32);
        for (long i = 0; i < shown; i++) {
            long at = indices + i * width;
            long v = switch (width) {
                case 1 -> getByte(at);
                case 2 -> (short) (getByte(at) & 0xFF | getByte(at + 1) << 8);
                case 4 -> getInt(at);
                default -> getLong(at);
            };
            b.append(i == 0 ? "" : ", ").append(v == -1 ? "-" : v == -2 ? "dummy" : Long.toString(v));
        }
        return b.append(shown < slots ? ", …]" : "]").append(" (entry numbers; - empty)").toString();
    }

    /** Where the block holding {@code rows} comes from, what its size class loses, and the space losses. */
    private static List<String> blockLines(ObjectSpace space, long block, boolean isStatic, LayoutRows rows) {
        long used = rows.span();
        long padding = new LayoutTable("", rows.rows(), List.of()).paddingBytes();
        Memory memory = space.memory();
        PyMalloc heap = memory.hasPymalloc() ? memory.pymalloc() : null;
        Optional<AllocatorName> serving = memory.allocatorNameBeneathTracer();
        // under the debug hooks the heap's block starts at their header, before the object's
        boolean hooks = serving.map(AllocatorName::hasDebugHooks).orElse(false);
        long base = hooks ? block - DEBUG_HEADER : block;
        String around = hooks ? String.format(Locale.ROOT, ", holding the debug hooks' %d-byte header before the object "
                + "and %d bytes after it", DEBUG_HEADER, DEBUG_TRAILER) : "";
        long slack = 0;
        String line;
        if (isStatic) {
            line = "Block: none of its own: a static object, in the space's RAW block of statically allocated objects";
        } else if (heap != null && heap.isArenaAddress(base) && heap.isLive(base)) {
            long usable = heap.usableSize(base);
            int sizeClass = Geometry.sizeClass(usable);
            slack = usable - used - (hooks ? DEBUG_HEADER + DEBUG_TRAILER : 0);
            line = String.format(Locale.ROOT, "Block: %d bytes at %s, size class %d of the pymalloc heap%s: "
                    + "%d bytes lost to quantization", usable, hex(base), sizeClass, around, slack);
        } else if (heap != null && heap.isLive(base)) {
            long size = heap.usableSize(base); // 0: a list popped to empty keeps a 0-byte array, as 3.11
            String why = size == 0 ? "a 0-byte request, pymalloc serving 1 to" : "over";
            line = String.format(Locale.ROOT, "Block: %d bytes at %s, a raw block from malloc%s (%s %d bytes: "
                    + "no size class, nothing lost to quantization)", size, hex(base), around, why,
                    Geometry.SMALL_REQUEST_THRESHOLD);
        } else {
            line = String.format(Locale.ROOT, "Block: at %s, from the %s allocator, which keeps no size class here",
                    hex(block), serving.map(AllocatorName::toString).orElse("custom"));
        }
        return List.of(line, String.format(Locale.ROOT, "Space losses: %d bytes internal + %d bytes external = "
                + "%d bytes total", padding, slack, padding + slack));
    }

    private static boolean isGc(long type) {
        return (getLong(type + TypeLayout.TP_FLAGS_OFFSET) & TypeLayout.HAVE_GC) != 0;
    }

    private static boolean isHeapType(long type) {
        return (getLong(type + TypeLayout.TP_FLAGS_OFFSET) & TypeLayout.HEAPTYPE) != 0;
    }
}
