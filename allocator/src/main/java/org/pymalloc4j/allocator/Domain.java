package org.pymalloc4j.allocator;

/**
 * CPython's three allocation domains. Memory must be freed through the domain that allocated
 * it; under the debug hooks each block records its domain's API id, and freeing it through
 * another domain is reported as an API mismatch.
 */
public enum Domain {
    /**
     * {@code PyMem_RawMalloc}: libc malloc by default; for buffers that need no heap owner.
     * Unlike CPython's, the pymalloc heap's own blocks of 0 or over 512 bytes, and its fallbacks,
     * do not pass through this domain's allocator (CPython's {@code _PyObject_Malloc} calls
     * {@code PyMem_RawMalloc}): they go to libc directly, so an allocator installed here does not
     * see them, and under the debug hooks they carry one header, where CPython's carry two.
     * Nor is it free-threaded as CPython's is, whose raw domain needs no GIL: this one is its
     * {@link Memory}'s like the other two, one thread at a time (it counts its blocks, and the
     * debug hooks and the tracer wrap it, without locks). libc from any thread is
     * {@link RawAllocator}'s.
     */
    RAW('r'),
    /** {@code PyMem_Malloc}: pymalloc by default; for general buffers such as a list's items. */
    MEM('m'),
    /** {@code PyObject_Malloc}: pymalloc by default; for objects. */
    OBJ('o');

    private final char apiId;

    Domain(char apiId) {
        this.apiId = apiId;
    }

    /** The API id the debug hooks write into each block: {@code 'r'}, {@code 'm'} or {@code 'o'}. */
    public char apiId() {
        return apiId;
    }

    /**
     * The domain with the given API id.
     *
     * @throws IllegalArgumentException if {@code id} is not {@code 'r'}, {@code 'm'} or {@code 'o'}
     */
    public static Domain ofApiId(char id) {
        for (Domain d : values()) {
            if (d.apiId == id) {
                return d;
            }
        }
        throw new IllegalArgumentException("no domain has API id '" + id + "'");
    }
}
