package org.pymalloc4j.objects.internal;

import java.util.function.LongPredicate;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;

/**
 * The collector's untracking of survivors that cannot be in a cycle: tuples whose items are
 * all untracked (every collection) and dicts holding no container (full collections only,
 * bpo-14775), as 3.11's {@code untrack_tuples} and {@code untrack_dicts}.
 */
final class GcUntracking {
    private final Core core;
    private final GcState gc;

    GcUntracking(Core core) {
        this.core = core;
        this.gc = core.gc;
    }

    /**
     * Dicts left on the list by the last {@link #untrackTuples}: when there are none,
     * {@link #untrackDicts} would untrack nothing, and its walk of the whole list is skipped.
     */
    private long dictsLeft;

    /**
     * untrack_tuples: {@code _PyTuple_MaybeUntrack} on every survivor; returns how many objects
     * stay on the list, and counts the dicts among them ({@link #dictsLeft}), in the same walk.
     */
    public long untrackTuples(long list) {
        long left = untrackIf(list, core.tupleType, this::tupleMayUntrack, core.dictType);
        dictsLeft = counted;
        return left;
    }

    /**
     * untrack_dicts: {@code _PyDict_MaybeUntrack} on every survivor of a full collection, right
     * after {@link #untrackTuples} on the same list; returns how many objects stay on the list
     * (the long-lived total), counted in the same walk. Without dicts among the survivors, the
     * count {@code untrackTuples} returned is the answer, and the list is not walked again.
     */
    public long untrackDicts(long list, long leftByTuples) {
        return dictsLeft == 0 ? leftByTuples : untrackIf(list, core.dictType, this::dictMayUntrack, 0);
    }

    /** Objects of the type {@link #untrackIf} was asked to count, among those it left. */
    private long counted;

    /**
     * Untracks the objects of {@code type} that {@code mayUntrack} allows; returns the objects
     * left, and counts in {@link #counted} those of them whose type is {@code countType}.
     */
    private long untrackIf(long list, long type, LongPredicate mayUntrack, long countType) {
        long left = 0;
        long ofCountType = 0;
        long next;
        for (long g = GcHead.next(list); g != list; g = next) {
            next = GcHead.next(g);
            long o = g + GC_HEAD_LENGTH;
            long t = getLong(o + OB_TYPE_OFFSET);
            if (t == type && mayUntrack.test(o)) {
                gc.untrack(o);
            } else {
                left++;
                if (t == countType) {
                    ofCountType++;
                }
            }
        }
        counted = ofCountType;
        return left;
    }

    private boolean tupleMayUntrack(long t) {
        for (long i = 0, n = Tuples.size(t); i < n; i++) {
            long item = Tuples.item(t, i);
            if (item == 0 || gc.mayBeTracked(item)) {
                return false; // not fully built, or may hold a cycle
            }
        }
        return true;
    }

    private boolean dictMayUntrack(long d) {
        boolean[] tracked = {false};
        core.behaviourOf(d).traverse(d, x -> tracked[0] |= gc.mayBeTracked(x));
        return !tracked[0];
    }
}
