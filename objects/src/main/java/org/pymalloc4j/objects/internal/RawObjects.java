package org.pymalloc4j.objects.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * Checked mode's record of the live objects outside the arenas (blocks over 488 bytes, which
 * pymalloc gives to libc), so that an address check never reads unmapped memory: an address
 * outside the arenas is readable only if it is one of these, or static.
 *
 * <pre>
 *  contains(o)  iff  o is a live object whose block lies outside the heap's arenas
 *  count == the set's size, kept beside it: every deallocation asks, and a field is one load
 * </pre>
 */
final class RawObjects {
    private final Set<Long> objects = new HashSet<>();
    private int count;

    void add(long o) {
        if (objects.add(o)) {
            count++;
        }
    }

    /** Forgets {@code o} if it is one; most objects are not, and none is asked of the set then. */
    void remove(long o) {
        if (count != 0 && objects.remove(o)) {
            count--;
        }
    }

    boolean contains(long o) {
        return objects.contains(o);
    }
}
