package org.pymalloc4j.objects.internal;

import java.util.function.LongConsumer;

import org.pymalloc4j.objects.FreedObjectException;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.objects.BuiltinLayouts.LIST_ITEMS_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.TUPLE_ITEMS_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_VERSION_TAG_OFFSET;
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
 *  legacy finalizers:      finalizers == unreachable objects with tp_del and all they reach
 *  result == weakrefs freed by their callbacks + |final unreachable| + |finalizers|
 * </pre>
 * move_unreachable counts the candidates and notes whether any has a finalizer, a tp_del or
 * weakrefs. Without them the steps between (legacy finalizers, weakrefs, finalize_garbage,
 * handle_resurrected_objects) would find nothing, and tp_clear runs over the unreachable list
 * as it stands, NEXT_MASK_UNREACHABLE and all ({@link GcHead#remove} is mask-safe): a plain
 * cycle costs three passes and its deallocation. Otherwise one pass makes the list normal,
 * moves the tp_del objects out and looks closer, and those steps run.
 *
 * <p>Checked mode: subtract_refs, the first phase to read a referent's header, first checks
 * that the referent is live. A container can hold a freed object only if unbalanced decrefs
 * freed it behind the container's back; reading its type word (the dead marker) as a type
 * would crash the JVM. Nor may a referent's gc_refs go below zero: containers then hold it more
 * often than its refcount counts, and one of them will free it behind the others' backs. The
 * collection is then abandoned before anything but gc_refs changed: the prev links update_refs
 * overwrote are rebuilt and the error names both objects.
 */
public final class GcCollection {
    private final Core core;
    private final GcState gc;
    private final Weakrefs weakrefs;
    private final Runnable clearFreeLists;
    /** visit_decref: a referent in the generation being collected loses one gc_ref. */
    private final LongConsumer visitDecref = this::decrefIfCollecting;
    /** update_refs and visit_decref at once, for {@link #subtractRefs} over every tracked object. */
    private final LongConsumer visitStartAndDecref = this::startAndDecref;
    /** visit_reachable, appending to {@link #base}. */
    private final LongConsumer visitReachable;
    /** visit_move, into the finalizers list. */
    private final LongConsumer visitMove;
    private long base;
    /** Checked mode: the container subtract_refs is walking, for the error naming it. */
    private long visiting;
    /** {@code gc.garbage}. */
    public final GcGarbageList garbage;
    private final GcUntracking untracking;
    // What the pass over the unreachable set found.
    private long candidates;
    private boolean weakrefWork;
    private boolean finalizerWork;
    /** Set by handle_weakrefs: it called callbacks, code that may have resurrected candidates. */
    private boolean callbacksCalled;
    /** Set by move_unreachable: a candidate has a finalizer, a tp_del, or weakrefs. */
    private boolean unusual;
    /** Counted by move_unreachable when it untracks tuples: the reachable objects left tracked, and the dicts among them. */
    private long survivors;
    private long survivingDicts;
    /** Collected and uncollectable counts of the last collection, for the callbacks' info. */
    public long lastCollected;
    public long lastUncollectable;

    public GcCollection(Core core, Lists lists, Weakrefs weakrefs, Runnable clearFreeLists) {
        this.core = core;
        this.gc = core.gc;
        this.weakrefs = weakrefs;
        this.clearFreeLists = clearFreeLists;
        this.garbage = new GcGarbageList(core, lists);
        this.untracking = new GcUntracking(core);
        this.visitReachable = this::visitReachable;
        this.visitMove = o -> {
            long g = o - GC_HEAD_LENGTH;
            if (gc.isGc(o) && GcHead.isCollecting(g)) {
                GcHead.move(g, gc.finalizers());
                GcHead.clearCollecting(g);
            }
        };
    }

    /** Collects {@code generation} (younger ones merged in): collected plus uncollectable objects. */
    public long collect(int generation) {
        long started = System.nanoTime();
        if ((gc.debug & GcState.DEBUG_STATS) != 0) {
            gc.debugOut.printf("gc: collecting generation %d...%n", generation);
            gc.debugOut.printf("gc: objects in each generation: %d %d %d%n", GcHead.size(gc.generation(0)),
                    GcHead.size(gc.generation(1)), GcHead.size(gc.generation(2)));
            gc.debugOut.printf("gc: objects in permanent generation: %d%n", GcHead.size(gc.permanent()));
        }
        GenerationMerge merge = new GenerationMerge(gc, generation);
        long young = gc.generation(generation);
        long old = generation < GENERATIONS - 1 ? gc.generation(generation + 1) : young;
        long unreachable = gc.unreachable();
        try {
            deduceUnreachable(young, unreachable, young == old && GcHead.isEmpty(gc.permanent()), true);
        } catch (FreedObjectException e) {
            // Thrown by subtract_refs, before any object moved: links, generations (and counts) as they were.
            merge.undo(!gc.automatic);
            throw e;
        }

        if (young != old) {
            if (generation == GENERATIONS - 2) {
                gc.longLivedPending += survivors;
            }
            GcHead.merge(young, old);
        } else {
            gc.longLivedTotal = untracking.untrackDicts(young, survivors, survivingDicts); // full collections only (bpo-14775)
            gc.longLivedPending = 0;
        }

        long finalizers = gc.finalizers();
        GcHead.init(finalizers);
        long m;
        if (!unusual && (gc.debug & GcState.DEBUG_COLLECTABLE) == 0) {
            // No finalizer, weakref or tp_del among the candidates: the steps between would find
            // nothing, so tp_clear goes over the list as move_unreachable left it (mask and all).
            m = candidates;
            deleteGarbage(unreachable, old);
        } else {
            try {
                m = collectUnusual(unreachable, finalizers, old);
            } catch (FreedObjectException e) {
                // A finalizer or callback left a dangling reference, met by the second reachability
                // pass's subtract_refs: the candidates go back to the old generation, links rebuilt.
                GcHead.restorePrevLinks(unreachable);
                GcHead.merge(unreachable, old);
                GcHead.merge(finalizers, old);
                throw e;
            }
        }

        long n = GcHead.size(finalizers);
        debugCycles("uncollectable", finalizers, GcState.DEBUG_UNCOLLECTABLE);
        if ((gc.debug & GcState.DEBUG_STATS) != 0) {
            gc.debugOut.printf("gc: done, %d unreachable, %d uncollectable, %.4fs elapsed%n",
                    n + m, n, (System.nanoTime() - started) / 1e9);
        }
        handleLegacyFinalizers(finalizers, old);
        if (generation == GENERATIONS - 1) {
            clearFreeLists.run();
        }
        gc.collections[generation]++;
        gc.collected[generation] += m;
        gc.uncollectable[generation] += n;
        lastCollected = m;
        lastUncollectable = n;
        return n + m;
    }

    /**
     * The steps from move_legacy_finalizers to delete_garbage, for a candidate set with
     * finalizers, weakrefs or tp_del objects in it: returns the number of objects collected.
     */
    private long collectUnusual(long unreachable, long finalizers, long old) {
        scanUnreachable(unreachable, finalizers);
        if (!GcHead.isEmpty(finalizers)) {
            moveLegacyFinalizerReachable(finalizers);
            candidates = GcHead.size(unreachable);
        }
        debugCycles("collectable", unreachable, GcState.DEBUG_COLLECTABLE);

        long m = 0;
        boolean codeRan = false;
        if (weakrefWork) {
            m += handleWeakrefs(unreachable, old);
            codeRan = callbacksCalled;
        }
        if (finalizerWork) {
            codeRan |= finalizeGarbage(unreachable);
        }
        long collectable = unreachable;
        if (codeRan) {
            collectable = gc.stillUnreachable();
            handleResurrectedObjects(unreachable, collectable, old);
            candidates = GcHead.size(collectable);
        }
        m += candidates;
        deleteGarbage(collectable, old);
        return m;
    }

    /**
     * deduce_unreachable: update_refs, subtract_refs, move_unreachable; the first two in one
     * pass when {@code containers} holds every tracked object; with {@code untrackTuples}, the
     * collection's untrack_tuples in move_unreachable's pass.
     */
    private void deduceUnreachable(long containers, long unreachable, boolean everyTrackedObject,
                                   boolean untrackTuples) {
        GcHead.init(unreachable);
        if (!everyTrackedObject) {
            updateRefs(containers);
        }
        subtractRefs(containers, everyTrackedObject);
        moveUnreachable(containers, unreachable, untrackTuples);
    }

    /** update_refs for one object: gc_refs = refcount, COLLECTING set, FINALIZED kept; refused at 0 (CPython asserts). */
    private static void startRefs(long g) {
        long rc = getLong(g + GC_HEAD_LENGTH);
        if (rc <= 0) {
            throw new FreedObjectException(g + GC_HEAD_LENGTH, String.format("the object at 0x%x is tracked with refcount"
                    + " %d (deallocated, or being deallocated, while still tracked); nothing was freed", g + GC_HEAD_LENGTH, rc));
        }
        GcHead.resetRefs(g, rc);
    }

    /** update_refs. */
    private static void updateRefs(long containers) {
        for (long g = GcHead.next(containers); g != containers; g = GcHead.next(g)) {
            startRefs(g);
        }
    }

    /**
     * subtract_refs: each reference from inside the set takes one off its target's gc_refs.
     * With {@code startAsMet}, update_refs happens in the same pass: the set is every tracked
     * object (a full collection with nothing frozen), so a referent is in it iff it is tracked
     * and gets its gc_refs from its refcount when first met, maybe before its own turn;
     * COLLECTING, never set outside a collection, says whether that has happened. Lists and
     * tuples, most of any heap, are walked here rather than through their type's traverse and
     * a visitor: the same visits (their order does not matter in this phase).
     */
    private void subtractRefs(long containers, boolean startAsMet) {
        LongConsumer visit = startAsMet ? visitStartAndDecref : visitDecref;
        for (long g = GcHead.next(containers); g != containers; g = GcHead.next(g)) {
            if (startAsMet && !GcHead.isCollecting(g)) {
                startRefs(g);
            }
            long o = g + GC_HEAD_LENGTH;
            visiting = o;
            long type = getLong(o + OB_TYPE_OFFSET);
            if (type == core.listType) {
                subtractItems(getLong(o + LIST_ITEMS_OFFSET), Lists.size(o), startAsMet);
            } else if (type == core.tupleType) {
                subtractItems(o + TUPLE_ITEMS_OFFSET, Tuples.size(o), startAsMet);
            } else {
                core.behaviourOf(o).traverse(o, visit);
            }
        }
    }

    private void subtractItems(long items, long n, boolean startAsMet) {
        for (long i = 0; i < n; i++) {
            long r = getLong(items + 8 * i);
            if (r == 0) {
                continue;
            }
            if (startAsMet) {
                startAndDecref(r);
            } else {
                decrefIfCollecting(r);
            }
        }
    }

    /** visit_decref: a referent in the set being collected loses one gc_ref. */
    private void decrefIfCollecting(long r) {
        if (core.checked) {
            checkReferent(r);
        }
        long g = r - GC_HEAD_LENGTH;
        if (gc.isGc(r) && GcHead.isCollecting(g)) {
            decrementRefs(r, g);
        }
    }

    /**
     * gc_decref, the word read once. Checked mode refuses to go below zero, where CPython's debug
     * build stops ("refcount is too small"); unchecked, gc_refs wraps round and the object is kept.
     */
    private void decrementRefs(long r, long g) {
        long word = GcHead.prevWord(g);
        if (core.checked && word >>> GcHead.PREV_SHIFT == 0) {
            throw new FreedObjectException(r, String.format("the %s object at 0x%x holds the %s object at 0x%x, "
                    + "whose refcount (%d) is smaller than the references containers hold to it (more decrefs "
                    + "than increfs while it was still referenced); nothing was freed", core.typeName(visiting),
                    visiting, core.typeName(r), r, getLong(r)));
        }
        GcHead.setPrevWord(g, word - (1L << GcHead.PREV_SHIFT));
    }

    /** visit_decref for {@code startAsMet}: a tracked referent starts its gc_refs if not yet, then loses one. */
    private void startAndDecref(long r) {
        if (core.checked) {
            checkReferent(r);
        }
        long g = r - GC_HEAD_LENGTH;
        if (gc.isGc(r) && GcHead.next(g) != 0) {
            if (!GcHead.isCollecting(g)) {
                startRefs(g);
            }
            decrementRefs(r, g);
        }
    }

    /** Checked mode: {@code r}, a referent of {@link #visiting}, is a live object (see the class comment). */
    private void checkReferent(long r) {
        if (!core.isHeldLive(r)) {
            throw new FreedObjectException(r, String.format("the %s object at 0x%x holds a reference to the freed "
                    + "object at 0x%x (more decrefs than increfs while it was still referenced); nothing was "
                    + "freed", core.typeName(visiting), visiting, r));
        }
    }

    /**
     * move_unreachable, one pass in list order: an object still counted from outside is
     * reachable, and so is whatever it refers to (moved back to the end of the list if already
     * set aside); an object at gc_refs 0 when the pass meets it is set aside tentatively,
     * marked NEXT_MASK_UNREACHABLE in a list only forward-linked until the pass ends.
     *
     * <p>With {@code untrackTuples}, it is also CPython's untrack_tuples, which runs over the
     * list this pass leaves, in its order: the pass meets the reachable objects in that very
     * order, last scanned last, so a tuple untracked as the pass leaves it sees the same items
     * tracked as it would in a walk of its own. The objects left tracked, and the dicts among
     * them, are counted ({@link #survivors}), for untrack_dicts and the long-lived counts.
     */
    private void moveUnreachable(long young, long unreachable, boolean untrackTuples) {
        base = young;
        candidates = 0;
        unusual = false;
        survivors = 0;
        survivingDicts = 0;
        long prev = young;
        long g = GcHead.next(young);
        while (g != young) {
            if (GcHead.refs(g) != 0) {
                long o = g + GC_HEAD_LENGTH;
                // visit_reachable may change g's _gc_next when g is young's last: read it after
                core.behaviourOf(o).traverse(o, visitReachable);
                long type = getLong(o + OB_TYPE_OFFSET);
                if (untrackTuples && type == core.tupleType && untracking.tupleMayUntrack(o)) {
                    untrackScanned(prev, g);
                } else {
                    GcHead.setPrev(g, prev);
                    GcHead.clearCollecting(g);
                    prev = g;
                    survivors++;
                    if (type == core.dictType) {
                        survivingDicts++;
                    }
                }
            } else {
                GcHead.setNext(prev, GcHead.next(g));
                long last = GcHead.prevWord(unreachable);
                GcHead.setNext(last, NEXT_MASK_UNREACHABLE | g);
                GcHead.setPrev(g, last);
                GcHead.setNext(g, NEXT_MASK_UNREACHABLE | unreachable);
                GcHead.setPrevWord(unreachable, g);
                candidates++;
                unusual |= isUnusual(g + GC_HEAD_LENGTH);
            }
            g = GcHead.next(prev);
        }
        GcHead.setPrevWord(young, prev);
        GcHead.setNext(unreachable, GcHead.next(unreachable) & ~NEXT_MASK_UNREACHABLE);
    }

    /**
     * untrack_tuples' {@code _PyObject_GC_UNTRACK} of {@code g}, just scanned by move_unreachable
     * after {@code prev}: unlinked, next 0, and of its prev word only FINALIZED kept. Its
     * successor's prev link is written when the pass meets it.
     */
    private static void untrackScanned(long prev, long g) {
        GcHead.setNext(prev, GcHead.next(g));
        GcHead.setNext(g, 0);
        GcHead.setPrevWord(g, GcHead.prevWord(g) & GcHead.PREV_MASK_FINALIZED);
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
            GcHead.append(g, base);
            GcHead.setRefs(g, 1);
            candidates--;
        } else if (GcHead.refs(g) == 0) {
            GcHead.setRefs(g, 1); // ahead in young: tell move_unreachable it is reachable
        }
    }

    /**
     * move_legacy_finalizers, fused with counting: every candidate loses NEXT_MASK_UNREACHABLE;
     * those with {@code tp_del} go to {@code finalizers} (COLLECTING cleared); the rest are
     * counted, and checked for weakrefs (being one, or having some) and unrun finalizers.
     */
    private void scanUnreachable(long unreachable, long finalizers) {
        long n = 0;
        boolean weak = false;
        boolean fin = false;
        long next;
        for (long g = GcHead.next(unreachable); g != unreachable; g = next) {
            next = GcHead.next(g) & ~NEXT_MASK_UNREACHABLE;
            GcHead.setNext(g, next);
            long o = g + GC_HEAD_LENGTH;
            long type = getLong(o + OB_TYPE_OFFSET);
            int traits = core.types.traits(getInt(type + TP_VERSION_TAG_OFFSET));
            if (traits != 0) {
                if ((traits & TypeBehaviour.LEGACY_FINALIZER) != 0) {
                    GcHead.clearCollecting(g);
                    GcHead.move(g, finalizers);
                    continue;
                }
                weak |= (traits & TypeBehaviour.WEAKREF) != 0;
                fin |= (traits & TypeBehaviour.FINALIZER) != 0 && !GcHead.isFinalized(g);
            }
            weak |= weakrefs.hasWeakrefs(o);
            n++;
        }
        candidates = n;
        weakrefWork = weak;
        finalizerWork = fin;
    }

    /** A finalizer or tp_del in its type, or a weakref: being one, or having some pointing at it. */
    private boolean isUnusual(long o) {
        long type = getLong(o + OB_TYPE_OFFSET);
        return core.types.traits(getInt(type + TP_VERSION_TAG_OFFSET)) != 0 || weakrefs.hasWeakrefs(o);
    }

    /** move_legacy_finalizer_reachable: what the finalizers reach is uncollectable too. */
    private void moveLegacyFinalizerReachable(long finalizers) {
        for (long g = GcHead.next(finalizers); g != finalizers; g = GcHead.next(g)) {
            long o = g + GC_HEAD_LENGTH;
            core.behaviourOf(o).traverse(o, visitMove);
        }
    }

    private void debugCycles(String what, long list, int flag) {
        if ((gc.debug & flag) != 0) {
            for (long g = GcHead.next(list); g != list; g = GcHead.next(g)) {
                long o = g + GC_HEAD_LENGTH;
                gc.debugOut.printf("gc: %s <%s 0x%x>%n", what, core.typeName(o), o);
            }
        }
    }

    /**
     * handle_weakrefs: every weakref to a candidate is cleared (and every candidate that is a
     * weakref); the callbacks of those that are not garbage themselves run after all the
     * clearing, each weakref held alive across its call. Returns the weakrefs that died then.
     */
    private long handleWeakrefs(long unreachable, long old) {
        long toCall = gc.weakrefCallbacks();
        GcHead.init(toCall);
        for (long g = GcHead.next(unreachable); g != unreachable; g = GcHead.next(g)) {
            long o = g + GC_HEAD_LENGTH;
            if (getLong(o + OB_TYPE_OFFSET) == core.weakrefType) {
                weakrefs.clearRef(o);
            }
            long list = weakrefs.listOf(o);
            if (list == 0) {
                continue;
            }
            for (long wr = getLong(list); wr != 0; wr = getLong(list)) {
                weakrefs.clearRef(wr);
                if (!weakrefs.hasCallback(wr) || GcHead.isCollecting(wr - GC_HEAD_LENGTH)) {
                    continue; // no callback, or the weakref is garbage too: its callback never runs
                }
                core.increfLive(wr);
                GcHead.move(wr - GC_HEAD_LENGTH, toCall);
            }
        }
        long freed = 0;
        callbacksCalled = !GcHead.isEmpty(toCall);
        while (!GcHead.isEmpty(toCall)) {
            long g = GcHead.next(toCall);
            long wr = g + GC_HEAD_LENGTH;
            weakrefs.runCallback(wr);
            decrefReported(wr);
            if (GcHead.next(toCall) == g) {
                GcHead.move(g, old); // still alive
            } else {
                freed++;
            }
        }
        return freed;
    }

    /**
     * finalize_garbage: each candidate's finalizer, once per object (FINALIZED set before the
     * call), the object held alive across it; the list may lose members meanwhile. Returns
     * whether any finalizer ran.
     */
    private boolean finalizeGarbage(long collectable) {
        long seen = gc.seen();
        GcHead.init(seen);
        boolean ran = false;
        while (!GcHead.isEmpty(collectable)) {
            long g = GcHead.next(collectable);
            long o = g + GC_HEAD_LENGTH;
            GcHead.move(g, seen);
            if (!GcHead.isFinalized(g) && (core.types.traits(core.typeIndex(o)) & TypeBehaviour.FINALIZER) != 0) {
                GcHead.setFinalized(g);
                core.increfLive(o);
                core.behaviourOf(o).finalize(o);
                decrefReported(o);
                ran = true;
            }
        }
        GcHead.merge(seen, collectable);
        return ran;
    }

    /** Releases the collection's reference; a refused release or deallocation is reported: thrown, it would strand the rest. */
    private void decrefReported(long o) {
        try {
            core.decref(o);
        } catch (RuntimeException e) {
            Unraisable.report(e);
        }
    }

    /**
     * handle_resurrected_objects: reachability again, over the candidates alone; what code run
     * meanwhile made reachable from outside goes to {@code old}, the rest to {@code still}.
     */
    private void handleResurrectedObjects(long unreachable, long still, long old) {
        for (long g = GcHead.next(unreachable); g != unreachable; g = GcHead.next(g)) {
            GcHead.clearCollecting(g);
        }
        deduceUnreachable(unreachable, still, false, false);
        for (long g = GcHead.next(still); g != still; g = GcHead.next(g)) {
            GcHead.setNext(g, GcHead.next(g) & ~NEXT_MASK_UNREACHABLE);
        }
        GcHead.merge(unreachable, old);
    }

    /**
     * delete_garbage: with DEBUG_SAVEALL each object goes to {@code gc.garbage}; else tp_clear,
     * holding a reference across it, so cycles fall apart and their objects are deallocated
     * (and untracked, leaving the list). One still at the head afterwards is alive and moves to
     * {@code old}. The objects are tracked, hence live: no liveness check is needed on them.
     */
    private void deleteGarbage(long collectable, long old) {
        boolean saveAll = (gc.debug & GcState.DEBUG_SAVEALL) != 0;
        long g;
        while ((g = GcHead.next(collectable) & ~NEXT_MASK_UNREACHABLE) != collectable) {
            long o = g + GC_HEAD_LENGTH;
            if (saveAll) {
                garbage.save(o); // if it cannot be saved, it stays alive and moves to old below
            } else {
                core.increfLive(o);
                try {
                    core.behaviourOf(o).clear(o);
                } catch (RuntimeException e) {
                    Unraisable.report(e);
                } finally {
                    core.decrefLive(o);
                }
            }
            if ((GcHead.next(collectable) & ~NEXT_MASK_UNREACHABLE) == g) {
                GcHead.clearCollecting(g);
                GcHead.move(g, old);
            }
        }
        GcHead.init(collectable); // its next word may still carry the mask
    }

    /** handle_legacy_finalizers: the tp_del objects (all, with SAVEALL) to gc.garbage; the list to old. */
    private void handleLegacyFinalizers(long finalizers, long old) {
        boolean saveAll = (gc.debug & GcState.DEBUG_SAVEALL) != 0;
        for (long g = GcHead.next(finalizers); g != finalizers; g = GcHead.next(g)) {
            long o = g + GC_HEAD_LENGTH;
            if ((saveAll || (core.types.traits(core.typeIndex(o)) & TypeBehaviour.LEGACY_FINALIZER) != 0)
                    && !garbage.save(o)) {
                break;
            }
        }
        GcHead.merge(finalizers, old);
    }

}
