package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.MallocStats;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.PoolInfo;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.Trace;

/** {@code pymalloc4j map}: runs a workload on a fresh heap and draws its arenas and pools as SVG. */
final class MapCommand {
    static final String HELP = String.format(Locale.ROOT, ("""
            usage: pymalloc4j map [--demo | --trace FILE] [--blocks N] [--seed S]
                                  [--geometry G] [--malloc NAME] --out FILE.svg [--quiet]

            Runs the demo workload (as 'pymalloc4j demo' does) or replays an allocation
            trace (in the format of 'pymalloc4j replay') on a fresh pymalloc heap, then
            draws the heap as an SVG picture to open in a browser: every arena a row of
            pools, each pool in its size class's colour, filled to the level of its blocks
            in use, free pools outlined, never-carved pools hatched, with a legend and the
            totals of the statistics report. Hover a pool to see its arena, address, class
            and blocks. At most %d arenas are drawn.

            options:
              --demo                the demo workload (the default)
              --trace FILE          replay this trace instead ('-' reads standard input)
              --blocks N            blocks in the demo's build phase, 1..10000000 (default
                                    200000)
              --seed S              the demo's random seed (default 42)
            """ + Options.GEOMETRY_HELP + """
              --malloc NAME         allocators as PYTHONMALLOC names them: pymalloc
                                    (default), debug or pymalloc_debug (the debug hooks add
                                    24 bytes to every block, which moves blocks up size
                                    classes: compare the pictures); malloc and malloc_debug
                                    have no pymalloc heap to draw
              --out FILE.svg        where to write the picture (required; an existing file
                                    is replaced, but not the --trace file); '-' writes it to
                                    standard output, and the summary line to standard error
              --quiet               no progress bar
            """), HeapMapSvg.MAX_ROWS);

    private final PrintStream out;
    private final PrintStream err;

    MapCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) throws UsageException {
        Options options = new Options("map", args, Set.of("trace", "blocks", "seed", "geometry", "malloc", "out"),
                Set.of("demo", "quiet"));
        options.noPositional("map");
        if (options.has("demo") && options.has("trace")) {
            throw new UsageException("map: give --demo or --trace FILE, not both");
        }
        if (options.has("trace") && (options.has("blocks") || options.has("seed"))) {
            throw new UsageException("map: --blocks and --seed apply to --demo only");
        }
        Geometry geometry = options.geometry("map");
        AllocatorName allocator = options.allocator("map");
        if (!allocator.usesPymalloc()) {
            throw new UsageException("map: --malloc " + allocator + " has no pymalloc heap to draw; "
                    + "use pymalloc, debug or pymalloc_debug");
        }
        String outName = options.get("out", null);
        boolean toStdout = "-".equals(outName); // as --trace - reads standard input
        Path target = toStdout ? null : outputPath(outName);
        notTheTrace(target, outName, options.get("trace", null));
        long blocks = options.positiveLong("map", "blocks", 200_000);
        if (blocks > 10_000_000) {
            throw new UsageException("map: --blocks must be at most 10000000, not " + blocks);
        }
        long seed = options.seed("map");
        String traceName = options.get("trace", null);
        Progress progress = new Progress(err, !options.has("quiet"));
        Trace trace = traceName == null ? null : ReplayCommand.readTrace("map", traceName, progress);
        String svg;
        String workload;
        List<PoolInfo> pools;
        long arenas;
        try (Memory memory = Memory.builder().allocator(allocator).geometry(geometry).build()) {
            PyMalloc heap = memory.pymalloc();
            String under = allocator.resolved() == AllocatorName.PYMALLOC ? "" : ", under " + allocator.resolved();
            if (trace == null) {
                new DemoWorkload(memory.obj(), (int) blocks, seed).run(progress, (name, ops, nanos) -> { });
                workload = String.format(Locale.ROOT, "demo workload: %s built, churned 4×, 90%% freed, "
                        + "half rebuilt (seed %d)%s", Plural.of(blocks, "block"), seed, under);
            } else {
                ReplayCommand.replay("map", trace, memory.obj(), progress);
                workload = String.format(Locale.ROOT, "trace %s: %s replayed%s", traceName,
                        Plural.of(trace.length(), "operation"), under);
            }
            MallocStats stats = heap.stats();
            pools = heap.pools();
            arenas = stats.arenasCurrent();
            svg = new HeapMapSvg(geometry, pools, stats, workload).render();
        }
        byte[] utf8 = svg.getBytes(StandardCharsets.UTF_8);
        long bytes = utf8.length;
        if (toStdout) {
            out.write(utf8, 0, utf8.length); // a failure shows in out.checkError(), which Main turns into status 1
        } else {
            try {
                OutputFile.write(target, svg);
            } catch (IOException e) { // after the work: a failure (a full disk), not bad input
                err.println("pymalloc4j map: " + e.getMessage());
                return 1;
            }
        }
        // with the picture on standard output, the summary must not end up inside it
        (toStdout ? err : out).printf(Locale.ROOT, "pymalloc4j map: wrote %s (%,d bytes): %s, %s (%,d partly used, "
                        + "%,d full, %,d free, %,d never carved)%n", toStdout ? "the picture to standard output" : target,
                bytes, Plural.of(arenas, "arena"),
                Plural.of(pools.size(), "pool"),
                HeapMapSvg.count(pools, PoolInfo.State.USED), HeapMapSvg.count(pools, PoolInfo.State.FULL),
                HeapMapSvg.count(pools, PoolInfo.State.EMPTY), HeapMapSvg.count(pools, PoolInfo.State.UNCARVED));
        return 0;
    }

    /** Refuses an --out that is the --trace file: the picture would replace the trace it was drawn from. */
    private static void notTheTrace(Path target, String outName, String traceName) throws UsageException {
        try {
            if (target != null && traceName != null && !traceName.equals("-") && Files.exists(target)
                    && Files.isSameFile(target, Path.of(traceName))) {
                throw new UsageException("map: --out " + outName + " is the trace file: the picture would overwrite it");
            }
        } catch (IOException | InvalidPathException e) {
            // the trace cannot be compared (missing, unreadable): reading it says so
        }
    }

    /** Checks the output path before any work, so a typo costs no waiting. */
    private static Path outputPath(String name) throws UsageException {
        if (name == null || name.isEmpty()) {
            throw new UsageException("map: --out FILE.svg is required (see 'pymalloc4j map --help')");
        }
        Path path;
        try {
            path = Path.of(name);
        } catch (InvalidPathException e) {
            throw new UsageException("map: bad --out path '" + name + "': " + e.getReason());
        }
        if (Files.isDirectory(path)) {
            throw new UsageException("map: --out " + name + " is a directory");
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UsageException("map: cannot write " + name + ": no such directory " + parent);
        }
        if (Files.exists(path) ? !Files.isWritable(path) : !Files.isWritable(parent)) {
            throw new UsageException("map: cannot write " + name + ": permission denied");
        }
        return path;
    }
}
