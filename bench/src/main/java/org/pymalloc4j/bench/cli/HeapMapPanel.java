package org.pymalloc4j.bench.cli;

import java.util.Locale;

import org.pymalloc4j.allocator.MallocStats;

import static org.pymalloc4j.bench.cli.HeapMapSvg.text;

/**
 * The totals beside the heap map: the figures of the statistics report, and a bar splitting
 * the arenas' bytes the way the report's accounting does (allocated, available, unused pools,
 * headers, quantization, alignment), with each byte row's colour in the bar.
 * Every value's {@code <text>} has the id {@code stat-NAME}, NAME the {@link MallocStats} field.
 */
final class HeapMapPanel {
    private static final int ROW = 16;

    private final StringBuilder svg;
    private final MallocStats s;
    private final int x;
    private final int width;

    HeapMapPanel(StringBuilder svg, MallocStats stats, int x, int width) {
        this.svg = svg;
        this.s = stats;
        this.x = x;
        this.width = width;
    }

    /** Draws the totals from {@code y} down; returns the bottom. */
    int totals(int y) {
        text(svg, x, y, 13, "#202124", " font-weight=\"600\"", "Heap statistics (sys._debugmallocstats)");
        y += ROW + 2;
        y = row(y, null, "arenas mapped now", "arenasCurrent", s.arenasCurrent());
        y = row(y, null, "arenas mapped at most", "arenasHighWater", s.arenasHighWater());
        y = row(y, null, "arenas ever mapped", "arenasAllocatedTotal", s.arenasAllocatedTotal());
        y = row(y, null, "arenas returned to the OS", "arenasReclaimed", s.arenasReclaimed());
        y = row(y, null, "pools in use", "poolsInUse", s.poolsInUse());
        y = row(y, null, "free or never-carved pools", "unusedPools", s.unusedPools());
        y = row(y, null, "small blocks in use", "smallBlocksInUse", s.smallBlocksInUse());
        y += 6;
        y = bar(y);
        y = row(y, Part.ALLOCATED.colour, "bytes in allocated blocks", "allocatedBlockBytes", s.allocatedBlockBytes());
        y = row(y, Part.AVAILABLE.colour, "bytes in available blocks", "availableBlockBytes", s.availableBlockBytes());
        y = row(y, Part.UNUSED.colour, "bytes in unused pools", "unusedPoolBytes", s.unusedPoolBytes());
        y = row(y, Part.HEADERS.colour, "bytes in pool headers", "poolHeaderBytes", s.poolHeaderBytes());
        y = row(y, Part.QUANTIZATION.colour, "bytes lost to quantization", "quantizationBytes", s.quantizationBytes());
        y = row(y, Part.ALIGNMENT.colour, "bytes lost to arena alignment", "arenaAlignmentBytes", s.arenaAlignmentBytes());
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#dadce0\"/>%n",
                x, y - ROW + 4, x + width, y - ROW + 4));
        y = row(y, null, "total: bytes in arenas", "arenaBytes", s.arenaBytes());
        y = row(y, null, "arena map (radix tree) bytes", "arenaMapBytes", s.arenaMapBytes());
        y = row(y, null, "raw blocks (libc)", "rawBlocks", s.rawBlocks());
        y = row(y, null, "bytes requested for raw blocks", "rawBytes", s.rawBytes());
        return y - ROW;
    }

    private int row(int y, String swatch, String label, String id, long value) {
        int tx = x;
        if (swatch != null) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"8\" height=\"8\" fill=\"%s\"/>%n",
                    x, y - 8, swatch));
            tx += 13;
        }
        text(svg, tx, y, 11, "#3c4043", "", label);
        svg.append(String.format(Locale.ROOT,
                "<text id=\"stat-%s\" x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#202124\" text-anchor=\"end\" "
                        + "style=\"font-variant-numeric:tabular-nums\">%,d</text>%n", id, x + width, y, value));
        return y + ROW;
    }

    /** Where the arenas' bytes go, in the order of the report's accounting. */
    private enum Part {
        ALLOCATED("#1a73e8"), AVAILABLE("#8ab4f8"), UNUSED("#dadce0"), HEADERS("#f9ab00"),
        QUANTIZATION("#d93025"), ALIGNMENT("#5f6368");

        final String colour;

        Part(String colour) {
            this.colour = colour;
        }
    }

    private int bar(int y) {
        long total = s.arenaBytes();
        long[] bytes = {s.allocatedBlockBytes(), s.availableBlockBytes(), s.unusedPoolBytes(), s.poolHeaderBytes(),
                s.quantizationBytes(), s.arenaAlignmentBytes()};
        String[] names = {"allocated blocks", "available blocks", "unused pools", "pool headers", "quantization",
                "arena alignment"};
        double left = x;
        for (int i = 0; i < bytes.length && total > 0; i++) {
            double w = (double) width * bytes[i] / total;
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"12\" fill=\"%s\"><title>%s: %,d bytes (%.1f%%)</title></rect>%n",
                    left, y - 10, w, Part.values()[i].colour, names[i], bytes[i], 100.0 * bytes[i] / total));
            left += w;
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"12\" fill=\"none\" stroke=\"#bdc1c6\"/>%n",
                x, y - 10, width));
        text(svg, x, y + 14, 10, "#5f6368", "", String.format(Locale.ROOT,
                "%.1f%% of the arenas' bytes are in allocated blocks",
                total == 0 ? 0.0 : 100.0 * s.allocatedBlockBytes() / total));
        return y + 14 + ROW + 4;
    }
}
