package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The results of one JMH run, read from its JSON result file ({@code -rf json}). */
final class JmhResults {

    /** A secondary metric ({@code -prof gc}'s, an {@code @AuxCounters} counter) with its per-iteration values. */
    record Secondary(double score, String unit, List<Double> perIteration) {
        /** The median of the per-iteration values (of two, their mean): the honest figure for a gauge. */
        double median() {
            return perIteration.isEmpty() ? score
                    : AlternatingRounds.median(perIteration.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /** One benchmark with one parameter set; {@code perIteration}, the measured iterations' scores of every fork. */
    record Result(String className, String method, Map<String, String> params, double score, double error,
                  String unit, Map<String, Secondary> secondary, List<Double> perIteration) {
        /** The value of the single parameter, or "" if there is none. */
        String param() {
            return params.isEmpty() ? "" : params.values().iterator().next();
        }

        /**
         * The median of the iterations' scores (JMH's {@code score} is their mean): for a
         * single-shot benchmark, the median of its shots, as CPython's harness gives its own.
         */
        double median() {
            return perIteration.isEmpty() ? score
                    : AlternatingRounds.median(perIteration.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    private final List<Result> results;
    private final String jmhVersion;
    private final List<String> jvmArgs;

    private JmhResults(List<Result> results, String jmhVersion, List<String> jvmArgs) {
        this.results = results;
        this.jmhVersion = jmhVersion;
        this.jvmArgs = jvmArgs;
    }

    /** Parses a JMH JSON result file's text; {@link IllegalArgumentException} if it is not one. */
    static JmhResults parse(String json) {
        if (!(Json.parse(json) instanceof List<?> list)) {
            throw new IllegalArgumentException("a JMH result file is a JSON array");
        }
        List<Result> results = new ArrayList<>();
        String version = "";
        List<String> jvmArgs = List.of();
        for (Object o : list) {
            Map<?, ?> r = (Map<?, ?>) o;
            String benchmark = (String) r.get("benchmark");
            String[] parts = benchmark.split("\\.");
            Map<String, String> params = new LinkedHashMap<>();
            if (r.get("params") instanceof Map<?, ?> p) {
                p.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
            }
            Map<?, ?> primary = (Map<?, ?>) r.get("primaryMetric");
            Map<String, Secondary> secondary = new LinkedHashMap<>();
            if (r.get("secondaryMetrics") instanceof Map<?, ?> s) {
                s.forEach((k, v) -> secondary.put((String) k, secondary((Map<?, ?>) v)));
            }
            results.add(new Result(parts[parts.length - 2], parts[parts.length - 1], params,
                    number(primary.get("score")), number(primary.get("scoreError")), (String) primary.get("scoreUnit"),
                    secondary, rawData(primary)));
            version = String.valueOf(r.get("jmhVersion"));
            jvmArgs = ((List<?>) r.get("jvmArgs")).stream().map(String::valueOf).toList();
        }
        return new JmhResults(results, version, jvmArgs);
    }

    private static Secondary secondary(Map<?, ?> metric) {
        return new Secondary(number(metric.get("score")), (String) metric.get("scoreUnit"), rawData(metric));
    }

    /** A metric's per-iteration values, every fork's, in order. */
    private static List<Double> rawData(Map<?, ?> metric) {
        List<Double> values = new ArrayList<>();
        if (metric.get("rawData") instanceof List<?> forks) {
            for (Object fork : forks) {
                for (Object v : (List<?>) fork) {
                    values.add(number(v));
                }
            }
        }
        return values;
    }

    private static double number(Object o) {
        return o instanceof Double d ? d : Double.NaN;
    }

    List<Result> all() {
        return results;
    }

    boolean isEmpty() {
        return results.isEmpty();
    }

    String jmhVersion() {
        return jmhVersion;
    }

    List<String> jvmArgs() {
        return jvmArgs;
    }

    /** The result of {@code className.method} whose parameter is {@code param} ("" for none). */
    Optional<Result> find(String className, String method, String param) {
        return results.stream()
                .filter(r -> r.className().equals(className) && r.method().equals(method) && r.param().equals(param))
                .findFirst();
    }

    /** The parameter values of {@code className}'s results, in run order, each once. */
    List<String> params(String className) {
        return results.stream().filter(r -> r.className().equals(className)).map(Result::param).distinct().toList();
    }
}
