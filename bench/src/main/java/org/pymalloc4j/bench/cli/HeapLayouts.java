package org.pymalloc4j.bench.cli;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.PoolInfo;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.internal.PoolHeader;
import org.pymalloc4j.objects.LayoutTable;

/**
 * The allocator's own structures as {@link LayoutTable}s: a pool header, with its rows from
 * {@link PoolHeader#LAYOUT} (the FFM layout tests check against the offsets the allocator uses),
 * and an arena, one row per pool with its state read from the pool header.
 */
final class HeapLayouts {
    private HeapLayouts() {
    }

    /** The header of the pool at {@code pool}, whose blocks are of {@code sizeClass}. */
    static LayoutTable poolHeader(Geometry g, long pool, int sizeClass, String how) {
        int block = Geometry.blockSize(sizeClass);
        List<LayoutTable.Row> rows = new ArrayList<>();
        long offset = 0;
        for (MemoryLayout m : PoolHeader.LAYOUT.memberLayouts()) {
            long sz = m.byteSize();
            if (m instanceof PaddingLayout) {
                rows.add(new LayoutTable.Row(offset, sz, "", LayoutTable.PADDING, ""));
            } else {
                String name = m.name().orElseThrow();
                String type = m instanceof AddressLayout ? (name.equals("freeblock") ? "block*" : "poolp") : "uint";
                long v = sz == Long.BYTES ? NativeMemory.getLong(pool + offset) : NativeMemory.getInt(pool + offset) & 0xffffffffL;
                rows.add(new LayoutTable.Row(offset, sz, type, name.equals("count") ? "ref.count" : name,
                        describe(name, v, pool, block, g)));
            }
            offset += sz;
        }
        String title = String.format(Locale.ROOT, "pymalloc pool_header at 0x%x (CPython's struct pool_header, %s pools):%n"
                + "a pool of class %d (%d-byte blocks) %s", pool, HeapMapSvg.kib(g.poolSize()), sizeClass, block, how);
        LayoutTable probe = new LayoutTable(title, rows, List.of());
        return new LayoutTable(title, rows, List.of(
                String.format(Locale.ROOT, "Header size: %d bytes (POOL_OVERHEAD)", offset),
                String.format(Locale.ROOT, "Space losses: %d bytes internal + 0 bytes external = %d bytes total",
                        probe.paddingBytes(), probe.paddingBytes()),
                String.format(Locale.ROOT, "Pool: %,d bytes = %d header + %d blocks x %d B + %d bytes lost to quantization",
                        g.poolSize(), offset, g.blocksPerPool(sizeClass), block, g.quantization(sizeClass))));
    }

    private static String describe(String field, long v, long pool, int block, Geometry g) {
        return switch (field) {
            case "count" -> v + " (blocks in use)";
            case "freeblock" -> v == 0 ? "0 (free list empty)"
                    : String.format(Locale.ROOT, "0x%x (pool + %d: head of the free list)", v, v - pool);
            case "nextpool", "prevpool" -> String.format(Locale.ROOT, "0x%x (%s)", v,
                    v >= pool && v < pool + g.poolSize() ? "this pool" : "its size class's used-pool ring");
            case "arenaindex" -> v + " (slot in the arena table)";
            case "szidx" -> v + " (" + block + "-byte blocks)";
            case "nextoffset" -> v + " (next block to join the free list: block " + (v - PoolHeader.LENGTH) / block + ")";
            case "maxnextoffset" -> v + " (last block that fits: poolSize - blockSize)";
            default -> Long.toString(v);
        };
    }

    /**
     * The pools of one arena, in address order: offsets from its first pool (the arena's start
     * rounded up to a pool boundary), each pool's header address, size class and blocks, or
     * whether it is free or never carved.
     *
     * @param pools the arena's pools as {@link org.pymalloc4j.allocator.PyMalloc#pools()} lists them
     */
    static LayoutTable arena(Geometry g, List<PoolInfo> pools) {
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("an arena has at least one pool");
        }
        long first = pools.getFirst().address();
        List<LayoutTable.Row> rows = new ArrayList<>();
        long quantization = 0;
        long blocks = 0;
        for (int i = 0; i < pools.size(); i++) {
            PoolInfo p = pools.get(i);
            long index = (p.address() - first) / g.poolSize();
            if (p.state() == PoolInfo.State.UNCARVED) {
                // the never-carved pools are the arena's tail: one row for all of them
                int run = pools.size() - i;
                rows.add(new LayoutTable.Row(p.address() - first, (long) run * g.poolSize(), "pool[" + run + "]",
                        run == 1 ? "pool " + index : "pools " + index + ".." + (index + run - 1),
                        String.format(Locale.ROOT, "0x%x never carved (beyond the arena's carving mark)", p.address())));
                break;
            }
            String what = p.state() == PoolInfo.State.EMPTY ? "free (on the arena's free-pool list, for any class)"
                    : String.format(Locale.ROOT, "class %d (%d B): %,d of %,d blocks in use%s", p.sizeClass(),
                    p.blockSize(), p.blocksInUse(), p.capacity(), p.state() == PoolInfo.State.FULL ? ", full" : "");
            if (p.state() != PoolInfo.State.EMPTY) {
                quantization += g.quantization(p.sizeClass());
                blocks += p.blocksInUse();
            }
            rows.add(new LayoutTable.Row(p.address() - first, g.poolSize(), "pool", "pool " + index,
                    String.format(Locale.ROOT, "0x%x %s", p.address(), what)));
        }
        int lost = g.poolsPerArena() - pools.size();
        if (lost > 0) {
            rows.add(new LayoutTable.Row((long) pools.size() * g.poolSize(), (long) lost * g.poolSize(), "",
                    "(lost to aligning pools)", "the arena is not pool-aligned: these bytes lie before the first pool and after the last"));
        }
        String title = String.format(Locale.ROOT, "pymalloc arena %d: %s of %s, offsets from its first pool at 0x%x",
                pools.getFirst().arena(), Plural.of(pools.size(), "pool"), HeapMapSvg.kib(g.poolSize()), first);
        return new LayoutTable(title, rows, List.of(
                String.format(Locale.ROOT, "Arena size: %,d bytes (%s) = %d pools x %,d%s", g.arenaSize(),
                        HeapMapSvg.kib(g.arenaSize()), pools.size(), g.poolSize(), lost > 0 ? " + " + lost + " pool lost to alignment" : ""),
                String.format(Locale.ROOT, "Pools: %d partly used, %d full, %d free, %d never carved; %s in use",
                        HeapMapSvg.count(pools, PoolInfo.State.USED), HeapMapSvg.count(pools, PoolInfo.State.FULL),
                        HeapMapSvg.count(pools, PoolInfo.State.EMPTY), HeapMapSvg.count(pools, PoolInfo.State.UNCARVED),
                        Plural.of(blocks, "block")),
                String.format(Locale.ROOT, "Space losses: %,d bytes in pool headers + %,d bytes lost to quantization in the pools in use",
                        (long) (pools.size() - HeapMapSvg.count(pools, PoolInfo.State.UNCARVED) - HeapMapSvg.count(pools, PoolInfo.State.EMPTY))
                                * Geometry.POOL_OVERHEAD, quantization)));
    }
}
