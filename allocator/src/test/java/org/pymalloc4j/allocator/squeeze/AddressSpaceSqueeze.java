package org.pymalloc4j.allocator.squeeze;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.pymalloc4j.allocator.LibcAllocator;
import org.pymalloc4j.allocator.RawAllocator;
import org.pymalloc4j.allocator.internal.ArenaMap;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.internal.RawBlockTable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs code in a process left with exactly {@code room} bytes of address space and a libc heap
 * that cannot grow, so that the code's native allocations are refused one after another as the
 * OS would refuse them: then measures how much of the room the code left taken. For a child JVM
 * under {@code ulimit -v} (RLIMIT_AS), interpreted only: the JVM must not need memory of its own
 * while squeezed, so everything run squeezed must have run once before (classes, call sites).
 *
 * <p>How: the room is reserved, every other byte of address space is reserved (PROT_NONE, no
 * memory), libc's arenas are drained by mallocs of every size down to 16 bytes, and the room is
 * unmapped. A refused arena then falls back to mmap, one page for a small block, 65 for the
 * 256 KiB arena map root: so a room of k pages lets the first few metadata allocations succeed
 * and refuses the next. Seven spare blocks of each size under 1,000 bytes go back to libc's
 * per-thread cache last, where the JVM's own small mallocs (an interned string) find them and
 * a 1 KiB metadata block does not. Public for the object layer's tests, which run it from
 * this module's test classes.
 */
public final class AddressSpaceSqueeze {
    public static final long PAGE = 4096;
    private static final int SPARES_PER_SIZE = 7;
    private static final long[] SPARES = new long[SPARES_PER_SIZE * 62];
    private static final long[] RESERVED = new long[2 * 1024];
    private static int reserved;
    /** The drained blocks, a list linked through their first word. */
    private static long drained;

    private AddressSpaceSqueeze() {
    }

    /**
     * Runs every step once unsqueezed, and the allocator's refusals whose messages are built at
     * run time, so that none links or loads anything while squeezed (linking a string
     * concatenation spins classes). Call after the code to squeeze has run once.
     */
    public static void warm() throws ReflectiveOperationException {
        for (int i = 0; i < 300; i++) { // past MethodHandle customization (127 calls): no class spun later
            RawAllocator.free(RawAllocator.malloc(16));
            RawAllocator.free(RawAllocator.calloc(1, 16));
            RawAllocator.unmap(RawAllocator.reserve(PAGE), PAGE);
        }
        takeSpares();
        drain(2);
        giveSparesBack();
        fillAddressSpace();
        release();
        try {
            new ArenaMap(-100); // a 2^58-byte root
        } catch (OutOfMemoryError expected) {
            System.out.println("warm: " + expected.getMessage());
        }
        Method table = RawBlockTable.class.getDeclaredMethod("allocateTable", int.class);
        table.setAccessible(true);
        LibcAllocator libc = LibcAllocator.create();
        withAddressSpaceFull(() -> {
            try {
                table.invoke(null, Integer.MAX_VALUE); // 32 GiB
            } catch (InvocationTargetException expected) {
                System.out.println("warm: " + expected.getCause().getMessage());
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
            for (Runnable refused : new Runnable[] {() -> libc.malloc(1L << 40), () -> libc.calloc(1, 1L << 40)}) {
                try {
                    refused.run();
                } catch (OutOfMemoryError expected) {
                    System.out.println("warm: " + expected.getMessage());
                }
            }
        });
        libc.close();
    }

    /** Runs {@code action} with the address space full, and libc's arenas as they are. */
    public static void withAddressSpaceFull(Runnable action) {
        fillAddressSpace();
        try {
            action.run();
        } finally {
            release();
        }
    }

    /**
     * Runs {@code action} with {@code room} bytes of address space left; the pages of the room
     * it left taken, measured once all it allocated should have gone back.
     */
    public static long run(long room, Runnable action) {
        System.gc(); // an empty young generation: no collection, and none of its bookkeeping, while squeezed
        long r = room > 0 ? RawAllocator.reserve(room) : 0;
        if (room > 0 && r == 0) {
            throw new IllegalStateException("no room of " + room + " bytes to begin with");
        }
        takeSpares();
        fillAddressSpace();
        drain(Integer.MAX_VALUE);
        giveSparesBack();
        if (r != 0) {
            RawAllocator.unmap(r, room);
        }
        try {
            action.run();
            return (room - fillAddressSpace()) / PAGE;
        } finally {
            release();
        }
    }

    /**
     * Creates and closes {@code create} with 0, 1, 2... pages of room until it is created;
     * prints a line for each: {@code what}, the room's pages, the pages left taken, and
     * "created" or the error. A leak repeats, so a room left taken is tried twice more: a page
     * the JVM itself took meanwhile does not repeat.
     */
    public static void sweep(String what, Supplier<AutoCloseable> create) {
        Throwable[] outcome = new Throwable[1];
        for (int pages = 0; pages < 200; pages++) {
            outcome[0] = null;
            long taken = Long.MAX_VALUE;
            for (int attempt = 0; attempt < 3 && taken != 0; attempt++) {
                taken = Math.min(taken, run(pages * PAGE, () -> {
                    try {
                        create.get().close();
                    } catch (Throwable t) { // printed once the room is back
                        outcome[0] = t;
                    }
                }));
            }
            System.out.println(what + " " + pages + " " + taken + " " + (outcome[0] == null ? "created" : outcome[0]));
            if (outcome[0] == null) {
                return;
            }
        }
    }

    /**
     * Checks the lines {@link #sweep} printed for each case of {@code expected}: every refusal an
     * OutOfMemoryError that left no page taken, a refusal of each metadata named ("cannot allocate
     * the " + name), and the case created at last.
     */
    public static void checkSweeps(String out, Map<String, List<String>> expected) {
        Map<String, List<String>> refusals = new TreeMap<>();
        Set<String> created = new TreeSet<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ", 4); // case, pages of room, pages left taken, outcome
            if (!expected.containsKey(f[0])) {
                continue; // the warm-up's lines
            }
            assertEquals("0", f[2], "a refusal with " + f[1] + " pages of room left pages taken: " + line);
            if (f[3].equals("created")) {
                created.add(f[0]);
            } else {
                assertTrue(f[3].startsWith("java.lang.OutOfMemoryError: pymalloc4j: "), line);
                refusals.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[3]);
            }
        }
        assertEquals(new TreeSet<>(expected.keySet()), created, "created at last:\n" + out);
        expected.forEach((what, names) -> {
            for (String name : names) {
                assertTrue(refusals.get(what).stream().anyMatch(r -> r.contains("cannot allocate " + name)),
                        what + ": no refusal of " + name + " among " + refusals.get(what));
            }
        });
    }

    /** Reserves all the address space it can; the bytes reserved. */
    private static long fillAddressSpace() {
        long total = 0;
        for (long size = 1L << 46; size >= PAGE; size >>= 1) {
            long a;
            while (reserved < RESERVED.length && (a = RawAllocator.reserve(size)) != 0) {
                RESERVED[reserved++] = a;
                RESERVED[reserved++] = size;
                total += size;
            }
        }
        return total;
    }

    /** Mallocs blocks of every size, large to small, each until libc refuses (at most {@code max}). */
    private static void drain(int max) {
        int n = 0;
        for (long size = 64L << 20; size >= 16; size = size > 2048 ? size >> 1 : size == 2048 ? 1024 : size - 16) {
            long b;
            while (n < max && (b = RawAllocator.malloc(size)) != 0) {
                NativeMemory.putLong(b, drained);
                drained = b;
                n++;
            }
        }
    }

    private static void takeSpares() {
        for (int i = 0; i < SPARES.length; i++) {
            SPARES[i] = RawAllocator.malloc(16L * (1 + i / SPARES_PER_SIZE));
        }
    }

    private static void giveSparesBack() {
        for (long spare : SPARES) {
            RawAllocator.free(spare);
        }
    }

    private static void release() {
        while (drained != 0) {
            long next = NativeMemory.getLong(drained);
            RawAllocator.free(drained);
            drained = next;
        }
        for (int i = 0; i < reserved; i += 2) {
            RawAllocator.unmap(RESERVED[i], RESERVED[i + 1]);
        }
        reserved = 0;
    }
}
