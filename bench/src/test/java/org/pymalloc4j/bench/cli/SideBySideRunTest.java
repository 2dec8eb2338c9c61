package org.pymalloc4j.bench.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SideBySideRunTest {

    @Test
    void eachBenchmarkClassMapsToTheHarnessGroupItIsComparedWith() {
        assertEquals("pair", SideBySideRun.group("PairBenchmark.pymallocLoop"));
        assertEquals("batch", SideBySideRun.group("BatchBenchmark.libcMalloc"));
        assertEquals("mix", SideBySideRun.group("RandomMixBenchmark.pymalloc"));
        assertEquals("objects", SideBySideRun.group("ObjectBenchmark.tupleNativeLoop"));
        assertEquals("gc", SideBySideRun.group("CollectorBenchmark.collectCycles"));
        assertEquals("", SideBySideRun.group("ArenaLookupBenchmark.ownerMap"), "no CPython counterpart");
        assertEquals("", SideBySideRun.group("TraceReplayBenchmark.pymalloc"), "the replay has its own command");
    }

    @Test
    void groupsGatherTheirMembersInTheBenchmarksOrder() {
        Map<String, List<String>> groups = SideBySideRun.byGroup(List.of("ArenaLookupBenchmark.radixTree",
                "BatchBenchmark.pymalloc", "BatchBenchmark.libcMalloc", "DomainBenchmark.pymalloc", "PairBenchmark.pymalloc"));
        assertEquals(List.of("pair", "batch", ""), List.copyOf(groups.keySet()));
        assertEquals(List.of("ArenaLookupBenchmark.radixTree", "DomainBenchmark.pymalloc"), groups.get(""));
        assertEquals(List.of("BatchBenchmark.pymalloc", "BatchBenchmark.libcMalloc"), groups.get("batch"));
    }

    /**
     * The groups run in the order the bench help and README give (pair, batch, random mix,
     * objects, collector, the rest): they ran in the order of their first benchmark in JMH's
     * list, the rest first and the pairs fourth.
     */
    @Test
    void theGroupsRunInTheDocumentedOrder() {
        assertEquals(List.of("pair", "batch", "mix", "objects", "gc", ""),
                List.copyOf(SideBySideRun.byGroup(JmhRun.select(java.util.regex.Pattern.compile(""))).keySet()));
        assertTrue(BenchCommand.HELP.replaceAll("\\s+", " ").contains(
                "group by group (pair, batch, random mix, objects, collector, the rest)"), BenchCommand.HELP);
    }

    @Test
    void theHarnessIsAskedForOneGroupQuickOrNot() {
        assertArrayEquals(new String[] {"--quick", "time", "mix"}, SideBySideRun.timeArgs(true, "mix"));
        assertArrayEquals(new String[] {"time", "objects"}, SideBySideRun.timeArgs(false, "objects"));
    }

    /**
     * A full run takes 90 minutes: when a group fails near its end, the results of the groups
     * that ran before it stay in jmh.json (it was written only once every group had run, so
     * they were lost), and a jmh.json of an earlier run is not left to pass for this one's.
     */
    @Test
    void theGroupsThatRanBeforeAFailureKeepTheirResults(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(JmhRun.JSON), "[" + BenchResultsTest.result("ObjectBenchmark.floatNative", "",
                99.0, "ns/op", "") + "]"); // an earlier run's
        List<List<String>> ran = new ArrayList<>();
        SideBySideRun.GroupRunner jmh = (members, quick, out, progress, from, to) -> {
            ran.add(members);
            if (members.get(0).startsWith("BatchBenchmark")) {
                throw new IOException("the JMH run failed (status 1)");
            }
            return "[" + BenchResultsTest.result(members.get(0), "64", 2.5, "ns/op", "") + "]";
        };
        Progress progress = new Progress(new PrintStream(new ByteArrayOutputStream()), false);
        IOException e = assertThrows(IOException.class, () -> SideBySideRun.run(List.of("PairBenchmark.pymalloc",
                "BatchBenchmark.pymalloc", "RandomMixBenchmark.pymalloc"), null, true, dir, progress, 0.98, jmh));
        assertEquals(2, ran.size(), "stops at the failure: " + ran);
        assertTrue(e.getMessage().startsWith("the JMH run failed (status 1)"), e.getMessage());
        assertTrue(e.getMessage().contains("the results before it are in " + dir.resolve(JmhRun.JSON)), e.getMessage());
        JmhResults kept = JmhResults.parse(Files.readString(dir.resolve(JmhRun.JSON)));
        assertEquals(List.of("PairBenchmark.pymalloc"),
                kept.all().stream().map(r -> r.className() + "." + r.method()).toList());

        Files.delete(dir.resolve(JmhRun.JSON));
        Files.writeString(dir.resolve(JmhRun.JSON), "[]"); // an earlier run's again
        e = assertThrows(IOException.class, () -> SideBySideRun.run(List.of("BatchBenchmark.pymalloc"), null, true, dir,
                progress, 0.98, jmh));
        assertEquals("the JMH run failed (status 1)", e.getMessage(), "no results to point to");
        assertFalse(Files.exists(dir.resolve(JmhRun.JSON)), "no jmh.json of another run left behind");
    }

    @Test
    void theGroupsResultsAreOneJsonArray() {
        String merged = SideBySideRun.concat(List.of("[ {\"a\" : 1},\n {\"b\" : 2} ]\n", "[ ]", "[{\"c\" : [3]}]"));
        assertEquals(List.of(Map.of("a", 1.0), Map.of("b", 2.0), Map.of("c", List.of(3.0))), Json.parse(merged));
        assertEquals(List.of(), Json.parse(SideBySideRun.concat(List.of())));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SideBySideRun.concat(List.of("[1]", "{\"not\" : \"an array\"}")));
        assertTrue(e.getMessage().startsWith("not a JSON array: {\"not\""), e.getMessage());
    }
}
