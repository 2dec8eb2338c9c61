package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/**
 * 3.11's {@code list_resize} to size 0 reallocates the item array to 0 bytes, which pymalloc
 * cannot serve: the array becomes a 1-byte raw block (PyMem_RawMalloc), allocated 0, and stays
 * raw when the list grows again (realloc of a raw block is a raw realloc). In python3.11, 1000
 * lists of 5 popped to empty and refilled leave {@code sys.getallocatedblocks()} unchanged by
 * the pops and take no pymalloc block for their new arrays ({@code sys._debugmallocstats}: the
 * 48-byte class 1000 blocks fewer, no class more). Only {@code clear}, {@code delete} of the
 * last item ({@link ListDeleteLastItemTest}) and the list's deallocation free the array.
 */
class ListEmptiedByPopsTest {
    @Test
    void aListPoppedToEmptyKeepsAZeroSizeRawArrayAs311() {
        try (Memory memory = Memory.builder().build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).traceRefs(true).build()) {
            long list = space.lists().newList(5);
            for (int i = 0; i < 5; i++) {
                space.lists().set(list, i, space.none());
                space.incref(space.none());
            }
            long blocks = memory.mem().liveBlocks();
            while (space.lists().size(list) > 0) {
                space.decref(space.lists().pop(list)); // not delete: del of the last item frees the array
            }
            assertEquals(0, space.lists().capacity(list));
            assertEquals(blocks, memory.mem().liveBlocks(), "the array kept, as a 0-byte block");
            long items = getLong(list + BuiltinLayouts.LIST_ITEMS_OFFSET);
            assertTrue(items != 0, "ob_item");
            assertFalse(memory.pymalloc().isArenaAddress(items), "a raw block: pymalloc serves no 0-byte request");
            space.checkInvariants();
            String layout = ObjectLayouts.of(space, list).toString();
            assertTrue(layout.contains("ob_item"), layout);
            String owned = ObjectLayouts.ownedBlocks(space, list).toString();
            assertTrue(owned.contains("a raw block from malloc (a 0-byte request, pymalloc serving 1 to 512 bytes: no size class"),
                    owned);
            space.lists().append(list, space.none());
            assertEquals(4, space.lists().capacity(list));
            assertFalse(memory.pymalloc().isArenaAddress(getLong(list + BuiltinLayouts.LIST_ITEMS_OFFSET)),
                    "a raw block grows as a raw block");
            space.lists().clear(list);
            assertEquals(0, getLong(list + BuiltinLayouts.LIST_ITEMS_OFFSET), "clear frees the array");
            assertEquals(blocks - 1, memory.mem().liveBlocks());
            space.decref(list);
            space.checkInvariants();
        }
    }
}
