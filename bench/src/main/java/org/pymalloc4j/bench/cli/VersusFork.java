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
 * </pre>
 */
public final class VersusFork {
    private VersusFork() {
    }

    /** The child's arguments: LIBRARIES (one a data layout, path-separated) PREFIX PATTERN ROUNDS ROUND_MS WARMUP. */
    public static void main(String[] args) {
        if (args.length != 6) {
            System.err.println("usage: VersusFork LIBRARIES PREFIX PATTERN ROUNDS ROUND_MS WARMUP");
            System.exit(2);
        }
        VersusPatterns.Pattern p = VersusPatterns.ALL.stream().filter(x -> x.name().equals(args[2])).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pattern " + args[2]));
        AlternatingRounds timing = new AlternatingRounds(System::nanoTime, Long.parseLong(args[4]) * 1_000_000,
                Integer.parseInt(args[5]), Integer.parseInt(args[3]));
        AlternatingRounds.Result r;
        try (VersusPatterns.MixRequests requests = new VersusPatterns.MixRequests();
             VersusPatterns.Side java = VersusPatterns.pymalloc4j(p, requests)) {
            List<VersusPatterns.Side> layouts = new ArrayList<>();
            try {
                for (String library : args[0].split(File.pathSeparator)) {
                    layouts.add(VersusPatterns.cpython(CPythonLibrary.load(Path.of(library), args[1]), p, requests));
                }
                r = timing.measure(java, layouts, done -> System.out.println("progress " + done));
            } finally {
                layouts.forEach(VersusPatterns.Side::close); // before the requests they read are freed
            }
        }
        System.out.println("chosen " + r.chosen());
        System.out.println("first " + values(r.first()));
        System.out.println("second " + values(r.second()));
        System.out.flush();
    }

    private static String values(double[] v) {
        return Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, "%.4f", x)).collect(Collectors.joining(" "));
    }

    /**
     * Runs {@code p} in a child JVM with the benchmark forks' flags ({@link JvmArgs}) and this
     * JVM's checked mode, CPython's side in each of {@code library}'s data layouts for the
     * warm-up and in the fastest of them after it; {@code progress} gets the rounds done as the
     * child reports them (out of {@code AlternatingRounds.totalRounds(layouts)}). {@code before}
     * (another build's jars, or none) goes ahead of this JVM's class path, so that the child
     * measures that build's classes.
     *
     * @throws IOException if the child cannot start, fails, or prints no figures
     */
    static AlternatingRounds.Result run(CPythonLibrary.Build library, VersusPatterns.Pattern p, int rounds, long roundMs,
                                        int warmup, List<Path> before, IntConsumer progress) throws IOException {
        List<String> flags = new ArrayList<>(List.of(JvmArgs.all()));
        String checks = System.getProperty("pymalloc4j.checks");
        if (checks != null) {
            flags.add("-Dpymalloc4j.checks=" + checks);
        }
        List<String> command = ChildProcess.java(flags, before, VersusFork.class.getName());
        String layouts = String.join(File.pathSeparator, library.layouts().stream().map(Path::toString).toList());
        command.addAll(List.of(layouts, library.prefix(), p.name(), String.valueOf(rounds),
                String.valueOf(roundMs), String.valueOf(warmup)));
        double[][] figures = new double[2][];
        int[] chosen = {-1};
        ChildProcess.Outcome outcome = ChildProcess.run(command, line -> {
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "progress" -> progress.accept(Integer.parseInt(f[1]));
                case "chosen" -> chosen[0] = Integer.parseInt(f[1]);
                case "first" -> figures[0] = parse(f);
                case "second" -> figures[1] = parse(f);
                default -> { } // anything else the JVM prints
            }
        });
        if (!outcome.ok() || figures[0] == null || figures[1] == null || figures[0].length != rounds
                || figures[1].length != rounds || chosen[0] < 0 || chosen[0] >= library.layouts().size()) {
            throw new IOException("the JVM measuring " + p.name() + " failed with status " + outcome.status()
                    + (outcome.errorTail().isEmpty() ? "" : ":\n" + outcome.errorTail()));
        }
        return AlternatingRounds.Result.of(figures[0], figures[1], chosen[0]);
    }

    private static double[] parse(String[] fields) {
        return Arrays.stream(fields, 1, fields.length).mapToDouble(Double::parseDouble).toArray();
    }
}
