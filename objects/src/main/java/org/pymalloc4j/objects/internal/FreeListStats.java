package org.pymalloc4j.objects.internal;

import java.util.Locale;

import org.pymalloc4j.allocator.internal.StatsFormat;

import static org.pymalloc4j.objects.BuiltinLayouts.DICT_LENGTH;
import static org.pymalloc4j.objects.BuiltinLayouts.FLOAT_LENGTH;
import static org.pymalloc4j.objects.BuiltinLayouts.LIST_LENGTH;
import static org.pymalloc4j.objects.BuiltinLayouts.TUPLE_ITEMS_OFFSET;

/**
 * The free-list lines of CPython 3.11's {@code sys._debugmallocstats()}
 * ({@code _PyObject_DebugTypeStats}): dict, float, list, then tuples of sizes 1 to 20, each
 * {@code _PyDebugAllocatorStats}'s {@code "%48s "} label followed by {@code printone}'s value.
 */
public final class FreeListStats {
    private FreeListStats() {
    }

    public static String format(Builtins b) {
        StringBuilder out = new StringBuilder();
        line(out, "free PyDictObject", b.dicts.free.size(), DICT_LENGTH);
        line(out, "free PyFloatObject", b.floats.free.size(), FLOAT_LENGTH);
        line(out, "free PyListObject", b.lists.free.size(), LIST_LENGTH);
        for (int n = 1; n <= Tuples.PARKED_SIZES; n++) {
            line(out, "free " + n + "-sized PyTupleObject", b.tuples.free[n].size(), TUPLE_ITEMS_OFFSET + 8L * n);
        }
        return out.toString();
    }

    /** Locale.ROOT, as the heap's section above: CPython's digits whatever the JVM's locale. */
    private static void line(StringBuilder out, String blockName, int count, long blockSize) {
        String label = String.format(Locale.ROOT, "%d %ss * %d bytes each", count, blockName, blockSize);
        StatsFormat.line(out, String.format(Locale.ROOT, "%48s ", label), count * blockSize);
    }
}
