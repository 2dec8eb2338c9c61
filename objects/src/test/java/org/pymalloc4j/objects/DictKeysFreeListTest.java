package org.pymalloc4j.objects;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 3.11's dict keys free list (dictobject.c {@code keys_free_list}, 80 entries): a keys object of
 * the minimum size (8 slots) with str keys only is parked when its dict is freed or cleared or
 * its table is replaced by a resize, and the next such table reuses it; a full collection frees
 * them after the dicts ({@code _PyDict_ClearFreeList}). In python3.11 (blocks from
 * {@code sys.getallocatedblocks()}): {@code d = {}; d['ab'] = 1; del d} frees no block (the dict
 * and its keys both parked); {@code e = {}; e['ab'] = 1; e[5] = 1; del e} frees one, the general
 * keys, the str-only keys it started with having been parked by the resize.
 */
class DictKeysFreeListTest {
    @Test
    void minimumSizeStrKeysAreParkedAndReusedAsIn311() {
        try (Memory memory = Memory.builder().build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).traceRefs(true).build()) {
            long ab = space.strs().newStr("ab");
            long five = space.ints().newInt(5);
            long blocks = memory.obj().liveBlocks();
            long d = space.dicts().newDict();
            space.dicts().set(d, ab, five);
            space.decref(d);
            assertEquals(blocks + 2, memory.obj().liveBlocks(), "the dict and its keys parked, no block freed");
            long e = space.dicts().newDict();
            space.dicts().set(e, ab, five); // takes the parked keys
            assertEquals(blocks + 2, memory.obj().liveBlocks(), "the parked dict and keys reused");
            space.dicts().set(e, five, five); // a non-str key: general keys, the str keys parked again
            assertEquals(blocks + 3, memory.obj().liveBlocks());
            space.decref(e);
            assertEquals(blocks + 2, memory.obj().liveBlocks(), "the general keys freed");
            space.checkInvariants();

            long c = space.dicts().newDict();
            space.dicts().set(c, ab, five);
            space.decref(c); // the dict and its keys parked again
            List<Long> freed = GcTestSupport.objectFreesDuring(memory, () -> space.gc().collect());
            assertEquals(2, freed.size(), "the parked dict and keys: " + freed);
            assertEquals(c - 16, freed.get(0), "the dicts first, then the keys");
            assertEquals(blocks, memory.obj().liveBlocks(), "nothing parked");
            space.decref(ab);
        }
    }
}
