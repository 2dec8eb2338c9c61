package org.pymalloc4j.allocator;

/**
 * An address passed to {@code free} or {@code realloc} that the heap did not hand out, or
 * that was already freed. The heap is unchanged when this is thrown.
 */
public final class InvalidAddressException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long address;

    public InvalidAddressException(String message, long address) {
        super(message);
        this.address = address;
    }

    /** The offending address. */
    public long address() {
        return address;
    }
}
