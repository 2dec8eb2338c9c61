package org.pymalloc4j.allocator;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import org.pymalloc4j.allocator.internal.NativeMemory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The default arena allocator's free when munmap refuses with an errno other than ENOMEM: a
 * sealed mapping (Linux 6.10's mseal) refuses munmap with EPERM, for good. Its pages stayed
 * resident, the arena's memory never given back; now they go back as for ENOMEM
 * (madvise(MADV_DONTNEED), which a sealed writable mapping allows), the failure still reported.
 */
@EnabledOnOs(OS.LINUX)
class SealedArenaTest {
    private static final long SYS_MSEAL_X86_64 = 462;

    /** {@code syscall(SYS_mseal, addr, len, 0)}: 0 if sealed. */
    private static long seal(long address, long size) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), Linker.Option.firstVariadicArg(1));
        return (long) syscall.invokeExact(SYS_MSEAL_X86_64, address, size, 0L);
    }

    @Test
    void aSealedArenaGivesItsPagesBackAndSaysWhyItStaysMapped() throws Throwable {
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "mseal's number is x86-64's");
        long probe = RawAllocator.mapAligned(1 << 20, 1 << 20);
        assumeTrue(seal(probe, 1 << 20) == 0, "mseal is available (Linux 6.10+)");
        ArenaAllocator sealing = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                long arena = ArenaAllocator.mmap().allocate(size);
                try {
                    assertEquals(0, seal(arena, size));
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
                return arena;
            }

            @Override
            public void free(long address, long size) {
                ArenaAllocator.mmap().free(address, size);
            }
        };
        PyMalloc heap = PyMalloc.builder().arenaAllocator(sealing).build();
        int perArena = heap.geometry().poolsPerArena() * heap.geometry().blocksPerPool(31);
        long[] blocks = new long[2 * perArena];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = heap.malloc(512);
            NativeMemory.fill(blocks[i], 512, (byte) 0x5A);
        }
        for (int i = blocks.length - 1; i >= 0; i--) { // the second arena empties first: kept; then the first goes
            heap.free(blocks[i]);
        }
        assertEquals(1, heap.stats().arenasCurrent());
        long gone = blocks[1];
        assertEquals(0, NativeMemory.getByte(gone + 100), "the sealed arena's pages were given back (it stays mapped)");
        IllegalStateException e = assertThrows(IllegalStateException.class, heap::close);
        assertTrue(e.getMessage().contains("the range is sealed (mseal)") && e.getMessage().contains("its pages were given back"),
                e.getMessage());
    }
}
