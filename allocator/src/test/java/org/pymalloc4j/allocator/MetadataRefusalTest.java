package org.pymalloc4j.allocator;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.pymalloc4j.allocator.internal.ArenaMap;
import org.pymalloc4j.allocator.internal.RawBlockTable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "OutOfMemoryError if the metadata cannot be allocated" clauses of PyMalloc.create and its
 * builder, Memory's builder, LibcAllocator.create and DebugHooks.create, refused by the OS and
 * not by a stand-in: a child JVM whose address space is full ({@link AddressSpaceSqueeze}) is
 * given room for one more page at a time, so that each metadata allocation in turn is the one
 * refused. Each refusal must be an OutOfMemoryError naming what could not be had, and must give
 * back all that came before it: the room is all free again afterwards.
 */
@EnabledOnOs(OS.LINUX)
class MetadataRefusalTest {
    /** 16 TiB: room for checked mode's 8 TiB live-block map. */
    private static final long LIMIT_KIB = 16L << 30;

    /** What each case creates refuses, in the order its metadata is allocated. */
    private static final Map<String, List<String>> EXPECTED = Map.of(
            "heap", List.of("arena map root", "used-pool sentinels", "raw block table", "raw block records"),
            "memory", List.of("raw block table", "raw block records", "arena map root", "used-pool sentinels"),
            "libc", List.of("raw block table", "raw block records"),
            "hooks", List.of("raw block table"));

    @Test
    void eachRefusedMetadataAllocationThrowsAndGivesBackAllBeforeIt() throws Exception {
        String out = TestSupport.runLimited(LIMIT_KIB, String.valueOf(PyMalloc.CHECKS), Child.class, "-Xint");
        System.out.println("MetadataRefusalTest:\n" + out);
        Map<String, List<String>> refusals = new TreeMap<>();
        Set<String> created = new TreeSet<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ", 4); // case, pages of room, pages left taken, outcome
            if (!EXPECTED.containsKey(f[0])) {
                continue; // the warm-up's lines
            }
            assertEquals("0", f[2], "a refusal with " + f[1] + " pages of room left pages taken: " + line);
            if (f[3].equals("created")) {
                created.add(f[0]);
            } else {
                assertTrue(f[3].startsWith("java.lang.OutOfMemoryError: cannot allocate the "), line);
                refusals.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[3]);
            }
        }
        assertEquals(EXPECTED.keySet(), created, "created at last:\n" + out);
        EXPECTED.forEach((what, names) -> {
            for (String name : names) {
                assertTrue(refusals.get(what).stream().anyMatch(r -> r.contains("cannot allocate the " + name)),
                        what + ": no refusal of the " + name + " among " + refusals.get(what));
            }
        });
    }

    /**
     * For each case, creates and closes it with 0, 1, 2... pages of room until it is created;
     * prints the case, each room's pages, the pages left taken, and "created" or the error.
     */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Map<String, Supplier<AutoCloseable>> cases = new LinkedHashMap<>();
            cases.put("heap", PyMalloc::create);
            cases.put("memory", () -> Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build());
            cases.put("libc", LibcAllocator::create);
            cases.put("hooks", DebugHooks::create);
            for (Supplier<AutoCloseable> create : cases.values()) {
                create.get().close();
                create.get().close();
            }
            AddressSpaceSqueeze.warm();
            warmRefusals();
            cases.forEach(Child::squeeze);
        }

        private static void squeeze(String what, Supplier<AutoCloseable> create) {
            Throwable[] outcome = new Throwable[1];
            for (int pages = 0; pages < 200; pages++) {
                outcome[0] = null;
                long taken = Long.MAX_VALUE;
                for (int attempt = 0; attempt < 3 && taken != 0; attempt++) { // a leak repeats; a JVM's stray page does not
                    taken = Math.min(taken, AddressSpaceSqueeze.run(pages * AddressSpaceSqueeze.PAGE, () -> {
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
         * Runs the refusals whose messages are built at run time once, unsqueezed: linking a string
         * concatenation spins classes, which a squeezed JVM cannot.
         */
        private static void warmRefusals() throws ReflectiveOperationException {
            try {
                new ArenaMap(-100); // a 2^58-byte root
            } catch (OutOfMemoryError expected) {
                System.out.println("warm: " + expected.getMessage());
            }
            Method table = RawBlockTable.class.getDeclaredMethod("allocateTable", int.class);
            table.setAccessible(true);
            AddressSpaceSqueeze.withAddressSpaceFull(() -> {
                try {
                    table.invoke(null, Integer.MAX_VALUE); // 32 GiB
                } catch (InvocationTargetException expected) {
                    System.out.println("warm: " + expected.getCause().getMessage());
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }
}
