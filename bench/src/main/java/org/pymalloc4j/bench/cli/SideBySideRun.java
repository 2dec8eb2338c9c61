package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JMH benchmarks run group by group, each group between two runs of the CPython patterns
 * it is compared with: a ratio then compares figures taken minutes apart, not the length of
 * the whole suite apart (on this project's VM CPython's own figures drifted 45-80% between the
 * two ends of a 50-minute run, and most of it between groups).
 *
 * <pre>
 *  group(b) == the harness's group of b's class (pair, batch, mix, objects, gc), or "" for none
 *  for each group g, in ORDER (pair, batch, mix, objects, gc, then the rest):
 *      before += CPython time g;  JMH on the benchmarks of g;  after += CPython time g
 *  jmh.json == the concatenation of every group's results, in that order, written after
 *              each group (a failure keeps the groups before it)
 * </pre>
 */
final class SideBySideRun {
    /** The merged JMH results and CPython's figures from just before and just after their groups. */
    record Result(JmhResults jmh, Map<String, Double> before, Map<String, Double> after) {
    }

    private SideBySideRun() {
    }

    /** The harness's group of the patterns {@code benchmark} ({@code Class.method}) is compared with, or "". */
    static String group(String benchmark) {
        int dot = benchmark.indexOf('.');
        return switch (dot < 0 ? benchmark : benchmark.substring(0, dot)) {
            case "PairBenchmark" -> "pair";
            case "BatchBenchmark" -> "batch";
            case "RandomMixBenchmark" -> "mix";
            case "ObjectBenchmark" -> "objects";
            case "CollectorBenchmark" -> "gc";
            default -> "";
        };
    }

    /** The groups in the order they run, as the bench help gives it: "" is the rest. */
    static final List<String> ORDER = List.of("pair", "batch", "mix", "objects", "gc", "");

    /** The benchmarks by group, groups in {@link #ORDER}, each group's in the order they come. */
    static Map<String, List<String>> byGroup(List<String> benchmarks) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String g : ORDER) {
            List<String> members = benchmarks.stream().filter(b -> group(b).equals(g)).toList();
            if (!members.isEmpty()) {
                groups.put(g, members);
            }
        }
        return groups;
    }

    /** Runs a group's benchmarks in a JMH child and returns its JSON results: {@link JmhRun#run}, or a test's. */
    interface GroupRunner {
        String run(List<String> benchmarks, boolean quick, Path dir, Progress progress, double from, double to)
                throws IOException;
    }

    /**
     * Runs every group; {@code harness} may be null (no CPython figures). Progress runs from 0
     * to {@code end} over the benchmarks.
     *
     * @throws IOException if a JMH child or the harness fails
     */
    static Result run(List<String> benchmarks, CPythonHarness harness, boolean quick, Path dir, Progress progress,
                      double end) throws IOException {
        return run(benchmarks, harness, quick, dir, progress, end, JmhRun::run);
    }

    /** {@link #run(List, CPythonHarness, boolean, Path, Progress, double)}, each group run by {@code jmh}. */
    static Result run(List<String> benchmarks, CPythonHarness harness, boolean quick, Path dir, Progress progress,
                      double end, GroupRunner jmh) throws IOException {
        Map<String, Double> before = new HashMap<>();
        Map<String, Double> after = new HashMap<>();
        List<String> parts = new ArrayList<>();
        Path json = dir.resolve(JmhRun.JSON);
        Files.deleteIfExists(dir.resolve(JmhRun.LOG));
        Files.deleteIfExists(json); // an earlier run's must not pass for this one's if this one fails
        int done = 0;
        for (Map.Entry<String, List<String>> e : byGroup(benchmarks).entrySet()) {
            String group = e.getKey();
            List<String> members = e.getValue();
            double from = end * done / benchmarks.size();
            double to = end * (done + members.size()) / benchmarks.size();
            boolean timed = harness != null && !group.isEmpty();
            String part;
            try {
                if (timed) {
                    progress.step("CPython harness: " + group + ", before its JMH benchmarks", from);
                    before.putAll(harness.run(timeArgs(quick, group)));
                }
                part = jmh.run(members, quick, dir, progress, from, to);
            } catch (IOException failure) {
                throw kept(failure, parts, json);
            }
            parts.add(part);
            // after each group, so that a failure later in a run of an hour or more keeps these
            OutputFile.write(json, concat(parts));
            try {
                if (timed) {
                    progress.step("CPython harness: " + group + ", after its JMH benchmarks", to);
                    after.putAll(harness.run(timeArgs(quick, group)));
                }
            } catch (IOException failure) {
                throw kept(failure, parts, json);
            }
            done += members.size();
        }
        return new Result(JmhResults.parse(concat(parts)), before, after);
    }

    /** {@code failure}, saying where the JMH results before it are kept if there are any. */
    private static IOException kept(IOException failure, List<String> parts, Path json) {
        return parts.isEmpty() ? failure
                : new IOException(failure.getMessage() + "\nthe results before it are in " + json, failure);
    }

    static String[] timeArgs(boolean quick, String group) {
        return quick ? new String[] {"--quick", "time", group} : new String[] {"time", group};
    }

    /** One JSON array of the elements of several ({@code [a, b]} and {@code [c]} give {@code [a, b, c]}). */
    static String concat(List<String> arrays) {
        List<String> inner = new ArrayList<>();
        for (String a : arrays) {
            String t = a.strip();
            if (!t.startsWith("[") || !t.endsWith("]")) {
                throw new IllegalArgumentException("not a JSON array: " + (t.length() > 40 ? t.substring(0, 40) + "..." : t));
            }
            String body = t.substring(1, t.length() - 1).strip();
            if (!body.isEmpty()) {
                inner.add(body);
            }
        }
        return "[" + String.join(",\n", inner) + "]\n";
    }
}
