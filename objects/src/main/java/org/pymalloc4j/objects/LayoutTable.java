package org.pymalloc4j.objects;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A native structure's layout in the table form JOL prints a Java object's, with the live
 * values read from native memory:
 *
 * <pre>
 *  float object at 0x7f7e2c400030 (PyFloatObject)
 *  OFF  SZ          TYPE DESCRIPTION VALUE
 *    0   8    Py_ssize_t ob_refcnt   1
 *    8   8 PyTypeObject* ob_type     0x7f7e28179520 (float)
 *   16   8        double ob_fval     1.5 (0x3ff8000000000000)
 *  Object size: 24 bytes in its block (sys.getsizeof: 24)
 *  Block: 32 bytes at 0x7f7e2c400030, size class 1 of the pymalloc heap: 8 bytes lost to quantization
 *  Space losses: 0 bytes internal + 8 bytes external = 8 bytes total
 * </pre>
 *
 * {@code OFF} is relative to the object's address (a GC object's {@code PyGC_Head} rows have
 * offsets -16 and -8), {@code SZ} is in bytes, {@code TYPE} is the C type. Rows describing a gap
 * say so in {@code DESCRIPTION} ({@link #PADDING}), as JOL's do. Made by {@link ObjectLayouts};
 * the tool also makes them for pool headers and arenas.
 *
 * @param title   the line above the table: what is laid out, and where
 * @param rows    the fields in address order
 * @param summary the lines under the table: sizes, the block, space losses
 */
public record LayoutTable(String title, List<Row> rows, List<String> summary) {
    /** The description of a row that is alignment padding, as JOL words it. */
    public static final String PADDING = "(alignment/padding gap)";

    /**
     * One field, or a run of array elements or bytes.
     *
     * @param offset      from the object's address (negative for the GC head)
     * @param size        bytes
     * @param type        the C type, empty for a gap
     * @param description the field's name (CPython's), or a gap's description in parentheses
     * @param value       what memory holds there, decoded; empty for a gap
     */
    public record Row(long offset, long size, String type, String description, String value) {
        /** @throws NullPointerException if {@code type}, {@code description} or {@code value} is null */
        public Row {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(value, "value");
        }
    }

    /** @throws NullPointerException if {@code title}, {@code rows} or {@code summary} is null, or holds null */
    public LayoutTable {
        Objects.requireNonNull(title, "title");
        rows = List.copyOf(rows);
        summary = List.copyOf(summary);
    }

    /** The first row whose description is {@code description}, e.g. {@code "ob_refcnt"}. */
    public Optional<Row> row(String description) {
        return rows.stream().filter(r -> r.description().equals(description)).findFirst();
    }

    /** Bytes in rows described as {@link #PADDING}: JOL's "internal" space loss. */
    public long paddingBytes() {
        return rows.stream().filter(r -> r.description().equals(PADDING)).mapToLong(Row::size).sum();
    }

    /** The title, the table with its columns aligned as JOL aligns them, and the summary. */
    public String render() {
        int off = 3;
        int sz = 3;
        int type = 4;
        int description = 11;
        for (Row r : rows) {
            off = Math.max(off, Long.toString(r.offset()).length());
            sz = Math.max(sz, Long.toString(r.size()).length());
            type = Math.max(type, r.type().length());
            description = Math.max(description, r.description().length());
        }
        String format = "%" + off + "s %" + sz + "s %" + type + "s %-" + description + "s %s";
        StringBuilder b = new StringBuilder(title).append('\n');
        b.append(String.format(Locale.ROOT, format, "OFF", "SZ", "TYPE", "DESCRIPTION", "VALUE").stripTrailing()).append('\n');
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, format, r.offset(), r.size(), r.type(), r.description(), r.value())
                    .stripTrailing()).append('\n');
        }
        for (String line : summary) {
            b.append(line).append('\n');
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
