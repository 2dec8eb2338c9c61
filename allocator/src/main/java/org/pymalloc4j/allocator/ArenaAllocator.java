package org.pymalloc4j.allocator;

/**
 * Where pymalloc gets its arenas: CPython's {@code PyObjectArenaAllocator}. The default maps
 * each arena from the OS aligned to its own size, so no pool is lost to alignment; an
 * allocator whose arenas are not pool-aligned costs one pool per arena, as in CPython. In a
 * geometry of one pool per arena ({@code arenaBits == poolBits}) that is the only pool: the heap
 * gives such an arena straight back and the request fails with {@link OutOfMemoryError}, so
 * those geometries need an allocator whose arenas are pool-aligned. An address overlapping an
 * arena in use (the heap's own, or another heap's where the process-wide owner map sees it) is
 * refused the same way, and not given back: freeing it would free the arena in use.
 *
 * <p>A heap calls its allocator from the thread using the heap, taking no lock (CPython calls
 * its one allocator under the GIL): one given to heaps used on different threads is called
 * from them at once, and must be thread-safe, as {@link #mmap()} is.
 */
public interface ArenaAllocator {
    /**
     * Maps or allocates an arena of {@code size} bytes.
     *
     * @return the arena's address, or 0 if the memory cannot be had
     */
    long allocate(long size);

    /**
     * Returns an arena this allocator handed out, with the size it was asked for. The heap has
     * forgotten the arena when it calls this, its bytes no longer counted against the limit, so
     * an exception thrown here leaves the heap sound. The call that emptied the arena (a
     * {@code free}, a {@code realloc} that moved its block, a request that gave back the empty
     * arena kept against thrashing) has done its work by then and completes, as in CPython, whose
     * arena free cannot fail: the exception is kept for the heap's {@code close}, which hands back
     * every other arena first and then throws the first such exception, later ones suppressed in it.
     */
    void free(long address, long size);

    /**
     * Whether the heap should have the kernel back each fresh pool of the arena at
     * {@code address}, just handed out by {@link #allocate}, in one call before its first write
     * ({@link RawAllocator#populate}, Linux's {@code MADV_POPULATE_WRITE}), instead of taking a
     * page fault for each of its pages (about 10 µs each on a virtual machine). Say true only
     * for untouched private anonymous memory on small pages: elsewhere the call is wasted, or
     * worse (a shared file mapping's pages would all be dirtied). The heap asks once an arena,
     * right after {@code allocate}, and only for pools of more than one page; the system
     * property {@code pymalloc4j.prefault=false} turns it off for every allocator. The
     * default is false.
     */
    default boolean prefaultPools(long address) {
        return false;
    }

    /**
     * Anonymous {@code mmap}, each arena aligned to its size (pymalloc4j's default). One
     * allocator for the process, with no state: every heap may use it, from any thread.
     */
    static ArenaAllocator mmap() {
        return MmapArenaAllocator.INSTANCE;
    }

    /**
     * Arenas on huge pages where the OS gives them (the reserved pool, else transparent huge
     * pages), else as {@link #mmap()}; the default of {@link Geometry#HUGE_PAGES}. A new
     * allocator each call, counting its own arenas.
     */
    static HugePageArenaAllocator hugePages() {
        return new HugePageArenaAllocator();
    }
}
