package org.pymalloc4j.bench.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.PoolInfo;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.objects.LayoutTable;
import org.pymalloc4j.objects.ObjectLayouts;
import org.pymalloc4j.objects.ObjectSpace;

/**
 * {@code pymalloc4j layout}: a live native object, type object, pool header or arena in JOL's
 * table form, values read from native memory ({@link ObjectLayouts} for objects,
 * {@link HeapLayouts} for the allocator's structures); with {@code --compare}, each built-in
 * beside its Java counterpart as JOL sees it ({@link JolComparison}).
 */
final class LayoutCommand {
    static final String HELP = """
            usage: pymalloc4j layout [WHAT] [--value V] [--geometry G]
                   pymalloc4j layout pool [--size N] [--geometry G]
                   pymalloc4j layout --compare [--items N] [--quiet]

            Prints a live native structure as JOL prints a Java object's layout
            (OFF  SZ  TYPE  DESCRIPTION  VALUE), with the values read from native memory,
            made on a fresh heap. WHAT is one of:
              float int bool bytes str tuple list dict instance none
                        an object (offsets from its address; a GC object's PyGC_Head
                        at -16), then the blocks it owns (a list's item array, a dict's
                        keys object); under each table the block it lives in and the
                        bytes lost to its size class
              type      a type object (PyTypeObject); --value names it: float, int, str,
                        ..., type, object, or Point (a class with one slot)
              weakref   a weakref (PyWeakReference) to the built-in type --value names
                        [float], or, with --value dead, one whose referent is gone
              pool      a pool header (the default), after malloc(N) twice and a free of the
                        first
              arena     an arena's pools after a small fixed workload: each pool's header
                        address, size class and blocks in use, or free, or never carved

            options:
              --value V             the object's value (defaults in brackets): float [1.5],
                                    int [1234567890123456789], bool [True], bytes [abc] (as
                                    UTF-8), str [héllo], type [float]; tuple and list take
                                    items [1,2.5,abc], instance [1,2.5], one slot an item
                                    (ints, floats, None, True, False, else strs), dict takes
                                    KEY=VALUE pairs [a=1,b=2.5]
              --size N              pool: block size to request, 1..512 (default 64)
            """ + Options.GEOMETRY_HELP + """
              --compare             each built-in beside its Java counterpart as JOL 0.17
                                    lays it out (float/Double, int/Long and BigInteger,
                                    tuple/Object[], list/ArrayList, str/String,
                                    bytes/byte[], dict/HashMap), the JVM's header mode, and
                                    per object graph JOL's total size against the native
                                    bytes in use. JOL needs no flag through ./pymalloc4j;
                                    run by hand, pass java
                                    --sun-misc-unsafe-memory-access=allow, or the JDK warns
                                    once
              --items N             --compare: items in the graphs of the totals (default
                                    1000)
              --quiet               --compare: no progress
            """;

    private static final String ARENA_WORKLOAD = "1,100 blocks of 16 bytes, 300 of 64, 100 of 512, "
            + "and 40 of 256 freed again";

    private final PrintStream out;
    private final PrintStream err;

    LayoutCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) throws UsageException {
        Options options = new Options("layout", args, Set.of("size", "geometry", "value", "items"),
                Set.of("compare", "quiet"));
        List<String> positional = options.positional();
        if (positional.size() > 1) {
            throw new UsageException("layout: one WHAT at a time, not '" + String.join(" ", positional) + "'");
        }
        if (options.has("compare")) {
            if (!positional.isEmpty() || options.has("value") || options.has("size") || options.has("geometry")) {
                throw new UsageException("layout: --compare takes only --items N and --quiet");
            }
            long items = options.positiveLong("layout", "items", 1000);
            if (items > 1_000_000) {
                throw new UsageException("layout: --items must be at most 1000000, not " + items);
            }
            new JolComparison(out, new Progress(err, !options.has("quiet"))).print((int) items);
            return 0;
        }
        for (String compareOnly : List.of("items", "quiet")) { // the other tables take no items and show no progress
            if (options.has(compareOnly)) {
                throw new UsageException("layout: --" + compareOnly + " applies to --compare only");
            }
        }
        String what = positional.isEmpty() ? "pool" : positional.getFirst();
        Geometry g = options.geometry("layout");
        if (options.has("size") && !what.equals("pool")) {
            throw new UsageException("layout: --size applies to 'layout pool' only");
        }
        switch (what) {
            case "pool" -> {
                if (options.has("value")) {
                    throw new UsageException("layout: --value applies to objects, not to a pool (use --size N)");
                }
                pool(g, options.positiveLong("layout", "size", 64));
            }
            case "arena" -> {
                if (options.has("value")) {
                    throw new UsageException("layout: --value applies to objects, not to an arena");
                }
                arena(g);
            }
            default -> {
                if (!SampleObjects.isKind(what)) {
                    throw new UsageException("layout: unknown WHAT '" + what + "'; expected one of pool, arena, "
                            + SampleObjects.KINDS.stream().map(k -> k[0]).collect(Collectors.joining(", ")));
                }
                if (what.equals("none") && options.has("value")) {
                    throw new UsageException("layout: --value does not apply to none: there is one None, without a value");
                }
                object(g, what, options.get("value", SampleObjects.defaultValue(what)));
            }
        }
        return 0;
    }

    private void object(Geometry g, String kind, String value) throws UsageException {
        try (Memory memory = Memory.builder().geometry(g).build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).build()) {
            long o;
            try {
                o = new SampleObjects(space).make(kind, value);
            } catch (IllegalArgumentException e) {
                throw new UsageException("layout: cannot make that " + kind + ": " + e.getMessage());
            }
            out.print(ObjectLayouts.of(space, o));
            for (LayoutTable owned : ObjectLayouts.ownedBlocks(space, o)) {
                out.println();
                out.print(owned);
            }
            space.decref(o);
        }
    }

    private void pool(Geometry g, long size) throws UsageException {
        if (size > Geometry.SMALL_REQUEST_THRESHOLD) {
            throw new UsageException("layout: --size must be at most 512 (larger blocks come from malloc, not a pool), not " + size);
        }
        try (PyMalloc heap = PyMalloc.create(g)) {
            long first = heap.malloc(size);
            long second = heap.malloc(size);
            heap.free(first);
            long pool = second & -(long) g.poolSize();
            out.print(HeapLayouts.poolHeader(g, pool, Geometry.sizeClass(size),
                    "after malloc(" + size + ") twice and a free of the first"));
            heap.free(second);
        }
    }

    private void arena(Geometry g) {
        try (PyMalloc heap = PyMalloc.create(g)) {
            long[] kept = new long[1_500];
            int n = 0;
            for (int i = 0; i < 1_100; i++) {
                kept[n++] = heap.malloc(16);
            }
            for (int i = 0; i < 300; i++) {
                kept[n++] = heap.malloc(64);
            }
            for (int i = 0; i < 100; i++) {
                kept[n++] = heap.malloc(512);
            }
            long[] freed = new long[40];
            for (int i = 0; i < freed.length; i++) {
                freed[i] = heap.malloc(256);
            }
            for (long b : freed) {
                heap.free(b);
            }
            List<PoolInfo> pools = heap.pools();
            out.println("after " + ARENA_WORKLOAD + ":");
            out.print(HeapLayouts.arena(g, pools.stream().filter(p -> p.arena() == pools.getFirst().arena()).toList()));
            for (int i = 0; i < n; i++) {
                heap.free(kept[i]);
            }
        }
    }
}
