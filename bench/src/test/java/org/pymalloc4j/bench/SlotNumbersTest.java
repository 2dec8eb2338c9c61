package org.pymalloc4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** {@link SlotNumbers} against a model: a map of the live slots and a stack of the numbers freed. */
class SlotNumbersTest {
    /**
     * The table grows to 2^27 buckets (2^26 slots live, at most half full): every part of it must be
     * some keys' home, or the keys crowd into the parts that are and probing runs long. Keys sampled,
     * not inserted: 2^26 of them would take a GiB.
     */
    @Test
    void homesSpreadOverTheWholeOfTheLargestTable() {
        int buckets = Integer.highestOneBit(Trace.MAX_SLOT + 1) * 2;
        int parts = 16;
        int[] homes = new int[parts];
        long seed = System.nanoTime();
        System.out.println("SlotNumbersTest homes seed " + seed);
        Random random = new Random(seed);
        int keys = 1 << 16;
        for (int i = 0; i < keys; i++) {
            int key = i % 2 == 0 ? i / 2 + 1 : random.nextInt(Trace.MAX_SLOT + 1) + 1; // dense keys and sparse ones
            homes[SlotNumbers.home(key, buckets) / (buckets / parts)]++;
        }
        for (int part = 0; part < parts; part++) {
            assertTrue(homes[part] > keys / parts / 2, "seed " + seed + ": part " + part + " of " + parts
                    + " of a table of " + buckets + " buckets is the home of " + homes[part] + " of " + keys + " keys");
        }
    }

    @Test
    void randomMallocsAndFreesOfSparseSlotsMatchTheModel() {
        long seed = System.nanoTime();
        System.out.println("SlotNumbersTest seed " + seed);
        Random random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            SlotNumbers numbers = new SlotNumbers();
            Map<Integer, Integer> model = new HashMap<>();
            ArrayDeque<Integer> freed = new ArrayDeque<>();
            List<Integer> live = new ArrayList<>();
            int count = 0;
            int range = round % 2 == 0 ? 1 << 10 : Trace.MAX_SLOT + 1; // clustered keys, then sparse ones
            for (int step = 0; step < 20_000; step++) {
                int slot = random.nextInt(4) != 0 || live.isEmpty() ? random.nextInt(range) : live.get(random.nextInt(live.size()));
                String at = "seed " + seed + ", round " + round + ", step " + step + ", slot " + slot;
                if (random.nextBoolean()) {
                    int expected = model.containsKey(slot) ? -1 : freed.isEmpty() ? count++ : freed.pop();
                    if (expected >= 0) {
                        model.put(slot, expected);
                        live.add(slot);
                    }
                    assertEquals(expected, numbers.malloc(slot), at);
                } else if (random.nextBoolean()) {
                    assertEquals(model.getOrDefault(slot, -1).intValue(), numbers.of(slot), at);
                } else {
                    Integer expected = model.remove(slot);
                    if (expected != null) {
                        freed.push(expected);
                        live.remove(Integer.valueOf(slot));
                    }
                    assertEquals(expected == null ? -1 : expected, numbers.free(slot), at);
                }
                assertEquals(count, numbers.count(), at);
            }
            for (Map.Entry<Integer, Integer> e : model.entrySet()) {
                assertEquals(e.getValue().intValue(), numbers.of(e.getKey()), "seed " + seed + ": slot " + e.getKey());
            }
        }
    }
}
