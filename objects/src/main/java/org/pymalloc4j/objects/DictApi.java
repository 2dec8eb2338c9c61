package org.pymalloc4j.objects;

import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.Dicts;

/**
 * {@code dict} ({@code PyDict_*}) of one {@link ObjectSpace}: {@code space.dicts()}. Keys hash
 * and compare as {@link ObjectSpace#hash} and {@link ObjectSpace#valueEquals}. Ownership and
 * checked mode as the space's class comment says.
 */
public final class DictApi {
    private final Core core;
    private final Dicts dicts;
    private final boolean checked;

    DictApi(Builtins b) {
        this.core = b.core;
        this.dicts = b.dicts;
        this.checked = b.core.checked;
    }

    /**
     * {@code PyDict_New}: a new reference to an empty dict.
     *
     * @throws IllegalStateException if the space is closed
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
     *                               tuple with a NULL item (not yet set), which has no hash
     * @throws OutOfMemoryError      if the keys table cannot be had or grown, even after a full
     *                               collection; nothing is stored and no reference kept (the
     *                               collection's finalizers may have changed the dict)
     */
    public void set(long dict, long key, long value) {
        checkArgs(dict, key, "dicts().set");
        if (checked) {
            core.checkLive(value);
        }
        dicts.set(dict, key, value);
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
        return dicts.get(dict, key);
    }

    /**
     * {@code PyDict_DelItem}: removes {@code key}, releasing the dict's references.
     *
     * @return whether the key was present (CPython raises KeyError instead)
     * @throws WrongTypeException    if {@code key} is unhashable, or in checked mode if
     *                               {@code dict} is not a dict
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException if the space is closed, or if {@code key} is or holds a
     *                               tuple with a NULL item (not yet set), which has no hash
     */
    public boolean delete(long dict, long key) {
        checkArgs(dict, key, "dicts().delete");
        return dicts.delete(dict, key);
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

    private void checkArgs(long dict, long key, String operation) {
        core.checkOpen();
        if (checked) {
            core.args.checkType(dict, core.dictType, operation);
            core.checkLive(key);
        }
    }
}
