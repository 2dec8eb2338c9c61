package org.pymalloc4j.bench.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The progress bar follows standard error, not the console: {@code script} (util-linux) gives
 * the tool a terminal, and each test sends one stream elsewhere.
 */
class ProgressTerminalTest {
    @TempDir
    Path dir;

    /** Runs {@code demo --blocks 2000} in a JVM on a pseudo-terminal, with {@code redirect} applied. */
    private String onTerminal(String redirect) throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("script") && new ProcessBuilder("script", "-qec", "true", "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start().waitFor() == 0,
                "needs util-linux's script and a pseudo-terminal");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "'" + java + "' --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path")
                + "' org.pymalloc4j.bench.cli.Main demo --blocks 2000 " + redirect;
        Process p = new ProcessBuilder("script", "-qec", command, "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true).start();
        String transcript = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "demo did not end");
        assertEquals(0, p.exitValue(), transcript);
        return transcript;
    }

    /**
     * Every redraw fits a terminal of 80 columns: a wider line wraps, and the carriage return that
     * starts the next redraw goes back to the start of the wrapped row only, leaving a row of
     * debris per redraw (and the clearing spaces, as wide, moved the cursor a row down).
     */
    @Test
    void theBarFitsEightyColumns() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        Progress p = new Progress(new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8), true, true);
        p.start("read a-trace-file-with-a-long-name-as-recorded-by-a-script.trace", 9_000_000_000L, "byte");
        p.update(9_000_000_000L);
        p.finish();
        p.start("churn", 200_000_000);
        p.update(200_000_000);
        p.finish();
        p.start("read <stdin> of a long name for a phase", 0, "byte");
        p.finish();
        p.step("CPython harness: replay of /traces/a-long-resource-name.trace", 0.5);
        p.tick("replay time: pymalloc4j's warm-up", 0.25);
        p.finish();
        String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(drawn.contains("\n"), drawn);
        for (String redraw : drawn.split("\r")) {
            assertTrue(redraw.length() < 80, redraw.length() + " columns: '" + redraw + "'");
        }
        assertTrue(drawn.contains("  read a-tr… [##############################] 100%  9,000,000,000/9,000,000,000"), drawn);
        assertTrue(drawn.contains("  churn        [##############################] 100%  200,000,000/200,000,000"), drawn);
        assertTrue(drawn.contains("  read <stdin> of a long name for a phase 0 bytes"), drawn);
        assertTrue(drawn.contains("]  50%  CPython harness: replay of /traces/"), drawn);
        assertTrue(drawn.endsWith("\r"), "cleared at the end");
    }

    /**
     * finish() only clears the line: it redrew the phase before clearing, so after step() calls
     * the previous phase flashed back ("churn ... 0 operations"), and a phase of unknown total
     * went back to "0 bytes" however far it had got.
     */
    @Test
    void finishClearsWithoutRedrawingAnEarlierPhase() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        Progress p = new Progress(new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8), true, true);
        String cleared = "\r" + " ".repeat(79) + "\r";
        p.start("churn", 0);
        p.step("CPython harness: pair", 0.5);
        Thread.sleep(120); // steps take longer than the redraw interval
        int before = bytes.size();
        p.finish();
        assertEquals(cleared, bytes.toString(StandardCharsets.UTF_8).substring(before));
        p.start("read <stdin>", 0, "byte");
        Thread.sleep(120); // past the redraw interval
        p.update(5000);
        Thread.sleep(120);
        before = bytes.size();
        p.finish();
        assertEquals(cleared, bytes.toString(StandardCharsets.UTF_8).substring(before));
    }

    @Test
    void standardErrorInAFileGetsPlainLinesEvenWhenStandardOutputIsATerminal() throws Exception {
        Path log = dir.resolve("err.log");
        String transcript = onTerminal("2>'" + log + "'");
        String err = Files.readString(log);
        assertFalse(err.contains("\r"), "a progress bar drawn into a file:\n" + err.replace("\r", "\\r"));
        assertTrue(err.contains("build: 2,000 operations...\n"), err);
        assertTrue(transcript.contains("pymalloc4j demo: 2,000 blocks"), transcript);
    }

    @Test
    void standardErrorOnATerminalGetsTheBarWhileStandardOutputGoesToAFile() throws Exception {
        Path out = dir.resolve("out.txt");
        String transcript = onTerminal(">'" + out + "'");
        assertTrue(transcript.contains("\r  build        ["), "no bar on the terminal:\n" + transcript.replace("\r", "\\r"));
        String report = Files.readString(out);
        assertFalse(report.contains("build: ") || report.contains("\r"), "progress on standard output:\n" + report);
        assertTrue(report.startsWith("pymalloc4j demo: 2,000 blocks"), report);
    }
}
