package org.pymalloc4j.allocator;

/** How {@link Snapshot#statistics(GroupBy)} groups traces: tracemalloc's {@code key_type}. */
public enum GroupBy {
    /** By the most recent frame, its class, method and line: tracemalloc's {@code 'lineno'}. */
    LINE,
    /**
     * By the most recent frame's class (a {@linkplain TraceFrame#isClassFrame() class frame}, line
     * 0): the Java counterpart of tracemalloc's {@code 'filename'}.
     */
    CLASS,
    /** By the whole recorded traceback: tracemalloc's {@code 'traceback'}. */
    TRACEBACK;

    /** The key's frame of {@code frame}: the frame itself, or its class frame under {@link #CLASS}. */
    TraceFrame keyFrame(TraceFrame frame) {
        return this == CLASS ? frame.classFrame() : frame;
    }

    /** What {@link Snapshot#top} calls the groups: lines, classes or tracebacks. */
    String plural() {
        return switch (this) {
            case LINE -> "lines";
            case CLASS -> "classes";
            case TRACEBACK -> "tracebacks";
        };
    }
}
