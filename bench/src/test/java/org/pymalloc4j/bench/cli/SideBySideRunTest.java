package org.pymalloc4j.bench.cli;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
