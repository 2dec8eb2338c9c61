package org.pymalloc4j.objects.internal;

import java.util.ConcurrentModificationException;

import org.pymalloc4j.objects.DictApi.EntryVisitor;

/**
 * A dict's entries read in insertion order: {@code PyDict_Keys}, {@code PyDict_Values} and
 * {@code PyDict_Items} as new lists, and a walk over the live entries that refuses a dict
 * changed under it, as a dict iterator does.
 *
 * <p>The lists are allocated before a single entry is read, as 3.11's {@code dict_keys} and
 * {@code dict_items} do: an allocation may run a collection whose finalizers change the dict,
 * so if its size changed meanwhile the lists are dropped and made again ("Durnit" in
 * dictobject.c). After the last allocation nothing runs that could change the dict.
 */
public final class DictViews {
    /** What a list made from a dict holds: its keys, its values, or (key, value) tuples. */
    public enum Kind { KEYS, VALUES, ITEMS }

    private final Core core;
    private final Lists lists;
    private final Tuples tuples;

    public DictViews(Core core, Lists lists, Tuples tuples) {
        this.core = core;
        this.lists = lists;
        this.tuples = tuples;
    }

    /** A new list of the dict's keys, values or items, each a new reference, in insertion order. */
    public long list(long d, Kind kind) {
        long list;
        long n;
        do {
            n = Dicts.size(d);
            list = lists.newList(Math.toIntExact(n));
            if (kind == Kind.ITEMS) {
                try {
                    for (long i = 0; i < n; i++) {
                        Lists.setItem(list, i, tuples.newTuple(2));
                    }
                } catch (OutOfMemoryError e) {
                    core.decrefLive(list); // the tuples made so far go with it
                    throw e;
                }
            }
            if (n != Dicts.size(d)) {
                core.decrefLive(list);
                list = 0;
            }
        } while (list == 0);
        try {
            fill(d, list, n, kind);
        } catch (RuntimeException e) {
            core.decrefLive(list); // checked mode refused an entry: the references taken so far go with the list
            throw e;
        }
        return list;
    }

    private void fill(long d, long list, long n, Kind kind) {
        long ix = Dicts.nextEntry(d, 0);
        for (long i = 0; i < n; i++, ix = Dicts.nextEntry(d, ix + 1)) {
            long key = Dicts.keyAt(d, ix);
            long value = Dicts.valueAt(d, ix);
            switch (kind) {
                case KEYS -> Lists.setItem(list, i, increfed(key));
                case VALUES -> Lists.setItem(list, i, increfed(value));
                case ITEMS -> {
                    long item = Lists.item(list, i);
                    Tuples.setItem(item, 0, increfed(key));
                    Tuples.setItem(item, 1, increfed(value));
                }
            }
        }
    }

    /** Checked mode refuses an entry freed behind the dict's back here. */
    private long increfed(long o) {
        core.incref(o);
        return o;
    }

    /**
     * Visits the live entries in insertion order. The visitor may replace values, but a dict
     * whose size changes during the walk, or that turns up more entries than it had when the walk
     * began, is refused as dictiter_iternextitem refuses it.
     *
     * @throws ConcurrentModificationException "dictionary changed size during iteration" or
     *                                         "dictionary keys changed during iteration"
     */
    public void forEach(long d, EntryVisitor visitor) {
        long used = Dicts.size(d);
        long remaining = used;
        for (long ix = Dicts.nextEntry(d, 0); ix >= 0; ix = Dicts.nextEntry(d, ix + 1)) {
            if (remaining == 0) {
                throw changed(d, "keys changed");
            }
            remaining--;
            visitor.visit(Dicts.keyAt(d, ix), Dicts.valueAt(d, ix));
            if (Dicts.size(d) != used) {
                throw changed(d, "changed size");
            }
        }
    }

    private static ConcurrentModificationException changed(long d, String what) {
        return new ConcurrentModificationException(String.format(
                "dictionary %s during iteration (the dict object at 0x%x)", what, d));
    }
}
