package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.TestSupport.fill;
import static org.pymalloc4j.allocator.TestSupport.verify;

/**
 * The allocator suite run through every configuration and every domain: all sizes, a random
 * model with contents checked, and bad input refused with the heap intact.
 */
class DomainSuiteTest {
    static Stream<Arguments> configurations() {
        return Stream.of(AllocatorName.values())
                .flatMap(name -> Stream.of(Domain.values()).map(domain -> Arguments.of(name, domain)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void everySizeUpTo4096(AllocatorName name, Domain domain) {
        try (Memory memory = Memory.builder().allocator(name).build()) {
            MemoryDomain d = memory.domain(domain);
            List<Long> live = new ArrayList<>();
            for (int size = 0; size <= 4096; size++) {
                long p = d.malloc(size);
                assertEquals(0, p & 15, "16-byte aligned");
                fill(p, size, size);
                live.add(p);
                if (live.size() == 64) { // free in batches so pools and arenas churn
                    for (int i = 0; i < live.size(); i++) {
                        long s = size - live.size() + 1 + i;
                        verify(live.get(i), s, s, name + " " + domain);
                        d.free(live.get(i));
                    }
                    live.clear();
                }
            }
            for (long p : live) {
                d.free(p);
            }
            assertEquals(0, d.liveBlocks());
            memory.checkInvariants();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void randomOperationsKeepContents(AllocatorName name, Domain domain) {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        try (Memory memory = Memory.builder().allocator(name).build()) {
            MemoryDomain d = memory.domain(domain);
            long[] address = new long[500];
            long[] size = new long[500];
            long[] key = new long[500];
            for (int step = 0; step < 20_000; step++) {
                int slot = random.nextInt(address.length);
                long n = random.nextInt(8) == 0 ? random.nextLong(513, 5000) : random.nextLong(0, 513);
                String at = name + " " + domain + " seed=" + seed + " step=" + step;
                if (address[slot] == 0) {
                    boolean zeroed = random.nextBoolean();
                    address[slot] = zeroed ? d.calloc(1, n) : d.malloc(n);
                    if (zeroed) {
                        for (long j = 0; j < n; j++) {
                            assertEquals(0, org.pymalloc4j.allocator.internal.NativeMemory.getByte(address[slot] + j), at);
                        }
                    }
                } else {
                    verify(address[slot], size[slot], key[slot], at);
                    if (random.nextBoolean()) {
                        d.free(address[slot]);
                        address[slot] = 0;
                        continue;
                    }
                    long kept = Math.min(n, size[slot]);
                    address[slot] = d.realloc(address[slot], n);
                    verify(address[slot], kept, key[slot], at + " after realloc");
                }
                size[slot] = n;
                key[slot] = random.nextLong();
                fill(address[slot], n, key[slot]);
                if (step % 2000 == 0) {
                    memory.checkInvariants();
                }
            }
            for (long p : address) {
                d.free(p);
            }
            assertEquals(0, d.liveBlocks());
            memory.checkInvariants();
        }
    }

    private static void assertNamesTheAddress(long address, InvalidAddressException e) {
        assertEquals(address, e.address());
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(address)), e.getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void badInputIsRefusedAndTheHeapStaysIntact(AllocatorName name, Domain domain) {
        try (Memory memory = Memory.builder().allocator(name).build()) {
            MemoryDomain d = memory.domain(domain);
            long small = d.malloc(24);
            long big = d.malloc(2000);
            fill(small, 24, 1);
            fill(big, 2000, 2);
            String m = assertThrows(IllegalArgumentException.class, () -> d.malloc(-1)).getMessage();
            assertTrue(m.contains("malloc(-1): negative size"), m);
            m = assertThrows(IllegalArgumentException.class, () -> d.calloc(-1, 8)).getMessage();
            assertTrue(m.contains("calloc(-1, 8): negative size"), m);
            m = assertThrows(OutOfMemoryError.class, () -> d.calloc(Long.MAX_VALUE, 2)).getMessage();
            assertTrue(m.contains("calloc(9223372036854775807, 2): size overflows a long"), m);
            m = assertThrows(IllegalArgumentException.class, () -> d.realloc(small, -5)).getMessage();
            assertTrue(m.contains("realloc(0x" + Long.toHexString(small) + ", -5): negative size"), m);
            long foreign = RawAllocator.malloc(64);
            try {
                assertNamesTheAddress(foreign, assertThrows(InvalidAddressException.class, () -> d.free(foreign)));
                assertNamesTheAddress(foreign, assertThrows(InvalidAddressException.class, () -> d.realloc(foreign, 10)));
            } finally {
                RawAllocator.free(foreign);
            }
            long freed = d.malloc(3000);
            d.free(freed);
            assertNamesTheAddress(freed, assertThrows(InvalidAddressException.class, () -> d.free(freed)));
            d.free(0);
            assertEquals(2, d.liveBlocks(), "failed calls change no count");
            verify(small, 24, 1, "small block intact");
            verify(big, 2000, 2, "big block intact");
            memory.checkInvariants();
            d.free(small);
            d.free(big);
            memory.checkInvariants();
            assertTrue(d.liveBlocks() == 0);
        }
    }
}
