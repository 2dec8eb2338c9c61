package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The traces of the live traced blocks at one moment: tracemalloc's {@code Snapshot}, with its
 * statistics, comparison and filters. Immutable; taken by {@link Tracer#takeSnapshot()}.
 *
 * <pre>
 *  Snapshot before = memory.tracer().takeSnapshot();
 *  ... allocate ...
 *  for (StatisticDiff d : memory.tracer().takeSnapshot().compareTo(before, GroupBy.LINE)) {
 *      System.out.println(d);   // Foo.java:12: size=138 KiB (+138 KiB), count=1001 (+1001), average=142 B
 *  }
 * </pre>
 */
public final class Snapshot {
    private final List<Trace> traces;
    private final int tracebackLimit;

    /**
     * A snapshot of the given traces (tracemalloc's {@code Snapshot(traces, traceback_limit)}).
     *
     * @throws NullPointerException     if {@code traces} or one of them is null
     * @throws IllegalArgumentException if {@code tracebackLimit} is not in [1; 65535]
     */
    public Snapshot(List<Trace> traces, int tracebackLimit) {
        this.traces = NonNullLists.copyOf(traces, "traces");
        this.tracebackLimit = Tracer.checkFrames(tracebackLimit);
    }

    /** The traces, in no particular order; immutable. */
    public List<Trace> traces() {
        return traces;
    }

    /** The tracer's frame limit when the snapshot was taken. */
    public int tracebackLimit() {
        return tracebackLimit;
    }

    /**
     * The snapshot's traces that pass {@code filters}, as a new snapshot, by tracemalloc's rule:
     * if there is an inclusive filter, a trace must match at least one inclusive filter, and it
     * must not be dropped by any exclusive filter. No filters copy every trace.
     *
     * @throws NullPointerException if {@code filters} or one of them is null
     */
    public Snapshot filterTraces(List<TraceFilter> filters) {
        List<TraceFilter> include = new ArrayList<>();
        List<TraceFilter> exclude = new ArrayList<>();
        for (TraceFilter f : NonNullLists.copyOf(filters, "filters")) {
            (f.isInclusive() ? include : exclude).add(f);
        }
        List<Trace> kept = new ArrayList<>();
        for (Trace t : traces) {
            if ((include.isEmpty() || include.stream().anyMatch(f -> f.passes(t)))
                    && exclude.stream().allMatch(f -> f.passes(t))) {
                kept.add(t);
            }
        }
        return new Snapshot(kept, tracebackLimit);
    }

    /**
     * {@link #statistics(GroupBy, boolean) statistics(key, false)}.
     *
     * @throws NullPointerException if {@code key} is null
     */
    public List<Statistic> statistics(GroupBy key) {
        return statistics(key, false);
    }

    /**
     * The traces grouped by {@code key}, largest group first: tracemalloc's
     * {@code statistics(key_type, cumulative)}, sorted by {@code (size, count, traceback)}, all
     * descending, as tracemalloc sorts them.
     *
     * @param cumulative count each trace once for every frame of its traceback (a frame that
     *                   occurs twice, as in recursion, counts twice, as in tracemalloc), so that a
     *                   caller's group includes what its callees allocated
     * @throws NullPointerException     if {@code key} is null
     * @throws IllegalArgumentException if {@code cumulative} is asked with {@link GroupBy#TRACEBACK}
     */
    public List<Statistic> statistics(GroupBy key, boolean cumulative) {
        List<Statistic> result = new ArrayList<>(groupBy(key, cumulative).values());
        result.sort(Statistic.ORDER);
        return result;
    }

    /**
     * {@link #compareTo(Snapshot, GroupBy, boolean) compareTo(older, key, false)}.
     *
     * @throws NullPointerException if an argument is null
     */
    public List<StatisticDiff> compareTo(Snapshot older, GroupBy key) {
        return compareTo(older, key, false);
    }

    /**
     * The differences from {@code older}, group by group: tracemalloc's {@code compare_to}. A
     * group only in this snapshot has its whole size and count as differences; a group only in
     * {@code older} has size and count 0 and minus its old size and count. Sorted by
     * {@code (|sizeDiff|, size, |countDiff|, count, traceback)}, all descending.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code cumulative} is asked with {@link GroupBy#TRACEBACK}
     */
    public List<StatisticDiff> compareTo(Snapshot older, GroupBy key, boolean cumulative) {
        Objects.requireNonNull(older, "older");
        Map<Traceback, Statistic> now = groupBy(key, cumulative);
        Map<Traceback, Statistic> before = older.groupBy(key, cumulative);
        List<StatisticDiff> diffs = new ArrayList<>(now.size() + before.size());
        for (Statistic s : now.values()) {
            Statistic old = before.remove(s.traceback());
            diffs.add(old == null
                    ? new StatisticDiff(s.traceback(), s.size(), s.size(), s.count(), s.count())
                    : new StatisticDiff(s.traceback(), s.size(), s.size() - old.size(), s.count(),
                            s.count() - old.count()));
        }
        for (Statistic old : before.values()) {
            diffs.add(new StatisticDiff(old.traceback(), 0, -old.size(), 0, -old.count()));
        }
        diffs.sort(StatisticDiff.ORDER);
        return diffs;
    }

    /**
     * A ready-to-print report of the {@code n} largest groups, after tracemalloc's documented
     * {@code display_top}:
     *
     * <pre>
     *  Top 3 lines
     *  #1: Foo.java:12: 138.0 KiB
     *      in org.example.Foo.bar
     *  #2: ...
     *  5 other: 4.1 KiB
     *  Total allocated size: 1022.8 KiB
     * </pre>
     *
     * Under {@link GroupBy#CLASS} an entry is {@code #1: org.example.Foo: 138.0 KiB}; under
     * {@link GroupBy#TRACEBACK} its header is followed by the traceback's frames, most recent
     * first. Every line ends with {@code \n}; the {@code other} line is left out when there are no
     * other groups. Unlike {@code display_top}, no trace is filtered out ({@code <unknown>} ones
     * included). The other and total sizes stop at {@link Long#MAX_VALUE}, as a
     * {@link Statistic#size()} does.
     *
     * @throws NullPointerException     if {@code key} is null
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public String top(GroupBy key, int n) {
        Objects.requireNonNull(key, "key");
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative, was " + n);
        }
        List<Statistic> stats = statistics(key);
        StringBuilder out = new StringBuilder();
        out.append("Top ").append(n).append(' ').append(key.plural()).append('\n');
        for (int i = 0; i < Math.min(n, stats.size()); i++) {
            Statistic s = stats.get(i);
            out.append('#').append(i + 1).append(": ").append(s.traceback()).append(": ")
                    .append(SizeFormat.kib(s.size())).append('\n');
            switch (key) {
                case LINE -> out.append("    in ").append(s.traceback().mostRecent().qualifiedMethod()).append('\n');
                case CLASS -> { }
                case TRACEBACK -> s.traceback().format(Traceback.MAX_FRAMES, true)
                        .forEach(line -> out.append("  ").append(line).append('\n'));
            }
        }
        if (stats.size() > n) {
            long other = 0;
            for (Statistic s : stats.subList(n, stats.size())) {
                other = saturatedAdd(other, s.size());
            }
            out.append(stats.size() - n).append(" other: ").append(SizeFormat.kib(other)).append('\n');
        }
        long total = 0;
        for (Statistic s : stats) {
            total = saturatedAdd(total, s.size());
        }
        out.append("Total allocated size: ").append(SizeFormat.kib(total)).append('\n');
        return out.toString();
    }

    /** tracemalloc's {@code _group_by}: the statistics by key, in the traces' order. */
    private Map<Traceback, Statistic> groupBy(GroupBy key, boolean cumulative) {
        Objects.requireNonNull(key, "key");
        if (cumulative && key == GroupBy.TRACEBACK) {
            throw new IllegalArgumentException("cumulative statistics need GroupBy.LINE or GroupBy.CLASS, not " + key);
        }
        Map<Traceback, long[]> sums = new LinkedHashMap<>();
        Map<Object, Traceback> keys = new HashMap<>(); // a trace's traceback or frame -> its group's key
        for (Trace t : traces) {
            Traceback tb = t.traceback();
            if (!cumulative) {
                Traceback k = keys.computeIfAbsent(tb, x -> key == GroupBy.TRACEBACK
                        ? new Traceback(tb.frames(), tb.frames().size())
                        : Traceback.of(key.keyFrame(tb.mostRecent())));
                add(sums, k, t.size());
            } else {
                for (TraceFrame f : tb.frames()) {
                    add(sums, keys.computeIfAbsent(f, x -> Traceback.of(key.keyFrame(f))), t.size());
                }
            }
        }
        Map<Traceback, Statistic> stats = new LinkedHashMap<>();
        sums.forEach((k, v) -> stats.put(k, new Statistic(k, v[0], v[1])));
        return stats;
    }

    private static void add(Map<Traceback, long[]> sums, Traceback key, long size) {
        long[] v = sums.computeIfAbsent(key, k -> new long[2]);
        v[0] = saturatedAdd(v[0], size);
        v[1]++;
    }

    /**
     * {@code a + b} for sizes (never negative), {@link Long#MAX_VALUE} where the sum overflows: a
     * long cannot hold Python's unbounded sum, and only hand-made traces can reach 2^63 bytes.
     */
    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /**
     * The number of traces and the limit, {@code <Snapshot traces=3 traceback_limit=1>}: this
     * library's, as tracemalloc's {@code Snapshot} has no repr of its own (Python prints
     * {@code <tracemalloc.Snapshot object at 0x...>}, and {@code repr(snapshot.traces)} is
     * {@code <Traces len=3>}).
     */
    @Override
    public String toString() {
        return "<Snapshot traces=" + traces.size() + " traceback_limit=" + tracebackLimit + ">";
    }
}
