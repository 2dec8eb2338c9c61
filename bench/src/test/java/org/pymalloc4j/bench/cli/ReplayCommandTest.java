package org.pymalloc4j.bench.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pymalloc4j.bench.Trace;
import org.pymalloc4j.bench.cli.MainTest.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.bench.cli.MainTest.run;

/** {@code pymalloc4j replay}: trace files it refuses (exit 2, the line named, nothing on stdout), and its timing. */
class ReplayCommandTest {
    @TempDir
    Path dir;

    private Path trace(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path trace(String text) throws IOException {
        return trace("t.trace", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertBadInput(Result r, String message) {
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out(), "nothing on stdout");
        assertTrue(r.err().contains(message), "expected '" + message + "' in: " + r.err());
    }

    /** A size the allocator cannot give is a well-formed line, found at replay: a message, not an OutOfMemoryError. */
    @Test
    void aSizeTheHeapCannotGiveNamesItsLine() throws IOException {
        Path huge = trace("# a header\nm 0 16\nm 1 9223372036854775807\n");
        for (String malloc : new String[] {"pymalloc", "malloc", "debug", "malloc_debug"}) {
            Result r;
            try {
                r = run("replay", huge.toString(), "--quiet", "--malloc", malloc);
            } catch (OutOfMemoryError e) { // JUnit would rethrow it as fatal and end the fork
                throw new AssertionError("an OutOfMemoryError escaped Main.run: " + e.getMessage());
            }
            assertBadInput(r, "pymalloc4j replay: " + huge + ":3: cannot allocate 9223372036854775807 bytes (malloc into slot 1)");
            assertEquals(1, r.err().lines().count(), r.err());
        }
    }

    /**
     * A slot's number only names a block: "m 67108863 16", one line, wanted a replay table of
     * 512 MiB and a parser's array of 64 MiB, so that in a JVM of 128 MiB the replay was refused
     * (and before that, an OutOfMemoryError's stack trace). Slots are numbered as they are read
     * now: the sparse trace replays in a JVM of 48 MiB.
     */
    @Test
    void aSparseTraceReplaysInASmallJavaHeap() throws Exception {
        Path t = trace("# sparse\nm 3 16\nm 67108863 16\nf 3\nm 40000000 100\n");
        ChildRun run = replayInAChildJvm("-Xmx48m", t);
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
        assertTrue(run.out().contains("Small block threshold = 512"), run.out());
    }

    /**
     * A trace too big for the Java heap to hold while it is read ended in an OutOfMemoryError's stack
     * trace, exit 1; the replay's table of slots, too big for the heap, already had a message.
     */
    @Test
    void aTraceTooBigForTheJavaHeapIsSaidToBe() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1_000_000; i++) {
            text.append("m ").append(i).append(" 16\n");
        }
        Path t = trace(text.toString());
        ChildRun run = replayInAChildJvm("-Xmx32m", t);
        String messages = run.err();
        assertEquals(2, run.status(), messages);
        assertEquals("", run.out());
        assertTrue(messages.startsWith("pymalloc4j replay: " + t + ": the trace is too big to read into the Java heap"
                + " (at most "), messages);
        assertTrue(messages.contains(" MiB): give the JVM more, as PYMALLOC4J_JAVA_OPTS=-Xmx"), messages);
        assertFalse(messages.contains("Exception"), messages);
    }

    /** A wrong file (minified JSON, one long line) gets a message of a line, not the file echoed back. */
    @Test
    void aHugeFieldIsCutShortInTheMessage() throws IOException {
        String big = "7".repeat(100_000);
        String json = "{\"k\":\"" + big + "\"}";
        String[][] cases = {
                {"m 0 16\n" + json + "\n",
                        "t.trace:2: unknown operation '" + json.substring(0, 39) + "…' (100,008 characters) (expected m, r or f)"},
                {"m " + big + " 16\n", "t.trace:1: slot " + big.substring(0, 39) + "… (100,000 characters) is outside 0..67108863"},
                {"m 0 x" + big + "\n",
                        "t.trace:1: size 'x" + big.substring(0, 38) + "…' (100,001 characters) is not an integer"},
                {"f" + big + " 0\n", "t.trace:1: unknown operation 'f" + big.substring(0, 38) + "…' (100,001 characters)"}};
        for (String[] c : cases) {
            Result r = run("replay", trace(c[0]).toString(), "--quiet");
            assertBadInput(r, c[1]);
            assertTrue(r.err().length() < 250, r.err().length() + " characters of message");
        }
    }

    /** An empty name (replay "$TRACE" with TRACE unset) is named as such, not read as the current directory. */
    @Test
    void anEmptyTraceNameIsSaidToBeEmpty() {
        assertBadInput(run("replay", "", "--quiet"), "pymalloc4j replay: the TRACE file's name is empty");
        assertBadInput(run("map", "--trace", "", "--out", dir.resolve("m.svg").toString(), "--quiet"),
                "pymalloc4j map: the TRACE file's name is empty");
    }

    @Test
    void aTraceWithoutOperationsIsRefused() throws IOException {
        for (String text : new String[] {"", "# only a comment\n\n   \n"}) {
            Path empty = trace(text);
            assertBadInput(run("replay", empty.toString(), "--quiet"), "replay: " + empty + ": no operations");
            assertBadInput(run("replay", empty.toString(), "--time", "--quiet"), empty + ": no operations");
        }
    }

    @Test
    void aLineThatIsNotUtf8IsNamedAndAByteOrderMarkIsSkipped() throws IOException {
        Path bad = trace("bad.trace", new byte[] {'m', ' ', '0', ' ', '1', '6', '\n', (byte) 0xff, (byte) 0xfe, '\n'});
        assertBadInput(run("replay", bad.toString(), "--quiet"), bad + ":2: not UTF-8 text (byte 0xff at column 1)");
        Path bom = trace("bom.trace", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'm', ' ', '0', ' ', '1', '6', '\n'});
        Result r = run("replay", bom.toString(), "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("replayed 1 operation of "), r.out());
    }

    @Test
    void standardInputIsReadAsBytesToo() throws IOException {
        var saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(new byte[] {'m', ' ', '0', ' ', (byte) 0xc3, '\n'}));
            assertBadInput(run("replay", "-", "--quiet"), "replay: <stdin>:1: not UTF-8 text (byte 0xc3 at column 5)");
            System.setIn(new ByteArrayInputStream("# nothing\n".getBytes(StandardCharsets.US_ASCII)));
            assertBadInput(run("replay", "-", "--quiet"), "replay: <stdin>: no operations");
        } finally {
            System.setIn(saved);
        }
    }

    /** Reading a trace of millions of lines takes seconds: its progress is in bytes of the file. */
    @Test
    void readingTheTraceShowsItsProgress() throws IOException {
        Path t = trace("m 0 16\nf 0\n");
        Result r = run("replay", t.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("read t.trace: 11 bytes..."), r.err());
        assertEquals("", run("replay", t.toString(), "--quiet").err(), "--quiet: no progress");
    }

    @Test
    void timingAcceptsTheDefaultGeometryAndAllocatorNamed() throws IOException {
        Path huge = trace("m 0 9223372036854775807\n"); // fails at the replay, before any timing
        Result r = run("replay", huge.toString(), "--time", "--geometry", "3.11", "--malloc", "pymalloc", "--quiet");
        assertBadInput(r, huge + ":1: cannot allocate");
        assertFalse(r.err().contains("--time times a trace file"), r.err());
    }

    @Test
    void figuresFollowNoLocaleOfTheMachine() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            text.append("m ").append(i).append(" 16\n");
        }
        Path t = trace(text.toString());
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            Result r = run("replay", t.toString());
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("replayed 1,500 operations"), r.out());
            assertTrue(r.err().contains("replay: 1,500 operations..."), r.err());
            assertTrue(r.out().matches("(?s).* in [0-9,]+\\.\\d ms \\([0-9,]+\\.\\d ns per operation\\).*"), r.out());
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void underLibcMallocTheSummaryCountsBlocksAndSaysWhatTheBytesHold() throws IOException {
        Path t = trace("m 0 196\nm 1 4\nf 1\n");
        Result plain = run("replay", t.toString(), "--quiet", "--malloc", "malloc");
        assertTrue(plain.out().startsWith("1 live block from libc malloc, 196 bytes taken from it; no pymalloc heap "
                + "under malloc\n"), plain.out());
        Result debug = run("replay", t.toString(), "--quiet", "--malloc", "malloc_debug");
        assertTrue(debug.out().startsWith("1 live block from libc malloc, 248 bytes taken from it, with the debug hooks' "
                + "header and pads on each block and 1 freed block in their quarantine; no pymalloc heap under malloc_debug\n"),
                debug.out());
    }

    /**
     * The warm-up runs for a time, not a count of rounds: on a clock that advances 1 ms a reading,
     * a 100 ms warm-up is 100 rounds (one reading each), and a round timed is 1 ms. No real time
     * is measured, so a loaded machine cannot fail it.
     */
    @Test
    void theTimedReplayWarmsUpForATime() throws Exception {
        Trace t = Trace.parse(new ByteArrayInputStream("m 0 16\nm 1 600\nf 0\n".getBytes(StandardCharsets.US_ASCII)),
                "t", done -> { });
        Progress quiet = new Progress(new PrintStream(PrintStream.nullOutputStream()), false);
        long[] now = {0};
        ReplayTiming.Timing timing = ReplayTiming.fastestReplay(t, 100_000_000L, 3, quiet, () -> now[0] += 1_000_000);
        assertEquals(100, timing.warmupRounds(), "rounds until 100 ms had passed");
        assertEquals(101_000_000L, timing.warmupNanos(), "the warm-up's time, read once more after its last round");
        assertEquals(1_000_000 / 3.0, timing.nanosPerCall(), 1e-9, "1 ms a round of 3 calls");
        ReplayTiming.Timing none = ReplayTiming.fastestReplay(t, 0, 3, quiet, () -> now[0] += 1_000_000);
        assertEquals(3, none.warmupRounds(), "no warm-up time: the three rounds run however long each takes");
    }

    /**
     * With standard input closed ({@code <&-}) the launcher opens /dev/null there and says so:
     * 'replay -' then read a free descriptor the JVM had opened the JDK's lib/modules on, and
     * called it "not UTF-8 text". Reading it now says it is closed, for replay and map alike.
     */
    @Test
    void aTraceFromAClosedStandardInputIsRefusedAsSuch() throws Exception {
        for (List<String> args : List.of(List.of("replay", "-", "--quiet"), List.of("map", "--trace", "-", "--out",
                dir.resolve("m.svg").toString(), "--quiet"))) {
            List<String> command = new java.util.ArrayList<>(ChildProcess.java(List.of("--enable-native-access=ALL-UNNAMED",
                    "-Dpymalloc4j.stdin.closed=true"), Main.class.getName()));
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String messages = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the tool did not end");
            assertEquals(2, p.exitValue(), messages);
            assertEquals("pymalloc4j " + args.get(0) + ": cannot read standard input: it is closed\n", messages);
        }
    }

    /** What {@code replay TRACE --quiet} gave in a child JVM: its exit status, its output, its messages. */
    private record ChildRun(int status, String out, String err) {
    }

    /** Runs {@code replay t --quiet} in a child JVM whose Java heap is limited by {@code xmx}. */
    private ChildRun replayInAChildJvm(String xmx, Path t) throws Exception {
        List<String> command = new java.util.ArrayList<>(ChildProcess.java(List.of(xmx,
                "--enable-native-access=ALL-UNNAMED"), "org.pymalloc4j.bench.cli.Main"));
        command.addAll(List.of("replay", t.toString(), "--quiet"));
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "replay did not end");
        return new ChildRun(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
