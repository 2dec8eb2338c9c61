package org.pymalloc4j.bench.cli;

import java.io.PrintStream;
import java.util.Locale;

import org.pymalloc4j.allocator.GroupBy;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.Snapshot;
import org.pymalloc4j.allocator.TracedMemory;

/** {@code --trace N}: tracemalloc over a command's memory, and its top allocation sites. */
final class TraceReport {
    /** Frames per traceback: enough to tell the workload's phases apart. */
    static final int FRAMES = 8;
    /** Tracebacks printed whole after the top lines. */
    private static final int TRACEBACKS = 3;

    private TraceReport() {
    }

    /** Starts tracing if {@code top > 0}. */
    static void start(Memory memory, int top) {
        if (top > 0) {
            memory.tracer().start(FRAMES);
        }
    }

    /** Prints the traced totals, the top lines and the top tracebacks of the live blocks. */
    static void print(PrintStream out, Memory memory, int top) {
        if (top <= 0) {
            return;
        }
        Snapshot snapshot = memory.tracer().takeSnapshot();
        TracedMemory traced = memory.tracer().tracedMemory();
        out.printf(Locale.ROOT, "%ntracemalloc: %s traced, %,d bytes (peak %,d), tracer tables %,d bytes%n%n",
                Plural.of(snapshot.traces().size(), "live block"), traced.current(), traced.peak(), memory.tracer().tracerMemory());
        out.print(snapshot.top(GroupBy.LINE, top));
        out.println();
        out.print(snapshot.top(GroupBy.TRACEBACK, Math.min(top, TRACEBACKS)));
    }
}
