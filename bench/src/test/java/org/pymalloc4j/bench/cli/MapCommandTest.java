package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.MallocStats;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.Trace;
import org.pymalloc4j.bench.cli.MainTest.Result;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.bench.cli.MainTest.run;

/** {@code pymalloc4j map}: the SVG parses, draws every pool as the heap holds it, and bad input exits 2. */
class MapCommandTest {
    /**
     * Ten 16-byte blocks (class 0), three of 100 bytes (class 6) with one freed, and one
     * 512-byte block freed again, leaving its pool empty: three carved pools on one arena.
     */
    private static final String SMALL = "m 0 16\nm 1 16\nm 2 16\nm 3 16\nm 4 16\nm 5 16\nm 6 16\nm 7 16\nm 8 16\nm 9 16\n"
            + "m 10 100\nm 11 100\nm 12 100\nf 11\nm 13 512\nf 13\n";
    private static final List<String> STATES = List.of("used", "full", "free", "uncarved", "alignment");

    @TempDir
    Path dir;

    private Path trace(String text) throws IOException {
        Path file = dir.resolve("t.trace");
        Files.writeString(file, text);
        return file;
    }

    private static Document parse(Path svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(svg.toFile());
    }

    /** The cells of the map: rects whose class is a pool state, in document (arena, address) order. */
    private static List<Element> cells(Document doc) {
        List<Element> cells = new ArrayList<>();
        NodeList rects = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if (STATES.contains(r.getAttribute("class"))) {
                cells.add(r);
            }
        }
        return cells;
    }

    private static String title(Element e) {
        NodeList t = e.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title");
        return t.getLength() == 0 ? "" : t.item(0).getTextContent();
    }

    private static Map<String, Long> totals(Document doc) {
        Map<String, Long> totals = new HashMap<>();
        NodeList texts = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        for (int i = 0; i < texts.getLength(); i++) {
            Element t = (Element) texts.item(i);
            if (t.getAttribute("id").startsWith("stat-")) {
                totals.put(t.getAttribute("id").substring(5), Long.parseLong(t.getTextContent().replace(",", "")));
            }
        }
        return totals;
    }

    private static MallocStats statsOf(Path trace, Geometry geometry) throws Exception {
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            Trace.read(trace).replay(heap, 1024, done -> { });
            return heap.stats();
        }
    }

    @Test
    void aSmallTraceIsDrawnPoolByPool() throws Exception {
        Path t = trace(SMALL);
        Path svg = dir.resolve("small.svg");
        Result r = run("map", "--trace", t.toString(), "--out", svg.toString(), "--quiet");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("pymalloc4j map: wrote " + svg), r.out());
        assertTrue(r.out().contains(": 1 arena, "), r.out());

        Document doc = parse(svg);
        List<Element> cells = cells(doc);
        assertEquals(Geometry.PY311.poolsPerArena(), cells.size(), "one cell per pool of the arena");
        Element c0 = cells.get(0);
        assertEquals("used", c0.getAttribute("class"));
        assertEquals(Palette.colour(0, 0), c0.getAttribute("fill"));
        assertEquals(HeapMapSvg.levelHeight(10 / 1021.0), Double.parseDouble(level(c0).getAttribute("height")));
        assertEquals(Palette.colour(0), level(c0).getAttribute("fill"));
        assertTrue(title(c0).matches("arena 0 · pool 0x[0-9a-f]+ · class 0 \\(16 B\\) · 10 of 1,021 blocks in use \\(1%\\)"),
                title(c0));
        Element c1 = cells.get(1);
        assertEquals("used", c1.getAttribute("class"));
        assertEquals(Palette.colour(6, 0), c1.getAttribute("fill"));
        assertEquals(Palette.colour(6), level(c1).getAttribute("fill"));
        assertTrue(title(c1).endsWith("class 6 (112 B) · 2 of 145 blocks in use (1%)"), title(c1));
        assertEquals("free", cells.get(2).getAttribute("class"));
        assertTrue(title(cells.get(2)).endsWith("free (on the arena's free-pool list)"), title(cells.get(2)));
        for (Element c : cells.subList(3, cells.size())) {
            assertTrue(List.of("uncarved", "alignment").contains(c.getAttribute("class")), title(c));
        }
        long p0 = Long.parseLong(title(c0).split("0x")[1].split(" ")[0], 16);
        long p1 = Long.parseLong(title(c1).split("0x")[1].split(" ")[0], 16);
        assertEquals(Geometry.PY311.poolSize(), p1 - p0, "cells in address order");
        assertTrue(Files.readString(svg).contains("trace " + t + ": 16 operations replayed"));
    }

    @Test
    void underTheDebugHooksBlocksMoveUpSizeClasses() throws Exception {
        Path svg = dir.resolve("debug.svg");
        Result r = run("map", "--trace", trace(SMALL).toString(), "--malloc", "pymalloc_debug", "--out", svg.toString(), "--quiet");
        assertEquals(0, r.status(), r.err());
        Document doc = parse(svg);
        String all = doc.getDocumentElement().getTextContent();
        assertTrue(all.contains("16 operations replayed, under pymalloc_debug"), all);
        // 16 bytes + the hooks' 24 of guards and header: class 2 (48 B), and class 0 stays empty
        assertTrue(title(cells(doc).get(0)).endsWith("class 2 (48 B) · 10 of 340 blocks in use (3%)"), title(cells(doc).get(0)));
        assertTrue(all.contains("class 2 · 48 B · 1 pool"), all);
        assertFalse(all.contains("class 0 · 16 B · 1 pool"), all);
    }

    @Test
    void anAllocatorWithoutAPymallocHeapIsAUsageError() {
        Path svg = dir.resolve("none.svg");
        for (String name : List.of("malloc", "malloc_debug")) {
            Result r = run("map", "--malloc", name, "--out", svg.toString(), "--quiet");
            assertEquals(2, r.status(), name);
            assertTrue(r.err().contains("--malloc " + name + " has no pymalloc heap to draw"), r.err());
        }
        Result bad = run("map", "--malloc", "jemalloc", "--out", svg.toString());
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("map: --malloc: unknown allocator 'jemalloc'"), bad.err());
        assertFalse(Files.exists(svg), "nothing written");
    }

    @Test
    void theLegendShowsEveryClassAndTheStates() throws Exception {
        Path svg = dir.resolve("legend.svg");
        assertEquals(0, run("map", "--trace", trace(SMALL).toString(), "--out", svg.toString(), "--quiet").status());
        Document doc = parse(svg);
        String all = doc.getDocumentElement().getTextContent();
        int swatches = 0;
        NodeList rects = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (e.getAttribute("class").equals("legend-class")) {
                assertEquals(Palette.colour(swatches), e.getAttribute("fill"));
                swatches++;
            }
        }
        assertEquals(32, swatches);
        assertTrue(all.contains("class 0 · 16 B · 1 pool"), all);
        assertTrue(all.contains("class 6 · 112 B · 1 pool"), all);
        assertTrue(all.contains("class 31 · 512 B"), all);
        assertTrue(all.contains("how full a pool is: 1 block in use → full, in its class's colour"), all);
        assertTrue(all.contains("free pool, reusable by any class"), all);
        assertTrue(all.contains("never carved"), all);
        assertTrue(all.contains("CPython 3.11 geometry (16 KiB pools, 1 MiB arenas)"), all);
    }

    @Test
    void totalsEqualTheStatisticsOfTheSameHeap() throws Exception {
        Path t = trace(SMALL);
        Path svg = dir.resolve("totals.svg");
        assertEquals(0, run("map", "--trace", t.toString(), "--geometry", "3.8", "--out", svg.toString(), "--quiet").status());
        MallocStats s = statsOf(t, Geometry.PY38);
        Map<String, Long> totals = totals(parse(svg));
        assertEquals(s.arenasCurrent(), totals.get("arenasCurrent"));
        assertEquals(s.arenasHighWater(), totals.get("arenasHighWater"));
        assertEquals(s.arenasAllocatedTotal(), totals.get("arenasAllocatedTotal"));
        assertEquals(s.arenasReclaimed(), totals.get("arenasReclaimed"));
        assertEquals(s.poolsInUse(), totals.get("poolsInUse"));
        assertEquals(s.unusedPools(), totals.get("unusedPools"));
        assertEquals(s.smallBlocksInUse(), totals.get("smallBlocksInUse"));
        assertEquals(s.allocatedBlockBytes(), totals.get("allocatedBlockBytes"));
        assertEquals(s.availableBlockBytes(), totals.get("availableBlockBytes"));
        assertEquals(s.unusedPoolBytes(), totals.get("unusedPoolBytes"));
        assertEquals(s.poolHeaderBytes(), totals.get("poolHeaderBytes"));
        assertEquals(s.quantizationBytes(), totals.get("quantizationBytes"));
        assertEquals(s.arenaAlignmentBytes(), totals.get("arenaAlignmentBytes"));
        assertEquals(s.arenaBytes(), totals.get("arenaBytes"));
        assertEquals(s.arenaMapBytes(), totals.get("arenaMapBytes"));
        assertEquals(s.rawBlocks(), totals.get("rawBlocks"));
        assertEquals(s.rawBytes(), totals.get("rawBytes"));
        assertEquals(17, totals.size());
        assertEquals(10 * 16 + 2 * 112, s.allocatedBlockBytes(), "the trace's blocks, whole");
    }

    @Test
    void theDemoDrawsEveryPoolOfEveryArena() throws Exception {
        Path svg = dir.resolve("demo.svg");
        Result r = run("map", "--demo", "--blocks", "20000", "--geometry", "3.8", "--out", svg.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("churn"), "progress on stderr: " + r.err());
        Document doc = parse(svg);
        Map<String, Long> totals = totals(doc);
        List<Element> cells = cells(doc);
        assertEquals(totals.get("arenasCurrent") * Geometry.PY38.poolsPerArena(), cells.size());
        long inUse = cells.stream().filter(c -> List.of("used", "full").contains(c.getAttribute("class"))).count();
        long unused = cells.stream().filter(c -> List.of("free", "uncarved").contains(c.getAttribute("class"))).count();
        assertEquals(totals.get("poolsInUse"), inUse);
        assertEquals(totals.get("unusedPools"), unused);
        for (Element c : cells) {
            assertFalse(title(c).isEmpty(), "every cell has a tooltip");
        }
        assertTrue(r.out().contains(String.format(": %s, %,d pools", Plural.of(totals.get("arenasCurrent"), "arena"), cells.size())),
                r.out());
    }

    @Test
    void badInputIsAUsageErrorAndWritesNothing() throws IOException {
        Path out = dir.resolve("x.svg");
        String o = out.toString();
        String t = trace(SMALL).toString();
        String[][] cases = {
                {"map: --out FILE.svg is required", "map", "--demo"},
                {"give --demo or --trace FILE, not both", "map", "--demo", "--trace", t, "--out", o},
                {"is a directory", "map", "--out", dir.toString()},
                {"no such directory", "map", "--out", dir.resolve("missing/x.svg").toString()},
                {"no such trace file", "map", "--trace", dir.resolve("none.trace").toString(), "--out", o},
                {"--blocks and --seed apply to --demo only", "map", "--trace", t, "--blocks", "5", "--out", o},
                {"--blocks must be a positive integer", "map", "--blocks", "0", "--out", o},
                {"unknown option --colour", "map", "--colour", "red", "--out", o},
                {"unexpected argument", "map", "heap.svg"},
                {"unknown geometry", "map", "--geometry", "3.9", "--out", o},
        };
        for (String[] c : cases) {
            Result r = run(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.status(), String.join(" ", c));
            assertTrue(r.err().contains(c[0]), c[0] + " in: " + r.err());
            assertEquals("", r.out());
        }
        assertFalse(Files.exists(out), "nothing written");
    }

    /** --out naming the --trace file wrote the picture over the trace, which may have taken a long run to record. */
    @Test
    void thePictureIsNotWrittenOverItsTrace() throws IOException {
        Path t = trace(SMALL);
        for (String out : new String[] {t.toString(), dir.resolve(".").resolve(t.getFileName()).toString()}) {
            Result r = run("map", "--trace", t.toString(), "--out", out, "--quiet");
            assertEquals(2, r.status(), r.err());
            assertTrue(r.err().contains("map: --out " + out + " is the trace file: the picture would overwrite it"), r.err());
            assertEquals("", r.out());
        }
        assertEquals(SMALL, Files.readString(t));
    }

    @Test
    void aMalformedTraceNamesItsLine() throws IOException {
        Path out = dir.resolve("x.svg");
        Result r = run("map", "--trace", trace("m 0 16\nm 1 16\nf 7\n").toString(), "--out", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(":3: ") && r.err().contains("holds no block"), r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(out));
    }

    @Test
    void aSizeTheHeapCannotGiveNamesItsLineAndWritesNothing() throws IOException {
        Path out = dir.resolve("x.svg");
        Path huge = trace("m 0 16\n\nr 0 9223372036854775807\n");
        Result r = run("map", "--trace", huge.toString(), "--out", out.toString(), "--quiet");
        assertEquals(2, r.status(), r.err());
        assertEquals("pymalloc4j map: " + huge + ":3: cannot allocate 9223372036854775807 bytes (realloc of slot 0): ",
                r.err().substring(0, r.err().indexOf("): ") + 3));
        assertEquals("", r.out());
        assertFalse(Files.exists(out));
    }

    /** {@code --out -} is standard output, as {@code --trace -} is standard input: no file named '-'. */
    @Test
    void outDashWritesThePictureToStandardOutput() throws Exception {
        Path cwdDash = Path.of("-");
        Files.deleteIfExists(cwdDash);
        Result r = run("map", "--trace", trace(SMALL).toString(), "--out", "-", "--quiet");
        boolean dashWritten = Files.deleteIfExists(cwdDash);
        assertEquals(0, r.status(), r.err());
        assertFalse(dashWritten, "a file named '-' was written");
        assertTrue(r.out().startsWith("<?xml") && r.out().strip().endsWith("</svg>"), "the SVG alone: " + r.out());
        Path svg = dir.resolve("from-stdout.svg");
        Files.writeString(svg, r.out());
        assertEquals(Geometry.PY311.poolsPerArena(), cells(parse(svg)).size());
        assertTrue(r.err().startsWith("pymalloc4j map: wrote the picture to standard output ("), r.err());
        assertTrue(r.err().contains(": 1 arena, "), r.err());
        assertTrue(run("map", "--help").out().contains("replaced, but not the --trace file); '-' writes it to\n"
                + " ".repeat(24) + "standard output, and the summary line to standard error\n"));
    }

    /** A write that fails after the work (a full disk) is a failure, status 1, not bad input (2), and says why. */
    @Test
    void aFailedWriteIsAFailureThatSaysWhy() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
        Result r = run("map", "--trace", trace(SMALL).toString(), "--out", "/dev/full", "--quiet");
        assertEquals(1, r.status(), r.err());
        assertEquals("pymalloc4j map: cannot write /dev/full: No space left on device\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void helpDescribesTheCommand() {
        Result r = run("map", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("usage: pymalloc4j map"), r.out());
        assertTrue(run("help", "map").out().contains("--out FILE.svg"));
        assertTrue(run("--help").out().contains("map      draw the arenas"));
    }

    /** The level rect drawn right after a pool's cell. */
    private static Element level(Element cell) {
        org.w3c.dom.Node n = cell.getNextSibling();
        while (n != null && !(n instanceof Element)) {
            n = n.getNextSibling();
        }
        assertTrue(n instanceof Element e && "level".equals(e.getAttribute("class")), "no level after the cell");
        return (Element) n;
    }
}
