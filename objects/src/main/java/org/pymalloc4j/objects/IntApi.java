package org.pymalloc4j.objects;

import java.math.BigInteger;
import java.util.Objects;

import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.Ints;

/**
 * {@code int} ({@code PyLong_*}) of one {@link ObjectSpace}: {@code space.ints()}. Ownership and
 * checked mode as the space's class comment says; {@code bool} values are ints here too.
 */
public final class IntApi {
    private final Core core;
    private final Ints ints;
    private final boolean checked;

    IntApi(Builtins b) {
        this.core = b.core;
        this.ints = b.ints;
        this.checked = b.core.checked;
    }

    /**
     * {@code PyLong_Check}: whether {@code o} is an int, or a bool (bool is a subclass of int). Classes made by {@link ObjectSpace#classes()}
     * derive from {@code object} alone, so no other type passes.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public boolean check(long o) {
        return core.args.hasType(o, core.intType, core.boolType);
    }

    /**
     * {@code PyLong_FromLong}: a new reference; -5..256 are the static small ints, so two
     * requests for 56 give the same object.
     *
     * @throws IllegalStateException in checked mode, if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newInt(long value) {
        if (checked) {
            core.checkOpen();
        }
        return ints.fromLong(value);
    }

    /**
     * An int of any size: a new reference.
     *
     * @throws NullPointerException  if {@code value} is null
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newInt(BigInteger value) {
        Objects.requireNonNull(value, "value");
        core.checkOpen();
        return ints.fromBigInteger(value);
    }

    /**
     * {@code PyLong_AsLong} of an int or bool.
     *
     * @throws ArithmeticException   if the value does not fit in a long
     * @throws WrongTypeException    in checked mode, if {@code o} is not an int or bool
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long value(long o) {
        if (checked) {
            checkInt(o, "ints().value");
        }
        return ints.toLong(o);
    }

    /**
     * The value of an int or bool, of any size.
     *
     * @throws WrongTypeException    in checked mode, if {@code o} is not an int or bool
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public BigInteger bigIntegerValue(long o) {
        if (checked) {
            checkInt(o, "ints().bigIntegerValue");
        }
        return ints.toBigInteger(o);
    }

    private void checkInt(long o, String operation) {
        core.checkLive(o);
        long t = core.typeOf(o);
        if (t != core.intType && t != core.boolType) {
            throw core.args.wrongType(o, operation, "int");
        }
    }
}
