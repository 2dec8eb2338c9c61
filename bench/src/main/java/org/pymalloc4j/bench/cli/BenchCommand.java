package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import org.pymalloc4j.bench.Trace;

/**
 * {@code pymalloc4j bench}: runs the JMH suite in a child JVM, CPython's harness and the memory
 * comparison, then prints one table per layer and writes the raw results, the charts and a
 * Markdown page to the output directory.
 */
final class BenchCommand {
    /** CPython's figures, each then its value before and after its JMH benchmarks. */
    static final String CPYTHON_TXT = "cpython.txt";
    static final String HELP = """
            usage: pymalloc4j bench [--quick] [--filter REGEX] [--out DIR] [--quiet]

            Measures pymalloc4j against its baselines and against CPython's own C code on
            this machine, and prints one table per layer (allocator, domains, objects,
            collector, memory); every figure is a ratio against pymalloc4j's in the same
            run.

              JMH       the benchmarks of the tool's jar (org.pymalloc4j.bench.jmh), one at
                        a time in child JVMs, with -prof gc and the fork flags of each
                        benchmark; pymalloc4j in the default checked mode, or unchecked with
                        PYMALLOC4J_JAVA_OPTS=-Dpymalloc4j.checks=false (the forks and the
                        memory workload are given the tool's -Dpymalloc4j.checks and
                        .prefault)
              CPython   bench/cpython/pymalloc_bench.c, compiled on first use against the
                        libpython3 of the python3 on the PATH, or of the interpreter $PYTHON
                        names (e.g. PYTHON=/usr/bin/python3.11, a distribution's optimised
                        build); its static libpython when it has one, as the interpreter
                        itself is linked (cached in ~/.cache/pymalloc4j); without a C
                        compiler or libpython the tool says what to install and runs the
                        rest
              memory    a fragmenting workload (1,000,000 blocks of 1-512 bytes, 9 in 10
                        freed) in separate processes: peak and final resident memory, arenas
                        in use

            The JMH benchmarks run group by group (pair, batch, random mix, objects,
            collector, the rest), and CPython's patterns of each group run just before and
            just after it; each CPython figure is the mean of the two, and a note gives the
            largest gap between them (the machine's drift over a group's run).

            Writes to DIR: jmh.json (JMH's raw results), jmh.log, cpython.txt (each CPython
            figure, then its value before and after its JMH benchmarks), chart.svg (bars per
            pattern and size, one colour per implementation), gc-pause.svg (collection pause
            against heap size, log-log) and results.md (the tables in Markdown, for the
            README; it links the charts as DIR/chart.svg, so run from the repository's root
            to paste it there). An earlier run's files of those names are removed first, so
            that none stands in for one this run does not write; other files in DIR are left
            alone.

            options:
              --quick          1 fork, a 1-second warm-up and 2 measured iterations of
                               200 ms per benchmark, shorter CPython rounds: 4 to 7
                               minutes on two cores (6.5 where a page fault costs 10 us).
                               Without it, each benchmark's own settings (3 forks x 5 x
                               1 s after 5 x 1 s of warm-up): long, and what figures for
                               publishing need
              --filter REGEX   only the benchmarks whose name (Class.method, e.g.
                               'PairBenchmark', 'Collector.*Cycles') REGEX finds; the memory
                               comparison is named FragmentationMemory; CPython runs when a
                               benchmark it compares with does
              --out DIR        where the files go (default: bench-results); created if
                               missing
              --quiet          no progress
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Path cacheRoot;

    BenchCommand(PrintStream out, PrintStream err) {
        this(out, err, CPythonHarness.defaultCacheRoot());
    }

    BenchCommand(PrintStream out, PrintStream err, Path cacheRoot) {
        this.out = out;
        this.err = err;
        this.cacheRoot = cacheRoot;
    }

    int run(String[] args) throws UsageException {
        Options options = new Options("bench", args, Set.of("filter", "out"), Set.of("quick", "quiet"));
        options.noPositional("bench");
        boolean quick = options.has("quick");
        Pattern filter = filter(options.get("filter", ""));
        List<String> benchmarks = JmhRun.select(filter);
        boolean memory = filter.matcher(MemoryComparison.NAME).find();
        if (benchmarks.isEmpty() && !memory) {
            throw new UsageException("bench: --filter '" + filter.pattern() + "' finds no benchmark "
                    + "(names look like PairBenchmark.pymalloc; the memory comparison is " + MemoryComparison.NAME + ")");
        }
        Path dir = outputDirectory(options.get("out", "bench-results")); // last: bad input leaves no directory behind
        Progress progress = new Progress(err, !options.has("quiet"));
        try {
            removeEarlierRun(dir);
            return measure(command(args), quick, benchmarks, memory, dir, progress);
        } catch (IOException e) {
            progress.finish();
            err.println("pymalloc4j bench: " + e.getMessage());
            return 1;
        }
    }

    private int measure(String command, boolean quick, List<String> benchmarks, boolean memory, Path dir,
                        Progress progress) throws IOException {
        List<String> notes = new ArrayList<>();
        CPythonHarness harness = null;
        String cpythonInfo;
        boolean timed = benchmarks.stream().anyMatch(b -> !SideBySideRun.group(b).isEmpty());
        List<BenchTables.Replay> replays = BenchTables.REPLAYS.stream()
                .filter(r -> benchmarks.stream().anyMatch(b -> b.startsWith(r.className() + "."))).toList();
        boolean wantCPython = memory || timed || !replays.isEmpty();
        try {
            harness = wantCPython ? CPythonHarness.build(cacheRoot, System.getenv()) : null;
            cpythonInfo = harness == null ? "not needed by the selected benchmarks" : harness.description();
        } catch (CPythonHarness.Unavailable e) {
            cpythonInfo = "not measured: " + e.getMessage();
            notes.add("CPython's figures are missing: " + e.getMessage());
            progress.note("pymalloc4j bench: CPython's figures will be missing: " + e.getMessage());
        }
        JmhResults jmh = JmhResults.parse("[]");
        Map<String, Double> before = Map.of();
        Map<String, Double> after = new HashMap<>();
        if (!benchmarks.isEmpty()) {
            progress.note(String.format(Locale.ROOT, "pymalloc4j bench: %s%s, one at a time; raw output in %s",
                    Plural.of(benchmarks.size(), "JMH benchmark"), quick ? " (quick)" : "", dir.resolve(JmhRun.LOG)));
            SideBySideRun.Result run = SideBySideRun.run(benchmarks, harness, quick, dir, progress, 0.98);
            jmh = run.jmh();
            before = run.before();
            after.putAll(run.after());
        }
        Map<String, Double> cpython = new HashMap<>();
        if (harness != null) {
            for (BenchTables.Replay r : replays) {
                progress.step("CPython harness: replay of " + r.resource(), 0.98);
                Trace trace = Trace.resource(r.resource());
                after.put(r.cpythonKey(), replayFigure(ReplayTiming.cpythonReplay(harness, trace), trace.length()));
            }
            CPythonTimes times = new CPythonTimes(before, after);
            cpython.putAll(times.figures());
            times.note().ifPresent(notes::add);
            OutputFile.write(dir.resolve(CPYTHON_TXT), times.lines().stream().map(l -> l + "\n").collect(Collectors.joining()));
        }
        Map<String, Map<String, Double>> memoryFigures = Map.of();
        if (memory) {
            progress.step("memory comparison", 0.99);
            memoryFigures = MemoryComparison.run(harness);
        }
        progress.finish();

        BenchTables tables = new BenchTables(jmh, cpython);
        List<BenchTables.Section> sections = new ArrayList<>(tables.all());
        BenchTables.memory(memoryFigures).ifPresent(sections::add);
        Map<String, String> machine = MachineInfo.describe(jmh, cpythonInfo);
        print(command, machine, sections, notes);
        String chart = BenchReport.chart(tables);
        String pausePlot = BenchReport.pausePlot(jmh, cpython);
        writeReports(dir, chart, pausePlot,
                BenchReport.markdown(command, machine, sections, dir.toString(), chart != null, pausePlot != null, notes));
        out.printf(Locale.ROOT, "%n%s%n", wrote(dir, !benchmarks.isEmpty(), harness != null, chart != null,
                pausePlot != null));
        return 0;
    }

    /** The files a run writes into its directory, by name. */
    static final List<String> OUTPUTS = List.of(JmhRun.JSON, JmhRun.LOG, CPYTHON_TXT, BenchReport.CHART,
            BenchReport.PAUSE_PLOT, BenchReport.MARKDOWN);

    /**
     * Removes an earlier run's files from {@code dir}: a run that writes no JMH results, no CPython
     * figures or no pause plot left the earlier ones beside its own results.md, to pass for its own.
     */
    static void removeEarlierRun(Path dir) throws IOException {
        for (String name : OUTPUTS) {
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException e) {
                throw new IOException("cannot remove the earlier run's " + name + ": " + IoReason.of(e), e);
            }
        }
    }

    /** The last line: the files this run wrote into {@code dir}. */
    static String wrote(Path dir, boolean jmh, boolean cpython, boolean chart, boolean pausePlot) {
        return String.format(Locale.ROOT, "wrote %s: %s%s%s%s%s", dir, jmh ? "jmh.json, jmh.log, " : "",
                cpython ? CPYTHON_TXT + ", " : "",
                chart ? BenchReport.CHART + ", " : "", pausePlot ? BenchReport.PAUSE_PLOT + ", " : "", BenchReport.MARKDOWN);
    }

    /**
     * Writes the charts (those not null) and the Markdown page into {@code dir}.
     *
     * @throws IOException "cannot write FILE: REASON", which run() reports with status 1
     */
    static void writeReports(Path dir, String chart, String pausePlot, String markdown) throws IOException {
        if (chart != null) {
            OutputFile.write(dir.resolve(BenchReport.CHART), chart);
        }
        if (pausePlot != null) {
            OutputFile.write(dir.resolve(BenchReport.PAUSE_PLOT), pausePlot);
        }
        OutputFile.write(dir.resolve(BenchReport.MARKDOWN), markdown);
    }

    private void print(String command, Map<String, String> machine, List<BenchTables.Section> sections,
                       List<String> notes) {
        out.println(command);
        machine.forEach((k, v) -> out.printf(Locale.ROOT, "  %-11s %s%n", k + ":", v));
        notes.forEach(n -> out.println("note: " + n));
        String layer = "";
        for (BenchTables.Section s : sections) {
            if (!s.layer().equals(layer)) {
                layer = s.layer();
                out.printf(Locale.ROOT, "%n== %s ==%n", layer);
            }
            out.printf(Locale.ROOT, "%n%s%n%s%s%n", s.title(), s.table().render(), s.note());
        }
    }

    /**
     * CPython's replay figure beside JMH's: the median of rounds of whole replays, as JMH's is a
     * mean over whole seconds of them (the harness's plain "replay", the fastest single replay,
     * ran 4-7% under that median). The harness is given the parsed operations
     * ({@link ReplayTiming#cpythonReplay}): handed the raw resource, it read the 270-byte last
     * comment of sizes-churn.trace as one more call. Its count of calls must be the trace's.
     */
    static double replayFigure(Map<String, Double> figures, int operations) throws IOException {
        Double calls = figures.get("replay.calls");
        Double opsPerSecond = figures.get("replay.median");
        if (calls == null || calls.longValue() != operations || opsPerSecond == null || opsPerSecond <= 0) {
            throw new IOException(String.format(Locale.ROOT, "CPython's replay gave %s, not the median of a "
                    + "replay of the trace's %,d calls", figures, operations));
        }
        return opsPerSecond;
    }

    static Pattern filter(String regex) throws UsageException {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new UsageException("bench: --filter '" + regex + "' is not a regular expression: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }

    /** Creates {@code name} if needed and checks that files can be written into it. */
    static Path outputDirectory(String name) throws UsageException {
        try {
            Path dir = Path.of(name);
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new UsageException("bench: --out '" + name + "' is not a directory");
            }
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", "");
            Files.delete(probe);
            return dir;
        } catch (IOException e) { // the reason, not the exception's class and its path again
            throw new UsageException("bench: cannot write to --out '" + name + "': " + IoReason.of(e));
        } catch (InvalidPathException | SecurityException e) {
            throw new UsageException("bench: cannot write to --out '" + name + "': " + e.getMessage());
        }
    }

    private static String command(String[] args) {
        return ("pymalloc4j bench " + String.join(" ", args)).trim();
    }
}
