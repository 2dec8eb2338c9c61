package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.Trace;
import org.pymalloc4j.bench.jmh.ProgramReplayBenchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPython's side of the replays makes the very calls pymalloc4j's side makes: the harness's C
 * loop, built into a driver ({@code count_calls.c}) whose PyObject_Malloc, _Realloc and _Free
 * are wrapped to count, is run once, untimed, beside {@link Trace#replayAndFreeAll} on a
 * counting heap.
 */
class HarnessCallsTest {
    @TempDir
    static Path dir;
    private static Path driver;

    @BeforeAll
    static void buildTheDriver() throws IOException {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3-config"),
                "needs cc and python3-config");
        copy(CPythonHarness.SOURCE, dir.resolve("pymalloc_bench.c"));
        copy("/cpython/count_calls.c", dir.resolve("count_calls.c"));
        driver = dir.resolve("count_calls");
        ChildProcess.output(cc(List.of(dir.resolve("count_calls.c").toString(), "-o", driver.toString(),
                "-Wl,--wrap=PyObject_Malloc,--wrap=PyObject_Realloc,--wrap=PyObject_Free")));
    }

    /** The C sources the tool builds compile without a warning of -Wall -Wextra. */
    @Test
    void theHarnessCompilesWithoutWarnings() throws IOException {
        copy(CPythonHarness.LIBRARY_SOURCE, dir.resolve("pymalloc_versus.c"));
        ChildProcess.output(cc(List.of("-shared", "-fPIC", dir.resolve("pymalloc_versus.c").toString(), "-o",
                dir.resolve("libpymalloc_versus.so").toString())));
        ChildProcess.output(cc(List.of(dir.resolve("pymalloc_bench.c").toString(), "-o",
                dir.resolve("pymalloc_bench").toString())));
        copy(CPythonHarness.RECORDER_SOURCE, dir.resolve("pymalloc_record.c"));
        copy(CPythonHarness.ARENAS_HEADER, dir.resolve("aligned_arenas.h"));
        ChildProcess.output(cc(List.of(dir.resolve("pymalloc_record.c").toString(), "-o",
                dir.resolve("pymalloc_record").toString())));
    }

    /** cc with warnings as errors, libpython's include and link flags around {@code args}. */
    private static List<String> cc(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of("cc", "-O2", "-Wall", "-Wextra", "-Werror"));
        command.addAll(words(ChildProcess.output(List.of("python3-config", "--includes"))));
        command.addAll(args);
        command.addAll(words(ChildProcess.output(List.of("python3-config", "--ldflags", "--embed"))));
        return command;
    }

    /**
     * The real program's replay: CPython's C loop freed every slot the trace ever used at the
     * end of a replay, 36,372 of them empty, each a call of PyObject_Free(NULL) that the Java
     * side does not make (estimated at a few percent of CPython's replay of python3.11 -c pass).
     */
    @Test
    void theReplayMakesTheCallsOfTheJavaReplay() throws IOException {
        Trace trace = ProgramReplayBenchmark.recorded();
        Counting java = new Counting();
        try (PyMalloc heap = PyMalloc.create()) {
            java.heap = heap;
            trace.replayAndFreeAll(java, trace.newSlotTable());
        }
        Map<String, Double> c = countCalls(trace);
        assertEquals(0.0, c.get("nullFrees"), "no free of an empty slot");
        assertEquals(java.mallocs, c.get("mallocs").longValue(), "mallocs");
        assertEquals(java.reallocs, c.get("reallocs").longValue(), "reallocs");
        assertEquals(java.frees, c.get("frees").longValue(), "frees, the trace's and the leftovers'");
        assertEquals(java.bytes, c.get("bytes").longValue(), "bytes asked for");
    }

    /**
     * {@code pymalloc_bench replay TRACE} reads what the tool writes, but it is a command of its
     * own: an unknown operation was replayed as a free, a missing size as 0, and a negative slot
     * indexed before the slot table.
     */
    @Test
    void aMalformedOperationIsRefusedNotReplayed() throws IOException {
        for (String bad : List.of("m 0 16\nx 0\n", "m -1 16\n", "m 0\n", "m 0 16\nr 0 -5\n")) {
            Path file = Files.writeString(dir.resolve("bad.trace"), bad);
            IOException e = assertThrows(IOException.class,
                    () -> ChildProcess.output(List.of(driver.toString(), "replay", file.toString())), bad);
            assertTrue(e.getMessage().contains("failed with status 2")
                    && e.getMessage().contains(": not m SLOT SIZE, r SLOT SIZE or f SLOT: "), bad + ": " + e.getMessage());
        }
    }

    /**
     * The recorder's trace write fails (a full disk): its message gave strerror(errno) at the
     * end of the run, after the interpreter's work had changed errno, not the failed write's.
     */
    @Test
    void aFailedTraceWriteSaysWhyThatWriteFailed() throws IOException {
        Path recorder = recorder("stale_errno", List.of(dir.resolve("stale_errno.c").toString(), "-Wl,--wrap=fclose"));
        // python -c pass makes about 1.5 MB of trace: more than the recorder's 1 MiB buffer, so a write fails mid-run
        IOException e = assertThrows(IOException.class, () -> ChildProcess.output(List.of(recorder.toString(),
                "/dev/full", dir.resolve("stale.txt").toString(), "python3", "-c", "pass")));
        assertTrue(e.getMessage().contains("failed with status 70")
                && e.getMessage().contains("pymalloc_record: writing /dev/full failed: No space left on device"),
                e.getMessage());
    }

    /** CPython's report could not be written: the message said so without a reason. */
    @Test
    void aFailedReportWriteSaysWhy() throws IOException {
        Path recorder = recorder("plain", List.of());
        for (String[] stats : List.of(new String[] {"/dev/full", "No space left on device"},
                new String[] {dir.toString(), "Is a directory"})) {
            IOException e = assertThrows(IOException.class, () -> ChildProcess.output(List.of(recorder.toString(),
                    dir.resolve("report.trace").toString(), stats[0], "python3", "-c", "pass")));
            assertTrue(e.getMessage().contains("failed with status 70")
                    && e.getMessage().contains("pymalloc_record: writing " + stats[0] + " failed: " + stats[1]),
                    e.getMessage());
        }
    }

    /** pymalloc_record built into {@code dir/pymalloc_record_NAME} with {@code more} on cc's line. */
    private static Path recorder(String name, List<String> more) throws IOException {
        copy(CPythonHarness.RECORDER_SOURCE, dir.resolve("pymalloc_record.c"));
        copy(CPythonHarness.ARENAS_HEADER, dir.resolve("aligned_arenas.h"));
        copy("/cpython/stale_errno.c", dir.resolve("stale_errno.c"));
        Path recorder = dir.resolve("pymalloc_record_" + name);
        List<String> args = new ArrayList<>(List.of(dir.resolve("pymalloc_record.c").toString(), "-o", recorder.toString()));
        args.addAll(more);
        ChildProcess.output(cc(args));
        return recorder;
    }

    /**
     * A malloc or realloc that returns NULL mid-replay (out of memory; here a size no OS gives)
     * went unchecked: the replay went on with an empty slot and exited 0. It must stop there.
     */
    @Test
    void aReplayOutOfMemoryStopsAtTheOperation() throws IOException {
        String huge = Long.toString(1L << 62);
        for (String[] bad : List.of(new String[] {"# a trace\nm 0 16\nm 1 " + huge + "\nf 0\n", "2 (m 1 " + huge + ")"},
                new String[] {"m 0 16\nm 1 32\nr 0 " + huge + "\n", "3 (r 0 " + huge + ")"})) {
            Path file = Files.writeString(dir.resolve("huge.trace"), bad[0]);
            IOException e = assertThrows(IOException.class,
                    () -> ChildProcess.output(List.of(driver.toString(), "replay", file.toString())), bad[0]);
            assertTrue(e.getMessage().contains("failed with status 1")
                    && e.getMessage().contains("pymalloc_bench: out of memory at the trace's operation " + bad[1]),
                    bad[0] + ": " + e.getMessage());
        }
    }

    private static Map<String, Double> countCalls(Trace trace) throws IOException {
        Path file = dir.resolve("replayed.trace");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            trace.writeTo(w);
        }
        return ChildProcess.figures(ChildProcess.output(List.of(driver.toString(), "replay", file.toString())));
    }

    /** A heap that counts the calls made of it. */
    private static final class Counting implements BlockAllocator {
        PyMalloc heap;
        long mallocs;
        long reallocs;
        long frees;
        long bytes;

        @Override
        public long malloc(long size) {
            mallocs++;
            bytes += size;
            return heap.malloc(size);
        }

        @Override
        public long calloc(long nelem, long elsize) {
            throw new UnsupportedOperationException("a trace has no calloc");
        }

        @Override
        public long realloc(long address, long newSize) {
            reallocs++;
            bytes += newSize;
            return heap.realloc(address, newSize);
        }

        @Override
        public void free(long address) {
            frees++;
            heap.free(address);
        }
    }

    private static List<String> words(List<String> lines) {
        return List.of(String.join(" ", lines).trim().split("\\s+"));
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = HarnessCallsTest.class.getResourceAsStream(resource)) {
            Files.write(to, in.readAllBytes());
        }
    }
}
