package org.pymalloc4j.objects;

/**
 * An operation was given an object of the wrong type (CPython's {@code TypeError} or
 * {@code SystemError: bad argument to internal function}), e.g. a tuple operation on a list.
 * Thrown in checked mode, before anything is changed but for the reference a setter steals
 * (released, as {@code PyList_SetItem} releases it: see {@link ObjectSpace}); in every mode for
 * an unhashable key ({@link ObjectSpace#hash}, {@link DictApi}) and a referent that cannot be
 * weakly referenced ({@link WeakrefApi#newRef(long)}).
 */
public final class WrongTypeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final long address;
    private final String typeName;

    public WrongTypeException(long address, String typeName, String message) {
        super(message);
        this.address = address;
        this.typeName = typeName;
    }

    /** The object that was passed. */
    public long address() {
        return address;
    }

    /** The name of its type. */
    public String typeName() {
        return typeName;
    }
}
