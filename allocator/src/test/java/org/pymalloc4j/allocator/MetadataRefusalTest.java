package org.pymalloc4j.allocator;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "heap   | arena map root;used-pool sentinels;raw block records;raw block table",
        "memory | arena map root;used-pool sentinels;raw block records;raw block table",
        "libc   | raw block records;raw block table",
        "hooks  | raw block table"})
    void eachRefusedMetadataAllocationThrowsAndGivesBackAllBeforeIt(String what, String expected) throws Exception {
        String out = TestSupport.runLimited(LIMIT_KIB, String.valueOf(PyMalloc.CHECKS), Child.class,
                "-Xint", "-Dsqueezed=" + what);
        System.out.println("MetadataRefusalTest " + what + ":\n" + out);
        List<String> refusals = new ArrayList<>();
        boolean created = false;
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ", 3); // pages of room, pages left taken, outcome
            if (!f[0].matches("[0-9]+")) {
                continue; // the warm-up's lines
            }
            assertEquals("0", f[1], "a refusal with " + f[0] + " pages of room left pages taken: " + line);
            if (f[2].equals("created")) {
                created = true;
            } else {
                assertTrue(f[2].startsWith("java.lang.OutOfMemoryError: "), line);
                refusals.add(f[2]);
            }
        }
        assertTrue(created, "never created:\n" + out);
        for (String name : expected.split(";")) {
            assertTrue(refusals.stream().anyMatch(r -> r.contains("cannot allocate the " + name)),
                    "no refusal of the " + name + " among " + refusals);
        }
    }

    /**
     * Creates and closes what {@code -Dsqueezed} names with 0, 1, 2... pages of room until it is
     * created; prints each room's pages, the pages left taken, and "created" or the error.
     */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Supplier<AutoCloseable> create = switch (System.getProperty("squeezed")) {
                case "heap" -> PyMalloc::create;
                case "memory" -> () -> Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build();
                case "libc" -> LibcAllocator::create;
                case "hooks" -> DebugHooks::create;
                default -> throw new IllegalArgumentException(System.getProperty("squeezed"));
            };
            for (int i = 0; i < 2; i++) {
                create.get().close();
            }
            AddressSpaceSqueeze.warm();
            warmRefusals();
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
                System.out.println(pages + " " + taken + " " + (outcome[0] == null ? "created" : outcome[0]));
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
