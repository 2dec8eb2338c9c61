package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lists().insert}, {@code pop} and {@code delete}: list.insert, list.pop and del list[i]. */
class ListInsertPopTest {

    /**
     * The array's capacity after each step, as {@code (sys.getsizeof(l) - 56) // 8} printed by
     * python3.11 for the same steps: 20 inserts at the front, 15 pops from the middle, 6 inserts
     * before the last item, then pops from the end until empty. Growth by insert is the append
     * pattern; pops shrink once fewer than half the slots are used.
     */
    private static final int[] CPYTHON_CAPACITIES = {
            4, 4, 4, 4, 8, 8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 16, 24, 24, 24, 24,
            24, 24, 24, 24, 24, 24, 24, 24, 16, 16, 16, 16, 12, 12, 8,
            8, 8, 8, 16, 16, 16,
            16, 16, 16, 12, 12, 8, 8, 8, 8, 4, 0};

    @Test
    void capacityFollowsCpythonThroughInsertsAndPops() {
        try (ObjectSpace space = ObjectSpace.create()) {
            ListApi lists = space.lists();
            long list = lists.newList();
            List<Long> model = new ArrayList<>();
            List<Long> capacities = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long item = space.ints().newInt(i);
                lists.insert(list, 0, item);
                model.add(0, (long) i);
                space.decref(item);
                capacities.add(lists.capacity(list));
            }
            for (int i = 0; i < 15; i++) {
                long at = lists.size(list) / 2;
                long item = lists.pop(list, at);
                assertEquals(model.remove((int) at), space.ints().value(item));
                space.decref(item);
                capacities.add(lists.capacity(list));
            }
            for (int i = 0; i < 6; i++) {
                long item = space.ints().newInt(100 + i);
                lists.insert(list, -1, item);
                model.add(model.size() - 1, 100L + i);
                space.decref(item);
                capacities.add(lists.capacity(list));
            }
            assertEquals(model, values(space, list));
            while (lists.size(list) > 0) {
                long item = lists.pop(list);
                assertEquals(model.remove(model.size() - 1), space.ints().value(item));
                space.decref(item);
                capacities.add(lists.capacity(list));
            }
            List<Long> expected = new ArrayList<>();
            for (int c : CPYTHON_CAPACITIES) {
                expected.add((long) c);
            }
            assertEquals(expected, capacities);
            assertEquals(56, space.sizeOf(list), "an emptied list has no array, as in python3.11");
            space.decref(list);
            space.checkInvariants();
        }
    }

    /** Indexes as list.insert and list.pop take them: negative from the end, insert's clamped. */
    @Test
    void indexesCountFromTheEndAndInsertClamps() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long list = listOf(space, 1, 2, 3);
            insert(space, list, -100, 0);   // clamped to 0:    [0, 1, 2, 3]
            insert(space, list, 100, 9);    // clamped to size: [0, 1, 2, 3, 9]
            insert(space, list, -2, 7);     // before the 3:    [0, 1, 2, 7, 3, 9]
            assertEquals(List.of(0L, 1L, 2L, 7L, 3L, 9L), values(space, list));
            long last = space.lists().pop(list, -1);
            assertEquals(9, space.ints().value(last));
            space.decref(last);
            space.lists().delete(list, -5);  // the 0
            space.lists().delete(list, 1);   // the 2
            assertEquals(List.of(1L, 7L, 3L), values(space, list));
            space.decref(list);
            space.checkInvariants();
        }
    }

    /** Pop passes the list's reference on; delete releases it; insert takes its own. */
    @Test
    void referencesMoveAsCpythonMovesThem() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long item = space.floats().newFloat(1.5);
            long list = space.lists().newList();
            space.lists().insert(list, 0, item);
            assertEquals(2, space.refcount(item), "insert does not steal");
            long popped = space.lists().pop(list);
            assertEquals(item, popped);
            assertEquals(2, space.refcount(item), "pop hands the list's reference to the caller");
            space.decref(popped);
            space.lists().insert(list, 0, item);
            space.lists().delete(list, 0);
            assertEquals(1, space.refcount(item), "delete releases the list's reference");
            space.decref(item);
            space.decref(list);
            space.checkInvariants();
        }
    }

    @Test
    void randomInsertsPopsAndDeletesMatchAModel() {
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        for (boolean checked : new boolean[] {true, false}) {
            try (ObjectSpace space = ObjectSpace.builder().checked(checked).build()) {
                long list = space.lists().newList();
                List<Long> model = new ArrayList<>();
                for (int step = 0; step < 3000; step++) {
                    int n = model.size();
                    int op = random.nextInt(n == 0 ? 2 : 5);
                    if (op < 2) {
                        long where = random.nextLong(-n - 3, n + 4);
                        long value = random.nextLong(1000);
                        insert(space, list, where, value);
                        int at = (int) Math.min(where < 0 ? Math.max(0, where + n) : where, n);
                        model.add(at, value);
                    } else if (op < 4) {
                        long index = random.nextLong(-n, n);
                        long item = space.lists().pop(list, index);
                        assertEquals(model.remove((int) (index < 0 ? index + n : index)), space.ints().value(item),
                                "seed " + seed + " step " + step);
                        space.decref(item);
                    } else {
                        long index = random.nextLong(-n, n);
                        space.lists().delete(list, index);
                        model.remove((int) (index < 0 ? index + n : index));
                    }
                    long size = space.lists().size(list);
                    long capacity = space.lists().capacity(list);
                    assertTrue(size <= capacity && (capacity == 0) == (size == 0),
                            "seed " + seed + " step " + step + ": size " + size + ", capacity " + capacity);
                    if (step % 100 == 0) {
                        assertEquals(model, values(space, list), "seed " + seed + " step " + step);
                        space.checkInvariants();
                    }
                }
                assertEquals(model, values(space, list), "seed " + seed);
                space.decref(list);
                space.checkInvariants();
            }
        }
    }

    /** pop's shrinking realloc may need a new, smaller block: refused, the list is as it was. */
    @Test
    void popWhoseShrunkArrayIsRefusedLeavesTheListAsItWas() {
        try (Memory memory = Memory.builder().limit(4L << 20).build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).build()) {
            space.gc().disable();
            long list = space.lists().newList(40); // 320 bytes: a 320-byte block
            for (int i = 0; i < 40; i++) {
                space.lists().set(list, i, space.ints().newInt(i));
            }
            List<Long> filler = new ArrayList<>();
            fill(space, filler);
            for (int i = 39; i > 19; i--) {
                long item = space.lists().pop(list);       // down to 20 in place: 20 >= 40 / 2
                assertEquals(i, space.ints().value(item));
                space.decref(item);
            }
            assertEquals(40, space.lists().capacity(list));
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> space.lists().pop(list, 3));
            assertTrue(e.getMessage().contains("would exceed the memory limit"), e.getMessage());
            assertEquals(40, space.lists().capacity(list));
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < 20; i++) {
                expected.add(i);
            }
            assertEquals(expected, values(space, list), "the tail moved back, the item put back");
            for (long o : filler) {
                space.decref(o);
            }
            long item = space.lists().pop(list, 3);
            assertEquals(3, space.ints().value(item));
            assertEquals(24, space.lists().capacity(list), "shrunk once memory was there: (19 + 2 + 6) & ~3");
            space.decref(item);
            space.decref(list);
            space.checkInvariants();
        }
    }

    @Test
    void popFromAnEmptyListSaysSo() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long list = space.lists().newList();
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> space.lists().pop(list));
            assertEquals(String.format("lists().pop: the list object at 0x%x is empty", list), e.getMessage());
            e = assertThrows(IndexOutOfBoundsException.class, () -> space.lists().delete(list, 0));
            assertTrue(e.getMessage().startsWith("lists().delete: the list object"), e.getMessage());
            assertEquals(0, space.lists().capacity(list));
            space.decref(list);
            space.checkInvariants();
        }
    }

    /** delete's FreedObjectException for an item freed behind the list's back: named once it is out. */
    @Test
    void deleteOfAnItemFreedBehindTheListsBackRemovesItThenNamesIt() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long before = space.liveObjectCount();
            long list = listOf(space, 1, 2);
            long old = space.floats().newFloat(1.0);
            space.lists().insert(list, 1, old);
            space.decref(old);
            space.decref(old); // the list's reference, dropped by mistake: old is freed
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.lists().delete(list, 1));
            assertEquals(old, e.address(), e.getMessage());
            assertEquals(List.of(1L, 2L), values(space, list), "the item is out of the list");
            space.decref(list);
            assertEquals(before, space.liveObjectCount());
            space.checkInvariants();
        }
    }

    /** insert's OutOfMemoryError: the array cannot grow even after a collection; no reference kept. */
    @Test
    void insertThatCannotGrowTheArrayKeepsNoReference() {
        try (Memory memory = Memory.builder().limit(4L << 20).build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).build()) {
            long list = space.lists().newList(300); // a raw array of 2,400 bytes: growing it needs more
            long item = space.floats().newFloat(0.5);
            List<Long> filler = new ArrayList<>();
            fill(space, filler);
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> space.lists().insert(list, 0, item));
            assertTrue(e.getMessage().contains("would exceed the memory limit"), e.getMessage());
            assertEquals(1, space.refcount(item), "the refused insert kept a reference");
            assertEquals(300, space.lists().size(list));
            assertEquals(0, space.lists().get(list, 0), "nothing moved");
            for (long o : filler) {
                space.decref(o);
            }
            space.lists().insert(list, 0, item);
            assertEquals(item, space.lists().get(list, 0));
            assertEquals(301, space.lists().size(list));
            space.decref(item);
            space.decref(list);
            space.checkInvariants();
        }
    }

    private static void fill(ObjectSpace space, List<Long> filler) {
        Fill.untilRefused(filler, () -> space.bytes().newBytes(new byte[150])); // 183 bytes: the 192-byte class the array shrinks into
        Fill.untilRefused(filler, () -> space.floats().newFloat(filler.size()));
    }

    private static long listOf(ObjectSpace space, long... values) {
        long list = space.lists().newList();
        for (long v : values) {
            long item = space.ints().newInt(v);
            space.lists().append(list, item);
            space.decref(item);
        }
        return list;
    }

    private static void insert(ObjectSpace space, long list, long where, long value) {
        long item = space.ints().newInt(value);
        space.lists().insert(list, where, item);
        space.decref(item);
    }

    private static List<Long> values(ObjectSpace space, long list) {
        List<Long> values = new ArrayList<>();
        for (long i = 0; i < space.lists().size(list); i++) {
            values.add(space.ints().value(space.lists().get(list, i)));
        }
        return values;
    }
}
