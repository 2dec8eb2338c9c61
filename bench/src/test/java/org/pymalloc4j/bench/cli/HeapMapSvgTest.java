package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.MallocStats;
import org.pymalloc4j.allocator.PoolInfo;
import org.pymalloc4j.allocator.SizeClassStats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The renderer and palette on made-up heaps: the row cap, escaping, distinct colours. */
class HeapMapSvgTest {

    private static MallocStats emptyStats(Geometry g, long arenas) {
        List<SizeClassStats> rows = new ArrayList<>();
        for (int i = 0; i < Geometry.SIZE_CLASSES; i++) {
            rows.add(new SizeClassStats(i, Geometry.blockSize(i), 0, 0, 0));
        }
        return new MallocStats(g, rows, arenas, 0, arenas, arenas, 0, 0, arenas * g.poolsPerArena(), 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0);
    }

    private static int occurrences(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void manyArenasAreCappedWithANote() {
        Geometry g = Geometry.PY38;
        int arenas = HeapMapSvg.MAX_ROWS + 44;
        List<PoolInfo> pools = new ArrayList<>();
        for (int a = 0; a < arenas; a++) {
            for (int i = 0; i < g.poolsPerArena(); i++) {
                pools.add(new PoolInfo(a, (a + 1L) << 20 | (long) i * g.poolSize(), PoolInfo.State.UNCARVED, -1, 0, 0, 0));
            }
        }
        String svg = new HeapMapSvg(g, pools, emptyStats(g, arenas), "made up").render();
        assertEquals(HeapMapSvg.MAX_ROWS * g.poolsPerArena(), occurrences(svg, "<rect class=\"uncarved\""));
        assertTrue(svg.contains("… and 44 more arenas, not drawn (the totals count them)"), "the note");
        assertTrue(svg.contains("tabular-nums\">300<"), "the totals still count every arena");
    }

    @Test
    void workloadTextIsEscaped() {
        Geometry g = Geometry.PY311;
        String svg = new HeapMapSvg(g, List.of(), emptyStats(g, 0), "trace <a&b>.trace").render();
        assertTrue(svg.contains("trace &lt;a&amp;b&gt;.trace"), svg);
    }

    /** A trace's file name can hold characters XML 1.0 forbids even escaped; the picture must still parse. */
    @Test
    void charactersXmlForbidsAreReplacedSoThePictureParses() throws Exception {
        Geometry g = Geometry.PY311;
        String svg = new HeapMapSvg(g, List.of(), emptyStats(g, 0), "trace /tmp/a\u0001b\u001b\uFFFF\ud800.trace\tx").render();
        assertTrue(svg.contains("trace /tmp/a\uFFFDb\uFFFD\uFFFD\uFFFD.trace\tx"), svg);
        byte[] bytes = svg.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(bytes));
        assertEquals("a &amp; \uD83D\uDE00 &lt;", Svg.escape("a & \uD83D\uDE00 <"), "characters beyond the BMP stay");
    }

    @Test
    void thePaletteHasADistinctColourPerClassAndDarkensAsPoolsFill() {
        Set<String> colours = new HashSet<>();
        for (int c = 0; c < Geometry.SIZE_CLASSES; c++) {
            colours.add(Palette.colour(c));
            assertTrue(luminance(Palette.colour(c, 0.05)) > luminance(Palette.colour(c, 0.5)), "class " + c);
            assertTrue(luminance(Palette.colour(c, 0.5)) > luminance(Palette.colour(c, 1)), "class " + c);
        }
        assertEquals(Geometry.SIZE_CLASSES, colours.size());
        assertEquals("#ff0000", Palette.hslToHex(0, 1, 0.5));
        assertEquals("#00ff00", Palette.hslToHex(120, 1, 0.5));
        assertEquals("#0000ff", Palette.hslToHex(240, 1, 0.5));
    }

    private static int luminance(String hex) {
        int rgb = Integer.parseInt(hex.substring(1), 16);
        return (rgb >> 16 & 0xff) * 299 + (rgb >> 8 & 0xff) * 587 + (rgb & 0xff) * 114;
    }
}
