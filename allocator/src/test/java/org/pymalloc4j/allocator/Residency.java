package org.pymalloc4j.allocator;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Which pages of a mapping the kernel has backed, from Linux's {@code mincore}: for the prefault tests. */
final class Residency {
    private static final MethodHandle MINCORE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().findOrThrow("mincore"),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS));

    private Residency() {
    }

    /** One char a page of {@code [address, address + pages * pageSize)}: '#' resident, '.' not. */
    static String of(long address, int pages) {
        long pageSize = RawAllocator.pageSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vec = arena.allocate(pages);
            int result = (int) MINCORE.invokeExact(address, pages * pageSize, vec);
            if (result != 0) {
                throw new IllegalStateException("mincore(0x" + Long.toHexString(address) + ") failed");
            }
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < pages; i++) {
                s.append((vec.get(JAVA_BYTE, i) & 1) != 0 ? '#' : '.');
            }
            return s.toString();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
