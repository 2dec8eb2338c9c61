package org.pymalloc4j.objects.internal;

import org.pymalloc4j.objects.WrongTypeException;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.objects.ObjectHeader.OB_SIZE_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;

/**
 * The checks the public operations make of their arguments, beyond liveness ({@link Core#checkLive}):
 * the space open, the exact type, an index in range, and a stolen item released when the rest
 * is refused. Each failure is an exception naming the object and its type.
 */
public final class ArgumentChecks {
    private final Core core;

    ArgumentChecks(Core core) {
        this.core = core;
    }

    /**
     * An argument of an operation that reads no more of it than its header: the space open,
     * and, in checked mode, {@code o} live.
     */
    public void checkArgument(long o) {
        core.checkOpen();
        if (core.checked) {
            core.checkLive(o);
        }
    }

    /**
     * A family's {@code check}: whether {@code o}'s type is {@code type} (or {@code alsoType},
     * 0 for none); in checked mode the space open and {@code o} live first.
     */
    public boolean hasType(long o, long type, long alsoType) {
        if (core.checked) {
            core.checkLive(o);
        }
        long t = getLong(o + OB_TYPE_OFFSET);
        return t == type || t == alsoType && alsoType != 0;
    }

    /**
     * Checked mode, for a setter that steals {@code item}: the item is live (else nothing is
     * stolen), then the container and index are checked; if they are bad the item is released
     * all the same, as CPython's {@code PyList_SetItem}/{@code PyTuple_SetItem} do.
     */
    public void checkSetItem(long o, long type, String operation, long i, long item) {
        if (item != 0) {
            core.checkLive(item);
        }
        try {
            checkIndex(o, type, operation, i);
        } catch (RuntimeException e) {
            core.xdecref(item);
            throw e;
        }
    }

    /** Checked mode: {@code o} is live and of exactly {@code type}. */
    public void checkType(long o, long type, String operation) {
        core.checkLive(o);
        if (getLong(o + OB_TYPE_OFFSET) != type) {
            throw wrongType(o, operation, core.nameOfType(type));
        }
    }

    public WrongTypeException wrongType(long o, String operation, String expected) {
        String article = "aeiou".indexOf(expected.charAt(0)) >= 0 ? "an" : "a"; // "an int object"
        return new WrongTypeException(o, core.typeName(o), String.format(
                "%s expects %s %s object, got the %s object at 0x%x", operation, article, expected, core.typeName(o), o));
    }

    /**
     * Checked mode: {@code o} is live, of exactly {@code type} (a variable-size type), and
     * {@code i} is in {@code [0, ob_size)}. The size is read only once {@code o} is known to be
     * a live object of that type: a foreign or freed address is refused before any of it is read.
     */
    public void checkIndex(long o, long type, String operation, long i) {
        checkType(o, type, operation);
        long size = getLong(o + OB_SIZE_OFFSET);
        if (i < 0 || i >= size) {
            throw indexError(o, operation, i, size);
        }
    }

    public IndexOutOfBoundsException indexError(long o, String operation, long index, long size) {
        return new IndexOutOfBoundsException(String.format(
                "%s: index %d out of range for the %s object at 0x%x of size %d",
                operation, index, core.typeName(o), o, size));
    }
}
