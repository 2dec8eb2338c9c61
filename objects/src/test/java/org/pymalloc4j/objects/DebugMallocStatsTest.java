package org.pymalloc4j.objects;

import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The free-list lines in the exact layout CPython 3.11.7's sys._debugmallocstats() prints, and how the lists are emptied. */
class DebugMallocStatsTest {
    @Test
    void freeListLinesFollowTheHeapSectionInCPythonsLayout() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long[] floats = new long[4];
            for (int i = 0; i < floats.length; i++) {
                floats[i] = space.floats().newFloat(i);
            }
            for (long f : floats) {
                space.decref(f);
            }
            long pair = space.tuples().newTuple(2);
            space.decref(pair);
            long d = space.dicts().newDict();
            space.decref(d);
            long l = space.lists().newList();
            space.decref(l);
            String text = space.debugMallocStats();
            String heap = space.memory().pymalloc().debugMallocStats();
            assertTrue(text.startsWith(heap + "\n"), "the heap's section, then a blank line");
            String[] lines = text.substring(heap.length() + 1).split("\n");
            assertEquals(23, lines.length);
            // Lines copied from CPython 3.11.7 output (same widths; counts from this test).
            assertEquals("            1 free PyDictObjects * 48 bytes each =                   48", lines[0]);
            assertEquals("           4 free PyFloatObjects * 24 bytes each =                   96", lines[1]);
            assertEquals("            1 free PyListObjects * 40 bytes each =                   40", lines[2]);
            assertEquals("   0 free 1-sized PyTupleObjects * 32 bytes each =                    0", lines[3]);
            assertEquals("   1 free 2-sized PyTupleObjects * 40 bytes each =                   40", lines[4]);
            assertEquals(" 0 free 20-sized PyTupleObjects * 184 bytes each =                    0", lines[22]);
        }
    }

    @Test
    void theFreeListLinesReadTheSameWhateverTheJvmsLocale() {
        // The heap's section above them is formatted with Locale.ROOT; under ar-EG %d gives Arabic-Indic digits.
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("ar-EG"));
        try (ObjectSpace space = ObjectSpace.create()) {
            space.decref(space.floats().newFloat(1.5));
            String text = space.debugMallocStats();
            assertTrue(text.contains("           1 free PyFloatObjects * 24 bytes each =                   24\n"), text);
        } finally {
            Locale.setDefault(before);
        }
    }

    /**
     * A full collection empties the free lists as 3.11's {@code clear_freelists} does: the tuples'
     * (sizes 1 to 20), then the floats', the lists' and the dicts', each most recently parked
     * first. The order the blocks reach the allocator decides its pools' free lists.
     */
    @Test
    void aFullCollectionFreesTheParkedBlocksInClearFreelistsOrder() {
        try (Memory memory = Memory.builder().build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).build()) {
            long f1 = space.floats().newFloat(1);
            long f2 = space.floats().newFloat(2);
            long t = space.tuples().newTuple(3);
            long l = space.lists().newList();
            long d = space.dicts().newDict();
            for (long o : new long[] {f1, d, l, t, f2}) {
                space.decref(o); // parked
            }
            List<Long> freed = GcTestSupport.objectFreesDuring(memory, () -> space.gc().collect());
            long gcHead = 16;
            assertEquals(List.of(t - gcHead, f2, f1, l - gcHead, d - gcHead), freed);
        }
    }
}
