package org.pymalloc4j.bench;

/** A trace line that cannot be replayed; the message starts with the line number. */
public final class TraceFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long line;

    public TraceFormatException(String source, long line, String problem) {
        super(source + ":" + line + ": " + problem);
        this.line = line;
    }

    /** The 1-based line number of the bad line. */
    public long line() {
        return line;
    }
}
