package org.pymalloc4j.allocator.internal;

import java.util.Locale;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.MallocStats;
import org.pymalloc4j.allocator.SizeClassStats;

/**
 * Prints {@link MallocStats} in the layout of CPython 3.11's {@code _PyObject_DebugMallocStats}:
 * table rows as {@code "%5u %6u %11zu %15zu %13zu"}, rows with no pools left out, and summary
 * lines as a label padded to 35 columns, {@code '='}, then the value with thousands separators
 * right-aligned in 21 columns. The output is the same in every locale, as CPython's is.
 */
public final class StatsFormat {
    private static final int LABEL_WIDTH = 35;
    private static final int VALUE_WIDTH = 21;

    private StatsFormat() {
    }

    public static String format(MallocStats s) {
        Geometry g = s.geometry();
        StringBuilder out = new StringBuilder(2048);
        out.append("Small block threshold = ").append(Geometry.SMALL_REQUEST_THRESHOLD)
                .append(", in ").append(Geometry.SIZE_CLASSES).append(" size classes.\n\n");
        out.append("class   size   num pools   blocks in use  avail blocks\n");
        out.append("-----   ----   ---------   -------------  ------------\n");
        for (SizeClassStats c : s.sizeClasses()) {
            if (c.pools() != 0) {
                out.append(String.format(Locale.ROOT, "%5d %6d %11d %15d %13d\n", c.sizeClass(), c.blockSize(),
                        c.pools(), c.blocksInUse(), c.availableBlocks()));
            }
        }
        out.append('\n');
        line(out, "# arenas allocated total", s.arenasAllocatedTotal());
        line(out, "# arenas reclaimed", s.arenasReclaimed());
        line(out, "# arenas highwater mark", s.arenasHighWater());
        line(out, "# arenas allocated current", s.arenasCurrent());
        line(out, s.arenasCurrent() + " arenas * " + g.arenaSize() + " bytes/arena", s.arenaBytes());
        out.append('\n');
        long total = line(out, "# bytes in allocated blocks", s.allocatedBlockBytes());
        total += line(out, "# bytes in available blocks", s.availableBlockBytes());
        total += line(out, s.unusedPools() + " unused pools * " + g.poolSize() + " bytes", s.unusedPoolBytes());
        total += line(out, "# bytes lost to pool headers", s.poolHeaderBytes());
        total += line(out, "# bytes lost to quantization", s.quantizationBytes());
        total += line(out, "# bytes lost to arena alignment", s.arenaAlignmentBytes());
        line(out, "Total", total);
        out.append("\narena map counts\n");
        line(out, "# arena map mid nodes", s.arenaMapMidNodes());
        line(out, "# arena map bot nodes", s.arenaMapBotNodes());
        out.append('\n');
        long mapTotal = line(out, "# bytes lost to arena map root", s.arenaMapRootBytes());
        mapTotal += line(out, "# bytes lost to arena map mid", s.arenaMapMidBytes());
        mapTotal += line(out, "# bytes lost to arena map bot", s.arenaMapBotBytes());
        line(out, "Total", mapTotal);
        return out.toString();
    }

    /** CPython's {@code printone}: label, padding to column 35, '=', 21-column value with commas. */
    public static long line(StringBuilder out, String label, long value) {
        out.append(label);
        for (int i = label.length(); i < LABEL_WIDTH; i++) {
            out.append(' ');
        }
        out.append('=');
        String digits = String.format(Locale.ROOT, "%,d", value);
        for (int i = digits.length(); i < VALUE_WIDTH; i++) {
            out.append(' ');
        }
        out.append(digits).append('\n');
        return value;
    }
}
