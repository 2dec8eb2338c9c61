package org.pymalloc4j.allocator.internal;

/**
 * What arena allocators' frees threw outside {@code close}, kept for {@code close} to throw:
 * the block operation that emptied the arena had done its work (a realloc had moved its block),
 * so it completes, as CPython's, whose arena free cannot fail. The first failure is kept whole,
 * up to {@link #MAX_SUPPRESSED} later ones suppressed in it, and the rest counted, so that an
 * allocator failing every time costs no more than that.
 */
final class KeptFailures {
    private static final int MAX_SUPPRESSED = 16;

    private Throwable first;
    private int suppressed;
    private long dropped;

    void keep(Throwable failure) {
        if (first == null) {
            first = failure;
        } else if (failure == first) {
            dropped++; // the same instance again: it cannot suppress itself
        } else if (suppressed < MAX_SUPPRESSED) {
            first.addSuppressed(failure);
            suppressed++;
        } else {
            dropped++;
        }
    }

    /**
     * Hands the kept failures over, forgetting them: the first, with the count of those not
     * kept and then {@code later} (close's own failure, or null) suppressed in it; else {@code later}.
     */
    Throwable takeWith(Throwable later) {
        Throwable kept = first;
        if (kept == null) {
            return later;
        }
        if (dropped > 0) {
            kept.addSuppressed(new IllegalStateException(dropped + " more arena returns failed before close"));
        }
        if (later != null && later != kept) {
            kept.addSuppressed(later);
        }
        first = null;
        suppressed = 0;
        dropped = 0;
        return kept;
    }
}
