package org.pymalloc4j.bench.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @TempDir
    Path dir;

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path trace(String text) throws IOException {
        Path file = dir.resolve("t.trace");
        Files.writeString(file, text);
        return file;
    }

    /**
     * Every help text fits a terminal of 80 columns, the width a terminal opens at: some lines were
     * 81-99 columns, wrapped for 100, so an 80-column terminal broke them mid-word. The same
     * texts come with usage errors (no command, an unknown one, replay without a TRACE, record
     * without python arguments), so those are held to it too.
     */
    @Test
    void everyHelpTextAndUsageErrorFitsEightyColumns() {
        java.util.Map<String, Result> shown = new java.util.LinkedHashMap<>();
        shown.put("--help", run("--help"));
        for (String command : Main.HELP_OF.keySet()) {
            shown.put(command + " --help", run(command, "--help"));
            shown.put("help " + command, run("help", command));
        }
        shown.put("(no arguments)", run());
        shown.put("no-such-command", run("no-such-command"));
        shown.put("replay", run("replay"));
        shown.put("record --quiet", run("record", "--quiet"));
        for (java.util.Map.Entry<String, Result> e : shown.entrySet()) {
            Result r = e.getValue();
            assertTrue(r.out().length() + r.err().length() > 200, "'pymalloc4j " + e.getKey() + "' shows a help text");
            for (String line : (r.out() + r.err()).split("\n")) {
                assertTrue(line.codePointCount(0, line.length()) <= 80, "'pymalloc4j " + e.getKey() + "' has a line of "
                        + line.codePointCount(0, line.length()) + " columns:\n" + line);
            }
        }
    }

    /**
     * An option that takes a value is given once: the second of '--out a --out b' silently won,
     * in every command. Each refuses it now, with both values, before anything runs or is
     * written (each line here would otherwise fail later for another reason, or run); a flag
     * given twice is the same as once, and the usage says so.
     */
    @Test
    void anOptionWithAValueGivenTwiceIsRefusedByEveryCommand() {
        String[][] cases = {
            {"demo", "--seed", "1", "--seed=2", "--blocks", "0"},
            {"replay", "--geometry", "3.11", "--geometry", "3.8"},
            {"record", "--out", "a.trace", "--out", "b.trace"},
            {"map", "--out", "a.svg", "--out=b.svg", "--blocks", "0"},
            {"layout", "--items", "1", "--items", "2", "no-such-thing"},
            {"bench", "--out", "a", "--out", "b", "unexpected"},
            {"versus", "--forks", "2", "--forks", "3", "--rounds", "0"},
        };
        java.util.Set<String> covered = new java.util.HashSet<>();
        for (String[] args : cases) {
            Result r = run(args);
            String option = args[1].substring(2);
            String second = args[3].contains("=") ? args[3].substring(args[3].indexOf('=') + 1) : args[4];
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
            assertEquals("pymalloc4j " + args[0] + ": option --" + option + " is given twice ('" + args[2] + "', then '" + second
                    + "'); give it once\n", r.err(), String.join(" ", args));
            assertEquals("", r.out());
            covered.add(args[0]);
        }
        assertEquals(Main.HELP_OF.keySet(), covered, "every command");
        assertTrue(run("demo", "--quiet", "--quiet", "--blocks", "1000").status() == 0, "a flag twice is a flag");
        assertTrue(run("--help").out().contains("value is given once (a second is refused"), run("--help").out());
    }

    /**
     * The usage lists the tool's exit statuses; record's 130 for an interrupted python (ff47400)
     * was in record's help alone, so the usage's "0, 2, 1" said a status the tool gives could
     * not happen.
     */
    @Test
    void theUsageListsEveryExitStatusACommandGives() {
        String usage = run("--help").out();
        assertTrue(usage.contains("130 when record's python was interrupted"), usage);
        assertTrue(RecordCommand.HELP.contains("130 if python was interrupted"), RecordCommand.HELP);
        assertEquals(130, RecordCommand.INTERRUPTED);
    }

    /**
     * '--' ends the options, as in getopt: 'replay -- run.trace' said "expected one TRACE file,
     * got 2" (the '--' counted as a file), a trace named '--odd.trace' could only be given as
     * './--odd.trace', and 'layout -- tuple' was "one WHAT at a time, not '-- tuple'".
     */
    @Test
    void doubleDashEndsTheOptionsOfEveryCommand() throws IOException {
        Path plain = trace("m 0 16\nf 0\n");
        Result r = run("replay", "--quiet", "--", plain.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Small block threshold"), r.out());
        r = run("replay", "--", "--quiet", plain.toString());
        assertEquals(2, r.status(), "after '--', '--quiet' is a file's name");
        assertTrue(r.err().startsWith("pymalloc4j replay: expected one TRACE file, got 2"), r.err());
        assertEquals(0, run("layout", "--", "tuple").status());
        r = run("layout", "--", "--compare");
        assertTrue(r.err().startsWith("pymalloc4j layout: unknown WHAT '--compare'"), r.err());
        assertEquals(0, run("demo", "--blocks", "1000", "--quiet", "--").status());
        r = run("replay", "--quiet", "--", "--help");
        assertEquals("pymalloc4j replay: no such trace file: --help\n", r.err(), "a file's name after '--', not the help");
        assertEquals("", r.out());
        assertTrue(run("--help").out().contains("'--' ends the options"), run("--help").out());
    }

    @Test
    void demoPrintsPhasesAndTheStatisticsReport() {
        Result r = run("demo", "--blocks", "20000", "--quiet");
        assertEquals(0, r.status(), r.err());
        for (String phase : new String[] {"build", "churn", "free most", "rebuild"}) {
            assertTrue(r.out().contains("\n" + phase + " "), phase + " row missing:\n" + r.out());
        }
        assertTrue(r.out().contains("Small block threshold = 512, in 32 size classes."), r.out());
        assertTrue(r.out().contains("# arenas allocated current"), r.out());
        assertTrue(r.out().contains("total time"), r.out());
        assertEquals("", r.err(), "--quiet prints no progress");
    }

    @Test
    void demoFiguresFollowNoLocaleOfTheMachine() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            Result r = run("demo", "--blocks", "20000", "--quiet");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().startsWith("pymalloc4j demo: 20,000 blocks, seed 42"), r.out());
            assertTrue(r.out().matches("(?s).*\nbuild +20,000 +[0-9,]+\\.\\d +[0-9,]+\\.\\d .*"), r.out());
            assertTrue(r.out().matches("(?s).*\ntotal time \\d+\\.\\d\\d s\n.*"), r.out());
            assertTrue(!r.out().contains("20.000"), "mixed separators:\n" + r.out());
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @Test
    void demoTimesHaveThousandsSeparatorsAsTheCountsDo() {
        Table t = new Table("phase", "operations", "time ms", "ns/op", "arenas", "blocks in use");
        DemoCommand.row(t, "churn", 4_000_000, 1_991_500_000L, "110", 1_000_000);
        DemoCommand.row(t, "slow", 2, 4_691_200, "1", 1);
        assertTrue(t.render().contains("\nchurn   4,000,000  1,991.5        497.9     110      1,000,000\n"), t.render());
        assertTrue(t.render().contains("\nslow            2      4.7  2,345,600.0       1              1\n"), t.render());
    }

    /** A phase of no operations (free most of --blocks 1) has no time per operation, not its loop's overhead. */
    @Test
    void aPhaseOfNoOperationsHasNoTimePerOperation() {
        Table t = new Table("phase", "operations", "time ms", "ns/op", "arenas", "blocks in use");
        DemoCommand.row(t, "free most", 0, 421, "1", 1);
        assertTrue(t.render().contains("\nfree most           0      0.0      -       1              1\n"), t.render());
        Result r = run("demo", "--blocks", "1", "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().matches("(?s).*\nfree most +0 +0\\.0 +- +1 +1\n.*"), r.out());
    }

    @Test
    void demoUnderTheDebugHooksWithTracingPrintsTheTopSites() {
        Result r = run("demo", "--blocks", "3000", "--malloc", "debug", "--trace", "4", "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("allocator pymalloc_debug"), r.out());
        assertTrue(r.out().contains("Top 4 lines\n#1: DemoWorkload.java:"), r.out());
        assertTrue(r.out().contains("in org.pymalloc4j.bench.cli.DemoWorkload.allocate"), r.out());
        assertTrue(r.out().contains("Top 3 tracebacks"), r.out());
    }

    @Test
    void demoUnderMallocHasNoPymallocReport() {
        Result r = run("demo", "--blocks", "3000", "--malloc", "malloc", "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("no pymalloc heap under malloc"), r.out());
        assertTrue(!r.out().contains("Small block threshold"), r.out());
    }

    @Test
    void anUnknownAllocatorIsAUsageError() {
        Result r = run("replay", "x.trace", "--malloc", "jemalloc");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("replay: --malloc: unknown allocator 'jemalloc'"), r.err());
        assertEquals("", r.out());
        r = run("demo", "--trace", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--trace must be a positive integer"), r.err());
    }

    @Test
    void replayTracesThroughTheDebugHooks() throws IOException {
        Path file = trace("m 0 40\nm 1 600\nr 0 100\nf 1\n");
        Result r = run("replay", file.toString(), "--malloc", "pymalloc_debug", "--trace", "2", "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("tracemalloc: 1 live block traced, 100 bytes"), r.out());
        assertTrue(r.out().contains("allocator pymalloc_debug"), r.out());
    }

    @Test
    void demoWithTheSameSeedGivesTheSameReport() {
        String a = run("demo", "--blocks", "5000", "--seed", "7", "--quiet").out();
        String b = run("demo", "--blocks", "5000", "--seed", "7", "--quiet").out();
        assertEquals(report(a), report(b));
    }

    private static String report(String out) {
        return out.substring(out.indexOf("Small block threshold"), out.indexOf("total time"));
    }

    @Test
    void replayTimesOnlyATraceFileOnTheDefaultHeap() throws IOException {
        String file = trace("m 0 16\n").toString();
        for (String[] args : List.of(new String[] {"replay", "-", "--time"},
                new String[] {"replay", file, "--time", "--geometry", "3.8"},
                new String[] {"replay", file, "--time", "--malloc", "malloc"})) {
            Result r = run(args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertTrue(r.err().contains("replay: --time times a trace file on the default heap"), r.err());
            assertEquals("", r.out(), "nothing on standard output");
        }
    }

    @Test
    void replayPrintsTheReportOfTheTrace() throws IOException {
        Result r = run("replay", trace("m 0 16\nm 1 64\n# comment\n\nm 2 600\nf 1\n").toString(), "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("    0     16           1               1          1020\n"), r.out());
        assertTrue(r.out().contains("replayed 4 operations"), r.out());
    }

    @Test
    void replayWithTheOldGeometryUsesSmallPools() throws IOException {
        Result r = run("replay", trace("m 0 16\n").toString(), "--geometry", "3.8", "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("    0     16           1               1           252\n"), r.out());
        assertTrue(r.out().contains("1 arenas * 262144 bytes/arena"), r.out());
    }

    @Test
    void theHugePageGeometryHasTwoMebibyteArenasAndSaysHowTheyWereMapped() throws IOException {
        Result r = run("replay", trace("m 0 16\n").toString(), "--geometry", "hugepages", "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("1 arenas * 2097152 bytes/arena"), r.out());
        r = run("demo", "--blocks", "3000", "--geometry", "hugepages", "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("geometry hugepages (16 KiB pools, 2 MiB arenas)"), r.out());
        assertTrue(r.out().matches("(?s).*\nhuge pages: \\d+ arenas? advised for transparent huge pages \\(THP mode \\w+\\), "
                + "\\d+ from the reserved pool, \\d+ on small pages; .* in transparent huge pages\n.*"), r.out());
    }

    @Test
    void malformedLineStopsWithItsNumberAndNothingOnStdout() throws IOException {
        for (String[] c : new String[][] {
                {"m 0 16\nx 1 2\n", "2", "unknown operation"},
                {"m 0 16\nm 1\n", "2", "takes 2 fields"},
                {"m 0 -5\n", "1", "outside"},
                {"m zero 5\n", "1", "not an integer"},
                {"f 0 16\n", "1", "takes 1 field"},
                {"m 0 16\n\nm 0 32\n", "3", "already holds a block"},
                {"m 0 16\nf 0\nf 0\n", "3", "holds no block"},
                {"r 4 16\n", "1", "holds no block"}}) {
            Result r = run("replay", trace(c[0]).toString(), "--quiet");
            assertEquals(2, r.status(), c[0]);
            assertEquals("", r.out(), "nothing on stdout for " + c[0]);
            assertTrue(r.err().contains(":" + c[1] + ": ") && r.err().contains(c[2]), r.err());
        }
    }

    @Test
    void usageErrorsExitWithStatus2() {
        assertEquals(2, run().status());
        Result unknown = run("frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().startsWith("pymalloc4j: unknown command 'frobnicate'\n"), unknown.err());
        assertEquals(2, run("replay").status());
        assertEquals(2, run("replay", dir.resolve("missing.trace").toString()).status());
        assertEquals(2, run("replay", "x", "--geometry", "3.9").status());
        assertEquals(2, run("demo", "--blocks", "-3").status());
        assertEquals(2, run("demo", "--bogus").status());
        assertEquals(2, run("demo", "--seed").status());
    }

    @Test
    void anOptionIsNotTakenAsTheValueOfTheOptionBeforeIt() throws UsageException {
        Result r = run("map", "--out", "--quiet");
        assertEquals(2, r.status());
        assertEquals("pymalloc4j map: option --out needs a value (for one that starts with '--', write --out=VALUE)\n",
                r.err());
        assertEquals("", r.out());
        Options o = new Options("bench", new String[] {"--filter=--x", "--out", "-"}, java.util.Set.of("filter", "out"),
                java.util.Set.of());
        assertEquals("--x", o.get("filter", null));
        assertEquals("-", o.get("out", null), "a lone '-' (standard input) is a value");
    }

    /** Output that could not be written (a full disk, /dev/full) is a failure, not a success with nothing to show. */
    @Test
    void aFailedWriteToStandardOutputIsExitStatus1() {
        java.io.OutputStream full = new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"demo", "--blocks", "1000", "--quiet"}, new PrintStream(full, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        assertEquals("pymalloc4j: cannot write standard output (a full disk, or a reader that has gone?)\n",
                err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A count too large for a long is a positive integer: "--blocks must be a positive integer,
     * not '99999999999999999999'" told the user their number was not one.
     */
    @Test
    void aCountTooLargeForTheToolIsNotCalledNoPositiveInteger() {
        for (String[] args : new String[][] {{"demo", "--blocks"}, {"versus", "--forks"}, {"demo", "--trace"}}) {
            Result r = run(args[0], args[1], "99999999999999999999");
            assertEquals(2, r.status(), r.err());
            assertEquals("pymalloc4j " + args[0] + ": " + args[1] + " must be a positive integer up to 9223372036854775807, not"
                    + " '99999999999999999999'\n", r.err());
        }
        assertEquals("pymalloc4j demo: --blocks must be a positive integer, not '-99999999999999999999'\n",
                run("demo", "--blocks", "-99999999999999999999").err());
    }

    @Test
    void aFlagGivenAValueIsNotCalledUnknown() {
        Result r = run("demo", "--quiet=yes");
        assertEquals(2, r.status());
        assertEquals("pymalloc4j demo: option --quiet takes no value, not '--quiet=yes'\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void layoutPrintsALivePoolHeaderAsJolDoes() {
        Result r = run("layout");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        int head = java.util.Arrays.asList(lines).indexOf("OFF  SZ   TYPE DESCRIPTION             VALUE");
        assertTrue(head > 0, r.out());
        assertEquals("  0   4   uint ref.count               1 (blocks in use)", lines[head + 1]);
        assertEquals("  4   4        (alignment/padding gap)", lines[head + 2]);
        assertTrue(lines[head + 3].matches("  8   8 block\\* freeblock               0x[0-9a-f]+ \\(pool \\+ 48: head of the free list\\)"),
                lines[head + 3]);
        assertTrue(lines[head + 4].startsWith(" 16   8  poolp nextpool                0x"), lines[head + 4]);
        assertTrue(lines[head + 5].startsWith(" 24   8  poolp prevpool                0x"), lines[head + 5]);
        assertEquals(" 32   4   uint arenaindex              0 (slot in the arena table)", lines[head + 6]);
        assertEquals(" 36   4   uint szidx                   3 (64-byte blocks)", lines[head + 7]);
        assertEquals(" 40   4   uint nextoffset              240 (next block to join the free list: block 3)", lines[head + 8]);
        assertEquals(" 44   4   uint maxnextoffset           16320 (last block that fits: poolSize - blockSize)", lines[head + 9]);
        assertTrue(r.out().contains("Header size: 48 bytes (POOL_OVERHEAD)\n"
                + "Space losses: 4 bytes internal + 0 bytes external = 4 bytes total\n"
                + "Pool: 16,384 bytes = 48 header + 255 blocks x 64 B + 16 bytes lost to quantization\n"), r.out());
        assertTrue(run("layout", "--size", "500", "--geometry", "3.8").out().contains(" 36   4   uint szidx                   31 (512-byte blocks)"));
    }

    @Test
    void layoutRejectsSizesOutsideThePools() {
        assertEquals(2, run("layout", "--size", "513").status());
        assertEquals(2, run("layout", "--size", "0").status());
        assertEquals(2, run("layout", "extra").status());
    }

    /**
     * The --blocks limits that demo and map enforce are in their help, where a user looks before
     * a refusal tells them: the largest accepted runs, one more is refused (exit 2).
     */
    @Test
    void theHelpGivesTheBlocksLimitTheCommandEnforces() {
        for (String[] command : new String[][] {{"demo", "50000000"}, {"map", "10000000"}}) {
            String help = run(command[0], "--help").out();
            assertTrue(help.contains("1.." + command[1]), command[0] + " --help:\n" + help);
            String more = String.valueOf(Long.parseLong(command[1]) + 1);
            Result over = command[0].equals("map") ? run("map", "--blocks", more, "--out", "/dev/null") : run("demo", "--blocks", more);
            assertEquals(2, over.status(), over.err());
            assertTrue(over.err().contains("at most " + command[1]), over.err());
        }
    }

    @Test
    void helpIsAvailableForTheToolAndEachCommand() {
        assertTrue(run("--help").out().contains("commands:"));
        assertTrue(run("help", "replay").out().contains("m SLOT SIZE"));
        assertTrue(run("demo", "--help").out().contains("--blocks N"));
        Result r = run("replay", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("usage: pymalloc4j replay"));
        for (String[] args : new String[][] {{"help", "--help"}, {"help", "-h"}, {"help", "help"}}) {
            r = run(args);
            assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
            assertEquals(Main.USAGE, r.out(), "help's own help is the usage");
        }
        assertEquals(2, run("help", "nosuch").status());
        assertEquals(2, run("help", "replay", "map").status());
    }
}
