package org.pymalloc4j.allocator;

/**
 * The sizes that shape a pymalloc heap: pools of {@code 2^poolBits} bytes carved from arenas of
 * {@code 2^arenaBits} bytes. Alignment (16 bytes), the small-request threshold (512 bytes) and
 * so the 32 size classes are the same in every geometry, as on every 64-bit CPython since 3.8.
 *
 * <pre>
 *  preset   pool     arena     pools/arena   CPython versions
 *  PY311    16 KiB   1 MiB     64            3.10 - 3.14 (64-bit, radix tree on)
 *  PY38      4 KiB   256 KiB   64            3.8, 3.9
 *  HUGE_PAGES 16 KiB  2 MiB     128           a build with --with-pymalloc-hugepages (gh-144319)
 * </pre>
 *
 * <p>Every preset runs the 3.11 algorithm (one empty arena kept back against thrashing, the
 * radix-tree arena map); {@code PY38} changes only the sizes. Its heaps differ from 3.8's and
 * 3.9's own code in how a free finds its arena (3.10 put the radix tree where those versions
 * checked the pool header's arena index) and, perhaps against 3.8, in the kept empty arena
 * (bpo-37257, merged in June 2019 while 3.8 was in beta). The sizes themselves changed in
 * 3.10, not 3.9. {@code HUGE_PAGES} is the geometry of CPython's
 * huge-page build, whose arenas are one 2 MiB huge page each: a heap of this geometry takes its
 * arenas from {@link ArenaAllocator#hugePages()} unless given another allocator.
 *
 * @param name      the name shown in reports, e.g. {@code "3.11"}
 * @param poolBits  log2 of the pool size, 12 to 16
 * @param arenaBits log2 of the arena size; an arena holds 1 to 256 pools, one fewer if its
 *                  base is not pool-aligned (so a one-pool arena must be: see {@link ArenaAllocator})
 */
public record Geometry(String name, int poolBits, int arenaBits) {
    /** 16-byte alignment: block sizes are multiples of this. */
    public static final int ALIGNMENT = 16;
    /** log2 of {@link #ALIGNMENT}. */
    public static final int ALIGNMENT_SHIFT = 4;
    /** Requests above this many bytes (and of 0 bytes) go to the raw allocator. */
    public static final int SMALL_REQUEST_THRESHOLD = 512;
    /** Number of size classes: 16, 32, ..., 512 bytes. */
    public static final int SIZE_CLASSES = SMALL_REQUEST_THRESHOLD / ALIGNMENT;
    /** Bytes of the pool header at the start of every pool, rounded up to the alignment. */
    public static final int POOL_OVERHEAD = 48;

    /** CPython 3.10+ on 64-bit: 16 KiB pools, 1 MiB arenas. The default. */
    public static final Geometry PY311 = new Geometry("3.11", 14, 20);
    /** CPython 3.8 and 3.9: 4 KiB pools, 256 KiB arenas. */
    public static final Geometry PY38 = new Geometry("3.8", 12, 18);
    /**
     * CPython built with {@code --with-pymalloc-hugepages} (gh-144319, 2026): 16 KiB pools,
     * 2 MiB arenas, each mapped as one huge page when the OS has one.
     */
    public static final Geometry HUGE_PAGES = new Geometry("hugepages", 14, 21);

    /**
     * @throws IllegalArgumentException if the name is null or blank, the pool size is outside
     *                                  4 KiB..64 KiB, or an arena would hold fewer than 1 or more
     *                                  than 256 pools
     */
    public Geometry {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("geometry name must not be blank");
        }
        if (poolBits < 12 || poolBits > 16) {
            throw new IllegalArgumentException("poolBits must be 12..16 (4 KiB..64 KiB pools): " + poolBits);
        }
        if (arenaBits < poolBits || arenaBits > poolBits + 8) {
            throw new IllegalArgumentException("arenaBits must be poolBits..poolBits+8 (1..256 pools per arena): "
                    + arenaBits + " with poolBits " + poolBits);
        }
    }

    /**
     * The preset for a CPython version as the command line names it.
     *
     * @throws IllegalArgumentException if {@code version} is null or none of {@code 3.11},
     *                                  {@code 3.8} and {@code hugepages}
     */
    public static Geometry of(String version) {
        if (version == null) {
            throw new IllegalArgumentException("geometry version must not be null: expected 3.11, 3.8 or hugepages");
        }
        return switch (version) {
            case "3.11" -> PY311;
            case "3.8" -> PY38;
            case "hugepages" -> HUGE_PAGES;
            default -> throw new IllegalArgumentException("unknown geometry '" + version
                    + "': expected 3.11, 3.8 or hugepages");
        };
    }

    public int poolSize() {
        return 1 << poolBits;
    }

    public int arenaSize() {
        return 1 << arenaBits;
    }

    /** Pools in an arena whose base is pool-aligned; one fewer otherwise. */
    public int poolsPerArena() {
        return 1 << (arenaBits - poolBits);
    }

    /** Block size of size class {@code index}: {@code (index + 1) * 16}. */
    public static int blockSize(int index) {
        return (index + 1) << ALIGNMENT_SHIFT;
    }

    /** Size class of a request of {@code size} bytes, 1 &lt;= size &lt;= 512. */
    public static int sizeClass(long size) {
        return (int) ((size - 1) >>> ALIGNMENT_SHIFT);
    }

    /** Blocks in one pool of size class {@code index}. */
    public int blocksPerPool(int index) {
        return (poolSize() - POOL_OVERHEAD) / blockSize(index);
    }

    /** Bytes at the end of a pool of class {@code index} too small for another block. */
    public int quantization(int index) {
        return (poolSize() - POOL_OVERHEAD) % blockSize(index);
    }
}
