package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.bench.jmh.RandomMixBenchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which patterns versus runs, that their numbers are the C library's, and pymalloc4j's sides. */
class VersusPatternsTest {
    private static final Progress QUIET = new Progress(System.err, false);

    private static List<String> names(List<VersusPatterns.Pattern> patterns) {
        return patterns.stream().map(VersusPatterns.Pattern::name).toList();
    }

    @Test
    void namesAndGroupsSelectPatternsInTheTablesOrder() throws UsageException {
        assertEquals(VersusPatterns.ALL, VersusPatterns.select(List.of(), QUIET));
        assertEquals(List.of("float", "tuple", "emptyList"), names(VersusPatterns.select(List.of("objects"), QUIET)));
        assertEquals(List.of("pair.16", "pair.64", "pair.256", "pair.512", "tuple"),
                names(VersusPatterns.select(List.of("tuple", "pair"), QUIET)));
        assertEquals(List.of("batch.64", "randomMix"), names(VersusPatterns.select(List.of("mix", "batch.64"), QUIET)));
    }

    @Test
    void aTraceFileIsAPatternOfItsOwnCheckedWholeFirst(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path good = java.nio.file.Files.writeString(dir.resolve("run.trace"), "m 0 16\nm 1 700\nf 0\n");
        List<VersusPatterns.Pattern> chosen = VersusPatterns.select(List.of("trace:" + good, "pair.16"), QUIET);
        assertEquals(List.of("pair.16", "trace:" + good.toAbsolutePath()), names(chosen), "after the named ones");
        VersusPatterns.Pattern trace = chosen.get(1);
        assertEquals("trace run.trace", trace.label());
        assertEquals(VersusPatterns.TRACE, trace.number());
        assertTrue(!trace.needsInterpreter(), "a replay needs no interpreter");
        assertEquals(trace, VersusPatterns.named(trace.name()), "what a child JVM rebuilds from the name");
        java.nio.file.Path bad = java.nio.file.Files.writeString(dir.resolve("bad.trace"), "m 0 16\nf 1\n");
        UsageException malformed = assertThrows(UsageException.class, () -> VersusPatterns.select(List.of("trace:" + bad), QUIET));
        assertTrue(malformed.getMessage().startsWith("versus: ") && malformed.getMessage().contains(":2"),
                "names the line: " + malformed.getMessage());
        UsageException missing = assertThrows(UsageException.class,
                () -> VersusPatterns.select(List.of("trace:" + dir.resolve("none.trace")), QUIET));
        assertTrue(missing.getMessage().contains("no such trace file"), missing.getMessage());
        UsageException unnamed = assertThrows(UsageException.class, () -> VersusPatterns.select(List.of("trace:"), QUIET));
        assertEquals("versus: 'trace:' needs a trace file's name after it, as in trace:app.trace", unnamed.getMessage());
        java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("empty.trace"), "# nothing\n");
        UsageException none = assertThrows(UsageException.class, () -> VersusPatterns.select(List.of("trace:" + empty), QUIET));
        assertEquals("versus: " + empty.toAbsolutePath() + ": no operations (only comments and blank lines)", none.getMessage());
        java.nio.file.Path huge = java.nio.file.Files.writeString(dir.resolve("huge.trace"), "m 0 16\nm 1 9223372036854775807\n");
        UsageException tooBig = assertThrows(UsageException.class, () -> VersusPatterns.select(List.of("trace:" + huge), QUIET));
        assertTrue(tooBig.getMessage().startsWith("versus: " + huge.toAbsolutePath() + ":2: cannot allocate "),
                "found before any measuring, not in a child JVM: " + tooBig.getMessage());
        try (VersusPatterns.Side side = VersusPatterns.pymalloc4j(trace, null)) {
            assertEquals(3, side.getAsLong(), "a run replays every call");
            assertEquals(3, side.getAsLong(), "and frees what it left, so it runs again");
        }
    }

    @Test
    void theRealProgramIsAPatternOfTheDefaultSetReadFromTheJar() throws UsageException {
        assertEquals(List.of("pythonStartup"), names(VersusPatterns.select(List.of("trace"), QUIET)));
        VersusPatterns.Pattern startup = VersusPatterns.named("pythonStartup");
        assertEquals(VersusPatterns.TRACE, startup.number());
        assertTrue(VersusPatterns.ALL.contains(startup), "in the default set");
        try (VersusPatterns.Side side = VersusPatterns.pymalloc4j(startup, null)) {
            assertEquals(161_671, side.getAsLong(), "python3.11 -c pass, every call");
        }
    }

    @Test
    void anUnknownNameIsAUsageErrorListingTheKnownOnes() {
        UsageException e = assertThrows(UsageException.class, () -> VersusPatterns.select(List.of("pair", "tupel"), QUIET));
        assertTrue(e.getMessage().startsWith("versus: unknown pattern 'tupel'; patterns: pair.16 pair.64"), e.getMessage());
        assertTrue(e.getMessage().endsWith("groups: pair batch mix objects trace"), e.getMessage());
    }

    @Test
    void thePatternNumbersAreTheCLibrarysEnum() throws IOException {
        String source;
        try (InputStream in = getClass().getResourceAsStream(CPythonHarness.LIBRARY_SOURCE)) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("enum \\{ ([A-Z_, ]+) \\};").matcher(source);
        assertTrue(m.find(), "pymalloc_versus.c declares its pattern numbers in one enum");
        assertEquals(List.of("PMV_PAIR", "PMV_BATCH", "PMV_MIX", "PMV_FLOAT", "PMV_TUPLE", "PMV_LIST", "PMV_TRACE"),
                List.of(m.group(1).split(", ")));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), List.of(VersusPatterns.PAIR, VersusPatterns.BATCH, VersusPatterns.MIX,
                VersusPatterns.FLOAT, VersusPatterns.TUPLE, VersusPatterns.LIST, VersusPatterns.TRACE));
        assertTrue(source.contains("#include \"pymalloc_bench.c\""), "the C loops are the harness's own");
    }

    @Test
    void theRandomMixsRequestsAreTheJmhBenchmarksOnJavasHeapAndInNativeMemory() {
        RandomMixBenchmark.Workload jmh = new RandomMixBenchmark.Workload();
        jmh.setUp();
        try (VersusPatterns.MixRequests requests = new VersusPatterns.MixRequests()) {
            assertTrue(java.util.Arrays.equals(jmh.slots, requests.workload.slots));
            assertTrue(java.util.Arrays.equals(jmh.sizes, requests.workload.sizes));
            int last = RandomMixBenchmark.SEQUENCE - 1;
            assertEquals(jmh.sizes[last], requests.sizes.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, last));
            assertEquals(jmh.slots[7], requests.slots.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, 7));
            assertEquals(jmh.initialSizes[RandomMixBenchmark.LIVE - 1], requests.initial.getAtIndex(
                    java.lang.foreign.ValueLayout.JAVA_INT, RandomMixBenchmark.LIVE - 1));
        }
    }

    @Test
    void everyPymalloc4jSideDoesItsOperationsAndClosesCleanly() {
        try (VersusPatterns.MixRequests requests = new VersusPatterns.MixRequests()) {
            for (VersusPatterns.Pattern p : VersusPatterns.ALL) {
                long ops = p.number() == VersusPatterns.TRACE ? 161_671 : VersusPatterns.OPS; // a trace: its calls
                try (VersusPatterns.Side side = VersusPatterns.pymalloc4j(p, requests)) {
                    assertEquals(ops, side.getAsLong(), p.name());
                    assertEquals(ops, side.getAsLong(), p.name() + ", run again");
                }
            }
        }
    }
}
