package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;

import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Debug hooks over the three domains, each domain's inner allocator wrapped in a
 * {@link Recorder} so tests can see what reaches it. Closing checks that nothing leaked:
 * the hooks' invariants hold, no debug block is live, and every inner block came back.
 */
final class DebugFixture implements AutoCloseable {
    /** What the domains allocate from. */
    enum Backend {
        /** All three domains over one pymalloc heap. */
        PYMALLOC,
        /** All three over libc malloc. */
        LIBC,
        /** CPython's default: RAW over libc, MEM and OBJ over pymalloc. */
        MIXED
    }

    final Backend backend;
    /** The pymalloc heap, or null for {@link Backend#LIBC}. */
    final PyMalloc heap;
    final DebugHooks hooks;
    final Recorder rawInner;
    final Recorder heapInner;
    final BlockAllocator raw;
    final BlockAllocator mem;
    final BlockAllocator obj;

    DebugFixture(Backend backend) {
        this(backend, DebugHooks.DEFAULT_QUARANTINE_BLOCKS);
    }

    DebugFixture(Backend backend, int quarantineBlocks) {
        this.backend = backend;
        heap = backend == Backend.LIBC ? null : PyMalloc.create();
        rawInner = new Recorder(backend == Backend.PYMALLOC ? heap : new LibcAllocator());
        heapInner = backend == Backend.PYMALLOC ? rawInner : new Recorder(heap == null ? new LibcAllocator() : heap);
        hooks = DebugHooks.create(quarantineBlocks);
        raw = hooks.wrap(Domain.RAW, rawInner);
        mem = hooks.wrap(Domain.MEM, heapInner);
        obj = hooks.wrap(Domain.OBJ, heapInner);
    }

    BlockAllocator of(Domain domain) {
        return switch (domain) {
            case RAW -> raw;
            case MEM -> mem;
            case OBJ -> obj;
        };
    }

    /** Blocks the inner allocators hold for the hooks: live plus quarantined debug blocks. */
    long innerLive() {
        return rawInner == heapInner ? rawInner.live : rawInner.live + heapInner.live;
    }

    /** The heap's invariants, if there is a heap. */
    void checkHeap() {
        if (heap != null) {
            heap.checkInvariants();
        }
    }

    @Override
    public void close() {
        try {
            if (!hooks.isClosed()) {
                hooks.checkInvariants();
                assertEquals(0, hooks.liveBlocks(), "debug blocks leaked by the test");
                assertEquals(hooks.quarantinedBlocks(), innerLive(), "inner blocks besides the quarantine");
                hooks.close();
                assertEquals(0, innerLive(), "close did not return the quarantine");
            }
            checkHeap();
        } finally {
            if (heap != null && !heap.isClosed()) {
                heap.close();
            }
        }
    }

    /** The bytes at {@code address} as {@code "cd cd .."}, for layout assertions. */
    static String bytes(long address, long length) {
        StringBuilder s = new StringBuilder();
        for (long i = 0; i < length; i++) {
            s.append(i == 0 ? "" : " ").append(String.format("%02x", NativeMemory.getByte(address + i) & 0xff));
        }
        return s.toString();
    }

    /** {@code count} copies of {@code b}, as {@link #bytes} writes them. */
    static String repeat(String b, int count) {
        return count == 0 ? "" : (b + " ").repeat(count - 1) + b;
    }

    /** Whether all {@code length} bytes at {@code address} are {@code b}. */
    static boolean all(long address, long length, int b) {
        for (long i = 0; i < length; i++) {
            if (NativeMemory.getByte(address + i) != (byte) b) {
                return false;
            }
        }
        return true;
    }

    /** A test-only allocator over libc, with the contract's argument checks. */
    static final class LibcAllocator implements BlockAllocator {
        @Override
        public long malloc(long size) {
            if (size < 0) {
                throw new IllegalArgumentException("malloc(" + size + ")");
            }
            return check(RawAllocator.malloc(Math.max(size, 1)), size);
        }

        @Override
        public long calloc(long nelem, long elsize) {
            if (nelem < 0 || elsize < 0) {
                throw new IllegalArgumentException("calloc(" + nelem + ", " + elsize + ")");
            }
            return check(RawAllocator.calloc(Math.max(nelem, 1), Math.max(elsize, 1)), nelem * elsize);
        }

        @Override
        public long realloc(long address, long newSize) {
            if (newSize < 0) {
                throw new IllegalArgumentException("realloc(" + newSize + ")");
            }
            return check(RawAllocator.realloc(address, Math.max(newSize, 1)), newSize);
        }

        @Override
        public void free(long address) {
            RawAllocator.free(address);
        }

        private static long check(long address, long size) {
            if (address == 0) {
                throw new OutOfMemoryError("libc: cannot allocate " + size + " bytes");
            }
            return address;
        }

        @Override
        public String toString() {
            return "libc";
        }
    }

    /** Counts the blocks it holds and remembers the order of frees. */
    static final class Recorder implements BlockAllocator {
        private final BlockAllocator inner;
        long live;
        long calls;
        final List<Long> freed = new ArrayList<>();

        Recorder(BlockAllocator inner) {
            this.inner = inner;
        }

        @Override
        public long malloc(long size) {
            calls++;
            long p = inner.malloc(size);
            live++;
            return p;
        }

        @Override
        public long calloc(long nelem, long elsize) {
            calls++;
            long p = inner.calloc(nelem, elsize);
            live++;
            return p;
        }

        @Override
        public long realloc(long address, long newSize) {
            throw new AssertionError("the debug hooks never call the inner realloc");
        }

        @Override
        public void free(long address) {
            calls++;
            inner.free(address);
            live--;
            freed.add(address);
        }

        @Override
        public String toString() {
            return "recorder over " + inner;
        }
    }
}
