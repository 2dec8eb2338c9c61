package org.pymalloc4j.bench.cli;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading JMH's JSON, the tables and ratios built from it, and the two charts, on made-up results. */
class BenchResultsTest {

    /** One JMH result as JMH 1.37 writes it (fields the tool does not read left out). */
    static String result(String benchmark, String param, double score, String unit, String secondary) {
        String params = param.isEmpty() ? "" : "\"params\" : { \"size\" : \"" + param + "\" },";
        if (benchmark.contains("collectLiveHeap")) {
            params = "\"params\" : { \"liveObjects\" : \"" + param + "\" },";
        }
        return """
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "org.pymalloc4j.bench.jmh.%s",
                    "mode" : "avgt",
                    "jvmArgs" : [ "--enable-native-access=ALL-UNNAMED", "-da" ],
                    %s
                    "primaryMetric" : { "score" : %s, "scoreError" : "NaN", "scoreUnit" : "%s",
                        "rawData" : [ [ %s ] ] },
                    "secondaryMetrics" : { %s }
                }""".formatted(benchmark, params, score, unit, score, secondary);
    }

    static final String NATIVE_BYTES = """
            "nativeBytes" : { "score" : 6291456.0, "scoreError" : "NaN", "scoreUnit" : "#",
                "rawData" : [ [ 2097152.0, 2097152.0, 0.0 ], [ 2097152.0, 1048576.0 ] ] }""";
    static final String GC = """
            "gc.alloc.rate.norm" : { "score" : 16.0, "scoreError" : 0.001, "scoreUnit" : "B/op", "rawData" : [ [ 16.0 ] ] },
            "gc.time" : { "score" : 12.0, "scoreError" : "NaN", "scoreUnit" : "ms", "rawData" : [ [ 12.0 ] ] }""";

    static JmhResults sample() {
        return JmhResults.parse("[" + String.join(",\n", List.of(
                result("PairBenchmark.pymalloc", "64", 10.0, "ns/op", ""),
                result("PairBenchmark.libcMalloc", "64", 25.0, "ns/op", ""),
                result("PairBenchmark.jemalloc", "64", 15.0, "ns/op", ""),
                result("PairBenchmark.arenaConfined", "64", 30.0, "ns/op", ""),
                result("PairBenchmark.directByteBuffer", "64", 40.0, "ns/op", ""),
                result("PairBenchmark.nettyPooledDirect", "64", 50.0, "ns/op", ""),
                result("PairBenchmark.pymallocLoop", "64", 4.0, "ns/op", ""),
                result("PairBenchmark.pymalloc", "16", 8.0, "ns/op", ""),
                result("BatchBenchmark.pymalloc", "64", 20.0, "ns/op", NATIVE_BYTES),
                result("BatchBenchmark.pymallocHugePages", "64", 5.0, "ns/op", NATIVE_BYTES),
                result("TraceReplayBenchmark.pymalloc", "", 1.0e7, "ops/s", ""),
                result("ObjectBenchmark.floatNative", "", 12.0, "ns/op", ""),
                result("ObjectBenchmark.floatNativeLoop", "", 9.0, "ns/op", ""),
                result("ObjectBenchmark.floatJava", "", 4.0, "ns/op", GC),
                result("CollectorBenchmark.collectCycles", "", 60.0, "ns/op", ""),
                result("CollectorBenchmark.collectLiveHeap", "10000", 0.5, "ms/op", ""),
                result("CollectorBenchmark.collectLiveHeap", "100000", 5.0, "ms/op", ""))) + "]");
    }

    static final Map<String, Double> CPYTHON = Map.of("pair.64", 5.0, "replay", 2.0e7, "float", 6.0,
            "gc.cycles", 150.0, "gc.live.10000", 1.0, "gc.live.100000", 10.0);

    @Test
    void jmhResultsAreReadWithParametersUnitsAndPerIterationCounters() {
        JmhResults r = sample();
        assertEquals("1.37", r.jmhVersion());
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED", "-da"), r.jvmArgs());
        assertEquals(List.of("64", "16"), r.params("PairBenchmark"));
        assertEquals(25.0, r.find("PairBenchmark", "libcMalloc", "64").orElseThrow().score());
        assertTrue(Double.isNaN(r.find("PairBenchmark", "libcMalloc", "64").orElseThrow().error()), "\"NaN\" error");
        JmhResults.Secondary bytes = r.find("BatchBenchmark", "pymalloc", "64").orElseThrow().secondary().get("nativeBytes");
        assertEquals(5, bytes.perIteration().size(), "both forks' iterations");
        assertEquals(2097152.0, bytes.median(), "the median of the gauge, not JMH's sum");
        assertTrue(r.find("PairBenchmark", "pymalloc", "512").isEmpty());
    }

    /** --quick measures two iterations: the median of a gauge's two values is their mean, not the larger. */
    @Test
    void theMedianOfAnEvenNumberOfIterationsIsTheMeanOfTheMiddleTwo() {
        String twoIterations = NATIVE_BYTES.replace("[ [ 2097152.0, 2097152.0, 0.0 ], [ 2097152.0, 1048576.0 ] ]",
                "[ [ 1048576.0, 3145728.0 ] ]");
        JmhResults r = JmhResults.parse("[" + result("BatchBenchmark.pymalloc", "64", 20.0, "ns/op", twoIterations) + "]");
        assertEquals(2097152.0, r.find("BatchBenchmark", "pymalloc", "64").orElseThrow().secondary().get("nativeBytes")
                .median());
    }

    @Test
    void malformedJsonIsRefusedWithItsOffset() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JmhResults.parse("[{\"a\" 1}]"));
        assertTrue(e.getMessage().contains("offset 6"), e.getMessage());
        assertEquals("a JMH result file is a JSON array",
                assertThrows(IllegalArgumentException.class, () -> JmhResults.parse("{}"), "not an array").getMessage());
        assertEquals("a\"b\nc\u00e9", Json.parse("\"a\\\"b\\nc\\u00e9\""));
    }

    @Test
    void allocatorTablesGiveCPythonAndEveryBaselineAsARatioToPymalloc4j() {
        BenchTables tables = new BenchTables(sample(), CPYTHON);
        List<BenchTables.Section> sections = tables.allocator();
        assertEquals(4, sections.size(), "pymalloc4j with CPython, the native allocators, the JDK's, Netty's");
        String text = sections.get(0).table().render();
        String pair64 = line(text, "pair 64 B");
        assertTrue(pair64.contains("10.0 (1.00×)"), pair64);
        assertTrue(pair64.contains("5.00 (0.50×)"), "CPython: " + pair64);
        assertTrue(pair64.contains("4.00 (0.40×)"), "in a loop: " + pair64);
        assertFalse(text.contains("libc malloc"), "no baseline beside CPython: " + text);
        assertTrue(text.lines().findFirst().orElseThrow()
                        .matches("pattern +pymalloc4j +pymalloc4j in a loop +pymalloc4j huge pages +CPython 3 pymalloc"
                                + " +pymalloc4j native MiB"),
                "pymalloc4j's columns side by side, then CPython's, then the memory: " + text);
        assertEquals("-", cells(line(text, "batch 64 B"))[2], "no loop figure for a batch");
        assertEquals("5.00 (0.25×)", cells(line(text, "batch 64 B"))[3], "huge pages, a ratio to the default arenas");
        assertEquals("-", cells(line(text, "pair 64 B"))[3], "no huge-page figure for the pair");
        String replay = line(text, "trace replay");
        assertTrue(replay.contains("100 (1.00×)"), "10M ops/s is 100 ns per op: " + replay);
        assertTrue(replay.contains("50.0 (0.50×)"), "CPython's 20M ops/s: " + replay);
        assertTrue(line(text, "batch 64 B").endsWith("2.00"), "native MiB, the median: " + line(text, "batch 64 B"));

        String natives = sections.get(1).table().render();
        assertTrue(natives.lines().findFirst().orElseThrow().matches("pattern +pymalloc4j +libc malloc +jemalloc \\(LWJGL\\)"),
                "pymalloc4j first, the base of the ratios, then the native allocators with a figure: " + natives);
        assertTrue(line(natives, "pair 64 B").contains("10.0 (1.00×)"), natives);
        assertTrue(line(natives, "pair 64 B").contains("25.0 (2.50×)"), natives);
        assertTrue(line(natives, "pair 64 B").contains("15.0 (1.50×)"), natives);
        assertFalse(natives.contains("CPython") || natives.contains("in a loop") || natives.contains("MiB")
                || natives.contains("Arena"), "only the native allocators: " + natives);
        String jdk = sections.get(2).table().render();
        assertTrue(jdk.lines().findFirst().orElseThrow()
                        .matches("pattern +pymalloc4j +Arena.ofConfined +ByteBuffer.allocateDirect"),
                "pymalloc4j, then the JDK's alternatives with a figure: " + jdk);
        assertTrue(line(jdk, "pair 64 B").contains("30.0 (3.00×)"), jdk);
        assertTrue(line(jdk, "pair 64 B").contains("40.0 (4.00×)"), jdk);
        assertFalse(jdk.contains("libc") || jdk.contains("Netty"), "only the JDK's own: " + jdk);
        String netty = sections.get(3).table().render();
        assertTrue(netty.lines().findFirst().orElseThrow().matches("pattern +pymalloc4j +Netty pooled"),
                "pymalloc4j, then Netty's allocators with a figure: " + netty);
        assertTrue(line(netty, "pair 64 B").contains("50.0 (5.00×)"), netty);
        assertFalse(netty.contains("Arena"), "only Netty's: " + netty);
        assertEquals(OptionalDouble.empty(), tables.allocatorNanos(tables.allocatorRows().get(1), "libcMalloc"),
                "no libc figure for 16 B");
    }

    @Test
    void ratiosKeepTwoDecimalsOnlyWhereTheyMatter() {
        assertEquals("3.75 (1.50×)", BenchTables.cell(OptionalDouble.of(3.75), OptionalDouble.of(2.5)));
        assertEquals("30.8 (12.3×)", BenchTables.cell(OptionalDouble.of(30.8), OptionalDouble.of(2.5)));
        assertEquals("53,727 (21,491×)", BenchTables.cell(OptionalDouble.of(53_727), OptionalDouble.of(2.5)));
        assertEquals("2.50", BenchTables.cell(OptionalDouble.of(2.5), OptionalDouble.empty()), "no base, no ratio");
        assertEquals("-", BenchTables.cell(OptionalDouble.empty(), OptionalDouble.of(2.5)));
    }

    @Test
    void withoutBaselinesThereIsOneAllocatorTable() {
        JmhResults run = JmhResults.parse("[" + result("PairBenchmark.pymalloc", "64", 10.0, "ns/op", "") + "]");
        List<BenchTables.Section> sections = new BenchTables(run, Map.of()).allocator();
        assertEquals(1, sections.size(), "no empty tables of alternatives");
        assertTrue(line(sections.get(0).table().render(), "pair 64 B").contains("10.0 (1.00×)"));
        assertEquals(List.of(), new BenchTables(JmhResults.parse("[]"), Map.of()).allocator(), "nothing measured");
    }

    @Test
    void objectsTableShowsJavaHeapBaselinesWithTheirGcCost() {
        String text = new BenchTables(sample(), CPYTHON).objects().orElseThrow().table().render();
        String row = line(text, "float create+decref");
        assertTrue(row.contains("12.0"), row);
        assertTrue(row.contains("9.00 (0.75×)"), "in a loop " + row);
        assertTrue(row.contains("6.00 (0.50×)"), "CPython " + row);
        assertTrue(row.contains("4.00 (0.33×)"), "Java " + row);
        assertTrue(row.contains("16.0"), "gc.alloc.rate.norm " + row);
        assertTrue(row.contains("12.0"), "gc.time " + row);
    }

    @Test
    void collectorTablesCompareWithCPythonAndStateTheCostPerObject() {
        BenchTables tables = new BenchTables(sample(), CPYTHON);
        String cycles = tables.collectorCycles().orElseThrow().table().render();
        assertTrue(cycles.contains("60.0") && cycles.contains("150 (2.50×)"), cycles);
        BenchTables.Section pauses = tables.collectorPauses().orElseThrow();
        String row = line(pauses.table().render(), "100,000");
        assertTrue(row.contains("5.00") && row.contains("50.0") && row.contains("10.0 (2.00×)"), row);
        assertTrue(pauses.note().contains("grows ×10.0 for ×10 the objects"), pauses.note());
        // CPython's interpreter starts with ~11,000 tracked objects: unfrozen, its "10,000" walked twice that.
        assertTrue(pauses.note().contains("gc.freeze()"), pauses.note());
    }

    /**
     * A collection is timed once a JMH iteration ({@code SingleShotTime}), and JMH's score is the
     * mean of those shots, which one slow shot moves: the full run's 10,000-object pause had a mean
     * of 0.175 ms over shots whose median was 0.138 (one shot 0.594). CPython's figure is the
     * median of its collections, so the tables take the median of JMH's shots too.
     */
    @Test
    void collectorTablesTakeTheMedianOfTheShotsAsCPythonsHarnessDoes() {
        JmhResults run = JmhResults.parse("[" + String.join(",\n", List.of(
                result("CollectorBenchmark.collectCycles", "", 60.0, "ns/op", "")
                        .replace("[ [ 60.0 ] ]", "[ [ 50.0, 50.0, 80.0 ], [ 50.0, 70.0 ] ]"),
                result("CollectorBenchmark.collectLiveHeap", "10000", 0.3, "ms/op", "")
                        .replace("[ [ 0.3 ] ]", "[ [ 0.2, 0.2, 0.2, 0.2, 0.6 ] ]"))) + "]");
        BenchTables tables = new BenchTables(run, CPYTHON);
        String cycles = line(tables.collectorCycles().orElseThrow().table().render(), "gc.collect()");
        assertTrue(cycles.contains(" 50.0 ") && cycles.contains("150 (3.00×)"), cycles);
        String pause = line(tables.collectorPauses().orElseThrow().table().render(), "10,000");
        assertArrayEquals(new String[] {"10,000", "0.200", "20.0", "1.00 (5.00×)", "100"}, cells(pause), pause);
        assertTrue(tables.collectorPauses().orElseThrow().note().contains("median"),
                "the note says which figure: " + tables.collectorPauses().orElseThrow().note());
    }

    @Test
    void memoryTableSubtractsEachProcessesOwnFootprint() {
        double mib = 1 << 20;
        Map<String, Map<String, Double>> figures = new java.util.LinkedHashMap<>();
        figures.put(MemoryComparison.PYMALLOC4J, Map.of("memory.rssStart", 40 * mib, "memory.peakRss", 140 * mib,
                "memory.rssAfter", 140 * mib, "memory.arenas", 256.0));
        figures.put(MemoryComparison.LIBC, Map.of("memory.rssStart", 4 * mib, "memory.peakRss", 54 * mib,
                "memory.rssAfter", 54 * mib));
        String text = BenchTables.memory(figures).orElseThrow().table().render();
        assertTrue(line(text, "pymalloc4j").contains("100 (1.00×)"), text);
        assertTrue(line(text, "pymalloc4j").endsWith("256"), text);
        assertTrue(line(text, "libc malloc").contains("50.0 (0.50×)"), text);
        assertTrue(line(text, "libc malloc").endsWith("-"), "no arenas for libc: " + text);
    }

    @Test
    void theRecordedProgramHasARowOfItsOwnAgainstItsOwnCPythonReplay() {
        JmhResults run = JmhResults.parse("[" + String.join(",\n", List.of(
                result("TraceReplayBenchmark.pymalloc", "", 1.0e7, "ops/s", ""),
                result("ProgramReplayBenchmark.pymalloc", "", 5.0e7, "ops/s", ""),
                result("ProgramReplayBenchmark.libcMalloc", "", 2.5e7, "ops/s", ""))) + "]");
        List<BenchTables.Section> sections = new BenchTables(run, Map.of("replay", 2.0e7, "replay.program", 1.0e8))
                .allocator();
        String text = sections.get(0).table().render();
        String program = line(text, "python3.11 -c pass replay");
        assertTrue(program.contains("20.0 (1.00×)"), "50M ops/s is 20 ns per op: " + program);
        assertTrue(line(sections.get(1).table().render(), "python3.11 -c pass replay").contains("40.0 (2.00×)"),
                "libc: " + sections.get(1).table().render());
        assertTrue(program.contains("10.0 (0.50×)"), "CPython's replay of the program, not of the other trace: " + program);
        assertTrue(line(text, "trace replay").contains("50.0 (0.50×)"), text);
    }

    @Test
    void mixMemoryTableGivesEachCountersMedianAgainstTheLiveBytes() {
        String big = NATIVE_BYTES.replace("2097152.0", "251658240.0").replace("1048576.0", "125829120.0");
        JmhResults run = JmhResults.parse("[" + String.join(",\n", List.of(
                result("RandomMixBenchmark.pymalloc", "", 60.0, "ns/op", NATIVE_BYTES),
                result("RandomMixBenchmark.libcMalloc", "", 60.0, "ns/op", ""),
                result("RandomMixBenchmark.nettyAdaptiveDirect", "", 180.0, "ns/op", big))) + "]");
        String text = new BenchTables(run, Map.of()).mixMemory().orElseThrow().table().render();
        assertArrayEquals(new String[] {"pymalloc4j", "2.00", "0.08"}, cells(line(text, "pymalloc4j")));
        assertArrayEquals(new String[] {"Netty adaptive", "240", "9.81"}, cells(line(text, "Netty adaptive")),
                "240 MiB, the median, over 25,650,000 live bytes");
        assertEquals(4, text.lines().count(), "a header, its rule and two rows, none for libc, which has no counter: " + text);
        assertTrue(new BenchTables(sample(), CPYTHON).mixMemory().isEmpty(), "no random mix, no table");
    }

    /** The huge-page row's counter is in 2 MiB arenas: the note said every pymalloc4j row's were 1 MiB. */
    @Test
    void mixMemoryNoteGivesTheArenaSizeOfEachPymalloc4jRow() {
        JmhResults run = JmhResults.parse("[" + String.join(",\n", List.of(
                result("RandomMixBenchmark.pymalloc", "", 60.0, "ns/op", NATIVE_BYTES),
                result("RandomMixBenchmark.pymallocHugePages", "", 50.0, "ns/op", NATIVE_BYTES))) + "]");
        String note = new BenchTables(run, Map.of()).mixMemory().orElseThrow().note();
        for (org.pymalloc4j.allocator.Geometry g : List.of(org.pymalloc4j.allocator.Geometry.PY311,
                org.pymalloc4j.allocator.Geometry.HUGE_PAGES)) {
            assertTrue(note.contains((g.arenaSize() >> 20) + " MiB"), g.name() + "'s arenas in: " + note);
        }
        assertFalse(note.contains("whole 1 MiB arenas"), note);
    }

    @Test
    void barChartHasOneBarPerFigureAndOneColourPerImplementation() throws Exception {
        BenchTables tables = new BenchTables(sample(), CPYTHON);
        Document svg = parse(BenchReport.chart(tables));
        // pymalloc4j: pair 64, pair 16, batch 64, replay; in a loop: pair 64; huge pages: batch 64; libc, jemalloc,
        // Arena.ofConfined, ByteBuffer.allocateDirect and Netty pooled: pair 64; CPython: pair 64, replay;
        // + white background + 9 legend swatches.
        assertEquals(13 + 1 + 9, svg.getElementsByTagName("rect").getLength());
        String text = svg.getDocumentElement().getTextContent();
        for (String label : new String[] {"pymalloc4j", "pymalloc4j in a loop", "pymalloc4j huge pages", "libc malloc",
                "jemalloc (LWJGL)", "Arena.ofConfined", "ByteBuffer.allocateDirect", "Netty pooled",
                "CPython pymalloc (C)",
                "pair 64 B", "trace replay",
                "ns per operation (log scale)"}) {
            assertTrue(text.contains(label), label);
        }
        assertTrue(text.contains("100") && text.contains("1"), "decades from 1 to 100 ns: " + text);
        assertTrue(Svg.COLOURS.size() >= BenchTables.ALLOCATORS.size(),
                "a colour of its own for each implementation, CPython's apart");
    }

    /**
     * Each implementation keeps its colour from one chart to the next (the README's full run,
     * the native and JDK runs of docs/speed.md): colours went by position among the series a run
     * happened to have, so libc malloc was orange in a run without pymalloc4j's loop and green
     * with it, and the first baseline was blue when pymalloc4j was filtered out.
     */
    @Test
    void eachImplementationHasTheSameColourInEveryChart() throws Exception {
        String libc = Svg.COLOURS.get(BenchTables.ALLOCATORS.stream().map(BenchTables.Impl::method).toList()
                .indexOf("libcMalloc"));
        for (List<String> methods : List.of(List.of("pymalloc", "libcMalloc"), List.of("libcMalloc"),
                List.of("pymalloc", "pymallocLoop", "pymallocHugePages", "libcMalloc"))) {
            String json = "[" + String.join(",\n", methods.stream()
                    .map(m -> result("PairBenchmark." + m, "64", 10.0, "ns/op", "")).toList()) + "]";
            Document svg = parse(BenchReport.chart(new BenchTables(JmhResults.parse(json), Map.of())));
            org.w3c.dom.NodeList titles = svg.getElementsByTagName("title");
            String fill = null;
            for (int i = 0; i < titles.getLength(); i++) {
                if (titles.item(i).getTextContent().startsWith("libc malloc, ")) {
                    fill = ((org.w3c.dom.Element) titles.item(i).getParentNode()).getAttribute("fill");
                }
            }
            assertEquals(libc, fill, "libc's bar among " + methods);
        }
    }

    /**
     * The log axis starts a decade below the smallest figure even when that figure is a power
     * of ten: it started at the figure's own decade, so a bar of exactly 1 or 10 ns had no
     * height and looked like a missing figure.
     */
    @Test
    void aFigureOnAPowerOfTenStillHasABar() throws Exception {
        Document svg = parse(BarChartSvg.render("t", "ns", List.of("a", "b"),
                List.of(new BarChartSvg.Series("s", "#000000", new double[] {10.0, 250.0}))));
        org.w3c.dom.NodeList rects = svg.getElementsByTagName("rect");
        int bars = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            org.w3c.dom.Element r = (org.w3c.dom.Element) rects.item(i);
            if (r.getElementsByTagName("title").getLength() > 0) {
                bars++;
                assertTrue(Double.parseDouble(r.getAttribute("height")) > 0, "a bar of no height: "
                        + r.getTextContent());
            }
        }
        assertEquals(2, bars);
    }

    /**
     * The arena lookup's rows are numbers of arenas (its JMH parameter), which the table did not
     * say: its first column was headed "arena lookup", so "16" and "1024" read as nothing.
     */
    @Test
    void theArenaLookupSaysItsRowsAreNumbersOfArenas() {
        JmhResults run = JmhResults.parse("[" + String.join(",\n", List.of(
                result("ArenaLookupBenchmark.ownerMap", "16", 0.29, "ns/op", ""),
                result("ArenaLookupBenchmark.radixTree", "16", 1.37, "ns/op", ""))) + "]");
        BenchTables.Section s = new BenchTables(run, Map.of()).arenaLookup().orElseThrow();
        String md = s.table().renderMarkdown();
        assertTrue(md.startsWith("| arenas | owner map | CPython's radix tree |"), md);
        assertTrue(md.contains("| 16 | 0.290 (1.00×) | 1.37 (4.72×) |"), md);
        assertTrue(s.note().contains("1 MiB arenas"), s.note());
    }

    /**
     * The legend's last column fits in the picture: a chart of one pattern is 720 px wide, and
     * its fourth legend column starts its text at 597 px, so a random-mix run's "CPython
     * pymalloc (C)" there was cut off at the right edge.
     */
    @Test
    void theLegendFitsInANarrowChart() throws Exception {
        List<BarChartSvg.Series> series = new java.util.ArrayList<>();
        for (String name : List.of("pymalloc4j", "pymalloc4j in a loop", "pymalloc4j huge pages", "CPython pymalloc (C)",
                "Arena.ofShared", "Arena.ofAuto", "new byte[n]", "ByteBuffer.allocateDirect")) {
            series.add(new BarChartSvg.Series(name, "#000000", new double[] {40.0}));
        }
        Document svg = parse(BarChartSvg.render("t", "ns", List.of("random mix 1-512 B"), series));
        double width = Double.parseDouble(svg.getDocumentElement().getAttribute("width"));
        org.w3c.dom.NodeList texts = svg.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++) {
            org.w3c.dom.Element t = (org.w3c.dom.Element) texts.item(i);
            if (t.getAttribute("text-anchor").equals("start")) { // the legend's
                double end = Double.parseDouble(t.getAttribute("x")) + 7 * t.getTextContent().length();
                assertTrue(end <= width, t.getTextContent() + " ends at about " + end + " px in a picture "
                        + width + " px wide");
            }
        }
    }

    @Test
    void pausePlotIsLogLogWithLabelledAxes() throws Exception {
        Document svg = parse(BenchReport.pausePlot(sample(), CPYTHON));
        assertEquals(4, svg.getElementsByTagName("circle").getLength(), "2 sizes x pymalloc4j, CPython");
        String text = svg.getDocumentElement().getTextContent();
        assertTrue(text.contains("live objects (log scale)"), text);
        assertTrue(text.contains("full collection pause, ms (log scale)"), text);
        assertTrue(text.contains("100,000") && text.contains("10,000"), "decade ticks: " + text);
        assertEquals(null, BenchReport.pausePlot(JmhResults.parse("[]"), CPYTHON), "no collector figures, no plot");
    }

    @Test
    void markdownHasTheCommandTheMachineTheTablesAndTheCharts() {
        BenchTables tables = new BenchTables(sample(), CPYTHON);
        String md = BenchReport.markdown("pymalloc4j bench --quick", Map.of("CPU", "a test CPU"), tables.all(),
                "bench/results/quick", true, true, List.of("CPython's figures are missing: test"));
        assertTrue(md.startsWith("Produced by `pymalloc4j bench --quick`."), md);
        assertTrue(md.contains("- **CPU**: a test CPU"), md);
        assertTrue(md.contains("| pattern | pymalloc4j |"), md);
        assertTrue(md.contains("| --- | ---: |"), md);
        String chart = "![allocator chart](bench/results/quick/chart.svg)";
        assertEquals(md.indexOf(chart), md.lastIndexOf(chart), "one chart for the four allocator tables: " + md);
        assertTrue(md.indexOf("**Allocator: native allocators called from Java") > 0, md);
        assertTrue(md.indexOf(chart) > md.indexOf("**Allocator: Netty's")
                && md.indexOf("**Allocator: Netty's") > md.indexOf("**Allocator: the JDK's alternatives")
                && md.indexOf("**Allocator: the JDK's alternatives") > md.indexOf("**Allocator: native allocators"),
                "the chart after all four: " + md);
        assertTrue(md.contains("![collection pause against heap size](bench/results/quick/gc-pause.svg)"), md);
        assertTrue(md.contains("> CPython's figures are missing: test"), md);
    }

    /**
     * A note of several lines (CPython's harness that failed to build, with the compiler's last
     * lines) stays one block quote in results.md: only its first line was quoted, and the
     * compiler's lines followed as the page's own text.
     */
    @Test
    void aNoteOfSeveralLinesIsQuotedWhole() {
        String md = BenchReport.markdown("pymalloc4j bench", Map.of(), List.of(), "out", false, false,
                List.of("CPython's figures are missing: cc failed with status 1:\n/usr/bin/ld: cannot find -lpython3.11\n"
                        + "collect2: error: ld returned 1 exit status"));
        assertTrue(md.contains("> CPython's figures are missing: cc failed with status 1:\n> /usr/bin/ld: cannot find "
                + "-lpython3.11\n> collect2: error: ld returned 1 exit status\n\n"), md);
    }

    @Test
    void figuresAreFormattedToThreeSignificantDigits() {
        assertEquals("1,235", BenchTables.fmt(1234.6));
        assertEquals("12.3", BenchTables.fmt(12.34));
        assertEquals("1.23", BenchTables.fmt(1.234));
        assertEquals("0.123", BenchTables.fmt(0.1234));
        assertEquals("-", BenchTables.fmt(Double.NaN));
    }

    /** A figure that rounds up into the next decade is printed as one of that decade: "100", not "100.0". */
    @Test
    void figuresThatRoundUpToAPowerOfTenKeepThreeSignificantDigits() {
        assertEquals("100", BenchTables.fmt(99.96));
        assertEquals("10.0", BenchTables.fmt(9.996));
        assertEquals("1.00", BenchTables.fmt(0.9996));
        assertEquals("-100", BenchTables.fmt(-99.96));
        assertEquals("99.9", BenchTables.fmt(99.94));
        assertEquals("20.0 (10.0×)", BenchTables.cell(OptionalDouble.of(19.992), OptionalDouble.of(2)));
        assertEquals("200 (100×)", BenchTables.cell(OptionalDouble.of(199.92), OptionalDouble.of(2)));
    }

    /**
     * A '|' in a cell (versus labels a trace:FILE row with the file's name, and a file name may
     * hold one) is escaped in Markdown: it ended the cell there and shifted every later column.
     */
    @Test
    void aPipeInACellStaysInItsMarkdownCell() {
        String md = new Table("pattern", "ns/op").row("trace a|b.trace", "12.5").renderMarkdown();
        String row = md.lines().toList().get(2);
        assertEquals("| trace a\\|b.trace | 12.5 |", row);
        assertEquals(3, row.split("(?<!\\\\)\\|", -1).length - 1, "two cells, three unescaped bars: " + row);
    }

    /**
     * The decimals were chosen from the double's exact binary value rounded half up, but the
     * formatter rounds the double's shortest decimal (9.995's binary is 9.99499..., which the
     * formatter prints "10.00" at two decimals): 9.995 ns came out as "10.00", a ratio of 9.995
     * as "(10.00×)", four figures again at the very values the rounding was meant for.
     */
    @Test
    void aFigureOnTheRoundingBoundaryIsPrintedAsTheFormatterRoundsIt() {
        assertEquals("10.0", BenchTables.fmt(9.995));
        assertEquals("-10.0", BenchTables.fmt(-9.995));
        assertEquals("100", BenchTables.fmt(99.995));
        assertEquals("0.100", BenchTables.fmt(0.09995));
        assertEquals("9.99", BenchTables.fmt(9.994));
        assertEquals("20.0 (10.0×)", BenchTables.cell(OptionalDouble.of(19.99), OptionalDouble.of(2)));
    }

    /** A rendered row's cells, which the table separates by two spaces or more. */
    private static String[] cells(String row) {
        return row.split(" {2,}");
    }

    private static String line(String text, String start) {
        return text.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + start + "' in\n" + text)).stripTrailing();
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
    }
}
