package org.pymalloc4j.allocator;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Layer 0: the C library's {@code malloc}, {@code calloc}, {@code realloc} and {@code free},
 * and anonymous {@code mmap}/{@code munmap} for arenas, called through FFM downcalls.
 *
 * <p>Pointers cross the boundary as {@code long}s: on the 64-bit ABIs the JDK supports a
 * pointer and a {@code long} are passed in the same register class, and a {@code long} return
 * costs no {@code MemorySegment} per call. The libc calls are linked with
 * {@link Linker.Option#critical(boolean) critical(false)}, which drops the thread-state
 * transition: they are short, never call back into Java and never touch the Java heap.
 * {@code mmap}/{@code munmap} are system calls that may block on the kernel, so they are
 * linked as ordinary downcalls.
 *
 * <p>These are thin wrappers with C semantics: a failed allocation returns {@code 0}, and
 * nothing checks that a freed address came from {@code malloc}. {@link PyMalloc} adds the
 * checks. They keep no state of their own but a scratch word per thread, so they may be called
 * from any thread, as libc's functions may.
 *
 * <p><b>Native access passes through.</b> {@code free}, {@code realloc}, {@code unmap} and the
 * other methods that take an address take any {@code long}, as C's functions take any pointer:
 * one that was never returned here, or was freed already, corrupts the C heap or crashes the JVM,
 * with no exception. The FFM API keeps such power behind restricted methods that warn or refuse
 * unless the calling module has native access; here the restricted calls are this module's, so
 * granting it native access ({@code --enable-native-access=org.pymalloc4j.allocator}, or
 * {@code ALL-UNNAMED} on the class path) lets every caller of these public methods, in whatever
 * module, do what C can without native access of its own. Grant it only where you would grant
 * native access to the code that calls it.
 *
 * <p><b>Why it is public.</b> It is layer 0 of the design, the C allocator itself: the baseline
 * benchmarks compare pymalloc against (no table, no check, as C calls it), and the
 * {@code mmap} arena source a custom {@link ArenaAllocator} builds on. For libc blocks with
 * checks (a foreign or double free refused, blocks freed on close) use {@link LibcAllocator}.
 */
public final class RawAllocator {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);

    private static final MethodHandle MALLOC = libc("malloc",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), CRITICAL);
    private static final MethodHandle CALLOC = libc("calloc",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG), CRITICAL);
    private static final MethodHandle REALLOC = libc("realloc",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG), CRITICAL);
    private static final MethodHandle FREE = libc("free",
            FunctionDescriptor.ofVoid(JAVA_LONG), CRITICAL);
    private static final MethodHandle POSIX_MEMALIGN = libc("posix_memalign",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), CRITICAL);
    private static final MethodHandle MMAP = libc("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = libc("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    /** {@code munmap} again with {@code errno} captured, once refused: its refusals differ. */
    private static final MethodHandle MUNMAP_ERRNO = libc("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.captureCallState("errno"));
    private static final MethodHandle MPROTECT = libc("mprotect",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** {@code madvise}, with {@code errno} captured into a segment passed first. */
    private static final MethodHandle MADVISE = libc("madvise",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle SYSCONF = libc("sysconf",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));

    private static final int PROT_NONE = 0;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 2;
    private static final boolean LINUX =
            System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    /** MAP_ANONYMOUS: 0x20 on Linux, 0x1000 (MAP_ANON) on macOS and the BSDs. */
    private static final int MAP_ANONYMOUS = LINUX ? 0x20 : 0x1000;
    private static final long MAP_FAILED = -1L;
    /** Linux's MAP_NORESERVE: no swap space is set aside for the mapping. */
    private static final int MAP_NORESERVE = LINUX ? 0x4000 : 0;
    /** Linux's MADV_POPULATE_WRITE (5.14 and later). */
    private static final int MADV_POPULATE_WRITE = 23;
    /** Linux's MADV_HUGEPAGE: back the range with transparent huge pages where it can. */
    private static final int MADV_HUGEPAGE = 14;
    /** MADV_DONTNEED: drop the pages; a private anonymous range then reads as zeros. */
    private static final int MADV_DONTNEED = 4;
    /** Linux's MAP_HUGETLB (x86-64 and AArch64): pages from the reserved huge page pool. */
    private static final int MAP_HUGETLB = 0x40000;
    /** Linux's EINVAL: the kernel does not know the advice; munmap's range is not one. */
    private static final int EINVAL = 22;
    /** munmap's errno for a sealed range (Linux 6.10's {@code mseal}). */
    private static final int EPERM = 1;
    /** Linux's ENOMEM: for munmap, a mapping to split when the process has all it may have. */
    private static final int ENOMEM = 12;
    /** {@link #munmap}'s refusal when there is no scratch to capture errno in. */
    private static final int ERRNO_UNKNOWN = -1;
    /** Per thread: {@link #scratch}. */
    private static final ThreadLocal<MemorySegment> SCRATCH = new ThreadLocal<>();
    private static final long SCRATCH_BYTES = Math.max(JAVA_LONG.byteSize(), CALL_STATE.byteSize());
    /** Linux's _SC_PAGESIZE. */
    private static final int SC_PAGESIZE = 30;
    /** The page size, or 0 where it is not asked (off Linux). */
    private static final long PAGE_SIZE = LINUX ? sysconf(SC_PAGESIZE) : 0;
    /** False once the kernel has said it does not know MADV_POPULATE_WRITE: it is not asked again. */
    private static volatile boolean populateWorks = LINUX;

    private RawAllocator() {
    }

    private static MethodHandle libc(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.findOrThrow(name), descriptor, options);
    }

    /** C {@code malloc(size)}: the address of at least {@code size} bytes, or 0 on failure. */
    public static long malloc(long size) {
        try {
            return (long) MALLOC.invokeExact(size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** C {@code calloc(nelem, elsize)}: zeroed memory, or 0 on failure or overflow. */
    public static long calloc(long nelem, long elsize) {
        try {
            return (long) CALLOC.invokeExact(nelem, elsize);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** C {@code realloc(address, size)}: the new address, or 0 with the old block intact. */
    public static long realloc(long address, long size) {
        try {
            return (long) REALLOC.invokeExact(address, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * POSIX {@code posix_memalign}: the address of at least {@code size} bytes aligned to
     * {@code alignment}, a power of two and a multiple of 8, or 0 on failure. {@link #free}
     * frees it, and {@link #realloc} may move it to an address only malloc-aligned, as in C.
     */
    public static long alignedMalloc(long alignment, long size) {
        MemorySegment out = scratch(); // posix_memalign's void **: native, not the Java heap
        if (out == null) {
            return 0; // no 8 bytes for the slot: no block either, refused as C refuses
        }
        try {
            int error = (int) POSIX_MEMALIGN.invokeExact(out.address(), alignment, size);
            return error == 0 ? out.get(JAVA_LONG, 0) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * This thread's scratch segment, for posix_memalign's out slot and a captured errno: made once
     * per thread (no call of this class calls back into Java, so no two uses overlap), freed with
     * the thread. An arena per call asked libc for it each time and threw the JDK's
     * OutOfMemoryError where libc had none, out of calls whose contract is 0 or an errno for
     * that, past the caller's budget charge. Null if it cannot be had.
     */
    private static MemorySegment scratch() {
        MemorySegment slot = SCRATCH.get();
        if (slot == null) {
            try {
                slot = Arena.ofAuto().allocate(SCRATCH_BYTES, JAVA_LONG.byteAlignment());
            } catch (OutOfMemoryError e) {
                return null;
            }
            SCRATCH.set(slot);
        }
        return slot;
    }

    /** C {@code free(address)}; {@code free(0)} does nothing. */
    public static void free(long address) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Maps {@code size} bytes of zeroed, private, read-write memory aligned to
     * {@code alignment} (a power of two that is a multiple of the page size).
     *
     * <p>The kernel aligns mappings to pages only. It places a new mapping just below the last
     * one, so once one arena is aligned the next {@code size} bytes usually are too: that is
     * tried first (jemalloc's trick). Otherwise this maps {@code size + alignment} bytes and
     * unmaps the slack before and after the aligned range, which would leave arenas one
     * alignment apart (half the address space between them unused by arenas).
     *
     * <p>The kernel may refuse to unmap: a new mapping merges with a like one next to it, so the
     * slack can be the middle of one mapping, which a process with all the mappings
     * {@code vm.max_map_count} allows may not split. Then the rest of the span goes back whole
     * (where it is a prefix of its mapping, no split is needed) and this returns 0; where even
     * that is refused, the aligned range is returned, the slack left mapped and untouched.
     *
     * @return the aligned address, or 0 if the kernel refused
     * @throws IllegalArgumentException if {@code alignment} is not a power of two (0 would unmap
     *                                  from address {@code size} up, whatever is mapped there)
     */
    public static long mapAligned(long size, long alignment) {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
            throw new IllegalArgumentException("mapAligned: alignment must be a power of two, was " + alignment);
        }
        long exact = mmap(size);
        if (exact != 0 && (exact & (alignment - 1)) == 0) {
            return exact;
        }
        if (exact != 0 && !tryUnmap(exact, size)) {
            return 0; // left mapped: nothing else can be done with it
        }
        long span = size + alignment;
        long base = mmap(span);
        if (base == 0) {
            return 0;
        }
        long aligned = (base + alignment - 1) & -alignment;
        long head = aligned - base;
        long tail = span - head - size;
        if (head > 0 && !tryUnmap(base, head)) {
            return tryUnmap(base, span) ? 0 : aligned;
        }
        if (tail > 0 && !tryUnmap(aligned + size, tail)) {
            return tryUnmap(aligned, size + tail) ? 0 : aligned;
        }
        return aligned;
    }

    /** {@link #unmap}, false if the kernel refused (nothing is unmapped then). */
    private static boolean tryUnmap(long address, long size) {
        return munmap(address, size) == 0;
    }

    /** Anonymous private read-write {@code mmap} of {@code size} bytes; 0 if refused. */
    public static long mmap(long size) {
        return mmapAnonymous(size, 0);
    }

    /**
     * Reserves {@code size} bytes of address space with no access ({@code mmap} with
     * {@code PROT_NONE}): it costs no memory, and counts against no overcommit limit, until
     * parts of it are made usable with {@link #commit}. Unmap with {@link #unmap}.
     *
     * @return the address, or 0 if the kernel refused (the address space is limited or full)
     */
    public static long reserve(long size) {
        return mmapAnonymous(size, PROT_NONE, MAP_NORESERVE);
    }

    /**
     * Reserves {@code size} bytes of address space that read as zeros ({@code mmap} with
     * {@code PROT_READ}): a read maps the kernel's shared zero page, a write faults until the
     * range is made writable with {@link #commit}. It costs no memory, and counts against no
     * overcommit limit (a read-only private mapping is not charged). Unmap with {@link #unmap}.
     *
     * @return the address, or 0 if the kernel refused (the address space is limited or full)
     */
    public static long reserveReadable(long size) {
        return mmapAnonymous(size, PROT_READ, MAP_NORESERVE);
    }

    /**
     * Makes {@code size} bytes of a reservation at {@code address} (both multiples of the page
     * size) readable and writable ({@code mprotect}); their pages are zeroed on first touch.
     * Committing a range that already is does nothing.
     *
     * @return false if the kernel refused (no memory under a strict overcommit policy, or a range
     *         that is not page-aligned or not mapped)
     */
    public static boolean commit(long address, long size) {
        try {
            return (int) MPROTECT.invokeExact(address, size, PROT_READ | PROT_WRITE) == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long mmapAnonymous(long size, int moreFlags) {
        return mmapAnonymous(size, PROT_READ | PROT_WRITE, moreFlags);
    }

    private static long mmapAnonymous(long size, int protection, int moreFlags) {
        try {
            long address = (long) MMAP.invokeExact(0L, size, protection,
                    MAP_PRIVATE | MAP_ANONYMOUS | moreFlags, -1, 0L);
            return address == MAP_FAILED ? 0 : address;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Returns the pages of {@code [address, address + size)} to the kernel ({@code munmap}). A
     * range that is not (or not wholly) mapped is not refused: Linux unmaps what is there, so the
     * caller must know the range is its own.
     *
     * @throws IllegalStateException if {@code munmap} refuses the range, saying why: {@code address}
     *                               not page-aligned, {@code size} 0, or a range reaching past the
     *                               user address space (EINVAL); or a range inside a mapping, which
     *                               unmapping would split, when the process has as many mappings as
     *                               the kernel allows ({@code vm.max_map_count}, ENOMEM); or a range
     *                               sealed with {@code mseal} (EPERM). Nothing is unmapped then
     */
    public static void unmap(long address, long size) {
        int errno = munmap(address, size);
        if (errno != 0) {
            throw unmapRefused(address, size, errno);
        }
    }

    /**
     * {@link #unmap}, except that where the kernel refuses, the pages go back
     * ({@code madvise(MADV_DONTNEED)}, which splits nothing), the range left mapped, reading as
     * zeros, as CPython's {@code _PyObject_ArenaMunmap} ignores munmap's failure: silently where
     * the kernel refuses only for want of a mapping (ENOMEM: the range is inside a mapping and the
     * process has all {@code vm.max_map_count} allows), since a later call may succeed.
     *
     * @throws IllegalStateException as {@link #unmap}, for any other refusal (EPERM: a range
     *                               sealed with {@code mseal}, which stays mapped for good), saying
     *                               whether the pages went back
     */
    static void unmapOrDiscard(long address, long size) {
        int errno = munmap(address, size);
        if (errno != 0) {
            boolean discarded = madvise(address, size, MADV_DONTNEED) == 0; // the range is the caller's
            if (errno != ENOMEM) {
                throw new IllegalStateException(unmapRefused(address, size, errno).getMessage()
                        + (discarded ? "; its pages were given back (madvise(MADV_DONTNEED)), the range left mapped" : ""));
            }
        }
    }

    /** {@code munmap}: 0 if done, else its errno (nothing is unmapped then). */
    private static int munmap(long address, long size) {
        try {
            if ((int) MUNMAP.invokeExact(address, size) == 0) {
                return 0;
            }
            // Refused, nothing unmapped: asked once more for errno, so the common call needs no scratch.
            MemorySegment state = scratch();
            if (state == null) {
                return ERRNO_UNKNOWN;
            }
            if ((int) MUNMAP_ERRNO.invokeExact(state, address, size) == 0) {
                return 0;
            }
            return (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static IllegalStateException unmapRefused(long address, long size, int errno) {
        return new IllegalStateException("munmap(0x" + Long.toHexString(address) + ", " + size + ") failed: " + switch (errno) {
            case EINVAL -> "an address not page-aligned, a size of 0 or a range past the user address space";
            case EPERM -> "the range is sealed (mseal), so it cannot be unmapped";
            case ENOMEM -> "unmapping the range would split a mapping, and the process has as many mappings as the kernel"
                    + " allows (vm.max_map_count); nothing was unmapped";
            case ERRNO_UNKNOWN -> "errno not known (no memory to capture it)";
            default -> "errno " + errno;
        });
    }

    /**
     * Asks the kernel to back {@code size} bytes of a private anonymous mapping at
     * {@code address} with zeroed, writable pages now, in one call ({@code madvise} with Linux's
     * {@code MADV_POPULATE_WRITE}), instead of one page fault per page at first write. A fault
     * here costs about 10 us a page on a virtual machine, a populated page about 4.5 us
     * (bench/cpython/prefault.c). Only a hint: nothing changes if it fails (a range not
     * mapped, an address not page-aligned, no memory now). Off Linux, or once a kernel older
     * than 5.14 has said it does not know the advice, it is not asked.
     *
     * @return whether the kernel populated the range
     */
    public static boolean populate(long address, long size) {
        if (!populateWorks) {
            return false;
        }
        int error = madvise(address, size, MADV_POPULATE_WRITE);
        if (error == EINVAL) {
            populateWorks = false;
        }
        return error == 0;
    }

    /**
     * Linux only: maps {@code size} bytes from the reserved huge page pool
     * ({@code mmap(MAP_HUGETLB)}, the pool {@code /proc/sys/vm/nr_hugepages} sizes), aligned to
     * the huge page size. {@code size} must be a multiple of {@link HugePages#reservedSize()};
     * unmap with {@link #unmap} and the same size.
     *
     * @return the address, or 0 if the pool cannot supply the pages (usually it is empty) or off Linux
     */
    public static long mmapHugeTlb(long size) {
        return LINUX ? mmapAnonymous(size, MAP_HUGETLB) : 0;
    }

    /**
     * Linux only: asks the kernel to back a private anonymous mapping with transparent huge pages
     * ({@code madvise(MADV_HUGEPAGE)}) where a whole aligned huge page fits in it. Only a hint:
     * the kernel may still use small pages (THP off, or no free huge page at fault time).
     *
     * @return whether the kernel took the advice
     */
    public static boolean adviseHugePages(long address, long size) {
        return madvise(address, size, MADV_HUGEPAGE) == 0;
    }

    /**
     * Linux's {@code madvise}: 0 if the kernel took the advice, else its errno, or -1 when the
     * call is not made (off Linux, a misaligned address, a negative size). A misaligned address
     * is refused here because the kernel's EINVAL for it would read as an unknown advice.
     */
    private static int madvise(long address, long size, int advice) {
        if (!LINUX || (address & (PAGE_SIZE - 1)) != 0 || size < 0) {
            return -1;
        }
        MemorySegment state = scratch();
        if (state == null) {
            return -1;
        }
        try {
            if ((int) MADVISE.invokeExact(state, address, size, advice) == 0) {
                return 0;
            }
            int errno = (int) ERRNO.get(state, 0L);
            return errno != 0 ? errno : -1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The OS page size on Linux ({@code sysconf(_SC_PAGESIZE)}), 0 elsewhere. */
    public static long pageSize() {
        return PAGE_SIZE;
    }

    private static long sysconf(int name) {
        try {
            return (long) SYSCONF.invokeExact(name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("downcall failed", t);
    }
}
