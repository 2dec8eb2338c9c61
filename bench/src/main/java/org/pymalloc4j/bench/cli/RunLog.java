package org.pymalloc4j.bench.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child's output appended to a log line by line as it comes (JMH's to {@code jmh.log}). A
 * line is written from a callback that cannot throw, so the first failure is kept and
 * {@link #close} reports it: the PrintWriter this replaces kept its errors to itself, and a full
 * disk cut the log short without a word.
 */
final class RunLog implements Closeable {
    private final Path file;
    private final Writer writer;
    /** The first failed write; after it nothing more is written. */
    private IOException failure;

    private RunLog(Path file, Writer writer) {
        this.file = file;
        this.writer = writer;
    }

    /** @throws IOException "cannot write FILE: REASON" if the file cannot be opened */
    static RunLog append(Path file) throws IOException {
        try {
            return new RunLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw OutputFile.failed(file, e);
        }
    }

    void println(String line) {
        if (failure != null) {
            return;
        }
        try {
            writer.write(line);
            writer.write(System.lineSeparator());
        } catch (IOException e) {
            failure = e;
        }
    }

    /** @throws IOException "cannot write FILE: REASON" if a line or the final flush could not be written */
    @Override
    public void close() throws IOException {
        try {
            writer.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw OutputFile.failed(file, failure);
        }
    }
}
