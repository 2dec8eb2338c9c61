package org.pymalloc4j.bench;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.objects.ObjectSpace;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java objects behind an object space, as JOL sees them, do not grow with the number of live
 * native objects: objects, their GC heads and free-list blocks are native; the space's Java side
 * is its type table, bounded free-list stacks, the collector's counters and the heap's arena
 * table (176 bytes per arena at most, see {@link HeapFootprintTest}). Measured at 10^3, 10^4,
 * 10^5 and 10^6 live objects (floats, ints, strs and tuples of two, in turn). Objects of more than
 * 488 bytes are left out on purpose: in checked mode the space remembers each one outside the
 * arenas in a Java set, so a checked space grows with those (tested in the last step).
 */
class ObjectSpaceFootprintTest {
    private static long make(ObjectSpace space, int i) {
        return switch (i % 4) {
            case 0 -> space.floats().newFloat(i);
            case 1 -> space.ints().newInt((1L << 40) + i);
            case 2 -> space.strs().newStr("object-" + i);
            default -> {
                long a = space.floats().newFloat(-i);
                long t = space.tuples().of(a, space.none());
                space.decref(a);
                yield t;
            }
        };
    }

    @Test
    void javaFootprintDoesNotGrowWithLiveObjects() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long[] objects = new long[1_000_000];
            int live = 0;
            long first = 0;
            for (int target = 1_000; target <= objects.length; target *= 10) {
                for (; live < target; live++) {
                    objects[live] = make(space, live);
                }
                long bytes = HeapFootprintTest.javaBytes(space);
                long arenas = space.memory().pymalloc().stats().arenasCurrent();
                if (target == 1_000) {
                    first = bytes;
                    assertTrue(bytes <= 48 << 10, "the Java objects behind a space take " + bytes + " bytes, more than the README says");
                }
                System.out.printf("Java heap behind the object space: %,9d bytes with %,9d live objects (%,4d arenas)%n",
                        bytes, space.liveObjectCount(), arenas);
                assertTrue(space.liveObjectCount() >= target, "objects alive: " + space.liveObjectCount());
                assertTrue(bytes - first <= 176 * arenas + 4096, "Java footprint grew from " + first + " to " + bytes
                        + " bytes for " + space.liveObjectCount() + " objects in " + arenas + " arenas");
            }
            // The documented exception: each live object outside the arenas is a Java set entry in checked mode.
            long before = HeapFootprintTest.javaBytes(space);
            long[] big = new long[1_000];
            for (int i = 0; i < big.length; i++) {
                big[i] = space.tuples().newTuple(100); // 16 + 24 + 800 bytes: a raw block
            }
            long after = HeapFootprintTest.javaBytes(space);
            System.out.printf("... and %,d bytes more with 1,000 live tuples of 100 items (raw blocks, checked mode)%n",
                    after - before);
            assertTrue(after - before >= 1_000 * 16, "the checked space's raw-object set should show: " + (after - before));
            for (long t : big) {
                space.decref(t);
            }
            for (int i = 0; i < live; i++) {
                space.decref(objects[i]);
            }
        }
    }
}
