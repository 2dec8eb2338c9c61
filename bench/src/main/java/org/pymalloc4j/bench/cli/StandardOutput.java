package org.pymalloc4j.bench.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Standard output that stops the tool once its reader has gone ({@code pymalloc4j demo | head -1}),
 * as SIGPIPE stops a C tool at its next write. The JVM ignores SIGPIPE, and a PrintStream keeps
 * the write's error to itself, so the tool went on working and writing into nothing, then said
 * "cannot write standard output" and exited 1, as for a full disk. A write that finds the reader
 * gone throws {@link ReaderGone} instead, which unwinds the command; the tool then exits, quietly,
 * with {@link #READER_GONE}.
 */
final class StandardOutput extends OutputStream {
    /** 128 + SIGPIPE (13): what a shell shows for {@code yes | head -1}'s yes, killed at its write. */
    static final int READER_GONE = 141;

    /** A write found the reader of standard output gone: nothing more the tool prints can be read. */
    static final class ReaderGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReaderGone(IOException cause) {
            super("the reader of standard output has gone: " + cause.getMessage(), cause);
        }
    }

    private final OutputStream to;
    private final BooleanSupplier toAPipe;

    /**
     * @param to      where the bytes go
     * @param toAPipe whether {@code to} is a pipe or socket, where a failed write means the reader
     *                has gone whatever its message's language
     */
    StandardOutput(OutputStream to, BooleanSupplier toAPipe) {
        this.to = to;
        this.toAPipe = toAPipe;
    }

    /** This process's standard output (file descriptor 1), in its encoding, flushed at each line. */
    static PrintStream open() {
        String encoding = System.getProperty("stdout.encoding", System.getProperty("native.encoding", "UTF-8"));
        OutputStream fd1 = new StandardOutput(new FileOutputStream(FileDescriptor.out), StandardOutput::fd1IsAPipe);
        return new PrintStream(new BufferedOutputStream(fd1, 8192), true, Charset.forName(encoding, Charset.defaultCharset()));
    }

    @Override
    public void write(int b) throws IOException {
        try {
            to.write(b);
        } catch (IOException e) {
            throw checked(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            to.write(b, off, len);
        } catch (IOException e) {
            throw checked(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            to.flush();
        } catch (IOException e) {
            throw checked(e);
        }
    }

    /** {@code e}, unless it says the reader has gone: then that is thrown. */
    private IOException checked(IOException e) {
        if (readerGone(e)) {
            throw new ReaderGone(e);
        }
        return e;
    }

    /** EPIPE ("Broken pipe" in English), or any failed write to a pipe: a full disk is not one. */
    private boolean readerGone(IOException e) {
        return "Broken pipe".equals(e.getMessage()) || toAPipe.getAsBoolean();
    }

    private static boolean fd1IsAPipe() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("pipe:") || target.startsWith("socket:");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // not Linux: the message alone tells
        }
    }
}
