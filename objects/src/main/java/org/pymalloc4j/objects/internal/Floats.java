package org.pymalloc4j.objects.internal;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.BuiltinLayouts.FLOAT_LENGTH;
import static org.pymalloc4j.objects.BuiltinLayouts.OB_FVAL_OFFSET;

/**
 * {@code float}: CPython 3.11's 24-byte {@code PyFloatObject}, with its free list of 100
 * ({@code PyFloat_MAXFREELIST}): a deallocated float is parked, and the next float made reuses
 * the most recently parked block.
 */
public final class Floats extends TypeBehaviour {
    /** {@code PyFloat_MAXFREELIST}. */
    public static final int MAX_FREE = 100;

    private final Core core;
    public final FreeList free = new FreeList(MAX_FREE);

    public Floats(Core core) {
        this.core = core;
    }

    /** {@code PyFloat_FromDouble}: a new reference. */
    public long newFloat(double v) {
        long o = free.pop();
        if (o != 0) {
            core.revive(o, core.floatType);
        } else {
            o = core.newObject(FLOAT_LENGTH, core.floatType);
        }
        putLong(o + OB_FVAL_OFFSET, Double.doubleToRawLongBits(v));
        return o;
    }

    public static double value(long o) {
        return Double.longBitsToDouble(getLong(o + OB_FVAL_OFFSET));
    }

    @Override
    public void dealloc(long o) {
        if (free.push(o)) {
            core.park(o);
        } else {
            core.freeObject(o);
        }
    }

    @Override
    public boolean isParked(long o) {
        return free.contains(o);
    }

    @Override
    public long sizeOf(long o) {
        return FLOAT_LENGTH;
    }

    /** Frees every parked block ({@code _PyFloat_ClearFreeList}); returns how many. */
    public int clearFreeList() {
        return free.drain(o -> core.freeParked(o, false));
    }
}
