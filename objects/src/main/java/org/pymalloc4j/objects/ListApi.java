package org.pymalloc4j.objects;

import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.Lists;

/**
 * {@code list} ({@code PyList_*}) of one {@link ObjectSpace}: {@code space.lists()}.
 * Ownership and checked mode as the space's class comment says.
 */
public final class ListApi {
    private final Core core;
    private final Lists lists;
    private final boolean checked;

    ListApi(Builtins b) {
        this.core = b.core;
        this.lists = b.lists;
        this.checked = b.core.checked;
    }

    /**
     * {@code PyList_Check}: whether {@code o} is a list. Classes made by {@link ObjectSpace#classes()}
     * derive from {@code object} alone, so no other type passes.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public boolean check(long o) {
        return core.args.hasType(o, core.listType, 0);
    }

    /**
     * {@code PyList_New(0)}: a new reference to an empty list (no item array yet).
     *
     * @throws IllegalStateException in checked mode, if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newList() {
        return newList(0);
    }

    /**
     * {@code PyList_New(n)}: a new reference to a list of {@code n} NULL items, capacity exactly {@code n}.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException    in checked mode, if the space is closed
     * @throws OutOfMemoryError         if the items cannot be had, even after a full collection;
     *                                  no list is left behind
     */
    public long newList(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative list size " + n);
        }
        if (checked) {
            core.checkOpen();
        }
        return lists.newList(n);
    }

    /**
     * {@code PyList_Append}: adds a new reference to {@code item} (not stolen), growing the
     * item array by CPython's pattern 0, 4, 8, 16, 24, 32, 40, 52, ...
     *
     * @throws WrongTypeException    in checked mode, if {@code list} is not a list
     * @throws FreedObjectException  in checked mode, if {@code list} or {@code item} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     * @throws OutOfMemoryError      if the item array cannot grow, even after a full collection;
     *                               {@code item} is not appended and no reference to it kept (the
     *                               list is as it was, or as that collection's finalizers left it)
     */
    public void append(long list, long item) {
        if (checked) {
            core.args.checkType(list, core.listType, "lists().append");
            core.checkLive(item);
        }
        lists.append(list, item);
    }

    /**
     * {@code PyList_Insert} ({@code list.insert}): adds a new reference to {@code item} (not
     * stolen) before item {@code index}, which counts from the end when negative and is clamped
     * to {@code [0, size]}: {@code insert(list, -1, x)} puts x before the last item,
     * {@code insert(list, size, x)} appends. The array grows as for {@link #append}.
     *
     * @throws WrongTypeException    in checked mode, if {@code list} is not a list
     * @throws FreedObjectException  in checked mode, if {@code list} or {@code item} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     * @throws OutOfMemoryError      if the item array cannot grow, even after a full collection;
     *                               {@code item} is not inserted and no reference to it kept (the
     *                               list is as it was, or as that collection's finalizers left it)
     */
    public void insert(long list, long index, long item) {
        if (checked) {
            core.args.checkType(list, core.listType, "lists().insert");
            core.checkLive(item);
        }
        lists.insert(list, index, item);
    }

    /**
     * {@code list.pop()}: {@link #pop(long, long) pop(list, -1)}, the last item.
     *
     * @throws IndexOutOfBoundsException if the list is empty
     * @throws WrongTypeException        in checked mode, if {@code list} is not a list
     * @throws FreedObjectException      in checked mode, if {@code list} is not a live object
     * @throws IllegalStateException     in checked mode, if the space is closed
     */
    public long pop(long list) {
        return pop(list, -1);
    }

    /**
     * {@code list.pop(index)}: removes item {@code index}, which counts from the end when
     * negative, and returns it as a <b>new reference</b> (the list's, passed on); 0 if the slot
     * was NULL. Items after it move down one. The array shrinks as {@code list_resize} shrinks
     * it, once fewer than half its slots are in use.
     *
     * @throws IndexOutOfBoundsException if the list is empty or {@code index} is out of range
     *                                   (checked whatever the mode: a wrong index would move memory
     *                                   outside the array)
     * @throws WrongTypeException        in checked mode, if {@code list} is not a list
     * @throws FreedObjectException      in checked mode, if {@code list} is not a live object
     * @throws IllegalStateException     in checked mode, if the space is closed
     * @throws OutOfMemoryError          if the shrunk array cannot be had (a smaller block from a
     *                                   full heap); the list is as it was and no collection runs
     */
    public long pop(long list, long index) {
        return lists.pop(list, validIndex(list, index, "lists().pop"));
    }

    /**
     * {@code del list[index]} ({@code PySequence_DelItem}): removes item {@code index}, which
     * counts from the end when negative, and releases the list's reference to it, as
     * {@link #pop(long, long)} followed by a decref; but for the list's only item, which 3.11's
     * {@code list_ass_slice} removes by {@code _list_clear}, as {@link #clear}: the item array is
     * freed, not reallocated to 0 bytes as a pop leaves it.
     *
     * @throws IndexOutOfBoundsException if {@code index} is out of range (checked whatever the mode)
     * @throws WrongTypeException        in checked mode, if {@code list} is not a list
     * @throws FreedObjectException      in checked mode, if {@code list} is not a live object; or,
     *                                   once the item is out of the list, if it had been freed
     *                                   behind the list's back
     * @throws IllegalStateException     in checked mode, if the space is closed; checked or not,
     *                                   once the item is out of the list, if it held the last
     *                                   counted reference to a static object (its refcount put back)
     * @throws OutOfMemoryError          as {@link #pop(long, long)}; the list is as it was
     */
    public void delete(long list, long index) {
        long i = validIndex(list, index, "lists().delete");
        if (Lists.size(list) == 1) {
            lists.clear(list);
        } else {
            core.xdecref(lists.pop(list, i));
        }
    }

    /** {@code index} made non-negative and checked against the list's size, as list_pop_impl does. */
    private long validIndex(long list, long index, String operation) {
        if (checked) {
            core.args.checkType(list, core.listType, operation);
        }
        long n = Lists.size(list);
        if (n == 0) {
            throw new IndexOutOfBoundsException(String.format("%s: the list object at 0x%x is empty", operation, list));
        }
        long i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) {
            throw core.args.indexError(list, operation, index, n);
        }
        return i;
    }

    /**
     * {@code del list[:]} ({@code list.clear()}): the list becomes empty, releasing its items
     * (last first) and its item array.
     *
     * @throws WrongTypeException    in checked mode, if {@code list} is not a list
     * @throws FreedObjectException  in checked mode, if {@code list} is not a live object; or, once
     *                               the list is empty, if an item had been freed behind its back
     *                               (the other items and the array are released all the same)
     * @throws IllegalStateException in checked mode, if the space is closed; checked or not, once
     *                               the list is empty, if an item held the last counted reference
     *                               to a static object (its refcount put back; the rest released
     *                               all the same)
     */
    public void clear(long list) {
        if (checked) {
            core.args.checkType(list, core.listType, "lists().clear");
        }
        lists.clear(list);
    }

    /**
     * {@code PyList_GetItem}: item {@code i}, <b>borrowed</b>.
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code list} is not a list
     * @throws FreedObjectException      in checked mode, if {@code list} is not a live object
     * @throws IllegalStateException     in checked mode, if the space is closed
     */
    public long get(long list, long i) {
        if (checked) {
            core.args.checkIndex(list, core.listType, "lists().get", i);
        }
        return Lists.item(list, i);
    }

    /**
     * {@code PyList_SetItem}: <b>steals</b> {@code item} (0 allowed) into slot {@code i},
     * releasing what was there. In checked mode a bad list or index releases {@code item} and
     * throws, as CPython does.
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code list} is not a list
     * @throws FreedObjectException      in checked mode, if {@code list} or {@code item} is not a
     *                                   live object ({@code item} is not stolen if it is the bad one),
     *                                   or if the item replaced was freed behind the list's back:
     *                                   {@code item} is stored first, then that item is named
     * @throws IllegalStateException     in checked mode, if the space is closed; checked or not, if
     *                                   the item replaced held the last counted reference to a
     *                                   static object ({@code item} is stored first, the static's
     *                                   refcount put back)
     */
    public void set(long list, long i, long item) {
        if (checked) {
            core.args.checkSetItem(list, core.listType, "lists().set", i, item);
        }
        long old = Lists.item(list, i);
        Lists.setItem(list, i, item);
        core.xdecref(old);
    }

    /**
     * The number of items of a list.
     *
     * @throws WrongTypeException    in checked mode, if {@code list} is not a list
     * @throws FreedObjectException  in checked mode, if {@code list} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long size(long list) {
        if (checked) {
            core.args.checkType(list, core.listType, "lists().size");
        }
        return Lists.size(list);
    }

    /**
     * The list's {@code allocated}: how many items its array holds.
     *
     * @throws WrongTypeException    in checked mode, if {@code list} is not a list
     * @throws FreedObjectException  in checked mode, if {@code list} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long capacity(long list) {
        if (checked) {
            core.args.checkType(list, core.listType, "lists().capacity");
        }
        return Lists.allocated(list);
    }
}
