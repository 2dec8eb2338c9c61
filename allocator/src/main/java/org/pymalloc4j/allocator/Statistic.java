package org.pymalloc4j.allocator;

import java.util.Comparator;
import java.util.Objects;

/**
 * The traces of one group of a {@link Snapshot}: tracemalloc's {@code Statistic}.
 *
 * @param traceback the group's key: one frame under {@link GroupBy#LINE} and {@link GroupBy#CLASS},
 *                  the recorded frames under {@link GroupBy#TRACEBACK}
 * @param size      the sum of the traces' sizes in bytes; {@link Long#MAX_VALUE} if it would
 *                  overflow a long (hand-made traces only: live blocks cannot add up to 2^63 bytes)
 * @param count     the number of traces
 */
public record Statistic(Traceback traceback, long size, long count) {
    /** tracemalloc's order, {@code (size, count, traceback)}, all descending. */
    static final Comparator<Statistic> ORDER = Comparator.comparingLong(Statistic::size)
            .thenComparingLong(Statistic::count)
            .thenComparing(Statistic::traceback)
            .reversed();

    /**
     * @throws NullPointerException if {@code traceback} is null
     */
    public Statistic {
        Objects.requireNonNull(traceback, "traceback");
    }

    /**
     * As tracemalloc's {@code str(Statistic)}: {@code Foo.java:4: size=138 KiB, count=1001,
     * average=142 B} (no average when the count is 0); a class under {@link GroupBy#CLASS}.
     */
    @Override
    public String toString() {
        String text = traceback + ": size=" + SizeFormat.size(size, false) + ", count=" + count;
        if (count != 0) {
            text += ", average=" + SizeFormat.size((double) size / count, false);
        }
        return text;
    }
}
