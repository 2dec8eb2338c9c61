package org.pymalloc4j.bench.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.bench.jmh.JvmArgs;

/**
 * One pattern of {@code versus} in a JVM of its own, as JMH forks a JVM per benchmark: the
 * JIT's profile then holds this pattern's code paths only, not those of the patterns before it.
 * The child prints its progress and its figures on standard output, one line each:
 *
 * <pre>
 *  progress N              N rounds done, warm-up included
 *  chosen I                the index of CPython's data layout measured (the fastest in the warm-up)
 *  first V1 V2 ...         pymalloc4j's ns per operation, one value a measured round
 *  second V1 V2 ...        CPython's, the same rounds
 *  against V1 V2 ...       with another build (AGAINST): its ns per operation, the same rounds
 *  source PATH             ... and where its PyMalloc class came from
 *  geometry NAME           the geometry of this build's heaps ({@code versus --geometry})
 *  error MESSAGE           why it failed, instead of the figures (it then exits with status 1)
 * </pre>
 */
public final class VersusFork {
    private VersusFork() {
    }

    /**
     * The child's arguments: LIBRARIES (one a data layout, path-separated) PREFIX PATTERN ROUNDS
     * ROUND_MS WARMUP [AGAINST (another build's jars, path-separated)].
     */
    public static void main(String[] args) {
        if (args.length != 6 && args.length != 7) {
            System.err.println("usage: VersusFork LIBRARIES PREFIX PATTERN ROUNDS ROUND_MS WARMUP [AGAINST]");
            System.exit(2);
        }
        try {
            measure(args);
        } catch (RuntimeException | Error e) { // one line the parent shows: a stack trace's tail would hide the message
            System.out.println("error " + errorLine(e));
            System.out.flush();
            System.exit(1);
        }
    }

    /** {@code e}'s message on one line, and the class of its root cause, which says what kind of failure it was. */
    static String errorLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s*\\R\\s*", " ") + " ";
        return message + "(" + root.getClass().getName() + ")";
    }

    private static void measure(String[] args) {
        VersusPatterns.Pattern p = VersusPatterns.named(args[2]);
        AlternatingRounds timing = new AlternatingRounds(System::nanoTime, Long.parseLong(args[4]) * 1_000_000,
                Integer.parseInt(args[5]), Integer.parseInt(args[3]));
        List<Path> against = args.length == 7
                ? Arrays.stream(args[6].split(File.pathSeparator)).map(Path::of).toList() : List.of();
        List<AlternatingRounds.Result> r;
        try (OtherBuild other = against.isEmpty() ? null : new OtherBuild(against);
             OtherBuild self = against.isEmpty() ? null : new OtherBuild(OtherBuild.thisBuild());
             VersusPatterns.MixRequests requests = new VersusPatterns.MixRequests();
             VersusPatterns.Side java = other == null ? VersusPatterns.pymalloc4j(p, requests)
                     : self.side(p.name()); // loaded and layered as the other's
             VersusPatterns.Side otherJava = other == null ? null : other.side(p.name())) {
            if (other != null) {
                System.out.println("source " + other.allocatorSource());
            }
            List<VersusPatterns.Side> firsts = otherJava == null ? List.of(java) : List.of(java, otherJava);
            List<VersusPatterns.Side> layouts = new ArrayList<>();
            try {
                for (String library : args[0].split(File.pathSeparator)) {
                    layouts.add(VersusPatterns.cpython(CPythonLibrary.load(Path.of(library), args[1]), p, requests));
                }
                r = timing.measure(firsts, layouts, done -> System.out.println("progress " + done));
            } finally {
                layouts.forEach(VersusPatterns.Side::close); // before the requests they read are freed
            }
        }
        System.out.println("geometry " + VersusPatterns.geometry().name());
        System.out.println("chosen " + r.get(0).chosen());
        System.out.println("first " + values(r.get(0).first()));
        System.out.println("second " + values(r.get(0).second()));
        if (r.size() == 2) {
            System.out.println("against " + values(r.get(1).first()));
        }
        System.out.flush();
    }

    private static String values(double[] v) {
        return Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, "%.4f", x)).collect(Collectors.joining(" "));
    }

    /** What a child JVM measured: a result for this build, and one for the other build if there was one. */
    record Outcome(AlternatingRounds.Result result, AlternatingRounds.Result against, String againstSource) {
    }

    /**
     * Runs {@code p} in a child JVM with the benchmark forks' flags ({@link JvmArgs}) and this
     * JVM's checked mode, CPython's side in each of {@code library}'s data layouts for the
     * warm-up and in the fastest of them after it; {@code progress} gets the rounds done as the
     * child reports them (out of {@code AlternatingRounds.totalRounds}). With {@code against}
     * (another build's jars, or none) that build is measured too, in the same JVM and rounds
     * ({@link OtherBuild}). This build's heaps have {@code geometry} (passed to the child as
     * {@link VersusPatterns#GEOMETRY_PROPERTY}).
     *
     * @throws IOException if the child cannot start, fails (with the message of its exception, if
     *                     one ended it), or prints no figures
     */
    static Outcome run(CPythonLibrary.Build library, VersusPatterns.Pattern p, int rounds, long roundMs,
                       int warmup, List<Path> against, Geometry geometry, IntConsumer progress) throws IOException {
        List<String> flags = new ArrayList<>(List.of(JvmArgs.all()));
        flags.add("-D" + VersusPatterns.GEOMETRY_PROPERTY + "=" + geometry.name());
        flags.addAll(LibrarySwitches.flags());
        List<String> command = ChildProcess.java(flags, VersusFork.class.getName());
        String layouts = String.join(File.pathSeparator, library.layouts().stream().map(Path::toString).toList());
        command.addAll(List.of(layouts, library.prefix(), p.name(), String.valueOf(rounds),
                String.valueOf(roundMs), String.valueOf(warmup)));
        if (!against.isEmpty()) {
            command.add(String.join(File.pathSeparator, against.stream().map(Path::toString).toList()));
        }
        double[][] figures = new double[3][];
        int[] chosen = {-1};
        String[] source = {null};
        String[] measured = {null};
        String[] error = {null};
        ChildProcess.Outcome outcome = ChildProcess.run(command, line -> {
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "progress" -> progress.accept(Integer.parseInt(f[1]));
                case "chosen" -> chosen[0] = Integer.parseInt(f[1]);
                case "first" -> figures[0] = parse(f);
                case "second" -> figures[1] = parse(f);
                case "against" -> figures[2] = parse(f);
                case "source" -> source[0] = line.trim().substring("source ".length());
                case "geometry" -> measured[0] = f[1];
                case "error" -> error[0] = line.trim().substring("error ".length());
                default -> { } // anything else the JVM prints
            }
        });
        if (error[0] != null) {
            throw new IOException("the JVM measuring " + p.name() + " failed: " + error[0]);
        }
        boolean complete = figures[0] != null && figures[1] != null && (against.isEmpty() || figures[2] != null);
        if (!outcome.ok() || !complete || chosen[0] < 0 || chosen[0] >= library.layouts().size()) {
            throw new IOException("the JVM measuring " + p.name() + " failed with status " + outcome.status()
                    + (outcome.errorTail().isEmpty() ? "" : ":\n" + outcome.errorTail()));
        }
        if (!geometry.name().equals(measured[0])) {
            throw new IOException("the JVM measuring " + p.name() + " used geometry " + measured[0] + ", not " + geometry.name());
        }
        for (double[] v : figures) {
            if (v != null && v.length != rounds) {
                throw new IOException("the JVM measuring " + p.name() + " gave " + v.length + " rounds, not " + rounds);
            }
        }
        return new Outcome(AlternatingRounds.Result.of(figures[0], figures[1], chosen[0]),
                figures[2] == null ? null : AlternatingRounds.Result.of(figures[2], figures[1], chosen[0]), source[0]);
    }

    private static double[] parse(String[] fields) {
        return Arrays.stream(fields, 1, fields.length).mapToDouble(Double::parseDouble).toArray();
    }
}
