package org.pymalloc4j.objects.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_SIZE_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_VERSION_TAG_OFFSET;

/**
 * The expensive whole-space check ({@code ObjectSpace.checkInvariants()}). Invariants:
 * <pre>
 *  types:      tag(address(i)) == i  and  find(address(i)) == i for every registered type
 *  free lists: size &lt;= max; entries distinct, not live: refcount == 0 and the type word
 *              their list's type; parked tuples keep ob_size == their list's size; parked dict
 *              keys distinct, of the minimum size and str-only, no live dict's (trace mode)
 *  trashcan:   depth == 0 between operations
 *  frames:     the data stack's invariant (DataStack)
 *  checked:    every object Core trusts (TrustedObjects: the newest, the two found last, the
 *              cached) is live (not parked, not DEAD, refcount &gt; 0); each cached one sits in
 *              its own slot; none but the newest is the newest; the two found last differ,
 *              and the last is cached
 *  statics:    refcount &gt; 0
 *  collector:  not collecting; its scratch lists (unreachable, finalizers ...) empty;
 *              each list of gen 0..2 and permanent well formed
 *              (prev(next(g)) == g, no COLLECTING or UNREACHABLE bit), each element a live
 *              GC object with refcount &gt; 0, in exactly one list; trace mode: a live GC object
 *              is listed ⇔ tracked (_gc_next != 0), and an untracked one's head is 0 but FINALIZED
 *  interned:   every entry a live str, flagged interned, equal to its key
 *  trace mode: live == |traced|; every traced object o has a registered type,
 *              refcount(o) &gt;= 1 and refcount(o) &gt;= references to o from traced objects and
 *              frames (the GC's subtract_refs can never go negative), each reference a live or
 *              static object; 0 &lt;= ob_size &lt;= allocated and ob_item set if allocated for
 *              lists; dict tables consistent;
 *              weakref lists as Weakrefs says (a dead weakref unlinked, a live one in its
 *              referent's list, linked both ways, the basic ref only at the head), and every
 *              callback kept for a live weakref
 * </pre>
 */
public final class SpaceValidator {
    private final Builtins b;
    private final Core core;

    public SpaceValidator(Builtins b) {
        this.b = b;
        this.core = b.core;
    }

    public void check() {
        checkTypes();
        Set<Long> parked = new HashSet<>();
        checkFreeList(b.floats.free, "float", core.floatType, -1, parked);
        checkFreeList(b.lists.free, "list", core.listType, -1, parked);
        checkFreeList(b.dicts.free, "dict", core.dictType, -1, parked);
        for (int n = 1; n <= Tuples.PARKED_SIZES; n++) {
            checkFreeList(b.tuples.free[n], n + "-tuple", core.tupleType, n, parked);
        }
        b.dicts.checkKeysFreeList();
        if (core.refusalPending()) {
            fail("a dangling reference met while deallocating was never thrown");
        }
        String stack = b.stack.check();
        if (stack != null) {
            fail(stack);
        }
        if (core.trashDepth() != 0) {
            fail("trashcan depth " + core.trashDepth() + " between operations");
        }
        checkTrusted(parked);
        for (long o : new long[] {b.none, b.ints.trueObject(), b.ints.falseObject(), b.ints.small(0), b.tuples.empty()}) {
            if (getLong(o) <= 0) {
                fail(String.format("static %s at 0x%x has refcount %d", core.typeName(o), o, getLong(o)));
            }
        }
        for (Map.Entry<String, Long> e : b.strs.internedView().entrySet()) {
            long s = e.getValue();
            if (core.typeOf(s) != core.strType || !Strs.isInterned(s) || !Strs.value(s).equals(e.getKey())
                    || getLong(s) <= 0) {
                fail(String.format("interned entry '%s' -> 0x%x is not a live interned str", e.getKey(), s));
            }
        }
        Set<Long> tracked = checkGenerations(parked);
        if (core.trace() != null) {
            checkLiveObjects(parked, tracked);
        }
    }

    /** The objects checked mode trusts without a probe are live (a header read only if it is in an arena). */
    private void checkTrusted(Set<Long> parked) {
        if (!core.checked) {
            return;
        }
        TrustedObjects trusted = core.trusted();
        checkTrusted(parked, trusted.newest(), "the newest object");
        long[] cached = trusted.cached();
        for (int slot = 0; slot < cached.length; slot++) {
            long o = cached[slot];
            checkTrusted(parked, o, "the cached object");
            if (o != 0 && (TrustedObjects.slotOf(o) != slot || o == trusted.newest())) {
                fail(String.format("the cached object 0x%x is in slot %d, or is also the newest object", o, slot));
            }
        }
        long last = trusted.lastFound();
        long before = trusted.foundBefore();
        checkTrusted(parked, last, "the object found live last");
        checkTrusted(parked, before, "the object found live before the last");
        if (last != 0 && (last == before || last == trusted.newest()) || before != 0 && before == trusted.newest()) {
            fail(String.format("the objects found live last, 0x%x and 0x%x, are the same or the newest object", last, before));
        }
        if (last != 0 && cached[TrustedObjects.slotOf(last)] != last) {
            fail(String.format("the object found live last, 0x%x, is not cached", last));
        }
    }

    private void checkTrusted(Set<Long> parked, long o, String which) {
        if (o == 0) {
            return;
        }
        boolean readable = core.heap() != null && core.heap().isArenaAddress(o);
        if (parked.contains(o) || readable && (core.typeOf(o) == Core.DEAD || getLong(o) <= 0)) {
            fail(String.format("%s 0x%x, which checked mode trusts without a probe, is not live", which, o));
        }
    }

    private Set<Long> checkGenerations(Set<Long> parked) {
        GcState gc = core.gc;
        if (gc.collecting) {
            fail("collector running between operations");
        }
        long[] scratch = {gc.unreachable(), gc.finalizers(), gc.weakrefCallbacks(), gc.stillUnreachable(), gc.seen()};
        for (long list : scratch) {
            if (GcHead.next(list) != list || GcHead.prevWord(list) != list) {
                fail(String.format("a collection's scratch list at 0x%x still holds objects: they are in no generation", list));
            }
        }
        Set<Long> tracked = new HashSet<>();
        long bound = core.liveObjects() + 1;
        for (int i = 0; i <= GcState.GENERATIONS; i++) {
            long list = i < GcState.GENERATIONS ? gc.generation(i) : gc.permanent();
            String name = i < GcState.GENERATIONS ? "generation " + i : "the permanent generation";
            long steps = 0;
            for (long g = list; ; ) {
                long next = GcHead.next(g);
                if ((next & GcHead.NEXT_MASK_UNREACHABLE) != 0 || (GcHead.prevWord(g) & GcHead.PREV_MASK_COLLECTING) != 0) {
                    fail(String.format("%s: head 0x%x keeps a collection flag", name, g));
                }
                if (GcHead.prev(next) != g) {
                    fail(String.format("%s: prev(next(0x%x)) is 0x%x", name, g, GcHead.prev(next)));
                }
                if (next == list) {
                    break;
                }
                if (++steps > bound) {
                    fail(name + ": more elements than live objects (a loop)");
                }
                long o = GcHead.object(next);
                if (parked.contains(o) || (core.checked && getLong(o + OB_TYPE_OFFSET) == Core.DEAD)
                        || !gc.isGc(o) || getLong(o) <= 0) {
                    fail(String.format("%s lists 0x%x, not a live GC object", name, o));
                }
                if (!tracked.add(o)) {
                    fail(String.format("0x%x is in two generation lists, or twice in one", o));
                }
                g = next;
            }
        }
        return tracked;
    }

    private void checkTypes() {
        TypeTable types = core.types;
        if (!types.lastAnswerIsCurrent()) {
            fail("the type table's kept behaviour is not the one its index now has");
        }
        for (int i = 0; i < types.bound(); i++) {
            long t = types.address(i);
            if (t == 0) {
                continue;
            }
            if (getInt(t + TP_VERSION_TAG_OFFSET) != i || types.find(t) != i) {
                fail(String.format("type %s at 0x%x: tag %d, find %d, index %d",
                        types.name(i), t, getInt(t + TP_VERSION_TAG_OFFSET), types.find(t), i));
            }
            if (getLong(t + OB_TYPE_OFFSET) != core.typeType) {
                fail(String.format("type %s at 0x%x: ob_type is not type", types.name(i), t));
            }
        }
    }

    private void checkFreeList(FreeList list, String kind, long type, long tupleSize, Set<Long> parked) {
        if (list.size() > list.max()) {
            fail(kind + " free list holds " + list.size() + " > " + list.max());
        }
        for (int i = 0; i < list.size(); i++) {
            long o = list.get(i);
            if (!parked.add(o)) {
                fail(String.format("0x%x parked twice (%s free list)", o, kind));
            }
            if (getLong(o) != 0 || getLong(o + OB_TYPE_OFFSET) != type) {
                fail(String.format("parked %s 0x%x has refcount %d and type word 0x%x, not 0 and its type", kind, o,
                        getLong(o), getLong(o + OB_TYPE_OFFSET)));
            }
            if (tupleSize >= 0 && getLong(o + OB_SIZE_OFFSET) != tupleSize) {
                fail(String.format("parked tuple 0x%x has ob_size %d on the %s list", o, getLong(o + OB_SIZE_OFFSET), kind));
            }
            if (core.trace() != null && core.trace().contains(o)) {
                fail(String.format("parked %s 0x%x is also live", kind, o));
            }
        }
    }

    private void checkLiveObjects(Set<Long> parked, Set<Long> tracked) {
        TraceRefs trace = core.trace();
        if (trace.size() != core.liveObjects()) {
            fail("live object count " + core.liveObjects() + " but " + trace.size() + " traced");
        }
        Map<Long, Long> internalRefs = new HashMap<>();
        for (TraceRefs.Entry e : trace.entries()) {
            long o = e.address();
            long type = getLong(o + OB_TYPE_OFFSET);
            int t = core.types.find(type);
            if (t < 0) {
                fail(String.format("live object 0x%x (serial %d) has no valid type: 0x%x", o, e.serial(), type));
            }
            if (getLong(o) < 1) {
                fail(String.format("live %s 0x%x has refcount %d", core.typeName(o), o, getLong(o)));
            }
            if (type == core.listType) {
                long size = Lists.size(o);
                long allocated = Lists.allocated(o);
                if (size < 0 || size > allocated || allocated != 0 && getLong(o + 24) == 0) {
                    fail(String.format("list 0x%x: ob_size %d, allocated %d, ob_item 0x%x", o, size, allocated, getLong(o + 24)));
                }
            } else if (type == core.dictType) {
                b.dicts.check(o);
            } else if (type == core.weakrefType) {
                String wrong = b.weakrefs.check(o, r -> core.statics.contains(r) || trace.contains(r) && !parked.contains(r));
                if (wrong != null) {
                    fail(String.format("weakref 0x%x %s", o, wrong));
                }
            }
            if (core.types.isGc(t) && GcHead.isTracked(o) != tracked.contains(o)) {
                fail(String.format("%s 0x%x: _gc_next says %s but the generation lists disagree",
                        core.typeName(o), o, GcHead.isTracked(o) ? "tracked" : "untracked"));
            }
            if (core.types.isGc(t) && !GcHead.isTracked(o)
                    && (GcHead.prevWord(GcHead.head(o)) & ~GcHead.PREV_MASK_FINALIZED) != 0) {
                fail(String.format("%s 0x%x: untracked, but _gc_prev is 0x%x", core.typeName(o), o,
                        GcHead.prevWord(GcHead.head(o))));
            }
            core.types.behaviour(t).traverse(o, ref -> {
                if (!core.statics.contains(ref) && (!trace.contains(ref) || parked.contains(ref))) {
                    fail(String.format("%s 0x%x refers to 0x%x, which is not a live object", core.typeName(o), o, ref));
                }
                internalRefs.merge(ref, 1L, Long::sum);
            });
        }
        b.stack.forEachLocal((frame, local, ref) -> { // a frame's locals are references as an object's are
            if (ref != 0) {
                if (!core.statics.contains(ref) && (!trace.contains(ref) || parked.contains(ref))) {
                    fail(String.format("local %d of frame %d is 0x%x, which is not a live object", local, frame, ref));
                }
                internalRefs.merge(ref, 1L, Long::sum);
            }
        });
        for (long wr : b.weakrefs.withCallbacks()) {
            if (!trace.contains(wr) || getLong(wr + OB_TYPE_OFFSET) != core.weakrefType) {
                fail(String.format("a callback is kept for 0x%x, which is no live weakref", wr));
            }
        }
        for (Map.Entry<Long, Long> e : internalRefs.entrySet()) {
            long o = e.getKey();
            if (!core.statics.contains(o) && getLong(o) < e.getValue()) {
                fail(String.format("%s 0x%x: refcount %d < %d references from live objects and frames",
                        core.typeName(o), o, getLong(o), e.getValue()));
            }
        }
    }

    private static void fail(String message) {
        throw new IllegalStateException(message);
    }
}
