package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seeded random programs over the two caches this session added, side by side: the dict keys
 * free list (minimum-size str-only tables parked by a dict's end or a resize, reused by the next
 * dict) and the 0-byte arrays of lists popped to empty (raw blocks, refilled, cleared), under
 * the debug hooks with a small quarantine (blocks evicted as the steps free) and without them.
 * Every list's length and every dict's entries are modelled; {@code checkInvariants()} of the
 * space and the memory after every step; at the end a full collection empties the free lists
 * and both domains hold exactly the blocks they held before. Prints its seed.
 */
class FreeListsUnderHooksStressTest {
    private static final int STEPS = Integer.getInteger("pymalloc4j.stress.steps", 400);

    @ParameterizedTest
    @CsvSource({"PYMALLOC_DEBUG, true", "PYMALLOC, false", "MALLOC_DEBUG, true"})
    void keysFreeListAndEmptiedListsKeepTheModelAndTheInvariants(AllocatorName allocator, boolean checked) {
        long seed = Seeds.seed();
        System.out.println("FreeListsUnderHooksStressTest " + allocator + ", checked = " + checked);
        SplittableRandom random = new SplittableRandom(seed);
        try (Memory memory = Memory.builder().allocator(allocator).quarantine(3).build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(checked).traceRefs(true).build()) {
            long[] keys = new long[10];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = i < 8 ? space.strs().newStr("k" + i) : space.ints().newInt(1000 + i); // str-only and general tables
            }
            space.gc().collect();
            long objBlocks = memory.obj().liveBlocks();
            long memBlocks = memory.mem().liveBlocks();
            Map<Long, Integer> lists = new LinkedHashMap<>();
            Map<Long, Map<Integer, Boolean>> dicts = new LinkedHashMap<>();
            for (int step = 0; step < STEPS; step++) {
                int op = random.nextInt(10);
                List<Long> ls = new ArrayList<>(lists.keySet());
                List<Long> ds = new ArrayList<>(dicts.keySet());
                long l = ls.isEmpty() ? 0 : ls.get(random.nextInt(ls.size()));
                long d = ds.isEmpty() ? 0 : ds.get(random.nextInt(ds.size()));
                String what = "step " + step + " (seed " + seed + "), op " + op;
                if (op == 0 || l == 0 && op <= 4) {
                    lists.put(space.lists().newList(), 0);
                } else if (op == 1) {
                    for (int n = random.nextInt(1, 7); n > 0; n--) {
                        space.lists().append(l, space.none());
                        lists.merge(l, 1, Integer::sum);
                    }
                } else if (op == 2) {
                    for (int n = lists.get(l); n > 0; n--) { // to empty: a 0-byte array, kept
                        space.lists().delete(l, random.nextBoolean() ? -1 : 0);
                    }
                    lists.put(l, 0);
                    assertEquals(0, space.lists().capacity(l), what);
                } else if (op == 3) {
                    space.lists().clear(l);
                    lists.put(l, 0);
                } else if (op == 4) {
                    space.decref(l);
                    lists.remove(l);
                } else if (op == 5 || d == 0 && op <= 8) {
                    dicts.put(space.dicts().newDict(), new LinkedHashMap<>());
                } else if (op == 6) {
                    int k = random.nextInt(random.nextInt(8) == 0 ? keys.length : 8);
                    space.dicts().set(d, keys[k], space.none());
                    dicts.get(d).put(k, true);
                } else if (op == 7) {
                    int k = random.nextInt(keys.length);
                    assertEquals(dicts.get(d).remove(k) != null, space.dicts().delete(d, keys[k]), what);
                } else if (op == 8) {
                    space.decref(d);
                    dicts.remove(d);
                } else {
                    space.gc().collect(random.nextInt(3));
                }
                for (Map.Entry<Long, Integer> e : lists.entrySet()) {
                    assertEquals((long) e.getValue(), space.lists().size(e.getKey()), what);
                }
                for (Map.Entry<Long, Map<Integer, Boolean>> e : dicts.entrySet()) {
                    assertEquals(e.getValue().size(), space.dicts().size(e.getKey()), what);
                }
                space.checkInvariants();
                memory.checkInvariants();
            }
            lists.keySet().forEach(space::decref);
            dicts.keySet().forEach(space::decref);
            space.gc().collect();
            space.checkInvariants();
            assertEquals(objBlocks, memory.obj().liveBlocks(), "seed " + seed + ": OBJ blocks, the free lists emptied");
            assertEquals(memBlocks, memory.mem().liveBlocks(), "seed " + seed + ": MEM blocks");
            for (long k : keys) {
                space.decref(k);
            }
        }
    }
}
