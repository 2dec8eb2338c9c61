package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench command's options and errors, the CPython harness's build, and one tiny real run. */
class BenchCommandTest {
    @TempDir
    Path dir;

    private static MainTest.Result run(String... args) {
        return MainTest.run(args);
    }

    @Test
    void helpDescribesTheOptionsAndTheFiles() {
        for (MainTest.Result r : List.of(run("bench", "--help"), run("help", "bench"))) {
            assertEquals(0, r.status());
            assertTrue(r.out().startsWith("usage: pymalloc4j bench [--quick] [--filter REGEX] [--out DIR]"), r.out());
            assertTrue(r.out().contains("jmh.json") && r.out().contains("chart.svg") && r.out().contains("results.md"));
        }
        assertTrue(run("help").out().contains("bench    benchmark"), "listed in the usage");
    }

    /**
     * The files written after the measuring: a failure names the file and says why (it said only
     * "No space left on device"); run() turns it into status 1, as for a failed JMH run.
     */
    @Test
    void aReportThatCannotBeWrittenIsNamedWithTheReason() throws IOException {
        Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
        Files.createSymbolicLink(dir.resolve(BenchReport.CHART), Path.of("/dev/full"));
        IOException e = assertThrows(IOException.class, () -> BenchCommand.writeReports(dir, "<svg/>", null, "# results"));
        assertEquals("cannot write " + dir.resolve(BenchReport.CHART) + ": No space left on device", e.getMessage());
        Files.delete(dir.resolve(BenchReport.CHART));
        Files.createDirectory(dir.resolve(BenchReport.MARKDOWN));
        e = assertThrows(IOException.class, () -> BenchCommand.writeReports(dir, null, null, "# results"));
        assertTrue(e.getMessage().startsWith("cannot write " + dir.resolve(BenchReport.MARKDOWN) + ": "), e.getMessage());
        assertTrue(!e.getMessage().endsWith(dir.resolve(BenchReport.MARKDOWN).toString()), "the reason, not the path again");
    }

    @Test
    void aBadRegularExpressionIsAUsageError() {
        MainTest.Result r = run("bench", "--filter", "Pair(", "--out", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--filter 'Pair(' is not a regular expression: Unclosed group"), r.err());
    }

    @Test
    void aFilterThatFindsNothingIsAUsageError() {
        MainTest.Result r = run("bench", "--filter", "NoSuchBenchmark", "--out", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--filter 'NoSuchBenchmark' finds no benchmark"), r.err());
    }

    @Test
    void badInputCreatesNoDirectory() {
        Path out = dir.resolve("results");
        MainTest.Result r = run("bench", "--filter", "NoSuchBenchmarkAnywhere", "--out", out.toString(), "--quiet");
        assertEquals(2, r.status(), r.err());
        assertTrue(!Files.exists(out), "bad input created " + out);
    }

    @Test
    void anOutputThatIsAFileIsNotADirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("passwd"), "x");
        MainTest.Result r = run("bench", "--out", file.toString(), "--quiet");
        assertEquals(2, r.status());
        assertEquals("pymalloc4j bench: --out '" + file + "' is not a directory\n", r.err());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void anUnwritableOutputDirectoryIsAUsageError() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        MainTest.Result r = run("bench", "--out", file.resolve("sub").toString());
        assertEquals(2, r.status());
        // the reason, not the exception's class and its path again ("java.nio.file.FileSystemException: ...")
        assertEquals("pymalloc4j bench: cannot write to --out '" + file.resolve("sub") + "': Not a directory\n", r.err());
    }

    @Test
    void unknownOptionsAndArgumentsAreUsageErrors() {
        MainTest.Result unknown = run("bench", "--fast");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("bench: unknown option --fast"), unknown.err());
        MainTest.Result extra = run("bench", "Pair");
        assertEquals(2, extra.status());
        assertTrue(extra.err().contains("bench: unexpected argument 'Pair'"), extra.err());
        MainTest.Result missing = run("bench", "--out");
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("--out needs a value"), missing.err());
    }

    @Test
    void theFilterSelectsBenchmarksByName() throws UsageException {
        List<String> pair = JmhRun.select(BenchCommand.filter("PairBenchmark\\.pymalloc$"));
        assertEquals(List.of("PairBenchmark.pymalloc"), pair);
        List<String> all = JmhRun.select(BenchCommand.filter(""));
        for (String b : List.of("CollectorBenchmark.collectCycles", "TraceReplayBenchmark.pymalloc",
                "ProgramReplayBenchmark.libcMalloc",
                "ObjectBenchmark.floatJava", "DomainBenchmark.tracing16", "ArenaLookupBenchmark.radixTree")) {
            assertTrue(all.contains(b), b + " in " + all);
        }
    }

    /**
     * The filter is matched against the name the help and the error message show, Class.method:
     * it was matched against the package-qualified name, so an anchored '^PairBenchmark' found
     * nothing, and the message then said names look like PairBenchmark.pymalloc.
     */
    @Test
    void anAnchoredFilterMatchesTheClassAndMethodName() throws UsageException {
        assertEquals(List.of("PairBenchmark.pymalloc"), JmhRun.select(BenchCommand.filter("^PairBenchmark\\.pymalloc$")));
        assertEquals(List.of("CollectorBenchmark.collectCycles", "CollectorBenchmark.collectLiveHeap"),
                JmhRun.select(BenchCommand.filter("^Collector")));
        assertEquals(List.of(), JmhRun.select(BenchCommand.filter("^org\\.pymalloc4j")), "no name has the package");
    }

    @Test
    void theJmhCommandLineIsQuickOnlyWhenAsked() {
        Path json = dir.resolve("jmh.json");
        List<String> quick = JmhRun.command(List.of("PairBenchmark.pymalloc"), true, json, List.of());
        assertTrue(quick.containsAll(List.of("-f", "1", "-wi", "1", "-i", "2", "-prof", "gc", "-rff", json.toString())),
                quick.toString());
        assertTrue(quick.contains("^\\Qorg.pymalloc4j.bench.jmh.PairBenchmark.pymalloc\\E$"), quick.toString());
        List<String> full = JmhRun.command(List.of("PairBenchmark.pymalloc"), false, json, List.of());
        assertTrue(!full.contains("-f") && !full.contains("-wi"), "each benchmark's own settings: " + full);
        assertTrue(!full.contains("-jvmArgsPrepend"), "the forks' own flags only: " + full);
    }

    /**
     * The tool's own -Dpymalloc4j.checks (PYMALLOC4J_JAVA_OPTS, as for versus) reaches the JMH
     * forks: it did not, so an unchecked bench measured checked heaps, and its report said
     * checked mode with the property unset.
     */
    @Test
    void theToolsCheckedModeReachesTheJmhForks() {
        List<String> unchecked = JmhRun.command(List.of("PairBenchmark.pymalloc"), true, dir.resolve("jmh.json"),
                List.of("-Dpymalloc4j.checks=false"));
        int at = unchecked.indexOf("-jvmArgsPrepend");
        assertTrue(at > 0 && unchecked.get(at + 1).equals("-Dpymalloc4j.checks=false"), unchecked.toString());
    }

    /**
     * Every switch the library reads reaches the forks, not the checks alone: with
     * -Dpymalloc4j.prefault=false the tool's forks still prefaulted their arenas.
     */
    @Test
    void everyLibrarySwitchReachesTheForks() {
        java.util.Properties given = new java.util.Properties();
        given.setProperty("pymalloc4j.prefault", "false");
        given.setProperty("pymalloc4j.checks", "false");
        given.setProperty("pymalloc4j.unrelated", "x");
        List<String> flags = LibrarySwitches.flags(given);
        assertEquals(List.of("-Dpymalloc4j.checks=false", "-Dpymalloc4j.prefault=false"), flags);
        List<String> command = JmhRun.command(List.of("PairBenchmark.pymalloc"), true, dir.resolve("jmh.json"), flags);
        int at = command.indexOf("-jvmArgsPrepend");
        assertEquals("-Dpymalloc4j.checks=false -Dpymalloc4j.prefault=false", command.get(at + 1), command.toString());
        assertEquals(List.of(), LibrarySwitches.flags(new java.util.Properties()));
    }

    /** LibrarySwitches.NAMES is every switch the library reads: a new one must be passed on too. */
    @Test
    void theSwitchesPassedOnAreAllTheLibraryReads() throws IOException {
        java.util.Set<String> read = new java.util.TreeSet<>();
        Pattern isOn = Pattern.compile("SwitchProperty\\.isOn\\(\"([^\"]+)\"\\)");
        for (String module : List.of("../allocator/src/main/java", "../objects/src/main/java")) {
            try (Stream<Path> files = Files.walk(Path.of(module))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = isOn.matcher(Files.readString(f));
                    while (m.find()) {
                        read.add(m.group(1));
                    }
                }
            }
        }
        assertEquals(new java.util.TreeSet<>(LibrarySwitches.NAMES), read);
    }

    @Test
    void aMissingCompilerOrPythonSaysWhatToInstall() {
        CPythonHarness.Unavailable noCc = assertThrows(CPythonHarness.Unavailable.class,
                () -> CPythonHarness.build(dir, Map.of("PATH", dir.toString(), "CC", "no-such-cc")));
        assertTrue(noCc.getMessage().contains("no C compiler (no-such-cc) on the PATH"), noCc.getMessage());
        assertTrue(noCc.getMessage().contains("apt-get install python3-dev gcc"), noCc.getMessage());
        Assumptions.assumeTrue(onPath("cc"), "no cc here: the python3 case needs one");
        CPythonHarness.Unavailable noPython = assertThrows(CPythonHarness.Unavailable.class,
                () -> CPythonHarness.build(dir, Map.of("PATH", dir.toString(), "CC", which("cc"))));
        assertTrue(noPython.getMessage().startsWith("no python3 on the PATH; install"), noPython.getMessage());
        CPythonHarness.Unavailable noChosen = assertThrows(CPythonHarness.Unavailable.class,
                () -> CPythonHarness.build(dir, Map.of("PATH", dir.toString(), "CC", which("cc"), "PYTHON", "no-such-python")));
        assertTrue(noChosen.getMessage().startsWith("no no-such-python on the PATH; install"), noChosen.getMessage());
    }

    /**
     * $CC is a command, as make runs it: 'gcc -m64', 'ccache gcc'. It was taken as one program's
     * name, so those were "no C compiler (ccache gcc) on the PATH". Its first word is the program
     * now, the others go before the compiler's own arguments, and each build (the harness, the
     * recorder) runs them; the cache keys on the whole command.
     */
    @Test
    void theCompilerIsACommandWithArgumentsAsMakeRunsIt() throws Exception {
        CPythonHarness.Unavailable noCc = assertThrows(CPythonHarness.Unavailable.class,
                () -> CPythonHarness.build(dir, Map.of("PATH", dir.toString(), "CC", "no-such-cc -m64")));
        assertTrue(noCc.getMessage().startsWith("no C compiler (no-such-cc, of $CC 'no-such-cc -m64') on the PATH"),
                noCc.getMessage());
        Assumptions.assumeTrue(onPath("cc") && onPath("python3"), "needs cc and python3 with libpython");
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path log = dir.resolve("cc.log");
        Path wrapper = Files.writeString(bin.resolve("wrapcc"), "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec \"$@\"\n");
        assertTrue(wrapper.toFile().setExecutable(true));
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("PATH", bin + java.io.File.pathSeparator + env.get("PATH"));
        env.put("CC", "  wrapcc\tcc  -DFROM_CC=1 ");
        CPythonHarness harness = CPythonHarness.build(dir.resolve("cache"), env);
        harness.recorder(() -> { });
        List<String> calls = Files.readAllLines(log);
        assertTrue(calls.stream().anyMatch(c -> c.startsWith("cc -DFROM_CC=1 -O2 -no-pie -I") && c.contains("pymalloc_bench.c")),
                calls.toString());
        assertTrue(calls.stream().anyMatch(c -> c.startsWith("cc -DFROM_CC=1 -O2") && c.contains("pymalloc_record.c")),
                calls.toString());
        env.put("CC", "wrapcc cc -DFROM_CC=2");
        CPythonHarness.build(dir.resolve("cache"), env);
        assertTrue(Files.readAllLines(log).stream().anyMatch(c -> c.startsWith("cc -DFROM_CC=2 -O2 -no-pie")),
                "another $CC is another build, not the cached one");
    }

    /**
     * The harness's description, results.md's CPython line, says how CPython's figures were
     * made: with $CC a command (a9435ed), its own arguments (an -O0, a sanitizer) go into every
     * build, yet the line named only the compiler's version and -O2, as if $CC were plain cc.
     */
    @Test
    void theHarnessDescriptionNamesTheCompilerCommand() throws Exception {
        Assumptions.assumeTrue(onPath("cc") && onPath("python3"), "needs cc and python3 with libpython");
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("CC", " cc  -DFROM_CC=1 ");
        String description = CPythonHarness.build(dir.resolve("cache"), env).description();
        assertTrue(description.endsWith(" -O2 ($CC 'cc  -DFROM_CC=1')"), description);
        env.put("CC", "cc");
        description = CPythonHarness.build(dir.resolve("cache"), env).description();
        assertTrue(description.matches(".*, harness built with cc [^$]* -O2"), description);
    }

    /** A path (with a '/') is not looked for on the PATH: it said "no /opt/python3.11/bin/python3 on the PATH". */
    @Test
    void aMissingPathToPythonOrCompilerSaysTheFileIsMissing() throws Exception {
        Path gone = dir.resolve("no-such-dir").resolve("python3");
        CPythonHarness.Unavailable noCc = assertThrows(CPythonHarness.Unavailable.class,
                () -> CPythonHarness.build(dir, Map.of("PATH", dir.toString(), "CC", gone.resolveSibling("cc").toString())));
        assertTrue(noCc.getMessage().startsWith("no C compiler: " + gone.resolveSibling("cc") + " does not exist; install"),
                noCc.getMessage());
        Assumptions.assumeTrue(onPath("cc"), "no cc here: the python case needs one");
        CPythonHarness.Unavailable noPython = assertThrows(CPythonHarness.Unavailable.class,
                () -> CPythonHarness.build(dir, Map.of("PATH", dir.toString(), "CC", which("cc"), "PYTHON", gone.toString())));
        assertTrue(noPython.getMessage().startsWith(gone + " does not exist; install"), noPython.getMessage());
        Path notExecutable = Files.writeString(dir.resolve("python3"), "#!/bin/sh\n");
        CPythonHarness.Unavailable cannotRun = assertThrows(CPythonHarness.Unavailable.class, () -> CPythonHarness.build(dir,
                Map.of("PATH", dir.toString(), "CC", which("cc"), "PYTHON", notExecutable.toString())));
        assertTrue(cannotRun.getMessage().startsWith(notExecutable + " is not an executable file; install"),
                cannotRun.getMessage());
        CPythonHarness.Unavailable aDirectory = assertThrows(CPythonHarness.Unavailable.class, () -> CPythonHarness.build(dir,
                Map.of("PATH", dir.toString(), "CC", which("cc"), "PYTHON", dir.toString())));
        assertTrue(aDirectory.getMessage().startsWith(dir + " is not an executable file; install"), aDirectory.getMessage());
    }

    @Test
    void theHarnessBuildsOnceAndPrintsMachineReadableFigures() throws Exception {
        Assumptions.assumeTrue(onPath("cc") && onPath("python3"), "needs cc and python3 with libpython");
        CPythonHarness harness = CPythonHarness.build(dir, System.getenv());
        assertTrue(harness.description().startsWith("CPython 3."), harness.description());
        assertTrue(harness.description().contains(", linked with "), "says how it was linked: " + harness.description());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "one cached build");
        }
        Map<String, Double> memory = harness.run("memory", "malloc");
        assertTrue(memory.get("memory.peakRss") > memory.get("memory.rssStart") + 100e6,
                "a million blocks of 1..512 bytes take over 100 MB: " + memory);
        Map<String, Double> pairs = harness.run(SideBySideRun.timeArgs(true, "pair"));
        assertEquals(java.util.Set.of("pair.16", "pair.64", "pair.256", "pair.512"), pairs.keySet(),
                "one group's figures and no other's");
        IOException unknown = assertThrows(IOException.class, () -> harness.run("--quick", "time", "no-such-group"));
        assertTrue(unknown.getMessage().contains("no-such-group"), unknown.getMessage());
        CPythonHarness.build(dir, System.getenv());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "the second build reuses the first");
        }

        // The harness reads 255 bytes a line: a long comment's tail would be an operation to it
        String text = "# " + "x".repeat(253) + " m 99 100\nm 0 16\nr 0 600\nf 0\n";
        Path raw = Files.writeString(dir.resolve("long-comment.trace"), text);
        org.pymalloc4j.bench.Trace trace = org.pymalloc4j.bench.Trace.read(raw);
        assertEquals(4.0, harness.run("replay", raw.toString()).get("replay.calls"), "read raw, C sees one call more");
        Map<String, Double> replay = ReplayTiming.cpythonReplay(harness, trace);
        assertEquals(3.0, replay.get("replay.calls"), "given what Java parsed, C replays the same calls");
        assertTrue(replay.get("replay") > 0, replay.toString());
        assertEquals(replay.get("replay.median"), BenchCommand.replayFigure(replay, 3), "bench's figure, the median");
    }

    /**
     * The last line names the files the run wrote: with no JMH benchmark selected (--filter
     * FragmentationMemory) it named jmh.json and jmh.log, which were not written (an earlier
     * run's, if any, were left as they were).
     */
    @Test
    void theLastLineNamesOnlyTheFilesWritten() {
        Path out = Path.of("results");
        assertEquals("wrote results: cpython.txt, results.md", BenchCommand.wrote(out, false, true, false, false));
        assertEquals("wrote results: jmh.json, jmh.log, cpython.txt, chart.svg, gc-pause.svg, results.md",
                BenchCommand.wrote(out, true, true, true, true));
        assertEquals("wrote results: jmh.json, jmh.log, results.md", BenchCommand.wrote(out, true, false, false, false));
    }

    @Test
    void theNoteOfFailedBenchmarksAgreesWithTheirNumber() {
        assertEquals("1 benchmark has failed and is missing from the tables; see jmh.log",
                JmhRun.failedNote(1, Path.of("jmh.log")));
        assertEquals("2 benchmarks have failed and are missing from the tables; see jmh.log",
                JmhRun.failedNote(2, Path.of("jmh.log")));
    }

    @Test
    void benchTakesCPythonsMedianReplayOnlyOfTheTracesCalls() throws IOException {
        Map<String, Double> figures = Map.of("replay", 3.0e7, "replay.median", 2.5e7, "replay.calls", 34_445.0);
        assertEquals(2.5e7, BenchCommand.replayFigure(figures, 34_445), "the median, not the fastest replay");
        // the raw sizes-churn.trace made the harness read its long last comment as a 34,446th call
        IOException e = assertThrows(IOException.class, () -> BenchCommand.replayFigure(figures, 34_446));
        assertTrue(e.getMessage().endsWith("not the median of a replay of the trace's 34,446 calls"), e.getMessage());
        e = assertThrows(IOException.class, () -> BenchCommand.replayFigure(Map.of("replay", 3.0e7,
                "replay.calls", 34_445.0), 34_445), "a harness without the median");
        assertTrue(e.getMessage().endsWith("not the median of a replay of the trace's 34,445 calls"), e.getMessage());
    }

    @Test
    void aTinyRealRunWritesTheTablesJsonAndMarkdown() throws IOException {
        Path out = dir.resolve("results");
        // An earlier run's files this one does not write (no CPython pattern, no collector) must not
        // stay beside its results.md to pass for its own; a file of the user's stays.
        Files.createDirectories(out);
        Files.writeString(out.resolve("cpython.txt"), "float 1.0 1.0 1.0\n");
        Files.writeString(out.resolve("gc-pause.svg"), "<svg/>");
        Files.writeString(out.resolve("notes.txt"), "mine");
        MainTest.Result r = run("bench", "--quick", "--quiet", "--filter", "ArenaLookupBenchmark.ownerMap", "--out",
                out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Arena lookup (is this address ours?)"), r.out());
        assertTrue(r.out().contains("CPU:") && r.out().contains("JMH:") && r.out().contains("Netty:"), r.out());
        assertTrue(r.out().contains("16   ") && r.out().contains("1024   "), "one row per parameter: " + r.out());
        JmhResults jmh = JmhResults.parse(Files.readString(out.resolve("jmh.json")));
        assertEquals(2, jmh.all().size());
        assertTrue(jmh.all().get(0).secondary().containsKey("gc.alloc.rate.norm"), "run with -prof gc");
        assertTrue(Files.readString(out.resolve("results.md")).contains("| arenas | owner map |"));
        assertTrue(Files.exists(out.resolve("jmh.log")));
        assertTrue(!Files.exists(out.resolve("cpython.txt")) && !Files.exists(out.resolve("gc-pause.svg")),
                "an earlier run's files left beside this one's");
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
    }

    static boolean onPath(String program) {
        return !which(program).isEmpty();
    }

    private static String which(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return Path.of(d, program).toString();
            }
        }
        return "";
    }
}
