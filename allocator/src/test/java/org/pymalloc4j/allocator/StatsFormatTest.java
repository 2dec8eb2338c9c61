package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pymalloc4j.allocator.internal.StatsFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The exact layout of CPython 3.11's {@code _PyObject_DebugMallocStats} (reference §4.2, §4.3). */
class StatsFormatTest {
    private static final String HEADER = "class   size   num pools   blocks in use  avail blocks";
    private static final String DASHES = "-----   ----   ---------   -------------  ------------";
    private static final Pattern ROW = Pattern.compile(" {0,4}\\d+ {1,6}\\d+ {1,11}\\d+ {1,15}\\d+ {1,13}\\d+");
    /** A printone line: label padded to 35, '=', value with thousands separators right-aligned in 21. */
    private static final Pattern SUMMARY = Pattern.compile("(.{35,}?)=( *)(\\d{1,3}(?:,\\d{3})*)");

    /** The summary lines, in order, as (label, value). */
    private record Line(String label, long value) {
    }

    /** Parses a whole report, checking each line's shape, and returns the summary lines. */
    private static List<Line> parse(String text, MallocStats stats) {
        assertTrue(text.endsWith("\n"), "ends with a newline");
        String[] lines = text.split("\n", -1);
        int i = 0;
        assertEquals("Small block threshold = 512, in 32 size classes.", lines[i++]);
        assertEquals("", lines[i++]);
        assertEquals(HEADER, lines[i++]);
        assertEquals(DASHES, lines[i++]);
        assertEquals(54, HEADER.length());
        assertEquals(54, DASHES.length());
        int lastClass = -1;
        int rows = 0;
        for (; !lines[i].isEmpty(); i++) {
            String row = lines[i];
            assertTrue(ROW.matcher(row).matches(), "row shape: '" + row + "'");
            assertEquals(5 + 1 + 6 + 1 + 11 + 1 + 15 + 1 + 13, row.length(), "row width: '" + row + "'");
            int c = Integer.parseInt(row.substring(0, 5).trim());
            assertTrue(c > lastClass, "rows are in class order");
            lastClass = c;
            SizeClassStats s = stats.sizeClass(c);
            assertTrue(s.pools() > 0, "row of a class without pools: " + row);
            assertEquals(String.format(Locale.ROOT, "%5d %6d %11d %15d %13d", c, s.blockSize(), s.pools(),
                    s.blocksInUse(), s.availableBlocks()), row);
            rows++;
        }
        long classesWithPools = stats.sizeClasses().stream().filter(s -> s.pools() > 0).count();
        assertEquals(classesWithPools, rows, "one row per class with pools, no other");
        i++; // blank line after the table
        List<Line> summary = new ArrayList<>();
        int[] groups = {5, 7, -1, 2, 4};
        String[] fixed = {null, null, "arena map counts", null, null};
        for (int g = 0; g < groups.length; g++) {
            if (fixed[g] != null) {
                assertEquals(fixed[g], lines[i++]);
                continue;
            }
            for (int k = 0; k < groups[g]; k++) {
                summary.add(summaryLine(lines[i++]));
            }
            assertEquals("", lines[i++], "blank line after summary group " + g);
        }
        // The last group is followed by the final newline only: the split leaves one empty string.
        assertEquals(lines.length, i, "nothing after the arena map total");
        return summary;
    }

    private static Line summaryLine(String line) {
        assertEquals(57, line.length(), "summary line width: '" + line + "'");
        Matcher m = SUMMARY.matcher(line);
        if (!m.matches()) {
            fail("summary line shape: '" + line + "'");
        }
        String label = m.group(1);
        assertEquals(35, label.length(), "label padded to column 35: '" + line + "'");
        assertEquals(21, m.group(2).length() + m.group(3).length());
        return new Line(label.stripTrailing(), Long.parseLong(m.group(3).replace(",", "")));
    }

    private static void checkSummary(List<Line> lines, MallocStats s) {
        Geometry g = s.geometry();
        long[] expected = {
                s.arenasAllocatedTotal(), s.arenasReclaimed(), s.arenasHighWater(), s.arenasCurrent(), s.arenaBytes(),
                s.allocatedBlockBytes(), s.availableBlockBytes(), s.unusedPoolBytes(), s.poolHeaderBytes(),
                s.quantizationBytes(), s.arenaAlignmentBytes(), (long) s.arenasCurrent() * g.arenaSize(),
                s.arenaMapMidNodes(), s.arenaMapBotNodes(),
                s.arenaMapRootBytes(), s.arenaMapMidBytes(), s.arenaMapBotBytes(), s.arenaMapBytes(),
        };
        String[] labels = {
                "# arenas allocated total", "# arenas reclaimed", "# arenas highwater mark", "# arenas allocated current",
                s.arenasCurrent() + " arenas * " + g.arenaSize() + " bytes/arena",
                "# bytes in allocated blocks", "# bytes in available blocks",
                s.unusedPools() + " unused pools * " + g.poolSize() + " bytes",
                "# bytes lost to pool headers", "# bytes lost to quantization", "# bytes lost to arena alignment", "Total",
                "# arena map mid nodes", "# arena map bot nodes",
                "# bytes lost to arena map root", "# bytes lost to arena map mid", "# bytes lost to arena map bot", "Total",
        };
        assertEquals(labels.length, lines.size());
        for (int k = 0; k < labels.length; k++) {
            assertEquals(labels[k], lines.get(k).label(), "summary line " + k);
            assertEquals(expected[k], lines.get(k).value(), "summary line " + k + " (" + labels[k] + ")");
        }
        // The first Total is the sum of the six lines above it, and equals the arena bytes.
        long sum = 0;
        for (int k = 5; k <= 10; k++) {
            sum += lines.get(k).value();
        }
        assertEquals(sum, lines.get(11).value(), "Total is the sum of the byte lines");
        assertEquals(lines.get(4).value(), lines.get(11).value(), "Total == arenas * arena size");
        assertEquals(lines.get(14).value() + lines.get(15).value() + lines.get(16).value(), lines.get(17).value());
    }

    /** Every byte of every arena is accounted for (MallocStats' Javadoc) and the rows add up. */
    private static void checkAccounting(MallocStats s) {
        Geometry g = s.geometry();
        assertEquals(s.arenasCurrent() * g.arenaSize(), s.allocatedBlockBytes() + s.availableBlockBytes()
                + s.unusedPools() * g.poolSize() + s.poolHeaderBytes() + s.quantizationBytes() + s.arenaAlignmentBytes(),
                "accounting equation\n" + s.format());
        long allocated = 0;
        long available = 0;
        long quantization = 0;
        for (SizeClassStats c : s.sizeClasses()) {
            assertEquals(c.pools() * g.blocksPerPool(c.sizeClass()), c.blocksInUse() + c.availableBlocks(), "class " + c);
            assertEquals(Geometry.blockSize(c.sizeClass()), c.blockSize());
            allocated += c.blocksInUse() * c.blockSize();
            available += c.availableBlocks() * c.blockSize();
            quantization += c.pools() * g.quantization(c.sizeClass());
        }
        assertEquals(32, s.sizeClasses().size());
        assertEquals(allocated, s.allocatedBlockBytes());
        assertEquals(available, s.availableBlockBytes());
        assertEquals(quantization, s.quantizationBytes());
        assertEquals(s.poolsInUse() * Geometry.POOL_OVERHEAD, s.poolHeaderBytes());
        // Aligned arenas: every pool of every arena is either in use or unused.
        assertEquals(s.arenasCurrent() * g.poolsPerArena(),
                s.poolsInUse() + s.unusedPools() + s.arenaAlignmentBytes() / g.poolSize());
        assertEquals(s.arenasAllocatedTotal() - s.arenasCurrent(), s.arenasReclaimed());
        assertTrue(s.arenasHighWater() >= s.arenasCurrent() && s.arenasAllocatedTotal() >= s.arenasHighWater());
    }

    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void emptyHeap(Geometry geometry) {
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            MallocStats s = heap.stats();
            String text = heap.debugMallocStats();
            assertEquals(s.format(), text);
            checkSummary(parse(text, s), s);
            assertTrue(text.contains("\n0 arenas * " + geometry.arenaSize() + " bytes/arena "), text);
            assertTrue(text.contains("\n0 unused pools * " + geometry.poolSize() + " bytes "), text);
            assertEquals(0, s.arenasCurrent());
            assertEquals(0, s.poolsInUse());
        }
    }

    /** A hand-computed heap, PY311: the whole text, line by line. */
    @Test
    void knownHeapExactText() {
        try (PyMalloc heap = PyMalloc.create()) {
            heap.malloc(1);               // class 0
            for (int i = 0; i < 300; i++) {
                heap.malloc(64);          // class 3: 255 + 45 -> 2 pools, 210 available
            }
            heap.malloc(512);             // class 31
            heap.malloc(513);             // raw: not in the table
            heap.malloc(0);               // raw
            String expected = """
                    Small block threshold = 512, in 32 size classes.

                    class   size   num pools   blocks in use  avail blocks
                    -----   ----   ---------   -------------  ------------
                        0     16           1               1          1020
                        3     64           2             300           210
                       31    512           1               1            30

                    # arenas allocated total           =                    1
                    # arenas reclaimed                 =                    0
                    # arenas highwater mark            =                    1
                    # arenas allocated current         =                    1
                    1 arenas * 1048576 bytes/arena     =            1,048,576

                    # bytes in allocated blocks        =               19,728
                    # bytes in available blocks        =               45,120
                    60 unused pools * 16384 bytes      =              983,040
                    # bytes lost to pool headers       =                  192
                    # bytes lost to quantization       =                  496
                    # bytes lost to arena alignment    =                    0
                    Total                              =            1,048,576

                    arena map counts
                    # arena map mid nodes              =                    1
                    # arena map bot nodes              =                    1

                    # bytes lost to arena map root     =              262,144
                    # bytes lost to arena map mid      =              262,144
                    # bytes lost to arena map bot      =              131,072
                    Total                              =              655,360
                    """;
            assertEquals(expected, heap.debugMallocStats());
            MallocStats s = heap.stats();
            assertEquals(2, s.rawBlocks());
            assertEquals(513, s.rawBytes());
        }
    }

    /** PY38 prints its own sizes in the two computed labels. */
    @Test
    void py38Labels() {
        try (PyMalloc heap = PyMalloc.create(Geometry.PY38)) {
            for (int i = 0; i < 2000; i++) {
                heap.malloc(496);
            }
            MallocStats s = heap.stats();
            String text = heap.debugMallocStats();
            checkSummary(parse(text, s), s);
            // 2000 blocks of 8 per pool = 250 pools = 3 full arenas + 58 pools of a fourth.
            assertTrue(text.contains("\n   30    496         250            2000             0\n"), text);
            assertTrue(text.contains("\n4 arenas * 262144 bytes/arena      =            1,048,576\n"), text);
            assertTrue(text.contains("\n6 unused pools * 4096 bytes        =               24,576\n"), text);
        }
    }

    /** printone: labels longer than 35 columns are not cut, values get commas every 3 digits. */
    @Test
    void printone() {
        StringBuilder out = new StringBuilder();
        assertEquals(1234567, StatsFormat.line(out, "Total", 1234567));
        assertEquals("Total" + " ".repeat(30) + "=" + " ".repeat(12) + "1,234,567\n", out.toString());
        out.setLength(0);
        StatsFormat.line(out, "x".repeat(40), 999);
        assertEquals("x".repeat(40) + "=" + " ".repeat(18) + "999\n", out.toString());
        out.setLength(0);
        StatsFormat.line(out, "", 0);
        assertEquals(" ".repeat(35) + "=" + " ".repeat(20) + "0\n", out.toString());
        out.setLength(0);
        StatsFormat.line(out, "big", 1_000_000_000_000L);
        assertEquals("big" + " ".repeat(32) + "=" + " ".repeat(4) + "1,000,000,000,000\n", out.toString());
        for (long v : new long[] {1, 12, 123, 1234, 12345, 123456, 1234567, 100, 1000, 1001000}) {
            out.setLength(0);
            StatsFormat.line(out, "v", v);
            String digits = out.substring(36).trim();
            assertTrue(digits.matches("\\d{1,3}(,\\d{3})*"), digits);
            assertEquals(v, Long.parseLong(digits.replace(",", "")));
        }
    }

    /**
     * CPython prints the same bytes whatever the C locale; the Java output must not depend on
     * the default Locale either (grouping with ',' and ASCII digits).
     */
    @ParameterizedTest
    @ValueSource(strings = {"en-US", "de-DE", "fr-FR", "de-CH", "ar-EG"})
    void formatIgnoresTheDefaultLocale(String languageTag) {
        Locale saved = Locale.getDefault();
        Locale savedFormat = Locale.getDefault(Locale.Category.FORMAT);
        Locale.setDefault(Locale.ROOT);
        try (PyMalloc heap = PyMalloc.create()) {
            for (int i = 0; i < 300; i++) {
                heap.malloc(64);
            }
            String expected = heap.debugMallocStats();
            assertTrue(expected.contains("=            1,048,576\n"), expected);
            assertTrue(expected.contains("\n    3     64           2             300           210\n"), expected);
            Locale.setDefault(Locale.forLanguageTag(languageTag));
            assertEquals(expected, heap.debugMallocStats(), "default locale " + languageTag);
        } finally {
            Locale.setDefault(saved);
            Locale.setDefault(Locale.Category.FORMAT, savedFormat);
        }
    }

    /** Random heaps on both geometries: layout, labels, values and the accounting equation. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void randomHeaps(Geometry geometry) {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            List<Long> live = new ArrayList<>();
            for (int round = 0; round < 40; round++) {
                int ops = random.nextInt(4000);
                boolean growing = random.nextInt(3) != 0;
                for (int k = 0; k < ops; k++) {
                    if (live.isEmpty() || growing && random.nextInt(4) != 0 || !growing && random.nextInt(4) == 0) {
                        live.add(heap.malloc(random.nextInt(random.nextBoolean() ? 520 : 64)));
                    } else {
                        int i = random.nextInt(live.size());
                        heap.free(live.get(i));
                        live.set(i, live.get(live.size() - 1));
                        live.remove(live.size() - 1);
                    }
                }
                MallocStats s = heap.stats();
                checkAccounting(s);
                String text = s.format();
                checkSummary(parse(text, s), s);
                assertEquals(text, heap.debugMallocStats(), "stats() and debugMallocStats() agree");
            }
            heap.checkInvariants();
        }
    }

    /**
     * Arenas not pool-aligned, as CPython's mmap gives them: each loses its first partial pool
     * to alignment, which the report counts, and Total still equals arenas x arena size.
     */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void unalignedArenasCountTheirAlignmentLoss(Geometry geometry) {
        OffsetArenaAllocator unaligned = new OffsetArenaAllocator(4096 + 16); // aligned to no pool size
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        try (PyMalloc heap = PyMalloc.builder().geometry(geometry).arenaAllocator(unaligned).build()) {
            List<Long> live = new ArrayList<>();
            for (int k = 0; k < 30_000; k++) {
                if (live.isEmpty() || random.nextInt(3) != 0) {
                    live.add(heap.malloc(1 + random.nextInt(random.nextBoolean() ? 600 : 64)));
                } else {
                    heap.free(live.remove(random.nextInt(live.size())));
                }
            }
            MallocStats s = heap.stats();
            checkAccounting(s);
            checkSummary(parse(s.format(), s), s);
            assertEquals(s.arenasCurrent() * geometry.poolSize(), s.arenaAlignmentBytes(), "seed " + seed);
            assertEquals(s.arenasCurrent() * (geometry.poolsPerArena() - 1), heap.pools().size(), "seed " + seed);
            heap.checkInvariants();
        }
        assertTrue(unaligned.allReturned(), "every arena returned");
    }
}
