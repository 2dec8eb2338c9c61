package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.ArenaIndex;
import org.pymalloc4j.allocator.internal.ArenaMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hot-path arena index answers exactly as the radix tree does, for aligned and unaligned arenas. */
class ArenaIndexTest {
    private static final int BITS = 20;
    private static final long SIZE = 1L << BITS;

    @Test
    void agreesWithTheRadixTreeOnRandomArenaSets() {
        long seed = TestSupport.seed();
        System.out.println("seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        ArenaMap map = new ArenaMap(BITS);
        ArenaIndex index = new ArenaIndex(BITS, map);
        List<Long> live = new ArrayList<>();
        long region = 0x7f00_0000_0000L;
        try {
            for (int step = 0; step < 2_000; step++) {
                if (live.isEmpty() || random.nextInt(3) > 0) {
                    // Non-overlapping arenas: a random slot of 2 MiB, aligned or not inside it.
                    long base = region + (long) random.nextInt(4096) * 2 * SIZE
                            + (random.nextBoolean() ? 0 : 16384L * random.nextInt(1, 64));
                    if (live.contains(base) || live.stream().anyMatch(b -> Math.abs(b - base) < 2 * SIZE)) {
                        continue;
                    }
                    map.markUsed(base);
                    index.add(base);
                    live.add(base);
                } else {
                    long base = live.remove(random.nextInt(live.size()));
                    map.markUnused(base);
                    index.remove(base);
                }
                index.checkInvariants();
                for (int probe = 0; probe < 20; probe++) {
                    long a = live.isEmpty() || random.nextBoolean()
                            ? region + random.nextLong(8192L * 2 * SIZE)
                            : live.get(random.nextInt(live.size())) + random.nextLong(-16, SIZE + 16);
                    assertEquals(map.contains(a), index.contains(a), "address 0x" + Long.toHexString(a) + ", seed " + seed);
                    boolean inOne = live.stream().anyMatch(b -> a >= b && a < b + SIZE);
                    assertEquals(inOne, index.contains(a), "model, address 0x" + Long.toHexString(a) + ", seed " + seed);
                }
            }
        } finally {
            map.release();
        }
    }

    @Test
    void twoUnalignedArenasSharingABlock() {
        ArenaMap map = new ArenaMap(BITS);
        ArenaIndex index = new ArenaIndex(BITS, map);
        long first = 0x7f10_0000_4000L;          // ends at 0x...1000_4000, inside the next block
        long second = first + SIZE;               // starts in that same block
        try {
            for (long b : new long[] {first, second}) {
                map.markUsed(b);
                index.add(b);
            }
            map.markUnused(first);
            index.remove(first);
            assertEquals(false, index.contains(first));
            assertEquals(true, index.contains(second), "the shared block still covers the second arena");
            assertEquals(true, index.contains(second + SIZE - 1));
            assertEquals(false, index.contains(second + SIZE));
            index.checkInvariants();
        } finally {
            map.release();
        }
    }
}
