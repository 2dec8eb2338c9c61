package org.pymalloc4j.objects.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.RawAllocator;
import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The type table's cache of recently found types: {@code isRecent} is true only for registered
 * types, {@code find} agrees with a map through registrations, unregistrations and slot
 * collisions, and neither 0 nor the freed-object marker is ever taken for a type. The
 * behaviour it keeps from its last answer never outlives the registration it came from.
 */
class TypeTableTest {
    private static final long TYPE_BYTES = 512;

    @Test
    void anIndexReusedAnswersWithItsNewBehaviour() {
        long area = RawAllocator.calloc(2, TYPE_BYTES);
        try {
            TypeTable table = new TypeTable();
            TypeBehaviour first = behaviourNamed("first");
            TypeBehaviour second = behaviourNamed("second");
            int i = table.register(area, "first", false, first);
            assertSame(first, table.behaviour(i));
            assertSame(first, table.behaviour(i), "asked twice, the kept answer");
            table.unregister(i);
            assertTrue(table.lastAnswerIsCurrent());
            int j = table.register(area + TYPE_BYTES, "second", false, second);
            assertEquals(i, j, "the freed index is reused");
            assertSame(second, table.behaviour(j), "not the behaviour of the type unregistered there");
            assertTrue(table.lastAnswerIsCurrent());
        } finally {
            RawAllocator.free(area);
        }
    }

    private static TypeBehaviour behaviourNamed(String name) {
        return new TypeBehaviour() {
            @Override
            public void dealloc(long o) {
            }

            @Override
            public long sizeOf(long o) {
                return 0;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    @Test
    void findAndIsRecentAgreeWithAModel() {
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        long area = RawAllocator.calloc(64, TYPE_BYTES); // type objects need a tp_version_tag to write
        try {
            TypeTable table = new TypeTable();
            Map<Long, Integer> model = new HashMap<>();
            Map<Integer, TypeBehaviour> behaviours = new HashMap<>();
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
                        TypeBehaviour b = behaviourNamed("t" + step); // one per registration
                        int i = table.register(t, "t" + step, false, b);
                        model.put(t, i);
                        behaviours.put(i, b);
                    } else {
                        table.unregister(index);
                        model.remove(t);
                        behaviours.remove(index);
                        assertFalse(table.isRecent(t), "an unregistered type is not recent, seed " + seed);
                    }
                } else {
                    int found = table.find(t);
                    assertEquals(index == null ? -1 : index, found, "find(0x" + Long.toHexString(t) + "), seed " + seed);
                    if (index != null) {
                        assertTrue(table.isRecent(t), "just found, so recent, seed " + seed);
                        assertSame(behaviours.get(index), table.behaviour(index), "behaviour(" + index + "), seed " + seed);
                    }
                }
                for (long c : candidates) {
                    if (table.isRecent(c)) {
                        assertTrue(model.containsKey(c), "recent but not registered: 0x" + Long.toHexString(c) + ", seed " + seed);
                    }
                }
                assertFalse(table.isRecent(0));
                assertEquals(-1, table.find(0));
                assertTrue(table.lastAnswerIsCurrent(), "kept behaviour outlived its type, seed " + seed);
            }
        } finally {
            RawAllocator.free(area);
        }
    }
}
