package org.pymalloc4j.bench.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SIGTERM to the tool's JVM ends its children too: record's python, a JMH fork, the compiler
 * went on running without a parent, python still writing its trace.
 */
class LiveChildrenTest {
    @TempDir
    Path dir;

    /** A JVM of the tool that runs one child through ChildProcess, as bench and versus run theirs. */
    public static final class OneChild {
        public static void main(String[] args) throws IOException {
            ChildProcess.run(List.of(args), line -> { });
        }
    }

    @Test
    void aChildOfTheToolEndsWhenTheToolsJvmIsTerminated() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("sleep"), "needs sleep");
        List<String> command = new ArrayList<>(ChildProcess.java(List.of(), OneChild.class.getName()));
        command.addAll(List.of("sleep", "300"));
        Process tool = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Optional<ProcessHandle> child = Optional.empty();
        while (child.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            child = tool.children().findFirst();
        }
        assertTrue(child.isPresent(), "the tool's JVM started no child");
        terminateAndCheck(tool, child.get());
    }

    /**
     * The case that was seen: python under record, left running after 'kill' of the tool. Its
     * trace, cut short, is then removed, as after a Ctrl-C: a 5 MiB prefix that ended mid-line
     * was left to pass for a recording.
     */
    @Test
    void recordsPythonEndsWhenTheToolsJvmIsTerminated() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        List<String> command = new ArrayList<>(ChildProcess.java(List.of("--enable-native-access=ALL-UNNAMED"),
                Main.class.getName()));
        Path trace = dir.resolve("run.trace");
        command.addAll(List.of("record", "--quiet", "--out", trace.toString(), "--", "-c",
                "import os, time\nx = [str(i) for i in range(100000)]\nprint(os.getpid(), flush=True)\ntime.sleep(300)"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        Process tool = builder.start();
        String pid = new BufferedReader(new InputStreamReader(tool.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(pid != null && pid.matches("\\d+"), "python's pid: " + pid);
        Optional<ProcessHandle> python = ProcessHandle.of(Long.parseLong(pid));
        assertTrue(python.isPresent(), "python " + pid + " runs");
        assertTrue(Files.size(trace) > 0, "python's calls are being recorded");
        terminateAndCheck(tool, python.get());
        assertFalse(Files.exists(trace), "the cut trace is removed");
    }

    private static void terminateAndCheck(Process tool, ProcessHandle child) throws InterruptedException {
        try {
            tool.destroy(); // SIGTERM
            assertTrue(tool.waitFor(60, TimeUnit.SECONDS), "the tool's JVM did not end on SIGTERM");
            assertFalse(child.isAlive(), "the tool's child " + child.pid() + " outlived it: " + child.info());
        } finally {
            child.destroyForcibly();
            tool.destroyForcibly();
        }
    }
}
