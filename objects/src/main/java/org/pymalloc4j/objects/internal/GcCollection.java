package org.pymalloc4j.objects.internal;

import java.util.function.LongConsumer;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;
import static org.pymalloc4j.objects.internal.GcHead.NEXT_MASK_UNREACHABLE;
import static org.pymalloc4j.objects.internal.GcState.GENERATIONS;

/**
 * CPython 3.11's {@code gc_collect_main} over the space's native GC heads. Every phase is a
 * loop over a list; traversal visits referents one level deep, so no object graph, however
 * long its chains or cycles, deepens the Java stack (deallocations set off by
 * {@code tp_clear} are cut by the trashcan).
 *
 * <pre>
 *  after update_refs:      gc_refs(o) == refcount(o) for o in young, COLLECTING set
 *  after subtract_refs:    gc_refs(o) == references to o from outside young  (&gt;= 0)
 *  after move_unreachable: young == reachable from an o with gc_refs &gt; 0 (flags clear),
 *                          unreachable == the rest (COLLECTING still set)
 *  result == |unreachable| (no finalizers or weakrefs exist yet: none is uncollectable)
 * </pre>
 * Without legacy finalizers, {@code tp_finalize} or weak references in this object model,
 * 3.11's steps for them (move_legacy_finalizers' moves, handle_weakrefs, finalize_garbage,
 * handle_resurrected_objects) find nothing to do, and are not written.
 */
public final class GcCollection {
    private final Core core;
    private final GcState gc;
    private final Runnable clearFreeLists;
    /** visit_decref: a referent in the generation being collected loses one gc_ref. */
    private final LongConsumer visitDecref;
    /** visit_reachable, appending to {@link #young}. */
    private final LongConsumer visitReachable;
    private long young;

    public GcCollection(Core core, GcState gc, Runnable clearFreeLists) {
        this.core = core;
        this.gc = gc;
        this.clearFreeLists = clearFreeLists;
        this.visitDecref = o -> {
            long g = o - GC_HEAD_LENGTH;
            if (gc.isGc(o) && GcHead.isCollecting(g)) {
                GcHead.decrementRefs(g);
            }
        };
        this.visitReachable = this::visitReachable;
    }

    /** Collects {@code generation} (younger ones merged in): the number of unreachable objects. */
    public long collect(int generation) {
        if (generation + 1 < GENERATIONS) {
            gc.count[generation + 1]++;
        }
        for (int i = 0; i <= generation; i++) {
            gc.count[i] = 0;
        }
        for (int i = 0; i < generation; i++) {
            GcHead.merge(gc.generation(i), gc.generation(generation));
        }
        young = gc.generation(generation);
        long old = generation < GENERATIONS - 1 ? gc.generation(generation + 1) : young;
        long unreachable = gc.unreachable();
        GcHead.init(unreachable);

        updateRefs(young);
        subtractRefs(young);
        moveUnreachable(young, unreachable);

        untrackTuples(young);
        if (young != old) {
            if (generation == GENERATIONS - 2) {
                gc.longLivedPending += GcHead.size(young);
            }
            GcHead.merge(young, old);
        } else {
            untrackDicts(young); // only in full collections (bpo-14775)
            gc.longLivedPending = 0;
            gc.longLivedTotal = GcHead.size(young);
        }
        clearUnreachableMask(unreachable);

        long m = GcHead.size(unreachable);
        deleteGarbage(unreachable, old);
        if (generation == GENERATIONS - 1) {
            clearFreeLists.run();
        }
        gc.collections[generation]++;
        gc.collected[generation] += m;
        return m;
    }

    /** update_refs: gc_refs = refcount, COLLECTING set, FINALIZED kept. */
    private static void updateRefs(long containers) {
        for (long g = GcHead.next(containers); g != containers; g = GcHead.next(g)) {
            long rc = getLong(g + GC_HEAD_LENGTH);
            if (rc <= 0) {
                throw new IllegalStateException(String.format(
                        "tracked object 0x%x has refcount %d", g + GC_HEAD_LENGTH, rc));
            }
            GcHead.resetRefs(g, rc);
        }
    }

    /** subtract_refs: each reference from inside the set takes one off its target's gc_refs. */
    private void subtractRefs(long containers) {
        for (long g = GcHead.next(containers); g != containers; g = GcHead.next(g)) {
            long o = g + GC_HEAD_LENGTH;
            core.behaviourOf(o).traverse(o, visitDecref);
        }
    }

    /**
     * move_unreachable, one pass in list order: an object still counted from outside is
     * reachable, and so is whatever it refers to (moved back to the end of young if already
     * set aside); an object at gc_refs 0 when the pass meets it is set aside tentatively,
     * marked NEXT_MASK_UNREACHABLE in a list only forward-linked until the pass ends.
     */
    private void moveUnreachable(long young, long unreachable) {
        long prev = young;
        long g = GcHead.next(young);
        while (g != young) {
            if (GcHead.refs(g) != 0) {
                long o = g + GC_HEAD_LENGTH;
                // visit_reachable may change g's _gc_next when g is young's last: read it after
                core.behaviourOf(o).traverse(o, visitReachable);
                GcHead.setPrev(g, prev);
                GcHead.clearCollecting(g);
                prev = g;
            } else {
                GcHead.setNext(prev, GcHead.next(g));
                long last = GcHead.prevWord(unreachable);
                GcHead.setNext(last, NEXT_MASK_UNREACHABLE | g);
                GcHead.setPrev(g, last);
                GcHead.setNext(g, NEXT_MASK_UNREACHABLE | unreachable);
                GcHead.setPrevWord(unreachable, g);
            }
            g = GcHead.next(prev);
        }
        GcHead.setPrevWord(young, prev);
        GcHead.setNext(unreachable, GcHead.next(unreachable) & ~NEXT_MASK_UNREACHABLE);
    }

    private void visitReachable(long o) {
        if (!gc.isGc(o)) {
            return;
        }
        long g = o - GC_HEAD_LENGTH;
        if (!GcHead.isCollecting(g)) {
            return; // another generation, or already scanned by move_unreachable
        }
        long next = GcHead.next(g);
        if ((next & NEXT_MASK_UNREACHABLE) != 0) {
            // set aside earlier, reachable after all: unlink by hand (the list is polluted)
            long prev = GcHead.prev(g);
            GcHead.setNext(prev, next); // keeps NEXT_MASK_UNREACHABLE
            GcHead.setPrev(next & ~NEXT_MASK_UNREACHABLE, prev);
            GcHead.append(g, young);
            GcHead.setRefs(g, 1);
        } else if (GcHead.refs(g) == 0) {
            GcHead.setRefs(g, 1); // ahead in young: tell move_unreachable it is reachable
        }
    }

    /** move_legacy_finalizers' first duty: the unreachable list becomes a normal list. */
    private static void clearUnreachableMask(long unreachable) {
        for (long g = GcHead.next(unreachable); g != unreachable; g = GcHead.next(g)) {
            GcHead.setNext(g, GcHead.next(g) & ~NEXT_MASK_UNREACHABLE);
        }
    }

    /** untrack_tuples: {@code _PyTuple_MaybeUntrack} on every survivor. */
    private void untrackTuples(long list) {
        long next;
        for (long g = GcHead.next(list); g != list; g = next) {
            next = GcHead.next(g);
            long o = g + GC_HEAD_LENGTH;
            if (getLong(o + OB_TYPE_OFFSET) == core.tupleType && tupleMayUntrack(o)) {
                gc.untrack(o);
            }
        }
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

    /** untrack_dicts: {@code _PyDict_MaybeUntrack} on every survivor of a full collection. */
    private void untrackDicts(long list) {
        long next;
        for (long g = GcHead.next(list); g != list; g = next) {
            next = GcHead.next(g);
            long o = g + GC_HEAD_LENGTH;
            if (getLong(o + OB_TYPE_OFFSET) == core.dictType && dictMayUntrack(o)) {
                gc.untrack(o);
            }
        }
    }

    private boolean dictMayUntrack(long d) {
        boolean[] tracked = {false};
        core.behaviourOf(d).traverse(d, x -> tracked[0] |= gc.mayBeTracked(x));
        return !tracked[0];
    }

    /**
     * delete_garbage: tp_clear on each object, holding a reference across it; clearing drops
     * references, so cycles fall apart and their objects are deallocated (and untracked, leaving
     * the list). One still at the head afterwards is alive and moves to {@code old}.
     */
    private void deleteGarbage(long collectable, long old) {
        while (!GcHead.isEmpty(collectable)) {
            long g = GcHead.next(collectable);
            long o = g + GC_HEAD_LENGTH;
            core.incref(o);
            try {
                core.behaviourOf(o).clear(o);
            } finally {
                core.decref(o);
            }
            if (GcHead.next(collectable) == g) {
                GcHead.clearCollecting(g);
                GcHead.move(g, old);
            }
        }
    }
}
