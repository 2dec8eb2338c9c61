package org.pymalloc4j.bench.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * CPython's timed figures from two runs of the harness, one just before the JMH benchmarks they
 * are compared with and one just after them ({@link SideBySideRun}). A machine whose speed
 * drifts while the JMH suite runs (this project's VM moves by a third from minute to minute)
 * would otherwise compare pymalloc4j with CPython as it was at another time; the mean of the
 * two runs brackets the JMH benchmarks, and the gap between them says how much any ratio can be
 * trusted.
 *
 * <pre>
 *  figure(k) == (before(k) + after(k)) / 2     when both runs have k, else the one that has it
 *  drift(k)  == |after(k) - before(k)| / figure(k)
 * </pre>
 */
final class CPythonTimes {
    /** The figure that moved most between the two runs. */
    record Drift(String key, double before, double after, double fraction) {
    }

    private final Map<String, Double> before;
    private final Map<String, Double> after;

    CPythonTimes(Map<String, Double> before, Map<String, Double> after) {
        this.before = new TreeMap<>(before);
        this.after = new TreeMap<>(after);
    }

    /** The figure of each key either run has. */
    Map<String, Double> figures() {
        Map<String, Double> figures = new TreeMap<>(before);
        after.forEach((k, v) -> figures.merge(k, v, (b, a) -> (b + a) / 2));
        return figures;
    }

    /** The key that both runs have and that moved most between them, if any. */
    Optional<Drift> largestDrift() {
        Drift largest = null;
        for (Map.Entry<String, Double> e : before.entrySet()) {
            Double a = after.get(e.getKey());
            double b = e.getValue();
            if (a == null || a + b <= 0) {
                continue;
            }
            double fraction = Math.abs(a - b) / ((a + b) / 2);
            if (largest == null || fraction > largest.fraction()) {
                largest = new Drift(e.getKey(), b, a, fraction);
            }
        }
        return Optional.ofNullable(largest);
    }

    /** The note the report prints under its machine description. */
    Optional<String> note() {
        return largestDrift().map(d -> String.format(Locale.ROOT,
                "CPython's timed figures are the mean of a run just before their JMH benchmarks and one just after; "
                + "the largest gap between the two was %.0f%% (%s: %s then %s), the machine's drift "
                + "over those benchmarks", 100 * d.fraction(), d.key(), BenchTables.fmt(d.before()), BenchTables.fmt(d.after())));
    }

    /** Lines of {@code cpython.txt}: key, figure, then each run's value ({@code -} if it has none). */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        figures().forEach((k, v) -> lines.add(String.join(" ", k, plain(v), value(before, k), value(after, k))));
        return lines;
    }

    private static String value(Map<String, Double> run, String key) {
        Double v = run.get(key);
        return v == null ? "-" : plain(v);
    }

    /** Six significant digits, no exponent, no trailing zeros: 41.4085, 20000000. */
    private static String plain(double v) {
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
