package org.pymalloc4j.allocator.internal;

/** Arithmetic of the linear-probing table of raw blocks ({@link RawBlockTable}). */
final class LinearProbing {
    private LinearProbing() {
    }

    /**
     * Backward-shift deletion: after emptying slot {@code hole}, the entry at slot {@code i}
     * (home slot {@code home}) stays where it is iff its home lies cyclically in {@code (hole, i]};
     * otherwise it moves back into the hole.
     */
    static boolean staysAfterDeletion(int hole, int home, int i) {
        return hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
    }
}
