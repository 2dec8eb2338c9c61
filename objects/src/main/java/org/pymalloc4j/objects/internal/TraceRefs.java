package org.pymalloc4j.objects.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Py_TRACE_REFS} kept on the Java side: every live object made at run time, in
 * allocation order, with its allocation serial. A {@link LinkedHashMap} is a doubly linked list
 * plus an index, so unlinking a freed object is O(1) as with CPython's {@code _ob_next/_ob_prev};
 * keeping it off-heap would have added 16 bytes before every object and broken the 3.11 sizes.
 * Static objects are not listed (CPython's are, but they can never leak).
 */
public final class TraceRefs {

    /**
     * One live object.
     *
     * @param address the object
     * @param serial  its allocation's ordinal in the space
     */
    public record Entry(long address, long serial) {
    }

    private final Map<Long, Entry> live = new LinkedHashMap<>();

    /** Lists {@code o} as the newest object; one still listed (resurrected in its deallocation) moves there. */
    public void add(long o, long serial) {
        live.remove(o);
        live.put(o, new Entry(o, serial));
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
