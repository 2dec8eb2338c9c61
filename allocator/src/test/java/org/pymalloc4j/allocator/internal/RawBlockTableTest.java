package org.pymalloc4j.allocator.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.TestSupport;

/** {@link RawBlockTable} against a {@link HashMap}: puts, removes and look-ups, seeded. */
class RawBlockTableTest {
    @Test
    void theTableAgreesWithAMapThroughGrowthAndBackwardShiftDeletion() {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        RawBlockTable table = new RawBlockTable();
        Map<Long, Long> model = new HashMap<>();
        List<Long> keys = new ArrayList<>();
        try {
            for (int step = 0; step < 60_000; step++) {
                int op = random.nextInt(10);
                if (op < 5 || keys.isEmpty()) {
                    // Runs of neighbours, as libc hands them out, and addresses anywhere.
                    long address = random.nextBoolean() ? 0x7f0000000000L + 16L * random.nextInt(50_000)
                            : (random.nextLong(1L << 47) & -16L) | 16;
                    long size = random.nextLong(1L << 20);
                    table.put(address, size);
                    if (model.put(address, size) == null) {
                        keys.add(address);
                    }
                } else if (op < 6) {
                    long address = keys.get(random.nextInt(keys.size()));
                    long size = random.nextLong(1L << 20);
                    assertTrue(table.resize(address, size), "a recorded block resizes");
                    model.put(address, size);
                } else if (op < 9) {
                    long address = keys.remove(random.nextInt(keys.size()));
                    assertEquals((long) model.remove(address), table.remove(address), "remove returns the size");
                    assertEquals(-1, table.remove(address), "a second remove finds nothing");
                } else {
                    long absent = (random.nextLong(1L << 47) & -16L) | 8; // no key is 8 mod 16
                    assertEquals(-1, table.sizeOf(absent));
                    assertFalse(table.contains(absent));
                    assertFalse(table.resize(absent, 1), "nothing to resize");
                }
                if (step % 1000 == 0) {
                    table.checkInvariants();
                    for (Map.Entry<Long, Long> e : model.entrySet()) {
                        assertEquals((long) e.getValue(), table.sizeOf(e.getKey()), "0x" + Long.toHexString(e.getKey()));
                    }
                }
            }
            table.checkInvariants();
            assertEquals(model.size(), table.count());
            assertEquals(model.values().stream().mapToLong(Long::longValue).sum(), table.bytes());
            assertEquals(-1, table.remove(0), "0 is never a block");
        } finally {
            table.release();
        }
    }
}
