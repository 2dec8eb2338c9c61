package org.pymalloc4j.objects.internal;

import static org.pymalloc4j.objects.internal.GcState.GENERATIONS;

/**
 * A collection's start, as {@code gc_collect_main} makes it: the counts updated and the younger
 * generations merged into the one collected. What it changed is remembered, so that a collection
 * its first phase refuses, before any object moved, can {@link #undo} it.
 *
 * <pre>
 *  after:  generation(g) = its own objects, then generation(0)'s, ..., then generation(g-1)'s
 *  undo:   each younger generation cut off again from where it began (first[i]), counts restored
 *          unless the collection was automatic (see GcState#collectAutomatically)
 * </pre>
 */
final class GenerationMerge {
    private final GcState gc;
    private final int generation;
    private final int[] countsBefore;
    /** Where each younger generation began in the merged list; 0 if it was empty. */
    private final long[] first;

    GenerationMerge(GcState gc, int generation) {
        this.gc = gc;
        this.generation = generation;
        this.countsBefore = gc.count.clone();
        this.first = new long[generation];
        for (int i = 0; i < generation; i++) {
            first[i] = GcHead.isEmpty(gc.generation(i)) ? 0 : GcHead.next(gc.generation(i));
        }
        if (generation + 1 < GENERATIONS) {
            gc.count[generation + 1]++;
        }
        for (int i = 0; i <= generation; i++) {
            gc.count[i] = 0;
        }
        for (int i = 0; i < generation; i++) {
            GcHead.merge(gc.generation(i), gc.generation(generation));
        }
    }

    /**
     * Puts the younger generations back after a first phase that moved no object but wrote
     * reference counts over the merged list's prev links, which are rebuilt first; and the
     * counts, if {@code counts}.
     */
    void undo(boolean counts) {
        GcHead.restorePrevLinks(gc.generation(generation));
        for (int i = generation - 1; i >= 0; i--) {
            if (first[i] != 0) {
                GcHead.splitOff(gc.generation(generation), first[i], gc.generation(i));
            }
        }
        if (counts) {
            System.arraycopy(countsBefore, 0, gc.count, 0, countsBefore.length);
        }
    }
}
