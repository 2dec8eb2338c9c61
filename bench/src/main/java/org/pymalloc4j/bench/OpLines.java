package org.pymalloc4j.bench;

import java.util.Arrays;

/**
 * The line of each operation of a trace, for messages about an operation that fails when it is
 * replayed. Stored as runs of operations on consecutive lines: a trace is mostly operations, one a
 * line, so a run breaks only at comments and blank lines, and the table stays small beside the
 * trace's own arrays.
 */
final class OpLines {
    /** The first operation of each run, ascending. */
    private int[] firstOp = new int[16];
    /** The line of each run's first operation. */
    private long[] firstLine = new long[16];
    private int runs;

    /** Records that operation {@code op} (the next, in order) is on line {@code line}. */
    void add(int op, long line) {
        if (runs > 0 && line == firstLine[runs - 1] + (op - firstOp[runs - 1])) {
            return;
        }
        if (runs == firstOp.length) {
            firstOp = Arrays.copyOf(firstOp, runs * 2);
            firstLine = Arrays.copyOf(firstLine, runs * 2);
        }
        firstOp[runs] = op;
        firstLine[runs] = line;
        runs++;
    }

    /** The 1-based line of operation {@code op}. */
    long lineOf(int op) {
        int run = Arrays.binarySearch(firstOp, 0, runs, op);
        run = run >= 0 ? run : -run - 2;
        return firstLine[run] + (op - firstOp[run]);
    }
}
