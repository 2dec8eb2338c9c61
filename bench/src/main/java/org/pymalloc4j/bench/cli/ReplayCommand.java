package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.bench.Trace;
import org.pymalloc4j.bench.TraceFormatException;
import org.pymalloc4j.bench.TraceReplayException;

/** {@code pymalloc4j replay TRACE}: replays an allocation trace and prints the statistics report. */
final class ReplayCommand {
    static final String HELP = """
            usage: pymalloc4j replay TRACE [--geometry G] [--malloc NAME] [--trace N]
                                     [--time] [--quiet]

            Replays an allocation trace on a fresh heap and prints the heap statistics in
            the layout of CPython 3.11's sys._debugmallocstats(). The trace is checked whole
            before anything runs: a bad line stops the command with its line number and exit
            status 2, and nothing is printed to standard output.

            Trace format, one operation a line (TRACE '-' reads standard input):
              m SLOT SIZE    malloc SIZE bytes into SLOT, which must be empty
              r SLOT SIZE    realloc the block in SLOT to SIZE bytes
              f SLOT         free the block in SLOT
              # ...          a comment: a line of its own; blank lines are skipped too
            SLOT is an integer 0..67108863, SIZE an integer >= 0, in the ASCII digits (a +
            or - sign before them is read as C's strtol reads it, so -0 is 0); a slot's
            number only names its block, so any numbering costs the same. The file is UTF-8,
            its lines ending in LF or CRLF (not in CR alone). A trace without operations is
            refused, and so is a size the allocator cannot give, when its line is replayed.

            options:
            """ + Options.GEOMETRY_HELP + """
              --malloc NAME         allocators as PYTHONMALLOC names them: pymalloc
                                    (default), malloc, debug, pymalloc_debug, malloc_debug;
                                    the trace runs through the object domain
                                    (PyObject_Malloc)
              --trace N             trace allocations as tracemalloc does (8 frames each)
                                    and print the top N allocation sites of the live blocks
                                    at the end
              --time                also time the replay on a default heap and in CPython's
                                    C loop (bench's harness, built on first use): the
                                    fastest of 7 rounds each, one side after the other,
                                    pymalloc4j's after 2 s of warm-up rounds; only on the
                                    default heap (3.11, pymalloc), and not of a trace on
                                    standard input
              --quiet               no progress bar
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Path cacheRoot;

    ReplayCommand(PrintStream out, PrintStream err) {
        this(out, err, CPythonHarness.defaultCacheRoot());
    }

    ReplayCommand(PrintStream out, PrintStream err, Path cacheRoot) {
        this.out = out;
        this.err = err;
        this.cacheRoot = cacheRoot;
    }

    int run(String[] args) throws UsageException {
        Options options = new Options("replay", args, Set.of("geometry", "malloc", "trace"), Set.of("quiet", "time"));
        Geometry geometry = options.geometry("replay");
        AllocatorName allocator = options.allocator("replay");
        int traceTop = (int) Math.min(Integer.MAX_VALUE, options.positiveLong("replay", "trace", 0));
        if (options.positional().size() != 1) {
            throw new UsageException("replay: expected one TRACE file, got " + options.positional().size()
                    + "\n\n" + HELP);
        }
        String name = options.positional().get(0);
        boolean time = options.has("time");
        if (time && (!geometry.equals(Geometry.PY311) || allocator.resolved() != AllocatorName.PYMALLOC
                || name.equals("-"))) {
            throw new UsageException("replay: --time times a trace file on the default heap, as CPython's own:"
                    + " not with another --geometry or --malloc, or standard input");
        }
        Progress progress = new Progress(err, !options.has("quiet"));
        Trace trace = readTrace("replay", name, progress);
        try (Memory memory = Memory.builder().allocator(allocator).geometry(geometry).build()) {
            TraceReport.start(memory, traceTop);
            long start = System.nanoTime();
            replay("replay", trace, memory.obj(), progress);
            long elapsed = System.nanoTime() - start;
            if (memory.hasPymalloc()) {
                out.print(memory.pymalloc().debugMallocStats());
            } else {
                out.print(LibcSummary.line(memory, allocator));
            }
            TraceReport.print(out, memory, traceTop);
            out.printf(Locale.ROOT, "%nreplayed %s of %s in %,.1f ms (%,.1f ns per operation), "
                            + "allocator %s, geometry %s%n", Plural.of(trace.length(), "operation"), name, elapsed / 1e6,
                    (double) elapsed / trace.length(), allocator.resolved(), geometry.name());
        }
        if (time) {
            CPythonHarness harness;
            try {
                harness = CPythonHarness.build(cacheRoot, System.getenv());
            } catch (CPythonHarness.Unavailable e) {
                err.println("pymalloc4j replay: CPython's side cannot be built: " + e.getMessage());
                return 1;
            }
            return ReplayTiming.print(harness, trace, out, err, progress) ? 0 : 1;
        }
        return 0;
    }

    /** Set by the launcher when it found standard input closed ({@code <&-}) and opened /dev/null there. */
    static final String STDIN_CLOSED = "pymalloc4j.stdin.closed";

    /**
     * Reads and checks a trace file ({@code -} for standard input), showing how much of it is read:
     * a trace of millions of calls takes seconds.
     *
     * @throws UsageException naming {@code command}, the file and what is wrong, with the line
     *                        number for a malformed line; a trace without operations is refused,
     *                        as there is nothing to replay, time or draw, and so is one the Java
     *                        heap has no room for
     */
    static Trace readTrace(String command, String name, Progress progress) throws UsageException {
        Trace trace = readAny(command, name, progress);
        if (trace.length() == 0) {
            throw new UsageException(command + ": " + (name.equals("-") ? "<stdin>" : name)
                    + ": no operations (only comments and blank lines)");
        }
        return trace;
    }

    /**
     * {@link #readTrace}, but a trace without operations is returned, not refused: for a recorded
     * one, whose program may have made no pymalloc call.
     */
    static Trace readAny(String command, String name, Progress progress) throws UsageException {
        if (name.isEmpty()) { // Path.of("") is the current directory: "cannot read : Is a directory"
            throw new UsageException(command + ": the TRACE file's name is empty");
        }
        boolean stdin = name.equals("-");
        String shown = stdin ? "<stdin>" : name;
        if (stdin && Boolean.getBoolean(STDIN_CLOSED)) { // the launcher put /dev/null there: no empty trace
            throw new UsageException(command + ": cannot read standard input: it is closed");
        }
        Trace trace;
        try {
            Path file = stdin ? null : Path.of(name);
            progress.start("read " + (stdin ? shown : file.getFileName()), stdin ? 0 : sizeOf(file), "byte");
            trace = stdin ? Trace.parse(System.in, shown, progress::update) : Trace.read(file, progress::update);
        } catch (NoSuchFileException e) {
            throw new UsageException(command + ": no such trace file: " + name);
        } catch (IOException e) {
            throw new UsageException(command + ": cannot read " + name + ": " + IoReason.of(e));
        } catch (InvalidPathException e) {
            throw new UsageException(command + ": cannot read " + name + ": " + e.getMessage());
        } catch (TraceFormatException e) {
            throw new UsageException(command + ": " + e.getMessage());
        } catch (OutOfMemoryError e) { // the parser's arrays, unreachable now, give the heap back
            throw new UsageException(command + ": " + shown + ": the trace is too big to read into the Java heap (at most "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): give the JVM more, as PYMALLOC4J_JAVA_OPTS=-Xmx8g"
                    + " (a trace takes about 30 bytes of heap for each operation and each block live at once)");
        } finally {
            progress.finish();
        }
        return trace;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // unknown: reading it says what is wrong
        }
    }

    /**
     * Replays {@code trace} on {@code heap} with a progress bar.
     *
     * @throws UsageException naming {@code command} and the line of an operation the heap cannot
     *                        carry out, such as a malloc of more bytes than it can give
     */
    static long[] replay(String command, Trace trace, BlockAllocator heap, Progress progress) throws UsageException {
        progress.start("replay", trace.length());
        try {
            return trace.replay(heap, 65_536, progress::update);
        } catch (TraceReplayException e) {
            throw new UsageException(command + ": " + e.getMessage());
        } finally {
            progress.finish();
        }
    }
}
