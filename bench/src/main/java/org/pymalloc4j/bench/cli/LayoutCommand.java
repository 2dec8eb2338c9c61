package org.pymalloc4j.bench.cli;

import java.io.PrintStream;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.util.Locale;
import java.util.Set;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.internal.PoolHeader;

/**
 * {@code pymalloc4j layout}: the header of a live pool in JOL's table form, with the values read
 * from native memory. The rows come from {@link PoolHeader#LAYOUT}, the FFM layout that tests
 * check against the offsets the allocator uses, so the table cannot drift from the code.
 */
final class LayoutCommand {
    static final String HELP = """
            usage: pymalloc4j layout [--size N] [--geometry 3.11|3.8]

            Prints the header of a live pool as JOL prints a Java object's layout
            (OFF  SZ  TYPE  DESCRIPTION  VALUE), with the values read from native memory.
            On a fresh heap it allocates two blocks of N bytes (default 64) and frees the first,
            so the pool has one block in use and one on its free list.

            options:
              --size N              block size to request, 1..512 (default 64)
              --geometry 3.11|3.8   pool and arena sizes: 16 KiB/1 MiB (default) or 4 KiB/256 KiB
            """;

    private final PrintStream out;

    LayoutCommand(PrintStream out) {
        this.out = out;
    }

    int run(String[] args) throws UsageException {
        if (Main.wantsHelp(args)) {
            out.print(HELP);
            return 0;
        }
        Options options = new Options("layout", args, Set.of("size", "geometry"), Set.of());
        if (!options.positional().isEmpty()) {
            throw new UsageException("layout: unexpected argument '" + options.positional().get(0) + "'");
        }
        long size = options.positiveLong("layout", "size", 64);
        if (size > Geometry.SMALL_REQUEST_THRESHOLD) {
            throw new UsageException("layout: --size must be at most 512 (larger blocks come from malloc, not a pool), not " + size);
        }
        Geometry g = options.geometry("layout");
        try (PyMalloc heap = PyMalloc.create(g)) {
            long first = heap.malloc(size);
            long second = heap.malloc(size);
            heap.free(first);
            long pool = second & -(long) g.poolSize();
            out.print(table(g, pool, size));
            heap.free(second);
        }
        return 0;
    }

    /** The table of the pool header at {@code pool}, JOL's layout with a few lines of context. */
    static String table(Geometry g, long pool, long requested) {
        int sizeClass = Geometry.sizeClass(requested);
        int block = Geometry.blockSize(sizeClass);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "pymalloc pool_header at 0x%x (CPython's struct pool_header, %s pools):%n",
                pool, HeapMapSvg.kib(g.poolSize())));
        b.append(String.format(Locale.ROOT, "a pool of class %d (%d-byte blocks) after malloc(%d) twice and a free of the first%n%n",
                sizeClass, block, requested));
        b.append(String.format(Locale.ROOT, "%3s %3s %6s %-15s %s%n", "OFF", "SZ", "TYPE", "DESCRIPTION", "VALUE"));
        long offset = 0;
        long padding = 0;
        for (MemoryLayout m : PoolHeader.LAYOUT.memberLayouts()) {
            long sz = m.byteSize();
            String type;
            String name;
            String value;
            if (m instanceof PaddingLayout) {
                type = "";
                name = "(alignment/padding gap)";
                value = "";
                padding += sz;
            } else {
                name = m.name().orElseThrow();
                type = m instanceof AddressLayout ? (name.equals("freeblock") ? "block*" : "poolp") : "uint";
                long v = sz == Long.BYTES ? NativeMemory.getLong(pool + offset) : NativeMemory.getInt(pool + offset) & 0xffffffffL;
                value = describe(name, v, pool, block, g);
                if (name.equals("count")) {
                    name = "ref.count";
                }
            }
            b.append(String.format(Locale.ROOT, "%3d %3d %6s %-15s %s%n", offset, sz, type, name, value).stripTrailing())
                    .append('\n');
            offset += sz;
        }
        b.append(String.format(Locale.ROOT, "Header size: %d bytes (POOL_OVERHEAD)%n", offset));
        b.append(String.format(Locale.ROOT, "Space losses: %d bytes internal + 0 bytes external = %d bytes total%n",
                padding, padding));
        b.append(String.format(Locale.ROOT, "Pool: %,d bytes = %d header + %d blocks x %d B + %d bytes lost to quantization%n",
                g.poolSize(), offset, g.blocksPerPool(sizeClass), block, g.quantization(sizeClass)));
        return b.toString();
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
}
