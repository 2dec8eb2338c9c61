package org.pymalloc4j.objects;

import java.util.ConcurrentModificationException;
import java.util.Objects;

import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.DictViews;
import org.pymalloc4j.objects.internal.Dicts;
import org.pymalloc4j.objects.internal.Protocols;

/**
 * {@code dict} ({@code PyDict_*}) of one {@link ObjectSpace}: {@code space.dicts()}. Keys hash
 * and compare as {@link ObjectSpace#hash} and {@link ObjectSpace#valueEquals}. Ownership and
 * checked mode as the space's class comment says.
 */
public final class DictApi {
    /** What {@link #forEach} calls for each entry; both references are <b>borrowed</b>. */
    @FunctionalInterface
    public interface EntryVisitor {
        void visit(long key, long value);
    }

    private final Core core;
    private final Dicts dicts;
    private final Protocols protocols;
    private final DictViews views;
    private final boolean checked;
    private int walks;

    DictApi(Builtins b) {
        this.core = b.core;
        this.dicts = b.dicts;
        this.protocols = b.protocols;
        this.views = new DictViews(b.core, b.lists, b.tuples);
        this.checked = b.core.checked;
    }

    /**
     * {@code PyDict_Check}: whether {@code o} is a dict. Classes made by {@link ObjectSpace#classes()}
     * derive from {@code object} alone, so no other type passes.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public boolean check(long o) {
        return core.args.hasType(o, core.dictType, 0);
    }

    /**
     * {@code PyDict_New}: a new reference to an empty dict.
     *
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newDict() {
        core.checkOpen();
        return dicts.newDict();
    }

    /**
     * {@code PyDict_SetItem}: maps {@code key} to {@code value}, taking new references to both
     * (nothing stolen).
     *
     * @throws WrongTypeException    if {@code key} is unhashable (a list or dict, or a tuple
     *                               holding one), or in checked
     *                               mode if {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException if the space is closed, or if {@code key} is or holds a
     *                               tuple with a NULL item (not yet set), which has no hash; or if
     *                               the value replaced held the last counted reference to a static
     *                               object ({@code value} is stored first, the static's refcount
     *                               put back)
     * @throws OutOfMemoryError      if the keys table cannot be had or grown, even after a full
     *                               collection; nothing is stored and no reference kept (the
     *                               collection's finalizers may have changed the dict)
     */
    public void set(long dict, long key, long value) {
        checkArgs(dict, key, "dicts().set");
        if (checked) {
            core.checkLive(value);
        }
        dicts.set(dict, key, hash(key, "dicts().set"), value);
    }

    /**
     * {@code PyDict_GetItem}: the value for {@code key}, <b>borrowed</b>, or 0 if absent.
     *
     * @throws WrongTypeException    if {@code key} is unhashable, or in checked mode if
     *                               {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException if the space is closed, or if {@code key} is or holds a
     *                               tuple with a NULL item (not yet set), which has no hash
     */
    public long get(long dict, long key) {
        checkArgs(dict, key, "dicts().get");
        return dicts.get(dict, key, hash(key, "dicts().get"));
    }

    /**
     * {@code PyDict_DelItem}: removes {@code key}, releasing the dict's references.
     *
     * @return whether the key was present (CPython raises KeyError instead)
     * @throws WrongTypeException    if {@code key} is unhashable, or in checked mode if
     *                               {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException if the space is closed, or if {@code key} is or holds a
     *                               tuple with a NULL item (not yet set), which has no hash; or if
     *                               the key or value released held the last counted reference to a
     *                               static object (the entry is removed first, the static's
     *                               refcount put back)
     */
    public boolean delete(long dict, long key) {
        checkArgs(dict, key, "dicts().delete");
        return dicts.delete(dict, key, hash(key, "dicts().delete"));
    }

    /**
     * The number of entries of a dict.
     *
     * @throws WrongTypeException    in checked mode, if {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if {@code dict} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long size(long dict) {
        if (checked) {
            core.args.checkType(dict, core.dictType, "dicts().size");
        }
        return Dicts.size(dict);
    }

    /**
     * {@code PyDict_Keys}: a new reference to a new list of the keys, in insertion order.
     *
     * @throws WrongTypeException    in checked mode, if {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if {@code dict}, or a key the dict holds, is
     *                               not a live object (no list is left behind)
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the list cannot be had, even after a full collection
     */
    public long keys(long dict) {
        return list(dict, DictViews.Kind.KEYS, "dicts().keys");
    }

    /**
     * {@code PyDict_Values}: a new reference to a new list of the values, in insertion order.
     *
     * @throws WrongTypeException    in checked mode, if {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if {@code dict}, or a value the dict holds,
     *                               is not a live object (no list is left behind)
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the list cannot be had, even after a full collection
     */
    public long values(long dict) {
        return list(dict, DictViews.Kind.VALUES, "dicts().values");
    }

    /**
     * {@code PyDict_Items}: a new reference to a new list of (key, value) 2-tuples, in insertion
     * order. As in 3.11, the list and all its tuples are made before any entry is read.
     *
     * @throws WrongTypeException    in checked mode, if {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if {@code dict}, or a key or value the dict
     *                               holds, is not a live object (no list is left behind)
     * @throws IllegalStateException if the space is closed
     * @throws OutOfMemoryError      if the list or a tuple cannot be had, even after a full
     *                               collection; nothing is left behind
     */
    public long items(long dict) {
        return list(dict, DictViews.Kind.ITEMS, "dicts().items");
    }

    /**
     * Calls {@code visitor} with each key and value, in insertion order, as iterating over
     * {@code dict.items()} does. The visitor may replace values ({@link #set} of a present key)
     * but not add or delete keys. The walk holds a reference to the dict, as CPython's iterator
     * does, so the visitor may drop the caller's ({@code d = None} in the loop's body); the dict
     * is released when the walk ends. The visitor may not close the space or its memory: their
     * {@code close()} is refused until the walk ends.
     *
     * @throws ConcurrentModificationException if the dict's size changes during the walk
     *                                         ("dictionary changed size during iteration"), or it
     *                                         turns up more entries than it had ("dictionary keys
     *                                         changed during iteration"), as CPython's iterator raises
     *                                         RuntimeError
     * @throws NullPointerException            if {@code visitor} is null
     * @throws WrongTypeException              in checked mode, if {@code dict} is not a dict
     * @throws FreedObjectException            in checked mode, if {@code dict} is not a live object
     * @throws IllegalStateException           if the space is closed
     */
    public void forEach(long dict, EntryVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        checkDict(dict, "dicts().forEach");
        core.incref(dict); // dictiter's di_dict: the visitor may drop the caller's reference
        walks++; // ObjectSpace.close and Memory.close are refused until the walk ends
        try {
            views.forEach(dict, visitor);
        } finally {
            walks--;
            core.decref(dict);
        }
    }

    /** Whether a {@link #forEach} walk is under way, its visitor being code that could close the space. */
    boolean walking() {
        return walks > 0;
    }

    private long list(long dict, DictViews.Kind kind, String operation) {
        checkDict(dict, operation);
        return views.list(dict, kind);
    }

    /** The key's hash; an unhashable key (or an object inside a tuple key) refused in the dict operation's name. */
    private long hash(long key, String operation) {
        try {
            return protocols.hash(key);
        } catch (WrongTypeException e) {
            WrongTypeException named = new WrongTypeException(e.address(), e.typeName(), String.format(
                    "%s: unhashable type: '%s' (the %s object at 0x%x)", operation, e.typeName(), e.typeName(), e.address()));
            named.initCause(e);
            throw named;
        }
    }

    private void checkArgs(long dict, long key, String operation) {
        checkDict(dict, operation);
        if (checked) {
            core.checkLive(key);
        }
    }

    /** The space open and, in checked mode, {@code dict} a live dict. */
    private void checkDict(long dict, String operation) {
        core.checkOpen();
        if (checked) {
            core.args.checkType(dict, core.dictType, operation);
        }
    }
}
