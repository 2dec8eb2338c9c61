package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a traced block was allocated: its frames, most recent first, at most the tracer's
 * {@linkplain Tracer#tracebackLimit() limit}, and the depth of the whole stack.
 *
 * <p>The tracer interns tracebacks: the blocks allocated from the same stack share one
 * instance. Equality is by value, frames and {@link #totalFrames()}, as tracemalloc's
 * {@code hashtable_compare_traceback}.
 *
 * <p>Unlike CPython's Python-level {@code Traceback}, which is a sequence from the oldest frame
 * to the most recent, {@link #frames()} runs from the most recent frame, like a Java stack trace
 * and like tracemalloc's C tables.
 */
public final class Traceback implements Comparable<Traceback> {
    /** The most frames a traceback records, and the cap of {@link #totalFrames()}: 65535. */
    public static final int MAX_FRAMES = 0xFFFF;

    private final List<TraceFrame> frames;
    private final int totalFrames;
    private final int hash;

    /**
     * A traceback of the given frames, most recent first.
     *
     * @param totalFrames the depth of the stack they were taken from, capped at {@link #MAX_FRAMES}
     * @throws NullPointerException     if {@code frames} or one of them is null
     * @throws IllegalArgumentException if {@code frames} is empty or has more than
     *                                  {@link #MAX_FRAMES} elements, or if {@code totalFrames} is
     *                                  less than their number or more than {@link #MAX_FRAMES}
     */
    public Traceback(List<TraceFrame> frames, int totalFrames) {
        this.frames = NonNullLists.copyOf(frames, "frames");
        if (this.frames.isEmpty() || this.frames.size() > MAX_FRAMES) {
            throw new IllegalArgumentException("a traceback has 1 to " + MAX_FRAMES + " frames, not "
                    + this.frames.size());
        }
        if (totalFrames < this.frames.size() || totalFrames > MAX_FRAMES) {
            throw new IllegalArgumentException("total frames must be in [" + this.frames.size() + "; " + MAX_FRAMES
                    + "], was " + totalFrames);
        }
        this.totalFrames = totalFrames;
        this.hash = this.frames.hashCode() * 31 + totalFrames;
    }

    /** A traceback of one frame (a statistic's key). */
    static Traceback of(TraceFrame frame) {
        return new Traceback(List.of(frame), 1);
    }

    /** The recorded frames, most recent first; immutable and never empty. */
    public List<TraceFrame> frames() {
        return frames;
    }

    /** The most recent frame: where the block was allocated. */
    public TraceFrame mostRecent() {
        return frames.get(0);
    }

    /**
     * The number of frames of the stack the traceback was taken from, capped at
     * {@link #MAX_FRAMES}; more than {@code frames().size()} when the limit cut it.
     */
    public int totalFrames() {
        return totalFrames;
    }

    /** Every frame as {@link #format(int, boolean)} formats them, oldest first. */
    public List<String> format() {
        return format(frames.size(), false);
    }

    /**
     * The frames as lines, each {@code   File "Foo.java", line 12, in org.example.Foo.bar}, as
     * tracemalloc's {@code Traceback.format(limit, most_recent_first)} (which adds the source
     * line when it can read it; a Java frame has none).
     *
     * @param limit           if positive, only the {@code limit} most recent frames; if negative,
     *                        all but the {@code -limit} most recent frames, as CPython 3.11 slices
     *                        ({@code frames[:limit]}; its documentation says "the abs(limit) oldest
     *                        frames", the same only when there are twice {@code -limit} frames: of
     *                        5 frames, {@code format(-2)} gives the 3 oldest); if 0, none (as
     *                        Python's {@code frames[:0]})
     * @param mostRecentFirst print the most recent frame first rather than last
     * @return the lines, without line separators
     */
    public List<String> format(int limit, boolean mostRecentFirst) {
        int n = frames.size();
        // frames is most recent first: [0, k) are the k most recent, [n - k, n) the k oldest.
        int from = 0;
        int to = 0;
        if (limit > 0) {
            to = Math.min(limit, n);
        } else if (limit < 0) {
            // Python's frames[:limit], oldest first, drops the -limit most recent frames.
            from = (int) Math.min(n, -(long) limit);
            to = n;
        }
        List<String> lines = new ArrayList<>(to - from);
        for (int k = 0; k < to - from; k++) {
            TraceFrame f = mostRecentFirst ? frames.get(from + k) : frames.get(to - 1 - k);
            lines.add("  " + f);
        }
        return lines;
    }

    /**
     * tracemalloc's order of tracebacks: their frames compared oldest first, a traceback that is
     * a prefix of the other first, then by {@link #totalFrames()}.
     */
    @Override
    public int compareTo(Traceback o) {
        int n = frames.size();
        int m = o.frames.size();
        for (int k = 0; k < Math.min(n, m); k++) {
            int c = frames.get(n - 1 - k).compareTo(o.frames.get(m - 1 - k));
            if (c != 0) {
                return c;
            }
        }
        int c = Integer.compare(n, m);
        return c != 0 ? c : Integer.compare(totalFrames, o.totalFrames);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof Traceback t && hash == t.hash && totalFrames == t.totalFrames
                && frames.equals(t.frames);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /**
     * As tracemalloc's {@code str(Traceback)}: the location of its first frame in Python's order,
     * which is the <em>oldest</em> recorded frame, e.g. {@code Foo.java:12}. With one frame (the
     * default limit, and the {@link GroupBy#LINE} and {@link GroupBy#CLASS} keys) that is where the
     * block was allocated.
     */
    @Override
    public String toString() {
        return frames.get(frames.size() - 1).location();
    }
}
