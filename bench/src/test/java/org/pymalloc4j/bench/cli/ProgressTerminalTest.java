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
