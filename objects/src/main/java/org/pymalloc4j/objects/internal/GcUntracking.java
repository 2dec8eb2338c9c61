package org.pymalloc4j.objects.internal;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;

/**
 * The collector's untracking of survivors that cannot be in a cycle: tuples whose items are
 * all untracked (every collection; the walk is move_unreachable's, see GcCollection) and dicts
 * holding no container (full collections only, bpo-14775), as 3.11's {@code untrack_tuples}
 * and {@code untrack_dicts}.
 */
final class GcUntracking {
    private final Core core;
    private final GcState gc;

    GcUntracking(Core core) {
        this.core = core;
        this.gc = core.gc;
    }

    /**
     * untrack_dicts: {@code _PyDict_MaybeUntrack} on every survivor of a full collection, after
     * untrack_tuples (fused into move_unreachable, which counted the {@code survivors} and the
     * {@code dicts} among them); returns how many objects stay on the list (the long-lived
     * total). Without dicts among the survivors the list is not walked.
     */
    public long untrackDicts(long list, long survivors, long dicts) {
        if (dicts == 0) {
            return survivors;
        }
        long left = 0;
        long next;
        for (long g = GcHead.next(list); g != list; g = next) {
            next = GcHead.next(g);
            long o = g + GC_HEAD_LENGTH;
            if (getLong(o + OB_TYPE_OFFSET) == core.dictType && dictMayUntrack(o)) {
                gc.untrack(o);
            } else {
                left++;
            }
        }
        return left;
    }

    /** {@code _PyTuple_MaybeUntrack}'s test: every item untracked (or an atom), none missing. */
    boolean tupleMayUntrack(long t) {
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
