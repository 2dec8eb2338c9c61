package org.pymalloc4j.bench.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs a child process of the bench command (a JMH run, the CPython harness, a memory
 * workload) to completion, handing each line of its standard output to a consumer as it comes
 * and keeping the tail of its standard error for the error message.
 */
final class ChildProcess {
    /** How a child ended: its exit status, and the last lines of its standard error. */
    record Outcome(int status, String errorTail) {
        boolean ok() {
            return status == 0;
        }
    }

    private static final int ERROR_TAIL_LINES = 20;
    /** Variables that would change what CPython's allocator is, or what a JVM does, in a child. */
    private static final List<String> UNSET = List.of("PYTHONMALLOC", "PYTHONMALLOCSTATS", "PYTHONDEVMODE",
            "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    private ChildProcess() {
    }

    /** Runs {@code command}; {@link IOException} if it cannot be started. */
    static Outcome run(List<String> command, Consumer<String> stdoutLine) throws IOException {
        List<String> errors = new ArrayList<>();
        int status = lines(new ProcessBuilder(command), stdoutLine, line -> {
            synchronized (errors) {
                errors.add(line);
                if (errors.size() > ERROR_TAIL_LINES) {
                    errors.remove(0);
                }
            }
        });
        synchronized (errors) {
            return new Outcome(status, String.join("\n", errors));
        }
    }

    /**
     * Runs {@code command} as the user's own program, its input this process's. When {@code out}
     * and {@code err} are this process's own, so are the program's: its bytes reach them
     * untouched and as they come (a line-by-line copy decoded them as UTF-8, turned a carriage
     * return into a newline, and held back a prompt until its line ended); other streams (a
     * test's buffers) get its output copied line by line. A Ctrl-C meanwhile is the program's
     * ({@link ForegroundSigint}): this process waits for it to end, and its status says how.
     *
     * @return its exit status
     * @throws IOException if it cannot be started
     */
    static int passThrough(List<String> command, PrintStream out, PrintStream err) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT);
        try (ForegroundSigint ctrlC = ForegroundSigint.open()) { // Ctrl-C is the program's: wait for its end
            if (out != System.out || err != System.err) {
                return lines(builder, out::println, err::println);
            }
            out.flush();
            err.flush();
            UNSET.forEach(builder.environment()::remove);
            Process process = LiveChildren.start(builder.inheritIO());
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                process.destroy();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + command.get(0), e);
            }
        }
    }

    /**
     * Starts {@code builder} without the {@link #UNSET} variables, hands each line of its
     * standard output and error to the consumers (the error's from a thread of its own), and
     * returns its exit status once both are read.
     */
    private static int lines(ProcessBuilder builder, Consumer<String> stdoutLine, Consumer<String> stderrLine)
            throws IOException {
        UNSET.forEach(builder.environment()::remove);
        Process process = LiveChildren.start(builder);
        if (builder.redirectInput() == ProcessBuilder.Redirect.PIPE) {
            process.getOutputStream().close();
        }
        Thread errReader = Thread.ofPlatform().daemon().start(() -> {
            try {
                each(process.getErrorStream(), stderrLine);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        each(process.getInputStream(), stdoutLine);
        try {
            int status = process.waitFor();
            errReader.join();
            return status;
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + builder.command().get(0), e);
        }
    }

    private static void each(java.io.InputStream from, Consumer<String> line) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8))) {
            for (String l; (l = in.readLine()) != null; ) {
                line.accept(l);
            }
        }
    }

    /** Runs {@code command} and returns its standard output lines if it succeeds. */
    static List<String> output(List<String> command) throws IOException {
        List<String> lines = new ArrayList<>();
        Outcome outcome = run(command, lines::add);
        if (!outcome.ok()) {
            throw new IOException(String.join(" ", command) + " failed with status " + outcome.status()
                    + (outcome.errorTail().isEmpty() ? "" : ":\n" + outcome.errorTail()));
        }
        return lines;
    }

    /** The command that starts a JVM like this one, with this JVM's class (and module) path. */
    static List<String> java(List<String> flags, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        String classPath = System.getProperty("java.class.path", "");
        String modulePath = System.getProperty("jdk.module.path", "");
        String path = String.join(java.io.File.pathSeparator,
                java.util.stream.Stream.of(classPath, modulePath).filter(p -> !p.isEmpty()).toList());
        command.addAll(List.of("-cp", path, mainClass));
        return command;
    }

    /** Parses {@code name value unit} lines into name -> value; other lines are skipped. */
    static Map<String, Double> figures(List<String> lines) {
        Map<String, Double> figures = new HashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && !f[0].startsWith("#")) {
                try {
                    figures.put(f[0], Double.parseDouble(f[1]));
                } catch (NumberFormatException ignored) {
                    // not a figure line
                }
            }
        }
        return figures;
    }
}
