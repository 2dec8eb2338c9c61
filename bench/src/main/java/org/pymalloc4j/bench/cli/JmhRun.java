package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * One JMH run of the tool's benchmarks in a child JVM ({@code org.openjdk.jmh.Main} on this
 * JVM's class path, so it measures the code the tool itself runs), with {@code -prof gc}, the
 * JSON result file in the output directory and JMH's console output beside it as
 * {@code jmh.log}. The child's "# Run progress" lines drive the progress bar.
 */
final class JmhRun {
    /**
     * --quick: one fork, one warm-up of a second (200 ms left C2 mid-compilation on a slow host:
     * {@code new byte[512]} measured 1,333 ns, Netty's pair 314-422), two measured iterations of 200 ms.
     */
    static final List<String> QUICK = List.of("-f", "1", "-wi", "1", "-i", "2", "-w", "1s", "-r", "200ms");
    static final String PACKAGE = "org.pymalloc4j.bench.jmh.";

    /** The merged results and the children's output, in the output directory. */
    static final String JSON = "jmh.json";
    static final String LOG = "jmh.log";
    private static final Pattern PROGRESS = Pattern.compile("^# Run progress: ([0-9.,]+)% complete");
    private static final Pattern BENCHMARK = Pattern.compile("^# Benchmark: " + Pattern.quote(PACKAGE) + "(\\S+)");
    private static final Pattern PARAMETERS = Pattern.compile("^# Parameters: \\((.*)\\)");

    private JmhRun() {
    }

    /**
     * The names ({@code Class.method}) of the tool's benchmarks that {@code filter} finds in that
     * name, the one the help shows (so {@code ^PairBenchmark} works), in JMH's order.
     */
    static List<String> select(Pattern filter) {
        List<String> names = new ArrayList<>();
        for (BenchmarkListEntry e : new java.util.TreeSet<>(BenchmarkList.defaultList().getAll(null, List.of()))) {
            String name = e.getUsername();
            if (name.startsWith(PACKAGE)) {
                String shortName = name.substring(PACKAGE.length());
                if (filter.matcher(shortName).find() && !names.contains(shortName)) {
                    names.add(shortName);
                }
            }
        }
        return names;
    }

    /**
     * The child's command line; {@code switches} are this JVM's library switches
     * ({@link LibrarySwitches#flags()}), which the forks get ahead of their own flags, as
     * {@code versus}'s JVMs do.
     */
    static List<String> command(List<String> benchmarks, boolean quick, Path json, List<String> switches) {
        List<String> command = ChildProcess.java(List.of(), "org.openjdk.jmh.Main");
        for (String b : benchmarks) {
            command.add("^" + Pattern.quote(PACKAGE + b) + "$");
        }
        if (quick) {
            command.addAll(QUICK);
        }
        if (!switches.isEmpty()) { // -jvmArgsAppend would replace the benchmarks' @Fork flags, not extend them
            command.addAll(List.of("-jvmArgsPrepend", String.join(" ", switches))); // JMH splits it at spaces
        }
        command.addAll(List.of("-prof", "gc", "-rf", "json", "-rff", json.toString()));
        return command;
    }

    /**
     * Runs the benchmarks in one child JVM and returns JMH's JSON (an array of results). The
     * child's output is appended to {@link #LOG} in {@code outDir}; progress moves from
     * {@code from} to {@code to} as JMH reports it.
     *
     * @throws IOException if the child cannot be started, fails, or writes no results, or if
     *     {@link #LOG} cannot be written ("cannot write FILE: REASON")
     */
    static String run(List<String> benchmarks, boolean quick, Path outDir, Progress progress, double from, double to)
            throws IOException {
        Path json = outDir.resolve("jmh-part.json");
        Path log = outDir.resolve(LOG);
        Files.deleteIfExists(json);
        String[] current = {"", ""};
        int[] failures = {0};
        ChildProcess.Outcome outcome;
        try (RunLog logWriter = RunLog.append(log)) { // its close reports a failed write, "cannot write jmh.log: ..."
            outcome = ChildProcess.run(command(benchmarks, quick, json, LibrarySwitches.flags()), line -> {
                logWriter.println(line);
                Matcher m;
                if ((m = BENCHMARK.matcher(line)).find()) {
                    current[0] = m.group(1);
                    current[1] = "";
                } else if ((m = PARAMETERS.matcher(line)).find()) {
                    current[1] = m.group(1).replace(" = ", "=");
                } else if ((m = PROGRESS.matcher(line)).find()) {
                    double percent = Double.parseDouble(m.group(1).replace(',', '.'));
                    progress.step(current[0] + " " + current[1], from + (to - from) * percent / 100);
                } else if (line.contains("<failure>")) {
                    failures[0]++;
                }
            });
        }
        if (!outcome.ok() || !Files.exists(json)) {
            progress.finish();
            throw new IOException("the JMH run failed (status " + outcome.status() + "); see " + log
                    + (outcome.errorTail().isEmpty() ? "" : ":\n" + outcome.errorTail()));
        }
        String results = Files.readString(json);
        Files.delete(json);
        if (failures[0] > 0) {
            progress.note(failedNote(failures[0], log));
        }
        return results;
    }

    /** The note after a run in which {@code failures} benchmarks failed. */
    static String failedNote(int failures, Path log) {
        return Plural.of(failures, "benchmark") + (failures == 1 ? " has failed and is" : " have failed and are")
                + " missing from the tables; see " + log;
    }
}
