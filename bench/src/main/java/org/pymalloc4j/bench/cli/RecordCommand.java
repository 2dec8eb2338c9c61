package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.Trace;

/**
 * {@code pymalloc4j record PYTHON_ARGS}: runs a real Python program under CPython with its
 * pymalloc calls recorded as a trace ({@code bench/cpython/pymalloc_record.c}), replays the
 * trace on pymalloc4j, and compares the heap each is left with.
 */
final class RecordCommand {
    static final String HELP = """
            usage: pymalloc4j record [--out TRACE] [--time] [--quiet] [--]
                                     PYTHON_ARGUMENTS...

            Runs CPython with PYTHON_ARGUMENTS as python3 would run them (a script and its
            arguments, -c CODE, -m MODULE), its output shown as it comes, and records every
            pymalloc call of the run, from the interpreter's start to its finalization, as a
            trace in the format of 'replay'. Then replays the trace on a fresh pymalloc4j
            heap and compares the statistics report each heap is left with: they are the
            same, line for line, when pymalloc4j does what CPython's pymalloc does. The
            python is the python3 on the PATH, or $PYTHON, and must be a CPython 3.11; the
            recorder is built against it with the C compiler ($CC, a command as make runs
            it, such as 'ccache gcc' or 'gcc -m64'; else cc) on first use and cached under
            ~/.cache/pymalloc4j.

            options (before the python arguments; '--' ends them, and python's own long
            options, such as --version, go after it):
              --out TRACE   where the trace goes (default: pymalloc4j-record.trace);
                            CPython's report is written beside it, as TRACE.cpython.txt. '-'
                            (standard output) is refused: the trace is read back for the
                            replay, and python's own output goes to standard output.
                            Existing files are replaced, but not one python is given (its
                            script, its data)
              --time        also time the trace's replay here and under CPython's pymalloc
                            (its C loop, bench's harness): the fastest of 7 rounds each, one
                            side after the other, pymalloc4j's after 2 s of warm-up rounds
              --quiet       no progress bar

            Exit status: 0 if the program succeeded and the reports match; 1 if the program
            failed (its run is still recorded and compared) or the reports differ; 2 on bad
            arguments; 130 if python was interrupted (Ctrl-C, or a KeyboardInterrupt it did
            not catch): its trace, cut short, is removed.
            """;

    /**
     * What the recorder exits with when it could not write the trace or CPython's report, or when
     * python replaced its hooks ({@code -X dev}), so the trace is not the run's.
     */
    private static final int RECORDER_FAILED = 70;
    /** What it exits with when its slot table cannot grow. */
    private static final int RECORDER_OUT_OF_MEMORY = 71;
    /** How Java gives a death by SIGINT (128 + 2), and what shells exit with after Ctrl-C. */
    static final int INTERRUPTED = 130;

    private final PrintStream out;
    private final PrintStream err;
    private final Path cacheRoot;
    /** Where the python and the compiler are looked for ({@code PATH}, {@code PYTHON}, {@code CC}). */
    private final Map<String, String> env;

    RecordCommand(PrintStream out, PrintStream err) {
        this(out, err, CPythonHarness.defaultCacheRoot(), System.getenv());
    }

    RecordCommand(PrintStream out, PrintStream err, Path cacheRoot, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.cacheRoot = cacheRoot;
        this.env = env;
    }

    /**
     * The arguments that are the command's own: those before the first that is neither one of
     * its options nor {@code --}, and before {@code --}. The rest are python's.
     */
    static String[] ownArguments(String[] args) {
        return Arrays.copyOf(args, pythonStart(args));
    }

    /** The options that take a value, and the flags ({@code --help} is Main's). */
    private static final Set<String> WITH_VALUE = Set.of("out");
    private static final Set<String> FLAGS = Set.of("quiet", "time");

    private static int pythonStart(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a.startsWith("--") ? a.substring(2) : "";
            if (WITH_VALUE.contains(name)) {
                i++; // its value
            } else if (!FLAGS.contains(name) && !name.equals("help")
                    && WITH_VALUE.stream().noneMatch(v -> name.startsWith(v + "="))) {
                return i;
            }
        }
        return args.length;
    }

    int run(String[] args) throws UsageException {
        int start = pythonStart(args);
        if (start < args.length && args[start].startsWith("--") && !args[start].equals("--")) {
            // a misspelt option of ours would otherwise run python with it, and overwrite the default trace
            throw new UsageException("record: unknown option " + args[start] + " (see 'pymalloc4j record --help');"
                    + " python's own long options go after '--'");
        }
        Options options = new Options("record", Arrays.copyOf(args, start), WITH_VALUE, FLAGS);
        List<String> python = new ArrayList<>(Arrays.asList(args).subList(start, args.length));
        if (!python.isEmpty() && python.get(0).equals("--")) {
            python.remove(0);
        }
        if (python.isEmpty()) {
            throw new UsageException("record: no python arguments: give a script, -c CODE or -m MODULE\n\n" + HELP);
        }
        Path trace = outputPath(options.get("out", "pymalloc4j-record.trace"));
        Path cpythonReport = trace.resolveSibling(trace.getFileName() + ".cpython.txt");
        notAnArgument(options.get("out", "pymalloc4j-record.trace"), List.of(trace, cpythonReport), python);
        Progress progress = new Progress(err, !options.has("quiet"));

        CPythonHarness harness;
        Path recorder;
        try {
            harness = CPythonHarness.build(cacheRoot, env);
            // the recorder reads the heap after finalization, as 3.11's process-wide pymalloc allows
            // (3.12's is the interpreter's: SIGSEGV), and the report is compared with 3.11's
            if (!harness.version().startsWith("3.11.")) {
                err.println("pymalloc4j record: " + harness.python() + " is CPython " + harness.version() + ", and the recorder"
                        + " needs a CPython 3.11: it reads 3.11's pymalloc after the run, and its report is compared with"
                        + " pymalloc4j's, which is 3.11's pymalloc; set PYTHON to a python3.11");
                return 1;
            }
            recorder = harness.recorder(() -> progress.note("record: building CPython's recorder (first use, a few seconds)"));
        } catch (CPythonHarness.Unavailable e) {
            err.println("pymalloc4j record: CPython's recorder cannot be built: " + e.getMessage());
            return 1;
        }
        progress.note("record: running python " + shown(python) + ", its pymalloc calls going to " + trace);
        List<String> command = new ArrayList<>(List.of(recorder.toString(), trace.toString(), cpythonReport.toString(),
                harness.executable()));
        command.addAll(python);
        int status;
        // the tool ended (SIGTERM) while python ran, and python with it: its trace is cut short, as after Ctrl-C
        Thread cutShort = Thread.ofPlatform().unstarted(() -> deleted(trace));
        Runtime.getRuntime().addShutdownHook(cutShort);
        try {
            Files.deleteIfExists(cpythonReport); // a report left by an earlier run must not stand in for this one's
            status = ChildProcess.passThrough(command, out, err);
        } catch (IOException e) {
            err.println("pymalloc4j record: cannot run " + recorder + ": " + e.getMessage());
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cutShort);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
        if (status == RECORDER_FAILED || status == RECORDER_OUT_OF_MEMORY) {
            err.println("pymalloc4j record: the recording failed (status " + status + "); see the message above");
            return 1;
        }
        if (!Files.isRegularFile(cpythonReport) && status == INTERRUPTED) {
            // python 3.8+ ends an uncaught KeyboardInterrupt by SIGINT, after finalizing: the recorder's
            // report is skipped and the trace cut at its buffer's end, a prefix of no use to replay
            boolean removed = deleted(trace);
            err.println("pymalloc4j record: python was interrupted (Ctrl-C, or a KeyboardInterrupt it did not catch), so"
                    + " its run was not recorded to its end and there is nothing to compare; the cut trace " + trace
                    + (removed ? " is removed" : " is left, but could not be removed"));
            return INTERRUPTED;
        }
        if (!Files.isRegularFile(cpythonReport)) { // the recorder is python: it ended with python, before the report
            // without the exit handlers: os._exit, or an exec, whose program's status this is
            err.println("pymalloc4j record: python was " + signalled(status).orElse("ended by os._exit or replaced by an os.exec*")
                    + " (status " + status
                    + "): its run ended before CPython's report was written, so there is nothing to compare");
            return 1;
        }
        Trace recorded = ReplayCommand.readAny("record", trace.toString(), progress);
        if (recorded.length() == 0) { // not bad input: python answered without starting its interpreter
            progress.note("record: python made no pymalloc call (it ended before its interpreter started,"
                    + " as --version and --help do): nothing to replay or compare");
            if (status != 0) {
                err.println("pymalloc4j record: python exited with status " + status);
            }
            return status == 0 ? 0 : 1;
        }
        String theirs;
        try {
            theirs = Files.readString(cpythonReport);
        } catch (IOException e) {
            err.println("pymalloc4j record: cannot read " + cpythonReport + ": " + IoReason.of(e));
            return 1;
        }
        String ours = replay(recorded, progress);
        out.println();
        out.print(ours);
        out.println();
        out.println(summary(recorded, trace));
        List<String> differences = ReportComparison.differences(theirs, ours);
        if (differences.isEmpty()) {
            out.println("pymalloc4j's report above is CPython's (" + cpythonReport + "), line for line"
                    + ReportComparison.SCOPE);
        } else {
            out.println("pymalloc4j's report differs from CPython's (" + cpythonReport + ")" + ReportComparison.SCOPE + ":");
            differences.forEach(out::println);
        }
        if (options.has("time") && !ReplayTiming.print(harness, recorded, out, err, progress)) {
            return 1;
        }
        if (status != 0) {
            err.println("pymalloc4j record: python exited with status " + status + "; its run is recorded and compared above");
        }
        return status == 0 && differences.isEmpty() ? 0 : 1;
    }

    private static boolean deleted(Path file) {
        try {
            Files.deleteIfExists(file);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Signals whose numbers POSIX fixes (Linux and macOS agree on them); others are given by number. */
    private static final Map<Integer, String> SIGNALS = Map.ofEntries(Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"), Map.entry(5, "SIGTRAP"), Map.entry(6, "SIGABRT"),
            Map.entry(8, "SIGFPE"), Map.entry(9, "SIGKILL"), Map.entry(11, "SIGSEGV"), Map.entry(13, "SIGPIPE"),
            Map.entry(14, "SIGALRM"), Map.entry(15, "SIGTERM"));

    /**
     * How a process that ended with {@code status} without exiting was ended, if it was: Java gives
     * a death by signal N as 128 + N (so does os._exit(128 + N), which the status cannot tell apart).
     */
    static Optional<String> signalled(int status) {
        int signal = status - 128;
        if (signal < 1 || signal > 64) {
            return Optional.empty();
        }
        return Optional.of("killed by signal " + signal + (SIGNALS.containsKey(signal) ? " (" + SIGNALS.get(signal) + ")" : ""));
    }

    /** What was recorded: the calls of each kind, the most blocks live at once, and where. */
    static String summary(Trace recorded, Path trace) {
        return String.format(Locale.ROOT, "recorded %s (%s, %s, %s; at most %s live at once) into %s",
                Plural.of(recorded.length(), "pymalloc call"), Plural.of(recorded.count(Trace.MALLOC), "malloc"),
                Plural.of(recorded.count(Trace.REALLOC), "realloc"), Plural.of(recorded.count(Trace.FREE), "free"),
                Plural.of(recorded.slotCount(), "block"), trace);
    }

    /** The python arguments as a shell would need them, on one line and at most about 100 characters. */
    static String shown(List<String> args) {
        StringBuilder line = new StringBuilder();
        for (String a : args) {
            String one = a.replace("\n", "\\n");
            line.append(line.isEmpty() ? "" : " ")
                    .append(one.matches("[\\w./:=@%+,-]+") ? one : "'" + one.replace("'", "'\\''") + "'");
        }
        return line.length() <= 100 ? line.toString() : line.substring(0, 97) + "...";
    }

    private static Path outputPath(String name) throws UsageException {
        if (name.equals("-")) { // map's '-'; here it would be a file named '-'
            throw new UsageException("record: --out - (standard output) cannot take the trace: it is read back for the"
                    + " replay, and python's own output goes to standard output; give a file");
        }
        Path path;
        try {
            path = Path.of(name).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new UsageException("record: --out " + name + " is not a path: " + e.getMessage());
        }
        if (!Files.isDirectory(path.getParent())) {
            throw new UsageException("record: --out " + name + ": the directory " + path.getParent() + " does not exist");
        }
        if (Files.isDirectory(path)) {
            throw new UsageException("record: --out " + name + " is a directory; give the trace file's name");
        }
        return path;
    }

    /**
     * Refuses outputs that are files python is given (its script, a file the program reads): the
     * recorder truncates them before python starts, so python would run or read the trace.
     */
    private static void notAnArgument(String name, List<Path> outputs, List<String> python) throws UsageException {
        for (String a : python) {
            try {
                Path p = Path.of(a);
                for (Path o : outputs) {
                    if (Files.exists(p) && Files.exists(o) && Files.isSameFile(p, o)) {
                        throw new UsageException("record: --out " + name + " would overwrite " + a + ", which python is"
                                + " given: the trace and its .cpython.txt report are written as python runs");
                    }
                }
            } catch (InvalidPathException | IOException e) {
                // not a file's name (python's code, an option), or not one to compare: not an output
            }
        }
    }

    /** Replays {@code trace} on a fresh heap of CPython 3.11's geometry and returns its report. */
    private static String replay(Trace trace, Progress progress) throws UsageException {
        try (PyMalloc heap = PyMalloc.create()) {
            ReplayCommand.replay("record", trace, heap, progress);
            return heap.debugMallocStats();
        }
    }
}
