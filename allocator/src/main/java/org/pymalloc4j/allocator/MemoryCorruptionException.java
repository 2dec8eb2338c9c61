package org.pymalloc4j.allocator;

/**
 * Corruption found by the {@linkplain DebugHooks debug hooks}: where CPython dumps the block
 * and aborts with {@code Fatal Python error}, this is thrown, and its message is the dump in
 * CPython's format, ending with the line that says what went wrong, e.g.
 * {@code _PyMem_DebugRawFree: bad ID: Allocated using API 'm', verified using API 'o'}.
 *
 * <p>A corrupt live block ({@link Kind#BAD_ID}, {@link Kind#BAD_LEADING_PAD},
 * {@link Kind#BAD_TRAILING_PAD}) stays allocated and the heap unchanged, so the caller can
 * inspect it, repair the bytes and free it. A block found written after free
 * ({@link Kind#WRITE_AFTER_FREE}) has been released to its inner allocator once reported.
 */
public final class MemoryCorruptionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What was found wrong. */
    public enum Kind {
        /** The block's API id is not the id of the domain it was freed or resized through. */
        BAD_ID,
        /**
         * A byte of the 7-byte pad before the data was overwritten (a buffer underflow), or the
         * size word before the id no longer matches the size requested (a wild write).
         */
        BAD_LEADING_PAD,
        /** A byte of the 8-byte pad after the data was overwritten: a buffer overflow. */
        BAD_TRAILING_PAD,
        /** A byte of a quarantined freed block is no longer DEADBYTE: a write after free. */
        WRITE_AFTER_FREE
    }

    private final long address;
    private final Kind kind;
    private final char expectedApi;
    private final char actualApi;

    MemoryCorruptionException(String report, long address, Kind kind, char expectedApi, char actualApi) {
        super(report);
        this.address = address;
        this.kind = kind;
        this.expectedApi = expectedApi;
        this.actualApi = actualApi;
    }

    /** The block's user address {@code p} (its data, 16 bytes past the base). */
    public long address() {
        return address;
    }

    /** What was found wrong. */
    public Kind kind() {
        return kind;
    }

    /** The API id of the domain the block was checked through ({@code 'r'}, {@code 'm'} or {@code 'o'}). */
    public char expectedApi() {
        return expectedApi;
    }

    /**
     * The API id found: the block's id byte (as a char of 0..255), or, if that byte is right
     * but the block was allocated through another domain, that domain's id; for
     * {@link Kind#WRITE_AFTER_FREE}, the id of the domain that allocated the block.
     */
    public char actualApi() {
        return actualApi;
    }
}
