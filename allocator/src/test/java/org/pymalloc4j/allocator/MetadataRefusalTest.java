package org.pymalloc4j.allocator;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.pymalloc4j.allocator.internal.ArenaOwners;
import org.pymalloc4j.allocator.squeeze.AddressSpaceSqueeze;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "OutOfMemoryError if the metadata cannot be allocated" clauses of PyMalloc.create and its
 * builder, Memory's builder, LibcAllocator.create and DebugHooks.create, and LibcAllocator.malloc's
 * "if the memory cannot be had" when its block table cannot grow, refused by the OS and
 * not by a stand-in: a child JVM whose address space is full ({@link AddressSpaceSqueeze}) is
 * given room for one more page at a time, so that each metadata allocation in turn is the one
 * refused. Each refusal must be an OutOfMemoryError naming what could not be had, and must give
 * back all that came before it: the room is all free again afterwards, and a refused heap holds
 * no owner-map tag (the counter would skip it for good).
 */
@EnabledOnOs(OS.LINUX)
class MetadataRefusalTest {
    /** 16 TiB: room for checked mode's 8 TiB live-block map. */
    private static final long LIMIT_KIB = 16L << 30;

    /** What each case is refused, in the order its metadata is allocated ("cannot allocate " + each). */
    private static final Map<String, List<String>> EXPECTED = Map.of(
            "heap", List.of("the arena map root", "the used-pool sentinels", "the raw block table", "the raw block records"),
            "memory", List.of("the raw block table", "the raw block records", "the arena map root", "the used-pool sentinels"),
            "libc", List.of("the raw block table", "the raw block records"),
            "hooks", List.of("the raw block table"),
            "libc-malloc", List.of("the raw block table (2048 bytes)"));

    @Test
    void eachRefusedMetadataAllocationThrowsAndGivesBackAllBeforeIt() throws Exception {
        String out = TestSupport.runLimited(LIMIT_KIB, String.valueOf(PyMalloc.CHECKS), Child.class, "-Xint");
        System.out.println("MetadataRefusalTest:\n" + out);
        AddressSpaceSqueeze.checkSweeps(out, EXPECTED);
        assertTrue(out.contains("\ntags held: 0 more\n"), "refused heaps kept their owner-map tags:\n" + out);
    }

    /** Sweeps each case ({@link AddressSpaceSqueeze#sweep}) once all have run unsqueezed. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Map<String, Supplier<AutoCloseable>> cases = new LinkedHashMap<>();
            cases.put("heap", PyMalloc::create);
            cases.put("memory", () -> Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build());
            cases.put("libc", LibcAllocator::create);
            cases.put("hooks", DebugHooks::create);
            LibcAllocator[] half = {halfFull()}; // the next block grows its table, which a refusal must leave as it was
            cases.put("libc-malloc", () -> {
                long p = half[0].malloc(16);
                return () -> half[0].free(p);
            });
            for (Supplier<AutoCloseable> create : cases.values()) {
                create.get().close();
                create.get().close();
            }
            half[0].close();
            half[0] = halfFull();
            AddressSpaceSqueeze.warm();
            int held = heldTags();
            cases.forEach(AddressSpaceSqueeze::sweep);
            System.out.println("tags held: " + (heldTags() - held) + " more");
        }

        /** How many tags {@link ArenaOwners} has issued and not had back. */
        private static int heldTags() throws ReflectiveOperationException {
            Field f = ArenaOwners.class.getDeclaredField("HELD");
            f.setAccessible(true);
            synchronized (ArenaOwners.class) {
                return ((Set<?>) f.get(null)).size();
            }
        }

        /** A libc allocator whose block table (64 slots, grown past half full) holds 32 small blocks. */
        private static LibcAllocator halfFull() {
            LibcAllocator libc = LibcAllocator.create();
            for (int i = 0; i < 32; i++) {
                libc.malloc(16);
            }
            return libc;
        }
    }
}
