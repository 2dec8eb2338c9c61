package org.pymalloc4j.objects;

import java.util.Objects;

import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.Strs;

/**
 * {@code str} ({@code PyUnicode_*}) of one {@link ObjectSpace}, with interning:
 * {@code space.strs()}. Ownership and checked mode as the space's class comment says.
 */
public final class StrApi {
    private final Core core;
    private final Strs strs;
    private final boolean checked;

    StrApi(Builtins b) {
        this.core = b.core;
        this.strs = b.strs;
        this.checked = b.core.checked;
    }

    /**
     * {@code PyUnicode_Check}: whether {@code o} is a str. Classes made by {@link ObjectSpace#classes()}
     * derive from {@code object} alone, so no other type passes.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public boolean check(long o) {
        return core.args.hasType(o, core.strType, 0);
    }

    /**
     * {@code PyUnicode_FromKindAndData} of the value's code points: a new reference to a str in
     * the most compact of CPython's forms (ASCII, latin-1, UCS-2, UCS-4), in one block of its
     * exact size. The empty string and one-character latin-1 strings are static singletons.
     * ({@code PyUnicode_FromString}'s UTF-8 decoder over-allocates and reallocates, so there a
     * non-ASCII str can end in a larger size class or a raw block: see objects/README.md.)
     *
     * @throws NullPointerException  if {@code value} is null
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newStr(String value) {
        Objects.requireNonNull(value, "value");
        core.checkOpen();
        return strs.newStr(value);
    }

    /**
     * The value of a str.
     *
     * @throws WrongTypeException    in checked mode, if {@code o} is not a str
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public String value(long o) {
        if (checked) {
            core.args.checkType(o, core.strType, "strs().value");
        }
        return Strs.value(o);
    }

    /**
     * {@code PyUnicode_InternFromString}: a new reference to the interned str equal to
     * {@code value}; equal interned strings are one object. The str is made as {@link #newStr}
     * makes it, not by the UTF-8 decoder 3.11 uses here (see objects/README.md).
     *
     * @throws NullPointerException  if {@code value} is null
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long intern(String value) {
        return internInPlace(newStr(value));
    }

    /**
     * {@code PyUnicode_InternInPlace}: <b>steals</b> {@code str} and returns a new reference to
     * the interned string equal to it, which is {@code str} itself if none was interned yet.
     * The intern table's own references are not counted, as in CPython.
     *
     * @throws WrongTypeException    in checked mode, if {@code str} is not a str (nothing stolen)
     * @throws FreedObjectException  in checked mode, if {@code str} is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public long internInPlace(long str) {
        core.checkOpen();
        if (checked) {
            core.args.checkType(str, core.strType, "strs().internInPlace");
        }
        return strs.internInPlace(str);
    }

    /**
     * Whether a str is interned.
     *
     * @throws WrongTypeException    in checked mode, if {@code str} is not a str
     * @throws FreedObjectException  in checked mode, if {@code str} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public boolean isInterned(long str) {
        if (checked) {
            core.args.checkType(str, core.strType, "strs().isInterned");
        }
        return Strs.isInterned(str);
    }
}
