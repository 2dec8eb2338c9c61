package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.MemoryLimitExceededError;

/**
 * Refusals reworded to name the call the caller made, not the call beneath it that refused: a
 * domain's {@code allocate(n, a)} served by {@code malloc(n)}, the debug hooks' {@code malloc(n)}
 * served by the inner allocator's {@code malloc(n + 24)}. The refusal beneath is kept as the cause.
 */
public final class Refusals {
    private static final String PREFIX = "pymalloc4j: ";

    private Refusals() {
    }

    /**
     * {@code e} led by {@code lead} (say {@code "allocate(64, 16): "}), the call beneath's own
     * lead {@code inner} taken off the front of its reason if it is there, {@code e} its cause. A
     * MemoryLimitExceededError stays one with the same figures, a plain OutOfMemoryError stays
     * one; any other type is the allocator's own answer, returned as it is.
     *
     * @param ifNoMessage the reason of a refusal without a message
     */
    public static OutOfMemoryError ledBy(OutOfMemoryError e, String lead, String inner, String ifNoMessage) {
        OutOfMemoryError named;
        if (e instanceof MemoryLimitExceededError limited) {
            named = new MemoryLimitExceededError(lead + withoutPrefix(limited.what(), inner), limited.requested(),
                    limited.inUse(), limited.limit());
        } else if (e.getClass() == OutOfMemoryError.class) {
            String reason = withoutPrefix(e.getMessage() != null ? e.getMessage() : ifNoMessage, PREFIX);
            named = new OutOfMemoryError(PREFIX + lead + withoutPrefix(reason, inner));
        } else {
            return e;
        }
        named.initCause(e);
        return named;
    }

    /** {@code s} without {@code prefix} at its front, if it is there. */
    public static String withoutPrefix(String s, String prefix) {
        return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
    }
}
