package org.pymalloc4j.allocator;

import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.function.Executable;
import org.pymalloc4j.allocator.internal.LiveMarks;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.testkit.LimitedJvm;
import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Seeds, fill patterns and small helpers shared by the allocator tests. */
public final class TestSupport {
    /** Every preset; every geometry-sensitive test runs on each (huge pages: arenas from ArenaAllocator.hugePages()). */
    static final String GEOMETRIES = "org.pymalloc4j.allocator.TestSupport#geometries";

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private TestSupport() {
    }

    /** {@code address}'s byte in checked mode's live-block map: 0, or the mark of the heap it is live in. */
    static int liveMark(long address) {
        return NativeMemory.getByte(LiveMarks.mark(address)) & 0xff;
    }

    static java.util.stream.Stream<Geometry> geometries() {
        return java.util.stream.Stream.of(Geometry.PY311, Geometry.PY38, Geometry.HUGE_PAGES);
    }

    /** Legal non-preset geometries at the edges of the constructor's ranges (2 and 256 pools per arena). */
    static final String EDGE_GEOMETRIES = "org.pymalloc4j.allocator.TestSupport#edgeGeometries";

    static java.util.stream.Stream<Geometry> edgeGeometries() {
        return java.util.stream.Stream.of(
                new Geometry("4K-pools-2-per-arena", 12, 13),
                new Geometry("64K-pools-256-per-arena", 16, 24),
                new Geometry("8K-pools-16-per-arena", 13, 17));
    }

    /**
     * The seed of a randomized test: {@code -Dpymalloc4j.seed} if set, else a fresh one. Printed
     * so that a failing run can be replayed.
     */
    public static long seed() {
        long seed = Seeds.seed(TestSupport.class);
        System.out.println("seed=" + seed);
        return seed;
    }

    /** {@link LimitedJvm#run} with this build's allocator classes on the class path. */
    static String runLimited(long kib, String checks, Class<?> main, String... options) throws Exception {
        return LimitedJvm.run(kib, checks, List.of(PyMalloc.class), main, options);
    }

    /** splitmix64's finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Word {@code w} of the pattern of {@code key} (mimalloc test-stress style: a cookie per block). */
    private static long word(long key, long w) {
        return mix(key + w * 0x9E3779B97F4A7C15L);
    }

    /** Byte {@code j} of the pattern of {@code key}; the pattern is the words laid out little-endian. */
    static byte patternByte(long key, long j) {
        return (byte) (word(key, j >>> 3) >>> ((j & 7) << 3));
    }

    /** Fills {@code [address, address + size)} with the pattern of {@code key}. */
    static void fill(long address, long size, long key) {
        long words = size >>> 3;
        for (long w = 0; w < words; w++) {
            long v = word(key, w);
            NativeMemory.putLong(address + (w << 3), LITTLE_ENDIAN ? v : Long.reverseBytes(v));
        }
        for (long j = words << 3; j < size; j++) {
            NativeMemory.putByte(address + j, patternByte(key, j));
        }
    }

    /** The offset of the first byte of {@code [address, address + size)} off the pattern, or -1. */
    static long firstMismatch(long address, long size, long key) {
        long words = size >>> 3;
        for (long w = 0; w < words; w++) {
            long v = word(key, w);
            if (NativeMemory.getLong(address + (w << 3)) != (LITTLE_ENDIAN ? v : Long.reverseBytes(v))) {
                for (long j = w << 3; ; j++) {
                    if (NativeMemory.getByte(address + j) != patternByte(key, j)) {
                        return j;
                    }
                }
            }
        }
        for (long j = words << 3; j < size; j++) {
            if (NativeMemory.getByte(address + j) != patternByte(key, j)) {
                return j;
            }
        }
        return -1;
    }

    /** Fails unless the first {@code size} bytes at {@code address} hold the pattern of {@code key}. */
    static void verify(long address, long size, long key, String what) {
        long j = firstMismatch(address, size, key);
        if (j >= 0) {
            fail(what + ": block 0x" + Long.toHexString(address) + " of " + size + " bytes: byte " + j
                    + " is 0x" + Integer.toHexString(NativeMemory.getByte(address + j) & 0xff)
                    + ", expected 0x" + Integer.toHexString(patternByte(key, j) & 0xff));
        }
    }

    /** Whether a request of {@code size} bytes is served from the pools. */
    static boolean isSmall(long size) {
        return size >= 1 && size <= Geometry.SMALL_REQUEST_THRESHOLD;
    }

    static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    /**
     * Asserts {@code call} is refused with an {@link InvalidAddressException} whose message names
     * the operation and the address in hex ({@code "free(0x...): ..."}) and that carries the address.
     */
    static InvalidAddressException refusedAddress(String operation, long address, Executable call, String what) {
        InvalidAddressException e = assertThrows(InvalidAddressException.class, call, what);
        assertTrue(e.getMessage().startsWith(operation + "(" + hex(address) + ")"), what + ": " + e.getMessage());
        assertEquals(address, e.address(), what);
        return e;
    }

    static InvalidAddressException refusedAddress(String operation, long address, Executable call) {
        return refusedAddress(operation, address, call, operation);
    }
}
