package org.pymalloc4j.objects.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
}
