package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.PyMalloc;

/**
 * {@code pymalloc4j versus}: pymalloc4j's patterns and CPython's C loops in alternate rounds
 * in one JVM (see {@link AlternatingRounds}), CPython's side loaded into it as a library; a
 * child JVM a pattern ({@link VersusFork}).
 */
final class VersusCommand {
    static final String HELP = """
            usage: pymalloc4j versus [PATTERN|GROUP...] [--forks N] [--rounds N]
                                     [--round-ms MS] [--warmup N] [--quick] [--markdown]
                                     [--svg FILE] [--quiet] [--against JAR[:JAR...]]
                                     [--geometry G]

            Times pymalloc4j and CPython's own C code on the same patterns, in alternate
            rounds inside one process: CPython's patterns (bench/cpython/pymalloc_versus.c,
            which includes pymalloc_bench.c, the loops 'bench' times) are built on first use
            as a shared library against the libpython3 of the python3 on the PATH, or of
            $PYTHON (cached in ~/.cache/pymalloc4j), and called through FFM downcalls. Each
            ratio compares two rounds run back to back, so a slow spell of the machine,
            which on a shared VM lasts minutes and moves every figure, falls on both sides
            of it alike; the table gives the median ratio over the rounds and their range.

            CPython's speed depends on where its static data land in memory, by up to 2x on
            the random mix, so its library is built in five data layouts (its static data
            moved by 0, 64, ... 256 bytes); each runs the warm-up rounds, and the fastest
            there is the one measured (the 'CPython layout' column).

            A round runs one side's loop of 100,000 operations (a trace pattern: the whole
            trace) until --round-ms have passed; the sides alternate ABBA. Each pattern runs
            in JVMs of its own (--forks) with the flags of the JMH forks, so the JIT
            compiles it as it would alone; what it compiles differs from one JVM to the next
            (10-20% on the 2-tuple), so the table pools the rounds of every fork and also
            gives each fork's median ratio. pymalloc4j runs in the default checked mode;
            PYMALLOC4J_JAVA_OPTS=-Dpymalloc4j.checks=false measures unchecked mode.

            patterns (groups: pair batch mix objects trace; default: all but trace:FILE):
              pair.16 pair.64 pair.256 pair.512   malloc + free, one block of the class kept
                                                  live
              batch.16 batch.64 batch.256         100,000 blocks allocated, freed in reverse
              randomMix                           100,000 live blocks of 1-512 B; free a
                                                  random one, allocate a random size (the
                                                  same requests)
              float tuple emptyList               create + decref (PyFloat_FromDouble,
                                                  PyTuple_Pack(2, a, b), PyList_New(0))
              pythonStartup                       a real program: every pymalloc call of
                                                  python3.11 -c pass (161,671, recorded by
                                                  'record'), replayed whole, then what it
                                                  left freed; ns a call
              trace:FILE                          any allocation trace the same way
                                                  (replay's format, e.g. from 'record'); not
                                                  in the default set

            options:
              --forks N        JVMs a pattern (default 3)
              --rounds N       measured rounds of each side in each JVM (default 9)
              --round-ms MS    least time of a round (default 200)
              --warmup N       rounds of each side run first and not kept (default 5)
              --quick          1 fork, 3 rounds of 100 ms after 3 warm-up rounds
              --markdown       print the table in Markdown
              --svg FILE       also draw the ratios as a picture (a row a pattern, log
                               scale); an existing file is replaced, but not a trace:FILE's,
                               and '-' is refused (the table goes to standard output)
              --against JARS   also measure another build of pymalloc4j, for comparing a
                               change: its allocator and objects jars (path-separated, e.g.
                               from another checkout's allocator/target and objects/target),
                               loaded in the same JVMs in a class loader of their own, run
                               in the same rounds (this build, CPython, the other; then the
                               other way round); each pattern gets a second row, marked
                               'against', and a second table compares the two builds round
                               by round; run it once against this build's own jars to see
                               what a ratio is worth (an A/A run here: pairs and batches
                               0.97-1.01, the mix and the objects 0.92-1.04 pooled, single
                               JVMs off by up to half)
              --geometry G     pymalloc4j's heaps in this geometry: 3.11 (default), 3.8, or
                               hugepages (2 MiB arenas on huge pages, as CPython built with
                               --with-pymalloc-hugepages); CPython's side stays as it was
                               built. Not with --against (the other build keeps its default)
              --quiet          no progress
            """;

    /** The classes another build's jars must hold between them, so that it is that build that is measured. */
    private static final List<String> BUILD_CLASSES = List.of(
            "org/pymalloc4j/allocator/PyMalloc.class", "org/pymalloc4j/objects/ObjectSpace.class");

    private final PrintStream out;
    private final PrintStream err;
    private final Path cacheRoot;

    VersusCommand(PrintStream out, PrintStream err) {
        this(out, err, CPythonHarness.defaultCacheRoot());
    }

    VersusCommand(PrintStream out, PrintStream err, Path cacheRoot) {
        this.out = out;
        this.err = err;
        this.cacheRoot = cacheRoot;
    }

    int run(String[] args) throws UsageException {
        Options options = new Options("versus", args, Set.of("forks", "rounds", "round-ms", "warmup", "svg", "against", "geometry"),
                Set.of("quick", "markdown", "quiet"));
        Progress progress = new Progress(err, !options.has("quiet"));
        boolean quick = options.has("quick");
        int forks = (int) atMost("forks", options.positiveLong("versus", "forks", quick ? 1 : 3), 20);
        int rounds = (int) atMost("rounds", options.positiveLong("versus", "rounds", quick ? 3 : 9), 1000);
        long roundMs = atMost("round-ms", options.positiveLong("versus", "round-ms", quick ? 100 : 200), 60_000);
        int warmup = warmups(options, quick ? 3 : 5);
        Path svg = svgPath(options.get("svg", null));
        notATrace(svg, options.positional());
        Geometry geometry = options.geometry("versus");
        if (options.has("geometry") && options.has("against")) {
            throw new UsageException("versus: --geometry and --against cannot be combined: the other build's "
                    + "heaps keep its default geometry");
        }
        List<Path> against = againstJars(options.get("against", null));
        // last: a trace:FILE is read here, which for a big trace takes a while a bad option should not wait for
        List<VersusPatterns.Pattern> patterns = VersusPatterns.select(options.positional(), progress);
        CPythonLibrary.Build build;
        try {
            build = CPythonHarness.build(cacheRoot, System.getenv()).library();
        } catch (CPythonHarness.Unavailable e) {
            err.println("pymalloc4j versus: CPython's side cannot be built: " + e.getMessage());
            return 1;
        }
        Table table = new Table("pattern", "pymalloc4j ns/op", "CPython ns/op", "ratio (median)", "each fork's",
                "ratio range", "CPython layout");
        Table builds = new Table("pattern", "this build ns/op", "against ns/op", "ratio (median)", "each fork's",
                "ratio range");
        List<RatioPlotSvg.Row> plotted = new ArrayList<>();
        Set<String> sources = new java.util.TreeSet<>();
        int firsts = against.isEmpty() ? 1 : 2;
        int total = forks * AlternatingRounds.totalRounds(warmup, rounds, firsts, build.layouts().size());
        for (int i = 0; i < patterns.size(); i++) {
            VersusPatterns.Pattern p = patterns.get(i);
            String label = String.format(Locale.ROOT, "%s (%d of %d)", p.name(), i + 1, patterns.size());
            List<List<AlternatingRounds.Result>> results = List.of(new ArrayList<>(), new ArrayList<>());
            for (int f = 0; f < forks; f++) {
                double from = (i + (double) f / forks) / patterns.size();
                progress.step(label, from);
                try {
                    VersusFork.Outcome o = VersusFork.run(build, p, rounds, roundMs, warmup, against, geometry,
                            done -> progress.tick(label, from + (double) done / total / patterns.size()));
                    results.get(0).add(o.result());
                    if (o.against() != null) {
                        results.get(1).add(o.against());
                        sources.add(o.againstSource());
                    }
                } catch (IOException e) {
                    progress.finish();
                    err.println("pymalloc4j versus: " + e.getMessage());
                    return 1;
                }
            }
            for (int b = 0; b < firsts; b++) {
                String shown = b == 0 ? p.label() : p.label() + ", against";
                AlternatingRounds.Result pooled = AlternatingRounds.Result.pooled(results.get(b));
                table.row(row(shown, results.get(b), pooled, build.pads()));
                plotted.add(new RatioPlotSvg.Row(shown, pooled.ratioMedian(),
                        results.get(b).stream().mapToDouble(AlternatingRounds.Result::ratioMedian).toArray(),
                        pooled.ratioMin(), pooled.ratioMax()));
            }
            if (firsts == 2) {
                builds.row(buildsRow(p.label(), results.get(0), results.get(1)));
            }
        }
        progress.finish();
        String mode = (PyMalloc.CHECKS ? "checked" : "unchecked") + " mode"
                + (geometry.equals(Geometry.PY311) ? "" : ", geometry " + geometry.name());
        out.printf(Locale.ROOT, "pymalloc4j (%s) against CPython's C, linked with %s; alternate rounds in one JVM a pattern%n",
                mode, build.linkedWith());
        out.println(header(forks, rounds, roundMs, warmup));
        if (build.pads().size() > 1) {
            out.printf(Locale.ROOT, "CPython layout: its static data moved by this many bytes, the fastest of %s in the warm-up "
                    + "(CPython's speed depends on where they land, up to 2x)%n%n", build.pads());
        } else {
            out.printf(Locale.ROOT, "CPython layout: one only (a shared libpython, which padding cannot move; CPython's speed "
                    + "depends on where its static data land, up to 2x)%n%n");
        }
        if (!against.isEmpty()) {
            out.printf(Locale.ROOT, "Rows marked 'against': the build in %s (PyMalloc loaded from %s), in the same JVMs and rounds: "
                    + "this build, CPython, the other, then the other way round%n%n",
                    String.join(", ", against.stream().map(Path::toString).toList()), String.join(", ", sources));
        }
        out.print(options.has("markdown") ? table.renderMarkdown() : table.render());
        if (!against.isEmpty()) {
            out.printf(Locale.ROOT, "%nThis build against the other, round by round (below 1: this build is faster)%n%n");
            out.print(options.has("markdown") ? builds.renderMarkdown() : builds.render());
        }
        return svg == null ? 0
                : writeSvg(svg, RatioPlotSvg.render("pymalloc4j / CPython's C, " + mode + ", rounds alternated", plotted),
                        out, err);
    }

    /** Writes the --svg picture after the rounds; 1 if it cannot be written. */
    static int writeSvg(Path svg, String picture, PrintStream out, PrintStream err) {
        try {
            OutputFile.write(svg, picture);
        } catch (IOException e) { // its message is "cannot write FILE: REASON"
            err.println("pymalloc4j versus: " + e.getMessage().replaceFirst("^cannot write ", "cannot write --svg "));
            return 1;
        }
        out.println("\npicture: " + svg);
        return 0;
    }

    /** The line under the title: how many JVMs and rounds, and what a ratio is. */
    static String header(int forks, int rounds, long roundMs, int warmup) {
        return String.format(Locale.ROOT, "%s a pattern, each %s of at least %d ms a side after %s; "
                + "ratio = pymalloc4j / CPython, per pair of rounds (below 1: pymalloc4j is faster)",
                Plural.of(forks, "JVM"), Plural.of(rounds, "round"), roundMs,
                Plural.of(warmup, "warm-up round"));
    }

    /** A table row: the figures of all the forks' rounds ({@code pooled}), each fork's median ratio and CPython layout. */
    static Object[] row(String label, List<AlternatingRounds.Result> forks, AlternatingRounds.Result pooled,
                        List<Integer> pads) {
        String layouts = forks.stream().map(r -> "+" + pads.get(r.chosen())).collect(Collectors.joining(" ")) + " B";
        List<Object> cells = ratioCells(label, forks, pooled);
        cells.add(layouts);
        return cells.toArray();
    }

    /**
     * A row of the two builds' table: each round's ratio is this build's figure over the other's
     * in the same round (the two ran with one CPython round between them).
     */
    static Object[] buildsRow(String label, List<AlternatingRounds.Result> mine, List<AlternatingRounds.Result> other) {
        List<AlternatingRounds.Result> forks = new ArrayList<>();
        for (int f = 0; f < mine.size(); f++) {
            forks.add(AlternatingRounds.Result.of(mine.get(f).first(), other.get(f).first(), -1));
        }
        return ratioCells(label, forks, AlternatingRounds.Result.pooled(forks)).toArray();
    }

    /** The cells both tables share: the pooled medians of each side, the ratio, each fork's ratio, the range. */
    private static List<Object> ratioCells(String label, List<AlternatingRounds.Result> forks,
                                           AlternatingRounds.Result pooled) {
        String each = forks.stream().map(r -> String.format(Locale.ROOT, "%.2f", r.ratioMedian())).collect(Collectors.joining(" "));
        return new ArrayList<>(List.of(label, BenchTables.fmt(pooled.firstMedian()), BenchTables.fmt(pooled.secondMedian()),
                String.format(Locale.ROOT, "%.2f", pooled.ratioMedian()), each,
                String.format(Locale.ROOT, "%.2f-%.2f", pooled.ratioMin(), pooled.ratioMax())));
    }

    /** The --svg path, checked before the minutes of measuring: its directory must exist. */
    private static Path svgPath(String value) throws UsageException {
        if (value == null) {
            return null;
        }
        if (value.equals("-")) { // map's '-'; here it would be a file named '-'
            throw new UsageException("versus: --svg - (standard output) cannot take the picture: the table goes there;"
                    + " give a file");
        }
        Path p;
        try {
            p = Path.of(value).toAbsolutePath();
        } catch (java.nio.file.InvalidPathException e) {
            throw new UsageException("versus: --svg '" + value + "' is not a path: " + e.getMessage());
        }
        if (Files.isDirectory(p) || !Files.isDirectory(p.getParent())) { // the root, a directory, has no parent
            throw new UsageException("versus: cannot write --svg '" + value + "': "
                    + (Files.isDirectory(p) ? "it is a directory" : "its directory does not exist"));
        }
        return p;
    }

    /**
     * The --against jars, checked before the minutes of measuring: each a jar file, and together
     * holding the allocator and the objects module (else the missing one would silently come from
     * this build's class path).
     */
    static List<Path> againstJars(String value) throws UsageException {
        if (value == null) {
            return List.of();
        }
        List<Path> jars = new ArrayList<>();
        Set<String> held = new java.util.HashSet<>();
        for (String part : value.split(java.io.File.pathSeparator)) {
            Path jar = Path.of(part).toAbsolutePath().normalize();
            if (part.isEmpty() || !Files.isRegularFile(jar)) {
                throw new UsageException("versus: --against '" + part + "' is not a jar file");
            }
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
                BUILD_CLASSES.stream().filter(c -> zip.getEntry(c) != null).forEach(held::add);
            } catch (IOException e) {
                throw new UsageException("versus: --against '" + part + "' is not a jar file: " + e.getMessage());
            }
            jars.add(jar);
        }
        for (String c : BUILD_CLASSES) {
            if (!held.contains(c)) {
                String name = c.replace('/', '.').replace(".class", "");
                throw new UsageException("versus: --against holds no " + name + "; give the other build's "
                        + (name.contains("allocator") ? "allocator" : "objects") + " jar too");
            }
        }
        return jars;
    }

    private static long atMost(String name, long value, long max) throws UsageException {
        if (value > max) {
            throw new UsageException("versus: --" + name + " " + value + " is more than " + max);
        }
        return value;
    }

    /** Refuses an --svg that is a trace:FILE's file: written after the run, it would replace the trace. */
    private static void notATrace(Path svg, List<String> patterns) throws UsageException {
        for (String p : patterns) {
            if (svg == null || !VersusTrace.isTrace(p)) {
                continue;
            }
            String file = p.substring(VersusTrace.PREFIX.length());
            try {
                if (Files.exists(svg) && Files.isSameFile(svg, Path.of(file))) {
                    throw new UsageException("versus: --svg " + svg + " is the file of " + p
                            + ": the picture would overwrite it");
                }
            } catch (IOException | java.nio.file.InvalidPathException e) {
                // not a file to compare (missing, unreadable): reading the trace says so
            }
        }
    }

    private static int warmups(Options options, int fallback) throws UsageException {
        String v = options.get("warmup", null);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new UsageException("versus: --warmup wants a whole number from 0 to 1000, not '" + v + "'");
    }
}
