package org.pymalloc4j.allocator;

import java.util.Comparator;
import java.util.Objects;

/**
 * How one group changed between two snapshots: tracemalloc's {@code StatisticDiff}. A group
 * only in the older snapshot has size and count 0 and negative differences.
 *
 * @param traceback the group's key, as {@link Statistic#traceback()}
 * @param size      the group's size in the newer snapshot
 * @param sizeDiff  {@code size} minus the group's size in the older snapshot
 * @param count     the group's trace count in the newer snapshot
 * @param countDiff {@code count} minus the group's count in the older snapshot
 */
public record StatisticDiff(Traceback traceback, long size, long sizeDiff, long count, long countDiff) {
    /** tracemalloc's order, {@code (|sizeDiff|, size, |countDiff|, count, traceback)}, all descending. */
    static final Comparator<StatisticDiff> ORDER = Comparator.comparingLong((StatisticDiff d) -> Math.abs(d.sizeDiff))
            .thenComparingLong(StatisticDiff::size)
            .thenComparingLong(d -> Math.abs(d.countDiff))
            .thenComparingLong(StatisticDiff::count)
            .thenComparing(StatisticDiff::traceback)
            .reversed();

    /**
     * @throws NullPointerException if {@code traceback} is null
     */
    public StatisticDiff {
        Objects.requireNonNull(traceback, "traceback");
    }

    /**
     * As tracemalloc's {@code str(StatisticDiff)}: {@code Foo.java:4: size=138 KiB (+138 KiB),
     * count=1001 (+1001), average=142 B} (no average when the count is 0).
     */
    @Override
    public String toString() {
        String text = traceback + ": size=" + SizeFormat.size(size, false) + " (" + SizeFormat.size(sizeDiff, true)
                + "), count=" + count + " (" + (countDiff >= 0 ? "+" : "") + countDiff + ")";
        if (count != 0) {
            text += ", average=" + SizeFormat.size((double) size / count, false);
        }
        return text;
    }
}
