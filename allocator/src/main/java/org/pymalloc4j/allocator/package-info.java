/**
 * CPython's memory manager, layers 0 to +2, on native memory.
 *
 * <pre>
 *   PyMalloc           blocks of 1..512 bytes in 32 size classes (16, 32, ..., 512)
 *     pools            16 KiB (4 KiB in the 3.8 geometry), one size class each, 48-byte header
 *       arenas         1 MiB (256 KiB), 64 pools; 2 MiB, 128 pools, in the huge-page geometry;
 *                      mapped from the OS, returned when empty but for one kept against thrashing
 *   RawAllocator       libc malloc/calloc/realloc/free for 0 and &gt;512 bytes; mmap/munmap for arenas
 *   DebugHooks         PYTHONMALLOC=debug around any BlockAllocator: API ids, guard bytes, fill patterns
 * </pre>
 *
 * <p>A pool is in one of three states, and each transition moves it between lists:
 * <pre>
 *   used  (0 &lt; count &lt; N)   in its class's ring; the ring head serves every allocation
 *   full  (count == N)       in no list; its first free puts it back at the ring's front
 *   empty (count == 0)       on its arena's free-pool list, keeping its class and free list
 * </pre>
 * Blocks of a pool are carved lazily (the {@code nextoffset} bump) and pools of an arena too
 * (the {@code pool_address} bump), so untouched pages stay untouched. Usable arenas are kept
 * sorted by free pools, most used first, so nearly empty arenas drain and go back to the OS.
 *
 * <p>See {@link org.pymalloc4j.allocator.PyMalloc} for the API and
 * {@link org.pymalloc4j.allocator.MallocStats} for the statistics.
 */
package org.pymalloc4j.allocator;
