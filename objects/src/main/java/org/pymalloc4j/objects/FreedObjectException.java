package org.pymalloc4j.objects;

/**
 * An operation was given an object that has been deallocated (or an address that was never a
 * live object of the space). Thrown in checked mode, before anything is changed.
 */
public final class FreedObjectException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final long address;

    public FreedObjectException(long address, String message) {
        super(message);
        this.address = address;
    }

    /** The address that was passed. */
    public long address() {
        return address;
    }
}
