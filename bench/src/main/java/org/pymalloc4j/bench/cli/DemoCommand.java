package org.pymalloc4j.bench.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.HugePageArenaAllocator;
import org.pymalloc4j.allocator.HugePages;
import org.pymalloc4j.allocator.MallocStats;
import org.pymalloc4j.allocator.Memory;

/** {@code pymalloc4j demo}: a realistic workload on a fresh heap, then its statistics. */
final class DemoCommand {
    static final String HELP = """
            usage: pymalloc4j demo [--blocks N] [--seed S] [--geometry G] [--malloc NAME]
                                   [--trace N] [--quiet]

            Runs an allocation workload shaped like a Python program's on a fresh heap:
              build      allocate N blocks of 1..4096 bytes (mostly 16..128, as Python
                         objects)
              churn      4N times free a random block and allocate another (10% reallocs)
              free most  free 90% of the blocks in random order
              rebuild    allocate N/2 blocks again, reusing the emptied pools and arenas
            then prints a table of the phases (time, ns per operation, arenas, blocks in
            use) and the heap statistics in the layout of CPython 3.11's
            sys._debugmallocstats().

            options:
              --blocks N            blocks in the build phase, 1..50000000 (default 1000000)
              --seed S              random seed (default 42); the same seed gives the same
                                    report
            """ + Options.GEOMETRY_HELP + """
              --malloc NAME         allocators as PYTHONMALLOC names them: pymalloc
                                    (default), malloc, debug, pymalloc_debug, malloc_debug
              --trace N             trace allocations as tracemalloc does (8 frames each)
                                    and print the top N allocation sites of the live blocks
                                    at the end
              --quiet               no progress bar
            """;

    private final PrintStream out;
    private final PrintStream err;

    DemoCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) throws UsageException {
        Options options = new Options("demo", args, Set.of("blocks", "seed", "geometry", "malloc", "trace"), Set.of("quiet"));
        options.noPositional("demo");
        long blocks = options.positiveLong("demo", "blocks", 1_000_000);
        if (blocks > 50_000_000) {
            throw new UsageException("demo: --blocks must be at most 50000000, not " + blocks);
        }
        long seed = options.seed("demo");
        Geometry geometry = options.geometry("demo");
        AllocatorName allocator = options.allocator("demo");
        int traceTop = (int) Math.min(Integer.MAX_VALUE, options.positiveLong("demo", "trace", 0));
        Progress progress = new Progress(err, !options.has("quiet"));
        Table phases = new Table("phase", "operations", "time ms", "ns/op", "arenas", "blocks in use");
        long total = System.nanoTime();
        try (Memory memory = Memory.builder().allocator(allocator).geometry(geometry).build()) {
            TraceReport.start(memory, traceTop);
            DemoWorkload w = new DemoWorkload(memory.obj(), (int) blocks, seed);
            int n = w.blocks();
            w.run(progress, (name, ops, nanos) -> row(phases, name, ops, nanos,
                    memory.hasPymalloc() ? Long.toString(memory.pymalloc().stats().arenasCurrent()) : "-",
                    memory.obj().liveBlocks()));
            long elapsed = System.nanoTime() - total;
            out.printf(Locale.ROOT, "pymalloc4j demo: %s, seed %d, allocator %s, geometry %s (%s pools, %s arenas)%n%n",
                    Plural.of(n, "block"), seed, allocator.resolved(), geometry.name(), kib(geometry.poolSize()), kib(geometry.arenaSize()));
            out.print(phases.render());
            if (memory.hasPymalloc()) {
                MallocStats s = memory.pymalloc().stats();
                out.printf(Locale.ROOT, "%nlive: %s in %s, %s (%,d bytes); arenas: %,d mapped, "
                                + "%,d at most, %,d returned to the OS%n",
                        Plural.of(s.smallBlocksInUse(), "small block"), Plural.of(s.poolsInUse(), "pool"),
                        Plural.of(s.rawBlocks(), "raw block"), s.rawBytes(), s.arenasCurrent(),
                        s.arenasHighWater(), s.arenasReclaimed());
                if (memory.getArenaAllocator().orElse(null) instanceof HugePageArenaAllocator huge) {
                    out.print(hugePagesLine(huge));
                }
                out.println();
                out.print(s.format());
            } else {
                out.print("\nlive: " + LibcSummary.line(memory, allocator));
            }
            TraceReport.print(out, memory, traceTop);
            out.printf(Locale.ROOT, "%ntotal time %.2f s%n", elapsed / 1e9);
        }
        return 0;
    }

    /** A phase's row: every figure with thousands separators, so that long times line up with the counts. */
    static void row(Table table, String name, long ops, long nanos, String arenas, long liveBlocks) {
        table.row(name, String.format(Locale.ROOT, "%,d", ops), String.format(Locale.ROOT, "%,.1f", nanos / 1e6),
                ops == 0 ? "-" : String.format(Locale.ROOT, "%,.1f", (double) nanos / ops), arenas,
                String.format(Locale.ROOT, "%,d", liveBlocks));
    }

    /** Which way the huge-page geometry's arenas were mapped, and how much is in huge pages now. */
    private static String hugePagesLine(HugePageArenaAllocator huge) {
        long bytes = HugePages.processBytesInTransparentHugePages();
        return String.format(Locale.ROOT, "huge pages: %s advised for transparent huge pages (THP mode %s), %,d from the "
                        + "reserved pool, %,d on small pages; %s of this process in transparent huge pages%n",
                Plural.of(huge.advisedArenas(), "arena"), HugePages.transparentMode(), huge.reservedArenas(), huge.smallPageArenas(),
                bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%,d KiB", bytes >> 10));
    }

    private static String kib(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
