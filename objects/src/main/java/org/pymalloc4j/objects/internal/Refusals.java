package org.pymalloc4j.objects.internal;

import org.pymalloc4j.objects.FreedObjectException;

/**
 * The exceptions checked mode refuses an object with, each naming its address (and its type
 * where the header can still be read). {@link Core} decides when to refuse; this says how.
 */
final class Refusals {
    private Refusals() {
    }

    static FreedObjectException notAnObject(long o) {
        return new FreedObjectException(o, String.format(
                "0x%x is not a live object of this space (freed, or never allocated by it)", o));
    }

    static FreedObjectException useAfterFree(long o) {
        return new FreedObjectException(o, String.format("use of the freed object at 0x%x", o));
    }

    static FreedObjectException noType(long o, long type) {
        return new FreedObjectException(o, String.format(
                "0x%x is not a live object: its type word 0x%x is no type of this space", o, type));
    }

    /** A decref below zero: the object is being deallocated (refcount 0) or was already, so it is no live object. */
    static FreedObjectException refcountBelowOne(long o, String typeName, long refcount) {
        return new FreedObjectException(o, String.format(
                "the %s object at 0x%x has a negative or zero refcount (%d)", typeName, o, refcount));
    }

    /**
     * The first of several refusals met while releasing references, which go on past each:
     * {@code first}, or {@code later} if there was none yet, the later one suppressed in it.
     */
    static RuntimeException keepFirst(RuntimeException first, RuntimeException later) {
        if (first == null) {
            return later;
        }
        first.addSuppressed(later);
        return first;
    }

    static IllegalStateException deallocatingStatic(long o, String typeName) {
        return new IllegalStateException(String.format(
                "deallocating the static %s object at 0x%x: more decrefs than increfs", typeName, o));
    }
}
