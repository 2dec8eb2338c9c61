package org.pymalloc4j.objects.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pymalloc4j.allocator.TraceFrame;
import org.pymalloc4j.allocator.Traceback;

/**
 * {@code Py_TRACE_REFS} kept on the Java side: every live object made at run time, in
 * allocation order, with its allocation serial. A {@link LinkedHashMap} is a doubly linked list
 * plus an index, so unlinking a freed object is O(1) as with CPython's {@code _ob_next/_ob_prev};
 * keeping it off-heap would have added 16 bytes before every object and broken the 3.11 sizes.
 * Static objects are not listed (CPython's are, but they can never leak).
 *
 * <p>An object revived from a free list while the memory's tracer is tracing also carries where
 * it was revived: CPython's {@code _PyTraceMalloc_NewReference} retags the block's trace then,
 * which the allocator's tracer has no call for, so the object layer keeps the new traceback here.
 */
public final class TraceRefs {
    private static final String ALLOCATOR_PACKAGE = "org.pymalloc4j.allocator";
    private static final StackWalker WALKER = StackWalker.getInstance();

    /**
     * One live object.
     *
     * @param address   the object
     * @param serial    its allocation's ordinal in the space
     * @param revivedAt where it was revived from a free list while tracing, or null
     */
    public record Entry(long address, long serial, Traceback revivedAt) {
    }

    private final Map<Long, Entry> live = new LinkedHashMap<>();

    public void add(long o, long serial) {
        live.put(o, new Entry(o, serial, null));
    }

    /** Adds an object revived from a free list, with the traceback of its revival (may be null). */
    public void addRevived(long o, long serial, Traceback revivedAt) {
        live.put(o, new Entry(o, serial, revivedAt));
    }

    public void remove(long o) {
        live.remove(o);
    }

    public boolean contains(long o) {
        return live.containsKey(o);
    }

    public int size() {
        return live.size();
    }

    /** Every live object, oldest first. */
    public List<Entry> entries() {
        return new ArrayList<>(live.values());
    }

    /**
     * The caller's stack as the tracer would record it for an allocation made here: most recent
     * frame first, at most {@code limit} frames, the allocator package's own frames left out.
     */
    static Traceback capture(int limit) {
        return WALKER.walk(stack -> {
            List<TraceFrame> frames = new ArrayList<>(Math.min(limit, 16));
            int total = 0;
            for (Iterator<StackWalker.StackFrame> it = stack.iterator(); it.hasNext(); ) {
                StackWalker.StackFrame f = it.next();
                String c = f.getClassName();
                if (c.startsWith(ALLOCATOR_PACKAGE) && c.lastIndexOf('.') == ALLOCATOR_PACKAGE.length()) {
                    continue;
                }
                if (frames.size() < limit) {
                    String file = f.getFileName();
                    frames.add(new TraceFrame(c, f.getMethodName(), file == null ? "<unknown>" : file,
                            Math.max(0, f.getLineNumber())));
                }
                if (total < Traceback.MAX_FRAMES) {
                    total++;
                }
            }
            return frames.isEmpty() ? new Traceback(List.of(TraceFrame.UNKNOWN), 1) : new Traceback(frames, total);
        });
    }
}
