package org.pymalloc4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jmh.log's writing (JmhRun's child output), without running JMH. */
class RunLogTest {
    @TempDir
    Path dir;

    @Test
    void linesAreAppendedRunAfterRun() throws IOException {
        Path log = dir.resolve(JmhRun.LOG);
        for (String run : List.of("first", "second")) {
            try (RunLog writer = RunLog.append(log)) {
                writer.println("# " + run);
                writer.println("result " + run);
            }
        }
        assertEquals(List.of("# first", "result first", "# second", "result second"), Files.readAllLines(log));
    }

    /** A full disk: the PrintWriter that wrote jmh.log kept the failure to itself and the log was cut short. */
    @Test
    void aFailedWriteIsReportedWhenTheRunEnds() throws IOException {
        Path full = Path.of("/dev/full");
        Assumptions.assumeTrue(Files.isWritable(full), "needs /dev/full");
        RunLog writer = RunLog.append(full);
        for (int i = 0; i < 100_000; i++) { // past any buffer: the failure comes in println, then no more is tried
            writer.println("# Run progress: " + i);
        }
        IOException e = assertThrows(IOException.class, writer::close);
        assertEquals("cannot write /dev/full: No space left on device", e.getMessage());
    }

    @Test
    void aLogThatCannotBeOpenedSaysWhy() {
        IOException e = assertThrows(IOException.class, () -> RunLog.append(dir));
        assertEquals("cannot write " + dir + ": Is a directory", e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> RunLog.append(dir.resolve("no/jmh.log")));
        assertEquals("cannot write " + dir.resolve("no/jmh.log") + ": no such file or directory", missing.getMessage());
    }
}
