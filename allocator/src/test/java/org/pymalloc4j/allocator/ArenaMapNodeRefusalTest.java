package org.pymalloc4j.allocator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.pymalloc4j.allocator.internal.ArenaOwners;
import org.pymalloc4j.allocator.squeeze.AddressSpaceSqueeze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new arena whose arena-map node the OS refuses: the arena lies in a 16 GiB span no arena of
 * the heap has used, so the radix tree needs a new bottom node (128 KiB of calloc) for it, and a
 * child JVM whose address space is full ({@link AddressSpaceSqueeze}) is given room for one page
 * more at a time until the node fits. Each refusal must hand the arena back, leave no page of
 * the room taken, and leave the heap's arenas exactly as they were; the request is then a raw
 * block, as in CPython, whose pymalloc_alloc fails when new_arena cannot record its arena and
 * _PyObject_Malloc falls back to PyMem_RawMalloc. A refusal with no raw block to be had either
 * must be an OutOfMemoryError that names the node (not the arena, which the allocator did give).
 */
@EnabledOnOs(OS.LINUX)
class ArenaMapNodeRefusalTest {
    /** 16 TiB: room for checked mode's 8 TiB live-block map. */
    private static final long LIMIT_KIB = 16L << 30;

    @Test
    void aRefusedArenaMapNodeNamesItselfGivesTheArenaBackAndChangesNothing() throws Exception {
        String out = TestSupport.runLimited(LIMIT_KIB, String.valueOf(PyMalloc.CHECKS), Child.class, "-Xint");
        System.out.println("ArenaMapNodeRefusalTest:\n" + out);
        int refusals = 0;
        boolean created = false;
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ", 5); // outcome, pages of room, pages left taken, heap, message
            if (f[0].equals("refused") || f[0].equals("raw")) {
                refusals++;
                assertEquals("0", f[2], "a refusal left pages taken: " + line);
                assertEquals("unchanged", f[3], line);
                assertTrue(f[0].equals("raw") || f[4].startsWith("java.lang.OutOfMemoryError: ")
                        && f[4].contains("cannot allocate an arena map node") && !f[4].contains("cannot map"), line);
            } else if (f[0].equals("created")) {
                created = true;
            }
        }
        assertTrue(refusals > 0, "no refusal:\n" + out);
        assertTrue(created, "the arena was never taken:\n" + out);
    }

    public static final class Child {
        private static final long SPAN = 1L << 34; // one bottom node's reach with 1 MiB arenas
        private static final long MIB = 1L << 20;

        public static void main(String[] args) throws Exception {
            long space = RawAllocator.reserve(3 * SPAN);
            long first = (space + SPAN - 1) & -SPAN;
            long second = first + SPAN; // another bottom node's span
            if (space == 0 || !RawAllocator.commit(first, MIB) || !RawAllocator.commit(second, MIB)) {
                throw new IllegalStateException("cannot set up the two arenas");
            }
            Deque<Long> arenas = new ArrayDeque<>(List.of(ArenaOwners.COVERED, first, second));
            List<Long> returned = new ArrayList<>();
            ArenaAllocator fixed = new ArenaAllocator() {
                @Override
                public long allocate(long size) {
                    return arenas.isEmpty() ? 0 : arenas.pop();
                }

                @Override
                public void free(long address, long size) {
                    returned.add(address);
                    if (address != ArenaOwners.COVERED) {
                        arenas.push(address);
                    }
                }
            };
            PyMalloc heap = PyMalloc.builder().arenaAllocator(fixed).build();
            Throwable[] outcome = new Throwable[1];
            boolean[] raw = new boolean[1];
            Runnable next = () -> {
                try {
                    long p = heap.malloc(512);
                    raw[0] = !heap.isArenaAddress(p);
                    if (raw[0]) { // no pool: a raw block instead, freed here so that it leaves no page taken
                        heap.free(p);
                    }
                } catch (Throwable t) {
                    outcome[0] = t;
                }
            };
            next.run(); // the arena out of the maps' reach: refused, which runs the refusal's code once
            System.out.println("warm: " + outcome[0]);
            int perArena = Geometry.PY311.poolsPerArena() * Geometry.PY311.blocksPerPool(31);
            for (int i = 0; i < perArena; i++) {
                heap.malloc(512); // the first arena, full
            }
            MallocStats before = heap.stats();
            heap.checkInvariants();
            outcome[0] = null;
            heap.setArenaAllocator(new ArenaAllocator() { // the raw block instead of a pool, once before the squeeze
                @Override
                public long allocate(long size) {
                    return 0;
                }

                @Override
                public void free(long address, long size) {
                    throw new AssertionError("nothing was handed out");
                }
            });
            next.run();
            heap.setArenaAllocator(fixed);
            if (!raw[0] || outcome[0] != null || !before.equals(heap.stats())) {
                throw new AssertionError("no raw block instead of a pool: " + outcome[0]);
            }
            AddressSpaceSqueeze.warm();
            for (int pages = 0; pages < 200; pages++) {
                outcome[0] = null;
                raw[0] = false;
                returned.clear();
                long taken = AddressSpaceSqueeze.run(pages * AddressSpaceSqueeze.PAGE, next);
                if (outcome[0] == null && !raw[0]) {
                    System.out.println("created " + pages + " " + taken);
                    break;
                }
                heap.checkInvariants();
                boolean unchanged = before.equals(heap.stats()) && returned.equals(List.of(second)) && heap.bytesFromOs()
                        == before.arenasCurrent() * Geometry.PY311.arenaSize();
                System.out.println((raw[0] ? "raw " : "refused ") + pages + " " + taken + " " + (unchanged ? "unchanged" : "changed")
                        + " " + outcome[0]);
            }
            if (heap.isArenaAddress(ArenaOwners.COVERED)) {
                throw new AssertionError("the refused arena out of reach is the heap's");
            }
            heap.checkInvariants();
            heap.close();
        }
    }
}
