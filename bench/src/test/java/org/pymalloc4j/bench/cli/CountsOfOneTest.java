package org.pymalloc4j.bench.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pymalloc4j.bench.Trace;
import org.pymalloc4j.bench.cli.MainTest.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a count the output gives can be 1, its noun is singular: not "1 operations", "1 blocks". */
class CountsOfOneTest {
    /** A 1 that is a whole number (not of 1,021 or 3.11) before a plural noun. */
    private static final Pattern ONE_PLURAL = Pattern.compile("(?<![\\d,.])1 (?:[a-z]+ )?(?!is\\b)[a-z]+s\\b");

    @TempDir
    Path dir;

    private static void assertNoOnePlural(String text) {
        Matcher m = ONE_PLURAL.matcher(text);
        assertFalse(m.find(), () -> "'" + m.group() + "' in:\n" + text);
    }

    @Test
    void aTraceOfOneOperation() throws Exception {
        Path trace = Files.writeString(dir.resolve("one.trace"), "m 0 16\n");
        Result replay = MainTest.run("replay", trace.toString(), "--trace", "1", "--quiet");
        assertEquals(0, replay.status(), replay.err());
        assertTrue(replay.out().contains("replayed 1 operation of "), replay.out());
        assertTrue(replay.out().contains("tracemalloc: 1 live block traced, "), replay.out());
        // (tracemalloc's "Top 1 lines" below is CPython's display_top recipe, as Snapshot.top copies it)
        assertNoOnePlural(replay.out().substring(replay.out().indexOf("\ntracemalloc"), replay.out().indexOf("\nTop ")));
        assertNoOnePlural(replay.out().substring(replay.out().indexOf("\nreplayed ")));
        Path svg = dir.resolve("one.svg");
        Result map = MainTest.run("map", "--trace", trace.toString(), "--out", svg.toString(), "--quiet");
        assertEquals(0, map.status(), map.err());
        assertTrue(Files.readString(svg).contains(": 1 operation replayed"));
        assertNoOnePlural(map.out());
    }

    @Test
    void aDemoOfOneBlock() throws Exception {
        Result demo = MainTest.run("demo", "--blocks", "1", "--quiet");
        assertEquals(0, demo.status(), demo.err());
        assertTrue(demo.out().startsWith("pymalloc4j demo: 1 block, seed 42"), demo.out());
        String live = demo.out().substring(demo.out().indexOf("\nlive: "));
        assertNoOnePlural(live.substring(0, live.indexOf('\n', 1)));
        Path svg = dir.resolve("demo.svg");
        assertEquals(0, MainTest.run("map", "--blocks", "1", "--out", svg.toString(), "--quiet").status());
        assertTrue(Files.readString(svg).contains("demo workload: 1 block built"));
    }

    /** The progress lines a log gets (standard error not a terminal) count their operations and bytes too. */
    @Test
    void progressLinesOfOne() throws Exception {
        Result demo = MainTest.run("demo", "--blocks", "1");
        assertEquals(0, demo.status(), demo.err());
        assertTrue(demo.err().contains("build: 1 operation...\n"), demo.err());
        assertNoOnePlural(demo.err());
        Path oneByte = Files.writeString(dir.resolve("b.trace"), "m");
        Result replay = MainTest.run("replay", oneByte.toString());
        assertEquals(2, replay.status(), replay.err());
        assertTrue(replay.err().startsWith("read b.trace: 1 byte...\n"), replay.err());
    }

    @Test
    void aComparisonOfOneItem() {
        Result r = MainTest.run("layout", "--compare", "--items", "1", "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("list of 1 float / ArrayList<Double>"), r.out());
        // JOL's own "Space losses: 1 bytes internal" line, which the tables copy, is JOL's to word
        assertNoOnePlural(r.out().lines().filter(l -> !l.startsWith("Space losses: ")).collect(java.util.stream.Collectors.joining("\n")));
    }

    @Test
    void versusHeaderOfOneRound() {
        String header = VersusCommand.header(1, 1, 100, 1);
        assertEquals("1 JVM a pattern, each 1 round of at least 100 ms a side after 1 warm-up round; ", header.substring(0,
                header.indexOf("ratio =")));
        assertTrue(VersusCommand.header(3, 9, 200, 0).startsWith("3 JVMs a pattern, each 9 rounds of at least 200 ms a side "
                + "after 0 warm-up rounds; "));
    }

    @Test
    void recordSummaryOfOneCall() throws Exception {
        Trace one = Trace.parse(new java.io.ByteArrayInputStream("m 0 16\n".getBytes()), "one", n -> { });
        String line = RecordCommand.summary(one, Path.of("t.trace"));
        assertEquals("recorded 1 pymalloc call (1 malloc, 0 reallocs, 0 frees; at most 1 block live at once) into t.trace",
                line);
    }
}
