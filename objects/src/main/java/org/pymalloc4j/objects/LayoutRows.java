package org.pymalloc4j.objects;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.pymalloc4j.allocator.internal.NativeMemory.getByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/**
 * Turns the FFM layouts into table rows, reading each field at its address: the rows come from
 * the same {@code StructLayout}s that {@code LayoutTest} checks against the offsets the code
 * uses, so a table cannot drift from the objects it shows. Nested structs ({@code ob_base}) are
 * flattened; a trailing one-element sequence ({@code ob_digit[1]}, {@code ob_item[1]}) is the
 * variable part, which the caller lays out with {@link #array} once it knows the length.
 */
final class LayoutRows {
    /** More elements than this are summed up in one row. */
    static final int MAX_ELEMENTS = 16;

    /**
     * What the padding members of {@code PyTypeObject} stand for: CPython fields this project
     * leaves 0, by offset; the 4 bytes at 388 are real alignment padding.
     */
    private static final Map<Long, String> TYPE_GAPS = Map.of(
            56L, "(tp_vectorcall_offset … tp_as_buffer)",
            200L, "(tp_richcompare)",
            216L, "(tp_iter … tp_getset)",
            264L, "(tp_dict … tp_subclasses)",
            376L, "(tp_del)",
            392L, "(tp_finalize, tp_vectorcall)");

    private final long origin;
    private final FieldValues values;
    private final List<LayoutTable.Row> rows = new ArrayList<>();

    /** Rows with offsets from {@code origin}, the object's address. */
    LayoutRows(long origin, FieldValues values) {
        this.origin = origin;
        this.values = values;
    }

    /** The fields of {@code layout}, which starts at {@code address}. */
    LayoutRows struct(StructLayout layout, long address) {
        long offset = 0;
        for (MemoryLayout m : layout.memberLayouts()) {
            long at = address + offset;
            switch (m) {
                case StructLayout nested -> struct(nested, at);
                case PaddingLayout gap -> gap(layout, at, gap.byteSize());
                case SequenceLayout ignored -> {
                    // the variable part: laid out by array() with its real length
                }
                case ValueLayout field -> field(m.name().orElseThrow(), field, at);
                default -> throw new IllegalStateException("unexpected member " + m + " of " + layout);
            }
            offset += m.byteSize();
        }
        return this;
    }

    /** {@code count} elements {@code name[i]} of {@code element} from {@code address}; the tail summed up. */
    LayoutRows array(String name, ValueLayout element, long address, long count) {
        long shown = count <= MAX_ELEMENTS ? count : MAX_ELEMENTS - 1;
        for (long i = 0; i < shown; i++) {
            field(name + "[" + i + "]", element, address + i * element.byteSize());
        }
        if (shown < count) {
            long rest = count - shown;
            add(address + shown * element.byteSize(), rest * element.byteSize(),
                    // the element's C type: a bare "ob_item" is a list's PyObject** field
                    FieldValues.cType(name + "[" + shown + "]") + "[" + rest + "]",
                    name + "[" + shown + ".." + (count - 1) + "]",
                    rest + " more, not shown");
        }
        return this;
    }

    /** A row the caller describes itself (character data, unused slots). */
    LayoutRows add(long address, long size, String type, String description, String value) {
        rows.add(new LayoutTable.Row(address - origin, size, type, description, value));
        return this;
    }

    List<LayoutTable.Row> rows() {
        return rows;
    }

    /** The bytes from the first row to the end of the last. */
    long span() {
        if (rows.isEmpty()) {
            return 0;
        }
        LayoutTable.Row last = rows.getLast();
        return last.offset() + last.size() - rows.getFirst().offset();
    }

    private void field(String name, ValueLayout layout, long at) {
        long raw = switch (layout) {
            case AddressLayout a -> getLong(at);
            case ValueLayout.OfLong l -> getLong(at);
            case ValueLayout.OfDouble d -> getLong(at);
            case ValueLayout.OfInt i -> getInt(at) & 0xFFFF_FFFFL;
            case ValueLayout.OfByte b -> getByte(at) & 0xFFL;
            default -> throw new IllegalStateException("no reader for " + layout + " (" + name + ")");
        };
        add(at, layout.byteSize(), FieldValues.cType(name), name, values.describe(name, raw));
    }

    private void gap(StructLayout owner, long at, long size) {
        String unused = owner == TypeLayout.PY_TYPE_OBJECT ? TYPE_GAPS.get(at - origin) : null;
        if (unused == null && owner == TypeLayout.PY_TYPE_OBJECT && at - origin == 388) {
            add(at, 4, "", LayoutTable.PADDING, "");
            gap(owner, at + 4, size - 4);
            return;
        }
        if (unused == null) {
            add(at, size, "", LayoutTable.PADDING, "");
            return;
        }
        add(at, size, "", unused, allZero(at, size) ? "not used here: all 0" : "not used here, yet not all 0!");
    }

    private static boolean allZero(long address, long size) {
        for (long i = 0; i < size; i += 8) {
            if (getLong(address + i) != 0) {
                return false;
            }
        }
        return true;
    }
}
