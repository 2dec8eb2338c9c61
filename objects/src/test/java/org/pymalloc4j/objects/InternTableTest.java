package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The intern table is a Java map here: interning allocates nothing on the heap. 3.11's is the
 * {@code interned} dict, whose keys table grows in the OBJ domain as strings are interned and
 * keeps its size when they die (objects/README.md, "Where this differs"). In python3.11 (gc
 * disabled), with 100,000 new strs made before tracing:
 * <pre>
 *  tracemalloc.start()
 *  for s in src: intern(s)      # getallocatedblocks +1, traced +3,844,828 bytes: the dict's new keys table
 *  del s; del src               # the strs die: -99,999 blocks, the table stays
 * </pre>
 */
class InternTableTest {
    @Test
    void interningAllocatesNothingWhereThreeElevensInternedDictGrows() {
        try (Memory memory = Memory.create(); ObjectSpace space = ObjectSpace.builder().memory(memory).build()) {
            long[] src = new long[100_000];
            for (int i = 0; i < src.length; i++) {
                src[i] = space.strs().newStr("zz" + i);
            }
            memory.tracer().start(1);
            long blocks = memory.obj().liveBlocks() + memory.mem().liveBlocks() + memory.raw().liveBlocks();
            for (int i = 0; i < src.length; i++) {
                src[i] = space.strs().internInPlace(src[i]);
            }
            assertEquals(blocks, memory.obj().liveBlocks() + memory.mem().liveBlocks() + memory.raw().liveBlocks());
            assertEquals(0, memory.tracer().tracedMemory().current(), "nothing traced");
            for (long s : src) {
                space.decref(s);
            }
            assertEquals(blocks - src.length, memory.obj().liveBlocks() + memory.mem().liveBlocks() + memory.raw().liveBlocks());
        }
    }
}
