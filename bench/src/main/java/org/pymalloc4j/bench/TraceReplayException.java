package org.pymalloc4j.bench;

/**
 * An operation of a well-formed trace that the allocator could not carry out when it was
 * replayed, such as a malloc of more bytes than it can give: bad input as much as a malformed
 * line is, so the message starts with the file and the line.
 */
public final class TraceReplayException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long line;

    TraceReplayException(String source, long line, String problem, Throwable cause) {
        super(source + ":" + line + ": " + problem, cause);
        this.line = line;
    }

    /** The 1-based line number of the operation that failed. */
    public long line() {
        return line;
    }
}
