package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.Trace;
import org.pymalloc4j.bench.TraceFormatException;
import org.pymalloc4j.bench.jmh.ProgramReplayBenchmark;

/**
 * {@code versus trace:FILE}: an allocation trace (a program's, from {@code record}) replayed on
 * each side, and what it left freed, a run; the score is nanoseconds per trace call. CPython's
 * side replays the same operations from native arrays ({@code PMV_TRACE} in
 * {@code pymalloc_versus.c}).
 */
final class VersusTrace {
    /** What a pattern name starts with to name a trace file. */
    static final String PREFIX = "trace:";

    /** Traces read in this JVM, by path: each side of each data layout replays the same one. */
    private static final Map<Path, Trace> READ = new ConcurrentHashMap<>();
    /** The real program among the patterns: every pymalloc call of {@code python3.11 -c pass}. */
    static final String PYTHON_STARTUP = "pythonStartup";
    private static volatile Trace pythonStartup;

    private VersusTrace() {
    }

    static boolean isTrace(String name) {
        return name.startsWith(PREFIX);
    }

    /**
     * The pattern of the trace file {@code name} names ({@code trace:FILE}), checked whole.
     *
     * @throws UsageException naming the file and what is wrong with it (with the line number)
     */
    static VersusPatterns.Pattern pattern(String name, Progress progress) throws UsageException {
        String fileName = name.substring(PREFIX.length());
        if (fileName.isEmpty()) {
            throw new UsageException("versus: '" + PREFIX + "' needs a trace file's name after it, as in trace:app.trace");
        }
        Path file;
        try {
            file = Path.of(fileName).toAbsolutePath();
        } catch (java.nio.file.InvalidPathException e) {
            throw new UsageException("versus: cannot read " + fileName + ": " + e.getMessage());
        }
        Trace trace = ReplayCommand.readTrace("versus", file.toString(), progress);
        try (PyMalloc heap = PyMalloc.create()) { // a size the heap cannot give fails here, not in a child JVM
            Trace.freeAll(heap, ReplayCommand.replay("versus", trace, heap, progress));
        }
        READ.putIfAbsent(file, trace);
        return of(file);
    }

    /** The pattern of an already checked trace file: what a child JVM is given. */
    static VersusPatterns.Pattern of(Path file) {
        return new VersusPatterns.Pattern(PREFIX + file, "trace", "trace " + file.getFileName(), VersusPatterns.TRACE, 0);
    }

    private static Trace trace(VersusPatterns.Pattern p) {
        if (p.name().equals(PYTHON_STARTUP)) {
            return pythonStartup();
        }
        Path file = Path.of(p.name().substring(PREFIX.length()));
        return READ.computeIfAbsent(file, f -> {
            try {
                return Trace.read(f);
            } catch (IOException | TraceFormatException e) {
                throw new IllegalArgumentException("versus: cannot read the trace " + f + ": " + e.getMessage(), e);
            }
        });
    }

    private static Trace pythonStartup() {
        Trace t = pythonStartup;
        if (t == null) {
            t = ProgramReplayBenchmark.recorded(); // the fidelity suite's recording, also JMH's
            pythonStartup = t;
        }
        return t;
    }

    /** CPython's side: the trace's operations copied to native arrays, which it replays. */
    static VersusPatterns.Side cpython(CPythonLibrary library, VersusPatterns.Pattern p) {
        Trace trace = trace(p);
        Arena arena = Arena.ofConfined();
        MemorySegment ops = arena.allocate(Math.max(1, trace.length()));
        MemorySegment slots = arena.allocate(ValueLayout.JAVA_INT, Math.max(1, trace.length()));
        MemorySegment sizes = arena.allocate(ValueLayout.JAVA_LONG, Math.max(1, trace.length()));
        trace.copyTo(ops, slots, sizes);
        library.begin(VersusPatterns.TRACE, trace.length(), ops, slots, sizes);
        return new VersusPatterns.Side() {
            @Override
            public long getAsLong() {
                return library.run(VersusPatterns.TRACE, trace.length());
            }

            @Override
            public void close() {
                library.end(VersusPatterns.TRACE);
                arena.close(); // after CPython's side has let go of the arrays
            }
        };
    }

    /** pymalloc4j's side: the same replay on a heap of its own, of {@link VersusPatterns#geometry()}. */
    static VersusPatterns.Side pymalloc4j(VersusPatterns.Pattern p) {
        Trace trace = trace(p);
        PyMalloc heap = PyMalloc.create(VersusPatterns.geometry());
        long[] table = trace.newSlotTable();
        return new VersusPatterns.Side() {
            @Override
            public long getAsLong() {
                trace.replayAndFreeAll(heap, table);
                return trace.length();
            }

            @Override
            public void close() {
                heap.close();
            }
        };
    }
}
