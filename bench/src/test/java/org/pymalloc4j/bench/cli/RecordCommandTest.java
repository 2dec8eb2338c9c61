package org.pymalloc4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.Trace;

/** {@code pymalloc4j record}: a real CPython run's pymalloc calls, replayed and compared. */
class RecordCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int record(String... args) throws UsageException {
        return recordWith(System.getenv(), args);
    }

    private int recordWith(java.util.Map<String, String> env, String... args) throws UsageException {
        return new RecordCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), dir.resolve("cache"), env).run(args);
    }

    /** Without a python (or a C compiler) the command says what to install and fails; nothing is written. */
    @Test
    void withoutPythonTheRecorderCannotBeBuiltAndTheCommandSaysWhy() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc"), "the python case needs a compiler on the PATH");
        Path trace = dir.resolve("run.trace");
        int status = recordWith(java.util.Map.of("PATH", System.getenv("PATH"), "PYTHON", "no-such-python"),
                "--quiet", "--out", trace.toString(), "-c", "pass");
        assertEquals(1, status);
        String messages = err.toString(StandardCharsets.UTF_8);
        assertTrue(messages.contains("pymalloc4j record: CPython's recorder cannot be built: no no-such-python on the PATH"),
                messages);
        assertFalse(Files.exists(trace), "no trace");
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aProgramsPymallocCallsReplayHereToCPythonsOwnReport() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        Path trace = dir.resolve("run.trace");
        int status = record("--quiet", "--out", trace.toString(), "-c",
                "x = [str(i) * (i % 40) for i in range(30000)]\ndel x[::3]\nd = {i: (i, str(i)) for i in range(5000)}\nprint(len(x), len(d))");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text + err);
        assertTrue(text.startsWith("20000 5000\n"), "the program's own output comes first: " + text);
        assertTrue(text.contains("pymalloc4j's report above is CPython's"), text);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("building CPython's recorder (first use"), err.toString());

        // Checked here too, not only by the command: the trace replays to CPython's report.
        Trace recorded = Trace.read(trace);
        assertTrue(recorded.count(Trace.MALLOC) > 30_000, "the list's strings and more: " + recorded.count(Trace.MALLOC));
        assertEquals(recorded.length(),
                recorded.count(Trace.MALLOC) + recorded.count(Trace.REALLOC) + recorded.count(Trace.FREE));
        String cpython = Files.readString(dir.resolve("run.trace.cpython.txt"));
        assertTrue(cpython.contains("class   size   num pools   blocks in use  avail blocks"), cpython);
        try (PyMalloc heap = PyMalloc.create()) {
            recorded.replay(heap, 1 << 16, done -> { });
            assertEquals(List.of(), ReportComparison.differences(cpython, heap.debugMallocStats()));
        }

        out.reset();
        err.reset();
        assertEquals(0, record("--quiet", "--time", "--out", trace.toString(), "-c", "x = [str(i) for i in range(20000)]"));
        java.util.regex.Matcher timed = java.util.regex.Pattern.compile(
                "fastest of 7 rounds a side.*: pymalloc4j ([0-9.]+) ns a call \\(after \\d+ warm-up rounds in \\d\\.\\d s\\), "
                        + "CPython's pymalloc ([0-9.]+) \\(after 8 rounds of at least 200 ms\\): ([0-9.]+)x")
                .matcher(out.toString(StandardCharsets.UTF_8));
        assertTrue(timed.find(), out.toString(StandardCharsets.UTF_8));
        double ours = Double.parseDouble(timed.group(1));
        double theirs = Double.parseDouble(timed.group(2));
        assertTrue(ours > 0 && theirs > 0, timed.group());
        assertEquals(ours / theirs, Double.parseDouble(timed.group(3)), 0.01, "the ratio is of the two figures shown");

        out.reset();
        err.reset();
        assertEquals(1, record("--quiet", "--out", trace.toString(), "-c", "import sys; print('bye'); sys.exit(3)"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("line for line"), "a failed run is still compared");
        String messages = err.toString(StandardCharsets.UTF_8);
        assertTrue(messages.contains("python exited with status 3"), messages);
        assertFalse(messages.contains("building"), "the recorder is built once: " + messages);
    }

    /**
     * The recorded program sees the python it runs as, as under python3 itself: sys.executable
     * was the recorder, so a program that starts its own python ({@code subprocess} with
     * {@code sys.executable}, multiprocessing's spawn) ran the recorder with the wrong arguments:
     * no output, and files named after its arguments ("-c", "print(42)") in the working directory.
     */
    @Test
    void theRecordedProgramSeesItsPythonAsSysExecutable() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        String python = ChildProcess.output(List.of("python3", "-c", "import sys; print(sys.executable)")).get(0);
        Path work = Files.createDirectory(dir.resolve("work"));
        int status = record("--quiet", "--out", dir.resolve("run.trace").toString(), "-c",
                "import os, subprocess, sys\nos.chdir(" + pyString(work) + ")\nprint(sys.executable)\n"
                        + "print(subprocess.run([sys.executable, '-c', 'print(6 * 7)'], capture_output=True, text=True,"
                        + " stdin=subprocess.DEVNULL).stdout, end='')");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text + err);
        assertTrue(text.startsWith(python + "\n42\n"), "sys.executable, and its run: " + text);
        try (var left = Files.list(work)) {
            assertEquals(List.of(), left.toList(), "nothing written where the program ran");
        }
    }

    private static String pyString(Path p) {
        return "'" + p.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * The recorder is built on CPython 3.11's internals, and its report is compared with
     * pymalloc4j's, which is 3.11's pymalloc: under another python (3.12 crashed the recorder
     * with SIGSEGV, reported as "python exited with status 139") the command says what it needs
     * and runs nothing. The python here is python3 saying it is 3.12.1.
     */
    @Test
    void aPythonThatIsNot311IsRefusedBeforeAnythingRuns() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        Path python = dir.resolve("python3.12");
        Files.writeString(python, "#!/bin/sh\n[ \"$1\" = -c ] && { python3 \"$@\" | sed '5s/.*/3.12.1/'; exit; }\n"
                + "exec python3 \"$@\"\n");
        assertTrue(python.toFile().setExecutable(true));
        Path trace = dir.resolve("run.trace");
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("PYTHON", python.toString());
        int status = recordWith(env, "--quiet", "--out", trace.toString(), "-c", "print('ran')");
        String messages = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, messages);
        assertTrue(messages.contains("pymalloc4j record: " + python + " is CPython 3.12.1, and the recorder needs a CPython 3.11"),
                messages);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "the program did not run");
        assertFalse(Files.exists(trace), "no trace");
    }

    /**
     * The program's output is its own, byte for byte, on the tool's standard output: it was
     * copied line by line through a UTF-8 decoder, so bytes that are not UTF-8 became U+FFFD, a
     * carriage return (a program's progress line) a newline, and output without a newline (a
     * prompt) waited for one. The tool runs in a JVM of its own here, its output to a file.
     */
    @Test
    void theProgramsOutputPassesByteForByte() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        Path stdout = dir.resolve("stdout");
        List<String> command = new java.util.ArrayList<>(ChildProcess.java(List.of("--enable-native-access=ALL-UNNAMED"),
                "org.pymalloc4j.bench.cli.Main"));
        command.addAll(List.of("record", "--quiet", "--out", dir.resolve("run.trace").toString(), "--", "-c",
                "import sys; sys.stdout.buffer.write(b'\\xff\\xfe caf\\xc3\\xa9 50%\\r100%'); sys.stdout.flush()"));
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "record did not end");
        byte[] written = Files.readAllBytes(stdout);
        byte[] expected = {(byte) 0xff, (byte) 0xfe, ' ', 'c', 'a', 'f', (byte) 0xc3, (byte) 0xa9, ' ', '5', '0', '%', '\r',
                '1', '0', '0', '%', '\n', 'S', 'm', 'a', 'l', 'l'};
        assertArrayEquals(expected, java.util.Arrays.copyOf(written, expected.length),
                new String(written, 0, Math.min(60, written.length), StandardCharsets.ISO_8859_1));
        assertEquals(0, p.exitValue());
    }

    /**
     * The recorder is python itself (CPython embedded), so a python killed by a signal ends it
     * too, before the report is written: Java gives that end as 128 + the signal, and the command
     * said "the recording failed (status 139); see the message above", with no message above.
     */
    @Test
    void aPythonKilledByASignalIsSaidToBe() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        int status = record("--quiet", "--out", dir.resolve("run.trace").toString(), "-c",
                "import os, signal; print('ran'); os.kill(os.getpid(), signal.SIGSEGV)");
        String messages = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, messages);
        assertEquals("ran\n", out.toString(StandardCharsets.UTF_8));
        assertTrue(messages.contains("pymalloc4j record: python was killed by signal 11 (SIGSEGV) (status 139):"
                + " its run ended before CPython's report was written, so there is nothing to compare"), messages);
        assertFalse(messages.contains("see the message above"), messages);
    }

    /**
     * An uncaught KeyboardInterrupt (Ctrl-C) is the user's own doing: python 3.8+ then ends by
     * SIGINT after finalizing, which skips the recorder's report and leaves its trace cut at a
     * buffer's end. It was "python was killed by signal 2 (SIGINT)", status 1, the cut trace kept;
     * now it is said to be an interruption, with the status shells give one (130), the trace removed.
     */
    @Test
    void aKeyboardInterruptEndsTheCommandAsAnInterruption() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        Path trace = dir.resolve("run.trace");
        int status = record("--quiet", "--out", trace.toString(), "-c", "print('ran'); raise KeyboardInterrupt");
        String messages = err.toString(StandardCharsets.UTF_8);
        assertEquals(130, status, messages);
        assertEquals("ran\n", out.toString(StandardCharsets.UTF_8));
        assertTrue(messages.contains("pymalloc4j record: python was interrupted (Ctrl-C, or a KeyboardInterrupt it did not"
                + " catch), so its run was not recorded to its end and there is nothing to compare; the cut trace " + trace
                + " is removed"), messages);
        assertFalse(messages.contains("signal 2"), messages);
        assertFalse(Files.exists(trace), "the cut trace is removed");
        assertFalse(Files.exists(dir.resolve("run.trace.cpython.txt")));
    }

    /**
     * Ctrl-C at the terminal is SIGINT to the whole process group, the tool's JVM with python: the
     * JVM ended at once (status 130, nothing said) while python still unwound, its traceback coming
     * after the shell's prompt. The tool now waits for python, as a shell waits for its foreground
     * job, and says how it ended. Here python sends SIGINT to its group, which setsid made the
     * tool's own (so the signal stays away from this test's JVM).
     */
    @Test
    void ctrlCReachesPythonAndTheToolWaitsToSaySo() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3")
                && BenchCommandTest.onPath("setsid"), "needs cc, python3 with libpython and setsid");
        Path trace = dir.resolve("run.trace");
        List<String> command = new java.util.ArrayList<>(List.of("setsid", "-w"));
        command.addAll(ChildProcess.java(List.of("--enable-native-access=ALL-UNNAMED"), "org.pymalloc4j.bench.cli.Main"));
        command.addAll(List.of("record", "--quiet", "--out", trace.toString(), "--", "-c",
                "import os, signal, time\nos.killpg(0, signal.SIGINT)\ntime.sleep(0.5)\nprint('not reached')"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        Process p = builder.start();
        p.getOutputStream().close();
        java.util.concurrent.CompletableFuture<String> stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "record did not end");
        String messages = stderr.get();
        assertEquals(130, p.exitValue(), messages);
        assertEquals("", stdout);
        assertTrue(messages.contains("KeyboardInterrupt"), "python's own traceback: " + messages);
        assertTrue(messages.endsWith("the cut trace " + trace + " is removed\n"), "said last, once python has ended: " + messages);
        assertFalse(Files.exists(trace));
    }

    /** os._exit skips the exit handlers, the recorder's report among them: that too was "see the message above". */
    @Test
    void aPythonThatSkipsItsExitHandlersIsSaidToHave() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        int status = record("--quiet", "--out", dir.resolve("run.trace").toString(), "-c", "import os; os._exit(3)");
        String messages = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, messages);
        assertTrue(messages.contains("pymalloc4j record: python was ended by os._exit or replaced by an os.exec* (status 3):"
                + " its run ended before"
                + " CPython's report was written, so there is nothing to compare"), messages);
    }

    /** A program that execs another ends without the exit handlers too: that was "ended by os._exit (status 0)". */
    @Test
    void aPythonReplacedByAnExecIsNotSaidToHaveCalledExit() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3") && Files.isExecutable(Path.of("/bin/true")),
                "needs cc, python3 with libpython and /bin/true");
        int status = record("--quiet", "--out", dir.resolve("run.trace").toString(), "-c",
                "import os; os.execv('/bin/true', ['true'])");
        String messages = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, messages);
        assertTrue(messages.contains("pymalloc4j record: python was ended by os._exit or replaced by an os.exec* (status 0):"
                + " its run ended before CPython's report was written, so there is nothing to compare"), messages);
    }

    @Test
    void anExitStatusNamesItsSignalOnlyAbove128() {
        assertEquals("killed by signal 11 (SIGSEGV)", RecordCommand.signalled(139).orElseThrow());
        assertEquals("killed by signal 9 (SIGKILL)", RecordCommand.signalled(137).orElseThrow());
        assertEquals("killed by signal 10", RecordCommand.signalled(138).orElseThrow(), "SIGUSR1 on Linux, SIGBUS on macOS");
        assertTrue(RecordCommand.signalled(128).isEmpty());
        assertTrue(RecordCommand.signalled(3).isEmpty());
        assertTrue(RecordCommand.signalled(70).isEmpty());
        assertTrue(RecordCommand.signalled(255).isEmpty(), "exit(-1), not a signal");
    }

    /**
     * A forked child inherited the recorder with the parent's unwritten lines in its copy of the
     * trace's buffer, and went on recording its own calls into the same file: the trace was the
     * two processes' lines interleaved, refused as a bad line. The child's calls are its own heap's.
     */
    @Test
    void aForkedChildsCallsStayOutOfTheTrace() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        Path trace = dir.resolve("fork.trace");
        int status = record("--quiet", "--out", trace.toString(), "-c", """
                import os, sys
                keep = [str(i) * 3 for i in range(20000)]
                for end in (os._exit, sys.exit):
                    pid = os.fork()
                    if pid == 0:
                        x = [str(i) * 2 for i in range(100000)]
                        end(0)
                    os.waitpid(pid, 0)
                y = [str(i) for i in range(30000)]
                """);
        String messages = err.toString(StandardCharsets.UTF_8);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, messages + text);
        assertTrue(text.contains("pymalloc4j's report above is CPython's"), text);
    }

    /**
     * -X dev puts CPython's debug hooks on its allocators as the interpreter starts, in place of the
     * recorder's: the run went unrecorded, and was said to have made no pymalloc call, status 0.
     */
    @Test
    void aPythonWhoseAllocatorsWereReplacedIsNotSaidToHaveMadeNoCall() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        int status = record("--quiet", "--out", dir.resolve("dev.trace").toString(), "-X", "dev", "-c", "x = [1] * 10");
        String messages = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, messages);
        assertTrue(messages.contains("pymalloc_record: python replaced the recorder's allocator hooks (-X dev puts the"
                + " debug hooks in their place)"), messages);
        assertFalse(messages.contains("made no pymalloc call"), messages);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    /** python --version and --help answer before the interpreter starts: no pymalloc call to replay, and no error. */
    @Test
    void aProgramThatMakesNoPymallocCallIsNoBadInput() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        Path trace = dir.resolve("version.trace");
        int status = record("--quiet", "--time", "--out", trace.toString(), "--", "--version");
        String text = out.toString(StandardCharsets.UTF_8);
        String messages = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text + messages);
        assertTrue(text.startsWith("Python 3."), "python's own output: " + text);
        assertTrue(messages.contains("record: python made no pymalloc call (it ended before its interpreter started,"
                + " as --version and --help do): nothing to replay or compare"), messages);
        assertFalse(messages.contains("no operations"), messages);
        assertEquals(0, Trace.read(trace).length());
    }

    @Test
    void badArgumentsAreUsageErrorsAndNothingRuns() {
        UsageException none = assertThrows(UsageException.class, () -> record("--quiet"));
        assertTrue(none.getMessage().startsWith("record: no python arguments"), none.getMessage());
        UsageException nothingAfter = assertThrows(UsageException.class, () -> record("--"));
        assertTrue(nothingAfter.getMessage().startsWith("record: no python arguments"), nothingAfter.getMessage());
        UsageException noDir = assertThrows(UsageException.class,
                () -> record("--out", dir.resolve("missing/run.trace").toString(), "-c", "pass"));
        assertTrue(noDir.getMessage().contains("does not exist"), noDir.getMessage());
        UsageException isDir = assertThrows(UsageException.class, () -> record("--out", dir.toString(), "-c", "pass"));
        assertTrue(isDir.getMessage().contains("is a directory"), isDir.getMessage());
        UsageException noValue = assertThrows(UsageException.class, () -> record("--out"));
        assertEquals("record: option --out needs a value", noValue.getMessage());
        UsageException misspelt = assertThrows(UsageException.class, () -> record("--outt", "x.trace", "-c", "pass"));
        assertEquals("record: unknown option --outt (see 'pymalloc4j record --help'); python's own long options go "
                + "after '--'", misspelt.getMessage());
        UsageException valueless = assertThrows(UsageException.class, () -> record("--out", "--time", "-c", "pass"));
        assertTrue(valueless.getMessage().contains("option --out needs a value"), valueless.getMessage());
        assertFalse(Files.exists(dir.resolve("cache")), "nothing was built");
        assertFalse(Files.exists(Path.of("pymalloc4j-record.trace")), "the default trace is untouched");
    }

    /**
     * The trace (and CPython's report beside it) is opened for writing before python starts: an
     * --out naming the script, or a file the program reads, truncated it first, and python ran
     * the trace's text ("record --out prog.py -- prog.py" lost prog.py). Refused, and the files
     * are left as they were.
     */
    @Test
    void aTraceThatWouldOverwriteAPythonArgumentIsRefused() throws Exception {
        Path script = Files.writeString(dir.resolve("prog.py"), "print('hello')\n");
        Path data = Files.writeString(dir.resolve("data.txt"), "kept\n");
        Path report = Files.writeString(dir.resolve("run.trace.cpython.txt"), "kept\n");
        String[][] cases = {
                {"--out", script.toString(), "--", script.toString()},
                {"--out", dir.resolve("sub/../prog.py").toString(), script.toString()},
                {"--out", data.toString(), "-u", script.toString(), data.toString()},
                {"--out", dir.resolve("run.trace").toString(), "-X", "dev", report.toString()},
        };
        for (String[] args : cases) {
            Files.createDirectories(dir.resolve("sub"));
            UsageException e = assertThrows(UsageException.class, () -> record(args), String.join(" ", args));
            assertTrue(e.getMessage().startsWith("record: --out "), e.getMessage());
            assertTrue(e.getMessage().contains("would overwrite"), e.getMessage());
        }
        assertEquals("print('hello')\n", Files.readString(script));
        assertEquals("kept\n", Files.readString(data));
        assertEquals("kept\n", Files.readString(report));
        assertFalse(Files.exists(dir.resolve("cache")), "nothing was built");
    }

    /**
     * '-' is standard output to map, but record's trace is read back for the replay and python's
     * own output goes to standard output: '-' wrote a file named '-' in the working directory.
     */
    @Test
    void aTraceToStandardOutputIsRefusedNotWrittenToAFileNamedDash() {
        for (String dash : List.of("-", "--out=-")) {
            String[] args = dash.equals("-") ? new String[] {"--out", "-", "-c", "pass"} : new String[] {dash, "-c", "pass"};
            UsageException e = assertThrows(UsageException.class, () -> record(args));
            assertEquals("record: --out - (standard output) cannot take the trace: it is read back for the replay, and"
                    + " python's own output goes to standard output; give a file", e.getMessage());
        }
        assertFalse(Files.exists(Path.of("-")), "no file named '-'");
        assertFalse(Files.exists(dir.resolve("cache")), "nothing was built");
        assertTrue(RecordCommand.HELP.replaceAll("\\s+", " ").contains("'-' (standard output) is refused"), RecordCommand.HELP);
    }

    @Test
    void theCommandsOwnArgumentsEndAtThePrograms() {
        assertArrayEquals(new String[] {"--out", "x.trace", "--quiet", "--time"},
                RecordCommand.ownArguments(new String[] {"--out", "x.trace", "--quiet", "--time", "-c", "code", "--help"}));
        assertArrayEquals(new String[] {"--out=x"}, RecordCommand.ownArguments(new String[] {"--out=x", "--", "--help"}));
        assertArrayEquals(new String[] {}, RecordCommand.ownArguments(new String[] {"script.py", "--out", "y"}));
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[] {"record", "--help"}, new PrintStream(help, true, StandardCharsets.UTF_8), sink));
        assertTrue(help.toString(StandardCharsets.UTF_8).startsWith("usage: pymalloc4j record"), help.toString());
    }

    @Test
    void theArgumentsShownAreOneLineAShellWouldTake() {
        assertEquals("script.py --n=3", RecordCommand.shown(List.of("script.py", "--n=3")));
        assertEquals("-c 'import x\\nprint(x)'", RecordCommand.shown(List.of("-c", "import x\nprint(x)")));
        assertEquals("-c 'print('\\''hi'\\'')'", RecordCommand.shown(List.of("-c", "print('hi')")));
        String shown = RecordCommand.shown(List.of("-c", "x".repeat(300)));
        assertEquals(100, shown.length());
        assertTrue(shown.endsWith("..."));
    }

    @Test
    void reportsAreComparedLineByLineUpToTheArenaMap() {
        String report = """
                class   size   num pools   blocks in use  avail blocks
                    1     32           2              27           993

                arena map counts
                # arena map bot nodes              =                    1
                """;
        String otherMap = report.replace("=                    1", "=                    2");
        assertEquals(List.of(), ReportComparison.differences(report, otherMap), "the arena map's nodes are not compared");
        String otherRow = report.replace("27           993", "28           992");
        assertEquals(List.of(
                "  line 2, CPython:        1     32           2              27           993",
                "  line 2, pymalloc4j:     1     32           2              28           992"),
                ReportComparison.differences(report, otherRow));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 45; i++) {
            many.append(i).append('\n');
        }
        List<String> shown = ReportComparison.differences(many.toString(), "");
        assertEquals(81, shown.size(), "40 pairs and a count of the rest");
        assertEquals("  ... and 5 more differing lines", shown.get(80));
    }
}
