package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pymalloc4j.allocator.DebugFixture.Backend;
import org.pymalloc4j.allocator.MemoryCorruptionException.Kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.DebugFixture.all;

/**
 * A seeded random walk of malloc, calloc, realloc and free through the three domains, checked
 * after every step against a model of the live blocks: contents, CLEANBYTE and zero fills,
 * DEADBYTE after free, counts, and the hooks' invariants. Now and then a block is freed
 * through the wrong domain, which must be reported with nothing changed.
 */
class DebugHooksModelTest {
    private static final int STEPS = 4_000;

    /** A live block: address, size, domain, and the key of the pattern it holds. */
    private record Block(long p, long size, Domain domain, long key) {
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void randomWalkThroughTheThreeDomains(Backend backend) {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        int quarantine = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(64);
        try (DebugFixture f = new DebugFixture(backend, quarantine)) {
            List<Block> live = new ArrayList<>();
            List<Long> freed = new ArrayList<>(); // recently freed, still DEADBYTE if quarantined
            for (int step = 0; step < STEPS; step++) {
                String at = "seed " + seed + ", quarantine " + quarantine + ", step " + step;
                int op = random.nextInt(100);
                if (live.isEmpty() || op < 35) {
                    live.add(allocate(f, random, at));
                } else if (op < 60) {
                    Block b = live.remove(random.nextInt(live.size()));
                    TestSupport.verify(b.p, b.size, b.key, at);
                    f.of(b.domain).free(b.p);
                    if (quarantine > 0) {
                        assertTrue(all(b.p - 16, b.size + 24, 0xdd), at + ": freed block is DEADBYTE");
                    }
                    freed.add(b.p);
                } else if (op < 90) {
                    int i = random.nextInt(live.size());
                    Block b = live.get(i);
                    TestSupport.verify(b.p, b.size, b.key, at);
                    long size = size(random);
                    long moved = f.of(b.domain).realloc(b.p, size);
                    TestSupport.verify(moved, Math.min(size, b.size), b.key, at + ": realloc kept the prefix");
                    assertTrue(all(moved + b.size, size - b.size, 0xcd), at + ": grown tail is CLEANBYTE");
                    long key = random.nextLong();
                    TestSupport.fill(moved, size, key);
                    live.set(i, new Block(moved, size, b.domain, key));
                    freed.add(b.p);
                } else if (op < 95) {
                    Block b = live.get(random.nextInt(live.size()));
                    Domain wrong = Domain.values()[(b.domain.ordinal() + 1 + random.nextInt(2)) % 3];
                    long before = f.hooks.liveBlocks();
                    MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class,
                            () -> f.of(wrong).free(b.p), at);
                    assertEquals(Kind.BAD_ID, e.kind(), at);
                    assertEquals(b.domain.apiId(), e.actualApi(), at);
                    assertEquals(wrong.apiId(), e.expectedApi(), at);
                    assertEquals(before, f.hooks.liveBlocks(), at);
                    TestSupport.verify(b.p, b.size, b.key, at + ": after the mismatch");
                } else if (!freed.isEmpty()) {
                    long p = freed.get(random.nextInt(freed.size()));
                    Domain d = Domain.values()[random.nextInt(3)];
                    boolean reused = live.stream().anyMatch(b -> b.p == p);
                    if (!reused) { // a stale address the inner allocator has not handed out again
                        TestSupport.refusedAddress("free", p, () -> f.of(d).free(p), at);
                    }
                }
                if (freed.size() > 256) {
                    freed.subList(0, 128).clear();
                }
                f.hooks.checkInvariants();
                assertEquals(live.size(), f.hooks.liveBlocks(), at);
                assertEquals(live.size() + f.hooks.quarantinedBlocks(), f.innerLive(), at);
                assertTrue(f.hooks.quarantinedBlocks() <= quarantine, at);
                if (step % 100 == 0) {
                    f.hooks.checkFreedMemory();
                    f.checkHeap();
                }
            }
            for (Block b : live) {
                TestSupport.verify(b.p, b.size, b.key, "at the end, seed " + seed);
                f.of(b.domain).free(b.p);
            }
            f.hooks.checkFreedMemory();
        }
    }

    private static Block allocate(DebugFixture f, SplittableRandom random, String at) {
        Domain d = Domain.values()[random.nextInt(3)];
        long size = size(random);
        boolean zeroed = random.nextBoolean();
        long p;
        if (zeroed) {
            long elsize = size == 0 ? random.nextInt(4) : 1 + random.nextInt(4);
            long nelem = elsize == 0 ? random.nextInt(4) : size / elsize;
            p = f.of(d).calloc(nelem, elsize);
            size = nelem * elsize;
        } else {
            p = f.of(d).malloc(size);
        }
        assertTrue(all(p, size, zeroed ? 0 : 0xcd), at + ": fresh " + (zeroed ? "calloc" : "malloc") + " data");
        long key = random.nextLong();
        TestSupport.fill(p, size, key);
        return new Block(p, size, d, key);
    }

    /** Mostly small sizes (around pymalloc's 488-byte debug limit), some raw ones. */
    private static long size(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 480 + random.nextInt(20);
            case 2 -> 600 + random.nextInt(5000);
            default -> random.nextInt(300);
        };
    }
}
