package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.MemoryLimitExceededError;

/**
 * The bytes a heap has taken from the OS (arenas plus raw blocks), against an optional limit.
 * Charged only on cold paths: a new arena, a raw block. Invariant: {@code 0 <= used <= limit}.
 *
 * <p>Not every byte charged is live: a heap keeps one empty arena back against thrashing
 * (CPython's {@code pymalloc_free}), which stays charged. So that freeing makes room again, a
 * charge the limit refuses, if giving such memory back would make room for it, has the
 * {@linkplain #addReclaimer reclaimers} give it back to the OS and is tried once more.
 */
public final class ByteBudget {
    /** No limit. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    /** Gives memory charged here but not live back to the OS, on the cold path of a refusal. */
    public interface Reclaimer {
        /** The bytes {@link #reclaim} would give back now. */
        long reclaimable();

        /** @return the bytes given back (and released here), 0 if none */
        long reclaim();
    }

    private final long limit;
    private long used;
    /** The heaps on this budget; one in practice (a heap, or the heap of a Memory). */
    private Reclaimer[] reclaimers = new Reclaimer[0];

    public ByteBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("memory limit must be positive, was " + limit);
        }
        this.limit = limit;
    }

    /** Asks {@code reclaimer} for memory when a charge is refused ({@link #charge}) or the OS refuses ({@link #reclaim}). */
    public void addReclaimer(Reclaimer reclaimer) {
        reclaimers = java.util.Arrays.copyOf(reclaimers, reclaimers.length + 1);
        reclaimers[reclaimers.length - 1] = reclaimer;
    }

    /**
     * Takes {@code bytes} from the budget. If that would cross the limit, but would not once
     * the memory charged but not live (a heap's kept empty arena) is given back to the OS, that
     * memory is given back and the charge tried once more; else nothing is given back.
     *
     * @throws MemoryLimitExceededError if that would cross the limit even so; nothing is taken
     */
    public void charge(long bytes, String what) {
        if (!tryCharge(bytes)) {
            throw refusal(null, what, bytes);
        }
    }

    /**
     * {@link #charge} without the refusal, for a caller that names its call in it only once
     * refused ({@link #refusal}): whether {@code bytes} were taken; nothing is taken if not.
     */
    public boolean tryCharge(long bytes) {
        if (bytes > limit - used && !makeRoom(bytes)) {
            return false;
        }
        used += bytes;
        return true;
    }

    /**
     * The refusal of {@code bytes} for {@code what} that {@link #tryCharge} declined, naming
     * {@code call} (e.g. {@code malloc(5000)}; null: none) before the reason.
     */
    public OutOfMemoryError refusal(String call, String what, long bytes) {
        String prefix = call == null ? "" : call + ": ";
        if (limit == UNLIMITED) { // no limit, but more than a long can count: no OS would give it
            return new OutOfMemoryError("pymalloc4j: " + prefix + "cannot allocate " + what + " of " + bytes + " bytes");
        }
        return new MemoryLimitExceededError(prefix + what, bytes, used, limit);
    }

    /** Gives back what the reclaimers hold if that makes room for {@code bytes}: a refusal otherwise changes nothing. */
    private boolean makeRoom(long bytes) {
        return bytes <= limit - used + reclaimable() && reclaim() != 0 && bytes <= limit - used;
    }

    private long reclaimable() {
        long bytes = 0;
        for (Reclaimer r : reclaimers) {
            bytes += r.reclaimable();
        }
        return bytes;
    }

    /**
     * Has every reclaimer give back the memory it holds but not live, as for a request the OS
     * refused.
     *
     * @return the bytes given back, 0 if none
     */
    public long reclaim() {
        long released = 0;
        for (Reclaimer r : reclaimers) {
            released += r.reclaim();
        }
        return released;
    }

    /** Gives {@code bytes} back. */
    public void release(long bytes) {
        assert bytes >= 0 && bytes <= used : "release(" + bytes + ") with " + used + " used";
        used -= bytes;
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used;
    }
}
