package org.pymalloc4j.objects;

import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.Floats;

/**
 * {@code float} ({@code PyFloat_*}) of one {@link ObjectSpace}: {@code space.floats()}.
 * Ownership and checked mode as the space's class comment says.
 */
public final class FloatApi {
    private final Core core;
    private final Floats floats;
    private final boolean checked;

    FloatApi(Builtins b) {
        this.core = b.core;
        this.floats = b.floats;
        this.checked = b.core.checked;
    }

    /**
     * {@code PyFloat_Check}: whether {@code o} is a float. Classes made by {@link ObjectSpace#classes()}
     * derive from {@code object} alone, so no other type passes.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public boolean check(long o) {
        return core.args.hasType(o, core.floatType, 0);
    }

    /**
     * {@code PyFloat_FromDouble}: a new reference, reusing the most recently freed float's
     * block when the free list has one.
     *
     * @throws IllegalStateException in checked mode, if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newFloat(double value) {
        if (checked) {
            core.checkOpen();
        }
        return floats.newFloat(value);
    }

    /**
     * {@code PyFloat_AS_DOUBLE}.
     *
     * @throws WrongTypeException    in checked mode, if {@code o} is not a float
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public double value(long o) {
        if (checked) {
            core.args.checkType(o, core.floatType, "floats().value");
        }
        return Floats.value(o);
    }
}
