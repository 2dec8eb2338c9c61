package org.pymalloc4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** {@link SlotNumbers} against a model: a map of the live slots and a stack of the numbers freed. */
class SlotNumbersTest {
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
