package org.pymalloc4j.objects;

import java.util.List;
import java.util.function.LongSupplier;

import org.pymalloc4j.allocator.MemoryLimitExceededError;

/** Fills a memory under a limit, for the tests of what a refused allocation leaves. */
final class Fill {
    private Fill() {
    }

    /**
     * Adds what {@code make} returns to {@code into} until the memory's limit refuses it, then
     * returns: that size class is full and no arena is left for another pool.
     */
    static void untilRefused(List<Long> into, LongSupplier make) {
        try {
            while (true) {
                into.add(make.getAsLong());
            }
        } catch (MemoryLimitExceededError full) {
            // the limit reached
        }
    }

    /** Lists, then floats (the smaller class), until neither fits. */
    static void listsThenFloats(ObjectSpace s, List<Long> into) {
        untilRefused(into, () -> s.lists().newList());
        untilRefused(into, () -> s.floats().newFloat(into.size()));
    }
}
