package org.pymalloc4j.allocator;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.squeeze.AddressSpaceSqueeze;
import org.pymalloc4j.allocator.testkit.MappingsAtTheLimit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RawAllocator.mapAligned, "@return the aligned address, or 0 if the kernel refused", when the
 * kernel refuses to trim the over-mapped span: the span merged with the mapping just above it,
 * so its tail is a hole in the middle of one mapping, and a process with all the mappings
 * vm.max_map_count allows may not split one (ENOMEM). The refusal went out of mapAligned, and
 * out of the default arena allocator's allocate (whose contract is 0 for no memory) as an
 * IllegalStateException, the whole span left mapped. Now the span goes back whole (a prefix of
 * the mapping, which needs no split) and mapAligned returns 0.
 */
class MapAlignedTrimTest {
    @Test
    void aRefusedTrimGivesTheSpanBackAndReturnsZero() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/sys/vm/max_map_count")), "Linux only");
        String out = TestSupport.runLimited(1L << 40, "false", TrimRefused.class, "-Xint", "-Xms32m",
                "-XX:+AlwaysPreTouch");
        assertTrue(out.contains("mapAligned: 0\n"), out);
        assertTrue(out.contains("pages of the span left mapped: 0\n"), out);
        assertTrue(out.contains("the mapping above still mapped: true\n"), out);
    }

    /**
     * The default arena allocator's free, at the same limit: arenas mapped one under the other
     * merge into one mapping, so unmapping the middle one would split it, and the kernel refuses.
     * That refusal went out of the heap's free (an IllegalStateException from a valid free(p)), as
     * CPython's _PyObject_ArenaMunmap would not let it, the arena's pages kept. Now the pages go
     * back (madvise MADV_DONTNEED, which splits nothing), the address range left mapped.
     */
    @Test
    void anArenaFreeTheKernelRefusesGivesThePagesBackAndDoesNotThrow() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/sys/vm/max_map_count")), "Linux only");
        String out = TestSupport.runLimited(1L << 40, "false", FreeRefused.class, "-Xint", "-Xms32m", "-XX:+AlwaysPreTouch");
        assertTrue(out.contains("free: returned\n"), out);
        assertTrue(out.contains("the middle arena's pages resident: 0\n"), out);
    }

    /** The child of {@link #anArenaFreeTheKernelRefusesGivesThePagesBackAndDoesNotThrow}. */
    public static final class FreeRefused {
        private static final long PAGE = 4096;
        private static final long MIB = 1 << 20;

        public static void main(String[] args) throws Throwable {
            ArenaAllocator mmap = ArenaAllocator.mmap();
            long warm = RawAllocator.mmap(PAGE); // the refusal's code linked before the squeeze
            try {
                RawAllocator.unmap(warm + 1, PAGE);
            } catch (IllegalStateException expected) {
                System.out.println("warm: " + expected.getMessage());
            }
            RawAllocator.unmap(warm, PAGE);
            // Three arenas in a row, as the kernel maps each just under the last, are one mapping: so is this.
            long row = RawAllocator.mapAligned(3 * MIB, MIB);
            long middle = row + MIB;
            NativeMemory.fill(middle, MIB, (byte) 1);
            MappingsAtTheLimit limit = new MappingsAtTheLimit();
            limit.fill();
            Throwable thrown = null;
            try {
                mmap.free(middle, MIB);
            } catch (RuntimeException e) {
                thrown = e;
            }
            limit.release();
            System.out.println("free: " + (thrown == null ? "returned" : thrown.toString()));
            String resident = Residency.of(middle, (int) (MIB / PAGE));
            System.out.println("the middle arena's pages resident: " + resident.chars().filter(c -> c == '#').count());
            RawAllocator.unmap(row, 3 * MIB);
        }
    }

    /** The child: the address space full but for a gap under a plain page, the mappings at their limit. */
    public static final class TrimRefused {
        private static final long PAGE = 4096;
        private static final long MIB = 1 << 20;
        private static final Linker LINKER = Linker.nativeLinker();
        private static final MethodHandle MMAP = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("mmap"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        private static final MethodHandle MINCORE = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("mincore"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS));
        private static final MemorySegment VEC = Arena.global().allocate(8);

        private static boolean mapped(long page) throws Throwable {
            return (int) MINCORE.invokeExact(page, PAGE, VEC) == 0;
        }

        public static void main(String[] args) throws Throwable {
            long warm = RawAllocator.mmap(PAGE); // the refusal's code, mincore and mapAligned linked before the squeeze
            try {
                RawAllocator.unmap(warm + 1, PAGE);
            } catch (IllegalStateException expected) {
                System.out.println("warm: " + expected.getMessage());
            }
            mapped(warm);
            RawAllocator.unmap(warm, PAGE);
            RawAllocator.unmap(RawAllocator.mapAligned(MIB, MIB), MIB);
            long g = RawAllocator.reserve(16 * MIB);
            long plain = ((g + 8 * MIB) & -MIB) + 3 * PAGE; // not 1 MiB-aligned: a mapping ending there is not either
            long fixed = (long) MMAP.invokeExact(plain, PAGE, 3, 0x32, -1, 0L); // RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED
            if (fixed != plain) {
                throw new AssertionError("no plain page");
            }
            MappingsAtTheLimit limit = new MappingsAtTheLimit();
            long[] result = new long[4];
            Throwable[] thrown = new Throwable[1];
            AddressSpaceSqueeze.withAddressSpaceFull(() -> {
                try {
                    // The one gap left, under 4 MiB: the kernel places a 2 MiB mapping on a 2 MiB boundary only
                    // where it has 2 MiB to spare, so here both mappings end at the plain page, and merge with it.
                    RawAllocator.unmap(plain - 2 * MIB - 3 * PAGE, 2 * MIB + 3 * PAGE);
                    result[3] = limit.fill();
                    try {
                        result[0] = RawAllocator.mapAligned(MIB, MIB);
                    } catch (RuntimeException e) {
                        thrown[0] = e;
                    }
                    limit.release();
                    for (long p = plain - 2 * MIB - 3 * PAGE; p < plain; p += PAGE) {
                        result[1] += mapped(p) ? 1 : 0;
                    }
                    result[2] = mapped(plain) ? 1 : 0;
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
            });
            System.out.println("mapAligned: " + (thrown[0] != null ? thrown[0] : Long.toString(result[0])));
            System.out.println("pages of the span left mapped: " + result[1]);
            System.out.println("the mapping above still mapped: " + (result[2] == 1));
            System.out.println("mappings made: " + result[3] + " pages made writable");
        }
    }
}
