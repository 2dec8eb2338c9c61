package org.pymalloc4j.allocator;

import java.util.Objects;

import org.pymalloc4j.allocator.internal.BlockViews;
import org.pymalloc4j.allocator.internal.ByteBudget;
import org.pymalloc4j.allocator.internal.LiveMarks;

/**
 * Builds a {@link PyMalloc} heap:
 * <pre>
 *  PyMalloc heap = PyMalloc.builder()
 *          .geometry(Geometry.PY38)
 *          .limit(64 &lt;&lt; 20)                       // at most 64 MiB from the OS
 *          .arenaAllocator(ArenaAllocator.mmap())
 *          .build();
 * </pre>
 */
public final class PyMallocBuilder {
    private Geometry geometry = Geometry.PY311;
    /** Null until set: then the geometry's default ({@link #defaultAllocator}). */
    private ArenaAllocator arenaAllocator;
    private long limit = ByteBudget.UNLIMITED;
    private ByteBudget budget;
    private BlockViews views;

    PyMallocBuilder() {
    }

    /**
     * Pool and arena sizes; {@link Geometry#PY311} by default.
     *
     * @throws NullPointerException if {@code geometry} is null
     */
    public PyMallocBuilder geometry(Geometry geometry) {
        this.geometry = Objects.requireNonNull(geometry, "geometry");
        return this;
    }

    /**
     * Where arenas come from; by default {@link ArenaAllocator#mmap()}, or
     * {@link ArenaAllocator#hugePages()} for {@link Geometry#HUGE_PAGES}.
     *
     * @throws NullPointerException if {@code allocator} is null
     */
    public PyMallocBuilder arenaAllocator(ArenaAllocator allocator) {
        this.arenaAllocator = Objects.requireNonNull(allocator, "allocator");
        return this;
    }

    /**
     * The most bytes the heap may take from the OS, arenas plus raw blocks. A request that
     * would cross it, but would not without the empty arena kept against thrashing (which
     * counts), has that arena given back to the OS and is tried once more, so that freeing
     * makes room again; one that would cross it even so throws {@link MemoryLimitExceededError}
     * and leaves the heap as it was.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public PyMallocBuilder limit(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memory limit must be positive, was " + bytes);
        }
        this.limit = bytes;
        return this;
    }

    /** Shares a budget with the other allocators of a {@link Memory}. */
    PyMallocBuilder budget(ByteBudget shared) {
        this.budget = shared;
        return this;
    }

    /** The heap's views, which a {@link Memory} has refuse the heap's close while the memory is open. */
    PyMallocBuilder views(BlockViews owned) {
        this.views = owned;
        return this;
    }

    /** The arena allocator a heap of {@code geometry} uses unless given one. */
    static ArenaAllocator defaultAllocator(Geometry geometry) {
        return geometry.equals(Geometry.HUGE_PAGES) ? ArenaAllocator.hugePages() : ArenaAllocator.mmap();
    }

    /**
     * @throws OutOfMemoryError if the heap's own metadata cannot be allocated
     */
    public PyMalloc build() {
        if (PyMalloc.CHECKS) {
            LiveMarks.require(); // before the heap allocates its metadata, which a refusal there would leak
        }
        return new PyMalloc(geometry, arenaAllocator != null ? arenaAllocator : defaultAllocator(geometry),
                budget != null ? budget : new ByteBudget(limit), views != null ? views : new BlockViews());
    }
}
