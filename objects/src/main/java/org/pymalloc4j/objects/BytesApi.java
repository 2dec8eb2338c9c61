package org.pymalloc4j.objects;

import java.util.Objects;

import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.BytesObjects;
import org.pymalloc4j.objects.internal.Core;

/**
 * {@code bytes} ({@code PyBytes_*}) of one {@link ObjectSpace}: {@code space.bytes()}.
 * Ownership and checked mode as the space's class comment says.
 */
public final class BytesApi {
    private final Core core;
    private final BytesObjects bytes;
    private final boolean checked;

    BytesApi(Builtins b) {
        this.core = b.core;
        this.bytes = b.bytes;
        this.checked = b.core.checked;
    }

    /**
     * {@code PyBytes_Check}: whether {@code o} is a bytes object. Classes made by {@link ObjectSpace#classes()}
     * derive from {@code object} alone, so no other type passes.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public boolean check(long o) {
        return core.args.hasType(o, core.bytesType, 0);
    }

    /**
     * {@code PyBytes_FromStringAndSize}: a new reference ({@code b''} and the one-byte bytes are
     * static singletons, as in 3.11).
     *
     * @throws NullPointerException  if {@code value} is null
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newBytes(byte[] value) {
        Objects.requireNonNull(value, "value");
        core.checkOpen();
        return bytes.newBytes(value);
    }

    /**
     * A copy of a bytes object's contents.
     *
     * @throws WrongTypeException    in checked mode, if {@code o} is not bytes
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public byte[] value(long o) {
        if (checked) {
            core.args.checkType(o, core.bytesType, "bytes().value");
        }
        return BytesObjects.value(o);
    }
}
