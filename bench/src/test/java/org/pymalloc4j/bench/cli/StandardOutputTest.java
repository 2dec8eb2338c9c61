package org.pymalloc4j.bench.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader of standard output that has gone ({@code pymalloc4j demo | head -1}) stops the tool
 * quietly with 141, as SIGPIPE stops a C tool: it said "cannot write standard output" and exited
 * 1, as for a full disk, after doing all its work and writing it into nothing.
 */
class StandardOutputTest {
    @TempDir
    Path dir;

    /** Takes {@code room} bytes, then fails every write as a pipe whose reader has gone, counting them. */
    private static final class ClosedAfter extends OutputStream {
        private final String message;
        private int room;
        int failedWrites;

        ClosedAfter(int room, String message) {
            this.room = room;
            this.message = message;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (failedWrites == 0 && len <= room) {
                room -= len;
                return;
            }
            failedWrites++;
            throw new IOException(message);
        }
    }

    private Path trace() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            text.append("m ").append(i).append(' ').append(1 + i % 500).append('\n');
        }
        return Files.writeString(dir.resolve("t.trace"), text);
    }

    private List<String[]> commandsThatPrintALot() throws IOException {
        String trace = trace().toString();
        return List.of(
                new String[] {"demo", "--blocks", "2000", "--quiet", "--trace", "5"},
                new String[] {"replay", trace, "--quiet", "--trace", "5"},
                new String[] {"layout", "arena"},
                new String[] {"layout", "--compare", "--items", "10", "--quiet"},
                new String[] {"map", "--trace", trace, "--out", "-", "--quiet"},
                new String[] {"versus", "--help"},
                new String[] {"help"});
    }

    /** Each command stops at its first write that finds the reader gone: no more work, no more writes, no message. */
    @Test
    void everyCommandStopsQuietlyWith141AtItsFirstWriteAfterTheReaderHasGone() throws IOException {
        for (String[] args : commandsThatPrintALot()) {
            ClosedAfter pipe = new ClosedAfter(100, "Broken pipe");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.run(args, new PrintStream(new StandardOutput(pipe, () -> false), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String command = String.join(" ", args);
            assertEquals(StandardOutput.READER_GONE, status, command + ": " + err);
            assertEquals("", err.toString(StandardCharsets.UTF_8), command);
            assertEquals(1, pipe.failedWrites, command + ": writes after the reader had gone");
        }
    }

    /** A full disk is still a failure that is said (status 1); a pipe's failed write in any language is a gone reader. */
    @Test
    void onlyAGoneReaderIsQuiet() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] demo = {"demo", "--blocks", "1000", "--quiet"};
        int status = Main.run(demo, new PrintStream(new StandardOutput(new ClosedAfter(0, "No space left on device"), () -> false),
                true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        assertEquals("pymalloc4j: cannot write standard output (a full disk, or a reader that has gone?)\n",
                err.toString(StandardCharsets.UTF_8));
        status = Main.run(demo, new PrintStream(new StandardOutput(new ClosedAfter(0, "Datenübergabe unterbrochen (broken pipe)"),
                () -> true), true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(StandardOutput.READER_GONE, status);
    }

    /** The tool itself, its standard output a pipe whose reader has closed it before the tool writes. */
    @Test
    void theToolsProcessExits141QuietlyWhenItsOutputsReaderHasGone() throws Exception {
        for (String[] args : List.of(new String[] {"demo", "--blocks", "2000", "--quiet"},
                new String[] {"replay", trace().toString(), "--quiet"})) {
            List<String> command = new ArrayList<>(ChildProcess.java(List.of("--enable-native-access=ALL-UNNAMED"),
                    Main.class.getName()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            p.getInputStream().close(); // as head -1 does once it has its line
            String messages = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the tool did not end");
            assertEquals(StandardOutput.READER_GONE, p.exitValue(), String.join(" ", args) + ": " + messages);
            assertEquals("", messages, String.join(" ", args));
        }
    }
}
