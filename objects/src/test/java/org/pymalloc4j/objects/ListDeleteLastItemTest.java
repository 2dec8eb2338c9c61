package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/**
 * {@code del a[i]} of a list's only item is not a pop: 3.11's {@code list_ass_slice} sees the
 * list would become empty and calls {@code _list_clear}, which frees the item array, where
 * {@code list.pop()} reallocates it to 0 bytes and keeps it ({@link ListEmptiedByPopsTest}).
 * In python3.11 (gc disabled):
 * <pre>
 *  ls = [[None] * 5 for _ in range(1000)]
 *  b0 = sys.getallocatedblocks()
 *  for l in ls:
 *      while l: del l[-1]          # or del l[0]; with l.pop() instead: +1, +1
 *  b1 = sys.getallocatedblocks()   # b1 - b0 == -999: the 1000 arrays are freed
 *  for l in ls: l.append(None)
 *  b2 = sys.getallocatedblocks()   # b2 - b1 == 1001: new pymalloc arrays
 * </pre>
 */
class ListDeleteLastItemTest {
    @Test
    void deletingTheOnlyItemFreesTheArrayAs311sListClear() {
        try (Memory memory = Memory.builder().build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).traceRefs(true).build()) {
            for (long index : new long[] {0, -1}) {
                long list = space.lists().newList(5);
                for (int i = 0; i < 5; i++) {
                    space.lists().set(list, i, space.ints().newInt(1000 + i));
                }
                long blocks = memory.mem().liveBlocks();
                while (space.lists().size(list) > 0) {
                    space.lists().delete(list, index);
                }
                assertEquals(0, space.lists().capacity(list));
                assertEquals(0, getLong(list + BuiltinLayouts.LIST_ITEMS_OFFSET), "del of the last item: _list_clear");
                assertEquals(blocks - 1, memory.mem().liveBlocks(), "the array freed");
                space.lists().append(list, space.none());
                assertEquals(4, space.lists().capacity(list));
                assertTrue(memory.pymalloc().isArenaAddress(getLong(list + BuiltinLayouts.LIST_ITEMS_OFFSET)),
                        "a new array from pymalloc, as after clear");
                space.decref(list);
                space.checkInvariants();
            }
        }
    }
}
