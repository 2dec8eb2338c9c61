package org.pymalloc4j.objects.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.RawAllocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The type table's cache of recently found types: {@code isRecent} is true only for registered
 * types, {@code find} agrees with a map through registrations, unregistrations and slot
 * collisions, and neither 0 nor the freed-object marker is ever taken for a type.
 */
class TypeTableTest {
    private static final long TYPE_BYTES = 512;
    private static final TypeBehaviour NOTHING = new TypeBehaviour() {
        @Override
        public void dealloc(long o) {
        }

        @Override
        public long sizeOf(long o) {
            return 0;
        }
    };

    @Test
    void findAndIsRecentAgreeWithAModel() {
        long seed = new SplittableRandom().nextLong();
        System.out.println("TypeTableTest seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        long area = RawAllocator.calloc(64, TYPE_BYTES); // type objects need a tp_version_tag to write
        try {
            TypeTable table = new TypeTable();
            Map<Long, Integer> model = new HashMap<>();
            List<Long> candidates = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                candidates.add(area + i * TYPE_BYTES); // 512 apart: many share a cache slot
            }
            assertFalse(table.isRecent(0), "0 is no type");
            assertFalse(table.isRecent(Core.DEAD), "the freed-object marker is no type");
            for (int step = 0; step < 5_000; step++) {
                long t = candidates.get(random.nextInt(candidates.size()));
                Integer index = model.get(t);
                if (random.nextInt(4) == 0) {
                    if (index == null) {
                        model.put(t, table.register(t, "t" + step, false, NOTHING));
                    } else {
                        table.unregister(index);
                        model.remove(t);
                        assertFalse(table.isRecent(t), "an unregistered type is not recent, seed " + seed);
                    }
                } else {
                    int found = table.find(t);
                    assertEquals(index == null ? -1 : index, found, "find(0x" + Long.toHexString(t) + "), seed " + seed);
                    if (index != null) {
                        assertTrue(table.isRecent(t), "just found, so recent, seed " + seed);
                    }
                }
                for (long c : candidates) {
                    if (table.isRecent(c)) {
                        assertTrue(model.containsKey(c), "recent but not registered: 0x" + Long.toHexString(c) + ", seed " + seed);
                    }
                }
                assertFalse(table.isRecent(0));
                assertEquals(-1, table.find(0));
            }
        } finally {
            RawAllocator.free(area);
        }
    }
}
