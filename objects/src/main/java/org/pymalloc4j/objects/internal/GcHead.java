package org.pymalloc4j.objects.internal;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.GC_NEXT_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.GC_PREV_OFFSET;

/**
 * CPython 3.11's {@code PyGC_Head} words as the collector packs them, and its circular doubly
 * linked lists ({@code gc_list_*}). Every address here is a GC head's ({@code g = o - 16}), as
 * CPython's {@code _gc_next}/{@code _gc_prev} point at heads, not objects; a list head is a
 * bare 16-byte sentinel head.
 *
 * <pre>
 *  g = o - 16        g + 8
 *  +----------------+--------------------------------------+
 *  | _gc_next       | _gc_prev                             |
 *  +----------------+--------------------------------------+
 *  _gc_next: 0 ⇔ untracked; else the next head's address.
 *            bit 0 NEXT_MASK_UNREACHABLE: only inside a collection, from move_unreachable
 *            until the unreachable list is made normal again.
 *  _gc_prev: bits 63..2  the previous head's address as is (8-aligned, low bits free:
 *                        _PyGCHead_SET_PREV masks, it does not shift), or, inside a
 *                        collection, gc_refs << PREV_SHIFT;
 *            bit 1 PREV_MASK_COLLECTING: in the generation being collected;
 *            bit 0 PREV_MASK_FINALIZED: tp_finalize has run (survives untracking).
 * </pre>
 * List invariants outside a collection: {@code next(prev(g)) == g}, {@code prev(next(g)) == g},
 * no COLLECTING or UNREACHABLE bit; an empty list's sentinel points at itself both ways.
 */
public final class GcHead {
    public static final long NEXT_MASK_UNREACHABLE = 1;
    public static final long PREV_MASK_FINALIZED = 1;
    public static final long PREV_MASK_COLLECTING = 2;
    public static final int PREV_SHIFT = 2;
    /** {@code _PyGC_PREV_MASK}: the pointer (or gc_refs) bits of {@code _gc_prev}. */
    public static final long PREV_MASK = ~3L;

    private GcHead() {
    }

    public static long head(long o) {
        return o - GC_HEAD_LENGTH;
    }

    public static long object(long g) {
        return g + GC_HEAD_LENGTH;
    }

    public static long next(long g) {
        return getLong(g, GC_NEXT_OFFSET);
    }

    public static void setNext(long g, long next) {
        putLong(g, GC_NEXT_OFFSET, next);
    }

    public static long prevWord(long g) {
        return getLong(g, GC_PREV_OFFSET);
    }

    public static void setPrevWord(long g, long word) {
        putLong(g, GC_PREV_OFFSET, word);
    }

    public static long prev(long g) {
        return getLong(g, GC_PREV_OFFSET) & PREV_MASK;
    }

    /** {@code _PyGCHead_SET_PREV}: the pointer bits only, the flags kept. */
    public static void setPrev(long g, long prev) {
        putLong(g, GC_PREV_OFFSET, (getLong(g, GC_PREV_OFFSET) & ~PREV_MASK) | prev);
    }

    public static boolean isTracked(long o) {
        return getLong(o - GC_HEAD_LENGTH, GC_NEXT_OFFSET) != 0;
    }

    // ------------------------------------------------------------------ gc_refs (inside a collection)

    public static long refs(long g) {
        return getLong(g, GC_PREV_OFFSET) >>> PREV_SHIFT;
    }

    public static void setRefs(long g, long refs) {
        putLong(g, GC_PREV_OFFSET, (getLong(g, GC_PREV_OFFSET) & ~PREV_MASK) | (refs << PREV_SHIFT));
    }

    /** {@code gc_reset_refs}: FINALIZED kept, COLLECTING set, gc_refs = refs. */
    public static void resetRefs(long g, long refs) {
        putLong(g, GC_PREV_OFFSET, (getLong(g, GC_PREV_OFFSET) & PREV_MASK_FINALIZED)
                | PREV_MASK_COLLECTING | (refs << PREV_SHIFT));
    }

    public static void decrementRefs(long g) {
        putLong(g, GC_PREV_OFFSET, getLong(g, GC_PREV_OFFSET) - (1L << PREV_SHIFT));
    }

    public static boolean isCollecting(long g) {
        return (getLong(g, GC_PREV_OFFSET) & PREV_MASK_COLLECTING) != 0;
    }

    /** {@code _PyGCHead_FINALIZED}: tp_finalize has run (or is running) for this object. */
    public static boolean isFinalized(long g) {
        return (getLong(g, GC_PREV_OFFSET) & PREV_MASK_FINALIZED) != 0;
    }

    public static void setFinalized(long g) {
        putLong(g, GC_PREV_OFFSET, getLong(g, GC_PREV_OFFSET) | PREV_MASK_FINALIZED);
    }

    public static void clearCollecting(long g) {
        putLong(g, GC_PREV_OFFSET, getLong(g, GC_PREV_OFFSET) & ~PREV_MASK_COLLECTING);
    }

    // ------------------------------------------------------------------ lists

    public static void init(long list) {
        setNext(list, list);
        setPrevWord(list, list);
    }

    public static boolean isEmpty(long list) {
        return next(list) == list;
    }

    /** {@code gc_list_append}: {@code node} becomes the last element. */
    public static void append(long node, long list) {
        long last = prevWord(list);
        setPrev(node, last);
        setNext(last, node);
        setNext(node, list);
        setPrevWord(list, node);
    }

    /**
     * {@link #append} of a node whose {@code _gc_prev} carries no flag (asserted): the word is
     * written whole instead of read, masked and written, one store-to-load hop fewer.
     */
    public static void appendUnflagged(long node, long list) {
        assert (prevWord(node) & ~PREV_MASK) == 0 : "flags on a node appended as unflagged";
        long last = prevWord(list);
        setPrevWord(node, last);
        setNext(last, node);
        setNext(node, list);
        setPrevWord(list, node);
    }

    /**
     * {@code gc_list_remove}: unlinks {@code node}, which becomes untracked (next = 0). Safe in
     * the collector's unreachable list while its next words still carry NEXT_MASK_UNREACHABLE
     * (the collection frees objects from it as it stands): the mask moves on with the word.
     */
    public static void remove(long node) {
        unlink(node);
        setNext(node, 0);
    }

    /**
     * {@link #remove} of a node whose next is a list's sentinel: a sentinel's {@code _gc_prev}
     * never carries a flag (asserted), so it is written whole instead of read, masked and
     * written as {@code _PyGCHead_SET_PREV} does, one store-to-load hop fewer. The caller has
     * read the node's two words already and passes them, so they are not read again.
     */
    public static void removeBeforeSentinel(long node, long next, long prevWord) {
        assert next == next(node) && prevWord == prevWord(node) : "stale words of the node";
        assert (prevWord(next) & ~PREV_MASK) == 0 : "flags on a sentinel";
        long prev = prevWord & PREV_MASK;
        setNext(prev, next);
        setPrevWord(next, prev);
        setNext(node, 0);
    }

    /**
     * Rebuilds the {@code _gc_prev} links of {@code list} from its next links, keeping each
     * node's FINALIZED bit and dropping gc_refs and COLLECTING: what update_refs wrote over them
     * is undone when a collection is abandoned before move_unreachable.
     */
    public static void restorePrevLinks(long list) {
        long prev = list;
        for (long g = next(list); g != list; g = next(g)) {
            setPrevWord(g, (prevWord(g) & PREV_MASK_FINALIZED) | prev);
            prev = g;
        }
        setPrevWord(list, prev);
    }

    /** {@code gc_list_move}: from whatever list {@code node} is in to the end of {@code list}; mask-safe as {@link #remove}. */
    public static void move(long node, long list) {
        unlink(node);
        append(node, list);
    }

    private static void unlink(long node) {
        long prev = prev(node);
        long next = next(node);
        setNext(prev, next);
        setPrev(next & ~NEXT_MASK_UNREACHABLE, prev);
    }

    /** {@code gc_list_merge}: appends all of {@code from} to {@code to}; {@code from} ends empty. */
    public static void merge(long from, long to) {
        if (isEmpty(from)) {
            return;
        }
        long toTail = prevWord(to);
        long fromHead = next(from);
        long fromTail = prevWord(from);
        setNext(toTail, fromHead);
        setPrev(fromHead, toTail);
        setNext(fromTail, to);
        setPrevWord(to, fromTail);
        init(from);
    }

    /**
     * Undoes a {@link #merge}: moves {@code first}, an element of {@code list}, and every element
     * after it to the empty list {@code into}. {@code list}'s prev links must be sound.
     */
    public static void splitOff(long list, long first, long into) {
        long before = prev(first);
        long last = prevWord(list);
        setNext(before, list);
        setPrevWord(list, before); // a sentinel's prev word carries no flags
        setNext(into, first);
        setPrev(first, into);
        setNext(last, into);
        setPrevWord(into, last);
    }

    public static long size(long list) {
        long n = 0;
        for (long g = next(list); g != list; g = next(g)) {
            n++;
        }
        return n;
    }
}
