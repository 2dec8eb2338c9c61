package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.MallocStats;
import org.pymalloc4j.allocator.PoolInfo;
import org.pymalloc4j.allocator.SizeClassStats;

/**
 * Draws a heap as an SVG picture: one row of pools per arena, each pool a square coloured by
 * its size class and darkened by how full it is; free pools outlined, never-carved pools
 * hatched; beside the rows a legend and the totals of the statistics report. Every pool has a
 * tooltip ({@code <title>}) with its arena, address, class and blocks, and a {@code class}
 * attribute naming its state, so tests and stylesheets can find it.
 */
final class HeapMapSvg {
    /** Arenas drawn at most; more would make a picture nobody scrolls through. */
    static final int MAX_ROWS = 256;

    private static final int CELL = 11;
    private static final int PITCH = 13;
    private static final int MARGIN = 20;
    private static final int LABEL = 62;
    /** Top of the legend and of the statistics panel, under the title lines. */
    private static final int LEGEND_TOP = 100;
    /** Top of the first arena row, under the legend. */
    private static final int TOP = LEGEND_TOP + 178;
    private static final int PANEL_WIDTH = 330;
    private static final String FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
    private static final String FREE_STROKE = "#80868b";
    private static final String ALIGNMENT = "#5f6368";

    private final Geometry geometry;
    private final List<PoolInfo> pools;
    private final MallocStats stats;
    private final String workload;
    private final StringBuilder svg = new StringBuilder(1 << 16);

    HeapMapSvg(Geometry geometry, List<PoolInfo> pools, MallocStats stats, String workload) {
        this.geometry = geometry;
        this.pools = pools;
        this.stats = stats;
        this.workload = workload;
    }

    /** The pools of each live arena, in slot order. */
    static Map<Integer, List<PoolInfo>> byArena(List<PoolInfo> pools) {
        Map<Integer, List<PoolInfo>> rows = new LinkedHashMap<>();
        for (PoolInfo p : pools) {
            rows.computeIfAbsent(p.arena(), a -> new ArrayList<>()).add(p);
        }
        return rows;
    }

    static long count(List<PoolInfo> pools, PoolInfo.State state) {
        return pools.stream().filter(p -> p.state() == state).count();
    }

    String render() {
        Map<Integer, List<PoolInfo>> rows = byArena(pools);
        int columns = geometry.poolsPerArena();
        int drawn = Math.min(rows.size(), MAX_ROWS);
        int mapRight = MARGIN + LABEL + columns * PITCH;
        int panelX = mapRight + 32;
        int width = panelX + PANEL_WIDTH + MARGIN;
        int mapBottom = TOP + Math.max(1, drawn) * PITCH + (rows.size() > drawn ? 24 : 0);

        // The body first: the panel's height decides the picture's.
        int panelBottom = new HeapMapPanel(svg, stats, panelX, PANEL_WIDTH).totals(LEGEND_TOP);
        header(columns);
        legend(MARGIN, LEGEND_TOP, columns * PITCH + LABEL);
        rows(rows, drawn);
        String body = svg.toString();
        svg.setLength(0);

        int height = Math.max(mapBottom, panelBottom) + MARGIN;
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"%s\">%n",
                width, height, width, height, FONT));
        svg.append("<title>pymalloc4j heap map: ").append(Svg.escape(workload)).append("</title>\n");
        svg.append("""
                <style>rect.used:hover,rect.full:hover,rect.free:hover,rect.uncarved:hover{stroke:#202124;stroke-width:2}</style>
                <defs><pattern id="uncarved" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
                <rect width="4" height="4" fill="#f8f9fa"/><line x1="0" y1="0" x2="0" y2="4" stroke="#c4c8cc" stroke-width="1.6"/></pattern></defs>
                """);
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
        svg.append(body);
        if (rows.size() > drawn) {
            text(MARGIN, mapBottom - 8, 12, "#5f6368", "", String.format(Locale.ROOT,
                    "… and %,d more arena%s, not drawn (the totals count them)", rows.size() - drawn,
                    rows.size() - drawn == 1 ? "" : "s"));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private void header(int columns) {
        text(MARGIN, 32, 20, "#202124", " font-weight=\"600\"", String.format(Locale.ROOT,
                "pymalloc heap map · CPython %s geometry (%s pools, %s arenas)",
                geometry.name(), kib(geometry.poolSize()), kib(geometry.arenaSize())));
        text(MARGIN, 54, 13, "#3c4043", "", workload);
        text(MARGIN, 72, 12, "#5f6368", "", String.format(Locale.ROOT,
                "%s · %s: %,d partly used, %,d full, %,d free, %,d never carved · hover a pool for details",
                Plural.of(stats.arenasCurrent(), "arena"), Plural.of(pools.size(), "pool"), count(pools, PoolInfo.State.USED),
                count(pools, PoolInfo.State.FULL), count(pools, PoolInfo.State.EMPTY),
                count(pools, PoolInfo.State.UNCARVED)));
        for (int c = 0; c < columns; c += 16) {
            text(MARGIN + LABEL + c * PITCH, TOP - 5, 9, "#80868b", "", "pool " + c);
        }
    }

    private void rows(Map<Integer, List<PoolInfo>> rows, int drawn) {
        int row = 0;
        for (Map.Entry<Integer, List<PoolInfo>> e : rows.entrySet()) {
            if (row == drawn) {
                break;
            }
            int y = TOP + row * PITCH;
            List<PoolInfo> arena = e.getValue();
            int lost = geometry.poolsPerArena() - arena.size();
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#5f6368\" text-anchor=\"end\">arena %d"
                            + "<title>arena %d: %d pools, %d free, %d never carved%s</title></text>%n",
                    MARGIN + LABEL - 6, y + CELL - 1, e.getKey(), e.getKey(), arena.size(),
                    count(arena, PoolInfo.State.EMPTY), count(arena, PoolInfo.State.UNCARVED),
                    lost > 0 ? ", " + lost + " pool lost to aligning pools" : ""));
            int x = MARGIN + LABEL;
            for (PoolInfo p : arena) {
                cell(x, y, p);
                x += PITCH;
            }
            for (int i = 0; i < lost; i++, x += PITCH) {
                svg.append(String.format(Locale.ROOT,
                        "<rect class=\"alignment\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" opacity=\"0.5\">"
                                + "<title>arena %d: one pool's worth of bytes lost to aligning pools on %s</title></rect>%n",
                        x, y, CELL, CELL, ALIGNMENT, e.getKey(), kib(geometry.poolSize())));
            }
            row++;
        }
    }

    private void cell(int x, int y, PoolInfo p) {
        String where = String.format(Locale.ROOT, "arena %d · pool 0x%x", p.arena(), p.address());
        String look;
        String title;
        switch (p.state()) {
            case EMPTY -> {
                look = "fill=\"#ffffff\" stroke=\"" + FREE_STROKE + "\" stroke-width=\"1\" stroke-dasharray=\"2 1.5\"";
                title = where + " · free (on the arena's free-pool list)";
            }
            case UNCARVED -> {
                look = "fill=\"url(#uncarved)\"";
                title = where + " · never carved";
            }
            default -> {
                look = "fill=\"" + Palette.colour(p.sizeClass(), 0) + "\"";
                title = String.format(Locale.ROOT, "%s · class %d (%d B) · %,d of %,d blocks in use (%d%%)",
                        where, p.sizeClass(), p.blockSize(), p.blocksInUse(), p.capacity(),
                        Math.round(100 * p.fullness()));
            }
        }
        // Free pools: inset by half the stroke so the outline stays inside the cell.
        double inset = p.state() == PoolInfo.State.EMPTY ? 0.5 : 0;
        svg.append(String.format(Locale.ROOT,
                "<rect class=\"%s\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" %s><title>%s</title></rect>%n",
                stateName(p.state()), num(x + inset), num(y + inset), num(CELL - 2 * inset), num(CELL - 2 * inset),
                look, Svg.escape(title)));
        if (p.state() == PoolInfo.State.USED || p.state() == PoolInfo.State.FULL) {
            // How full the pool is, as a level in the class's colour over its palest tint: the
            // colour alone says the class, so a nearly empty pool cannot pass for another class.
            double h = levelHeight(p.fullness());
            svg.append(String.format(Locale.ROOT,
                    "<rect class=\"level\" x=\"%d\" y=\"%s\" width=\"%d\" height=\"%s\" fill=\"%s\" pointer-events=\"none\"/>%n",
                    x, num(y + CELL - h), CELL, num(h), Palette.colour(p.sizeClass())));
        }
    }

    /** The height of a pool's level: its fullness of the cell, at least a pixel for one block. */
    static double levelHeight(double fullness) {
        return Math.max(1, Math.round(CELL * fullness * 2) / 2.0);
    }

    /** The {@code class} attribute of a pool's cell. */
    static String stateName(PoolInfo.State state) {
        return switch (state) {
            case USED -> "used";
            case FULL -> "full";
            case EMPTY -> "free";
            case UNCARVED -> "uncarved";
        };
    }

    /** Size classes in four columns of eight, then the fullness ramp and the pool states in a line. */
    private void legend(int x, int y, int width) {
        text(x, y, 13, "#202124", " font-weight=\"600\"", "Size classes: block size and pools in use");
        y += 8;
        int perColumn = Geometry.SIZE_CLASSES / 4;
        for (int i = 0; i < Geometry.SIZE_CLASSES; i++) {
            SizeClassStats c = stats.sizeClass(i);
            int cx = x + (i / perColumn) * (width / 4);
            int cy = y + (i % perColumn) * 15;
            boolean present = c.pools() > 0;
            svg.append(String.format(Locale.ROOT,
                    "<rect class=\"legend-class\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"%s/>%n",
                    cx, cy + 2, CELL, CELL, Palette.colour(i), present ? "" : " opacity=\"0.3\""));
            text(cx + CELL + 6, cy + 11, 11, present ? "#3c4043" : "#9aa0a6", "", String.format(Locale.ROOT,
                    "class %d · %d B%s", i, c.blockSize(), present ? " · " + Plural.of(c.pools(), "pool") : ""));
        }
        y += perColumn * 15 + 22;
        int sample = busiestClass();
        for (int k = 0; k <= 4; k++) {
            double h = levelHeight(k == 0 ? 0 : k / 4.0);
            svg.append(String.format(Locale.ROOT,
                    "<rect class=\"legend-fullness\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n"
                            + "<rect class=\"legend-level\" x=\"%d\" y=\"%s\" width=\"%d\" height=\"%s\" fill=\"%s\"/>%n",
                    x + k * 16, y - 10, CELL, CELL, Palette.colour(sample, 0),
                    x + k * 16, num(y - 10 + CELL - h), CELL, num(h), Palette.colour(sample)));
        }
        x += 5 * 16 + 4;
        x = key(x, y, "how full a pool is: 1 block in use → full, in its class's colour", "");
        x = key(x, y, "free pool, reusable by any class", String.format(Locale.ROOT,
                "<rect class=\"legend-free\" x=\"%%s\" y=\"%%s\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" stroke=\"%s\" "
                        + "stroke-dasharray=\"2 1.5\"/>", CELL - 1, CELL - 1, FREE_STROKE));
        x = key(x, y, "never carved", String.format(Locale.ROOT,
                "<rect class=\"legend-uncarved\" x=\"%%s\" y=\"%%s\" width=\"%d\" height=\"%d\" fill=\"url(#uncarved)\" "
                        + "stroke=\"#c4c8cc\"/>", CELL - 1, CELL - 1));
        if (stats.arenaAlignmentBytes() > 0) {
            key(x, y, "lost to alignment", String.format(Locale.ROOT,
                    "<rect class=\"legend-alignment\" x=\"%%s\" y=\"%%s\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                            + "opacity=\"0.5\"/>", CELL - 1, CELL - 1, ALIGNMENT));
        }
    }

    /** One key of the states line: a swatch (a format with x and y holes) and its label; returns the next x. */
    private int key(int x, int y, String label, String swatch) {
        if (!swatch.isEmpty()) {
            svg.append(String.format(Locale.ROOT, swatch, num(x + 0.5), num(y - 9.5))).append('\n');
            x += CELL + 5;
        }
        text(x, y, 11, "#3c4043", "", label);
        return x + (int) (label.length() * 6.2) + 18;
    }

    private int busiestClass() {
        int best = 0;
        for (int i = 1; i < Geometry.SIZE_CLASSES; i++) {
            if (stats.sizeClass(i).pools() > stats.sizeClass(best).pools()) {
                best = i;
            }
        }
        return best;
    }

    private void text(int x, int y, int size, String fill, String extra, String content) {
        text(svg, x, y, size, fill, extra, content);
    }

    static void text(StringBuilder svg, int x, int y, int size, String fill, String extra, String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" fill=\"%s\"%s>%s</text>%n",
                x, y, size, fill, extra, Svg.escape(content)));
    }

    static String kib(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
