package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.bench.jmh.ProgramReplayBenchmark;
import org.pymalloc4j.bench.jmh.RandomMixBenchmark;
import org.pymalloc4j.bench.jmh.TraceReplayBenchmark;
import org.pymalloc4j.objects.ObjectSpace;

/**
 * The bench command's tables, one or more per layer, built from one JMH run, the CPython
 * harness's figures and the memory comparison. Every time is a ratio against pymalloc4j's in
 * the same run: "(2.50×)" after a baseline's figure means it took 2.5 times as long.
 */
final class BenchTables {
    /** A titled table and what to read under it. */
    record Section(String layer, String title, Table table, String note) {
    }

    /** A JMH method and the name the tables give it. */
    record Impl(String method, String label) {
    }

    /** pymalloc4j's own ways of running the allocator patterns; the first is every ratio's base. */
    static final List<Impl> PYMALLOC4J = List.of(
            new Impl("pymalloc", "pymalloc4j"),
            new Impl("pymallocLoop", "pymalloc4j in a loop"),
            new Impl("pymallocLonePool", "pymalloc4j lone pool"),
            new Impl("pymallocHugePages", "pymalloc4j huge pages"));
    /** The native allocators a Java program can call without writing native code of its own. */
    static final List<Impl> NATIVE_ALTERNATIVES = List.of(
            new Impl("libcMalloc", "libc malloc"),
            new Impl("jemalloc", "jemalloc (LWJGL)"),
            new Impl("rpmalloc", "rpmalloc (LWJGL)"));
    /** What the JDK itself offers: its arenas, direct buffers and the Java heap. */
    static final List<Impl> JDK_ALTERNATIVES = List.of(
            new Impl("arenaConfined", "Arena.ofConfined"),
            new Impl("arenaShared", "Arena.ofShared"),
            new Impl("arenaAuto", "Arena.ofAuto"),
            new Impl("directByteBuffer", "ByteBuffer.allocateDirect"),
            new Impl("javaByteArray", "new byte[n]"));
    /** Netty's pooled direct buffers, the library most Java servers allocate through. */
    static final List<Impl> NETTY_ALTERNATIVES = List.of(
            new Impl("nettyPooledDirect", "Netty pooled"),
            new Impl("nettyPooledDirectCached", "Netty pooled+cache"),
            new Impl("nettyAdaptiveDirect", "Netty adaptive"),
            new Impl("nettyAdaptiveDirectCached", "Netty adaptive+cache"));
    static final List<Impl> ALLOCATORS = java.util.stream.Stream.of(PYMALLOC4J, NATIVE_ALTERNATIVES,
            JDK_ALTERNATIVES, NETTY_ALTERNATIVES).flatMap(List::stream).toList();
    static final String CPYTHON = "CPython";

    /**
     * A row of the allocator layer: a JMH class, its parameter, and the CPython figure's name;
     * a replay's CPython figure is in operations per second, the others in ns per op.
     */
    record AllocatorRow(String label, String className, String param, String cpythonKey, boolean cpythonPerSecond) {
        AllocatorRow(String label, String className, String param, String cpythonKey) {
            this(label, className, param, cpythonKey, false);
        }
    }

    /** A replay benchmark: its JMH class, its row, the trace CPython's harness replays, and the key of that figure. */
    record Replay(String className, String label, String resource, String cpythonKey) {
    }

    /** The replay benchmarks, in table order; {@code bench} has CPython replay each selected one's trace. */
    static final List<Replay> REPLAYS = List.of(
            new Replay("TraceReplayBenchmark", "trace replay", TraceReplayBenchmark.TRACE, "replay"),
            new Replay("ProgramReplayBenchmark", "python3.11 -c pass replay", ProgramReplayBenchmark.TRACE,
                    "replay.program"));

    private final JmhResults jmh;
    private final Map<String, Double> cpython;

    BenchTables(JmhResults jmh, Map<String, Double> cpython) {
        this.jmh = jmh;
        this.cpython = cpython;
    }

    /** The allocator rows present in the run, in table order. */
    List<AllocatorRow> allocatorRows() {
        List<AllocatorRow> rows = new ArrayList<>();
        for (String size : jmh.params("PairBenchmark")) {
            rows.add(new AllocatorRow("pair " + size + " B", "PairBenchmark", size, "pair." + size));
        }
        for (String size : jmh.params("BatchBenchmark")) {
            rows.add(new AllocatorRow("batch " + size + " B", "BatchBenchmark", size, "batch." + size));
        }
        if (!jmh.params("RandomMixBenchmark").isEmpty()) {
            rows.add(new AllocatorRow("random mix 1-512 B", "RandomMixBenchmark", "", "randomMix"));
        }
        for (Replay r : REPLAYS) {
            if (!jmh.params(r.className()).isEmpty()) {
                rows.add(new AllocatorRow(r.label(), r.className(), "", r.cpythonKey(), true));
            }
        }
        return rows;
    }

    /** Nanoseconds per operation of {@code method} in {@code row}, converting a throughput. */
    OptionalDouble allocatorNanos(AllocatorRow row, String method) {
        if (method.equals(CPYTHON)) {
            Double v = cpython.get(row.cpythonKey());
            if (v == null) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(row.cpythonPerSecond() ? 1e9 / v : v);
        }
        return jmh.find(row.className(), method, row.param()).map(BenchTables::nanosPerOp)
                .map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }

    static double nanosPerOp(JmhResults.Result r) {
        return switch (r.unit()) {
            case "ops/s" -> 1e9 / r.score();
            case "us/op" -> r.score() * 1e3;
            case "ms/op" -> r.score() * 1e6;
            default -> r.score();
        };
    }

    List<Section> all() {
        List<Section> sections = new ArrayList<>();
        sections.addAll(allocator());
        mixMemory().ifPresent(sections::add);
        arenaLookup().ifPresent(sections::add);
        domains().ifPresent(sections::add);
        objects().ifPresent(sections::add);
        collectorCycles().ifPresent(sections::add);
        collectorPauses().ifPresent(sections::add);
        return sections;
    }

    /**
     * The allocator layer in two tables, so that neither is too wide to read: pymalloc4j's own
     * variants beside CPython's C pymalloc, then the JVM's alternatives beside pymalloc4j.
     */
    List<Section> allocator() {
        List<AllocatorRow> rows = allocatorRows();
        if (rows.isEmpty()) {
            return List.of();
        }
        List<Section> sections = new ArrayList<>();
        List<Impl> ours = new ArrayList<>(PYMALLOC4J);
        if (rows.stream().anyMatch(r -> cpython.containsKey(r.cpythonKey()))) {
            ours.add(new Impl(CPYTHON, "CPython 3 pymalloc"));
        }
        allocatorTable(rows, ours, true).ifPresent(table -> sections.add(new Section("allocator",
                "Allocator: pymalloc4j and CPython's own C pymalloc, ns per alloc+free (per trace operation for "
                + "the replays)", table, "Pair: one malloc and its free, one other block of the class kept live; "
                + "batch: 100,000 blocks allocated then freed in reverse; random mix: 100,000 live blocks, each op "
                + "frees a random one and allocates a random size; trace replay: the fidelity suite's sizes-churn "
                + "trace; python3.11 -c pass replay: every pymalloc call of that program, recorded by pymalloc4j "
                + "record; CPython replays each trace in rounds of at least 200 ms after the JMH benchmarks, the "
                + "median round. pymalloc4j: one op per JMH call; in a loop: 1,000 ops per call, the shape of CPython's "
                + "C loop (a batch is one loop already); lone pool: the pair's block alone in its pool, which "
                + "empties and goes back to its arena each time; huge pages: the same on Geometry.HUGE_PAGES, "
                + "2 MiB arenas on huge pages where the kernel gives them (CPython's --with-pymalloc-hugepages "
                + "build). In brackets: time divided by pymalloc4j's time in the same run (above 1: slower than "
                + "pymalloc4j). Native MiB: pymalloc4j's arena high-water.")));
        allocatorTable(rows, withPymalloc4j(NATIVE_ALTERNATIVES), false).ifPresent(table -> sections.add(
                new Section("allocator", "Allocator: native allocators called from Java, ns per alloc+free (per "
                + "trace operation for the replays)", table, "The same patterns and runs. libc malloc: malloc and "
                + "free through FFM downcalls (behind a memory domain for the replays); jemalloc and rpmalloc: "
                + MachineInfo.lwjgl() + "'s bindings, nje_malloc/nje_free (FFM downcalls) and nrpmalloc/nrpfree "
                + "(JNI). In brackets: time divided by pymalloc4j's time in the same run.")));
        allocatorTable(rows, withPymalloc4j(JDK_ALTERNATIVES), false).ifPresent(table -> sections.add(new Section(
                "allocator", "Allocator: the JDK's alternatives, ns per alloc+free (per trace operation for the "
                + "replays)", table, "The same patterns and runs. Arena.ofConfined and Arena.ofShared: an arena a "
                + "pair, one for a whole batch (closed at its end), one a live block in the random mix; a shared "
                + "arena's close waits for a handshake with every Java thread. Arena.ofAuto (one a pair, one a "
                + "batch, one a live block), ByteBuffer.allocateDirect and new byte[n]: freeing is dropping the "
                + "reference; the collections fall inside the time, the cleaners' frees run on another thread. "
                + "In brackets: time divided by pymalloc4j's time in the same run.")));
        allocatorTable(rows, withPymalloc4j(NETTY_ALTERNATIVES), false).ifPresent(table -> sections.add(new Section(
                "allocator", "Allocator: Netty's pooled direct buffers, ns per alloc+free (per trace operation "
                + "for the replays)", table, "The same patterns and runs: direct buffers from the allocator "
                + "named (" + MachineInfo.netty() + "), released at once; +cache: with the thread cache or "
                + "magazine an event-loop thread has. In brackets: time divided by pymalloc4j's time in the "
                + "same run.")));
        return sections;
    }

    /** pymalloc4j, every ratio's base, then {@code others}. */
    private static List<Impl> withPymalloc4j(List<Impl> others) {
        List<Impl> impls = new ArrayList<>(List.of(PYMALLOC4J.get(0)));
        impls.addAll(others);
        return impls;
    }

    /**
     * One allocator table: a column per implementation with a figure in some row (the first,
     * pymalloc4j, always), each cell a ratio to pymalloc4j's; {@code withMemory} adds its arena
     * high-water. Empty if no implementation but pymalloc4j has a figure.
     */
    private Optional<Table> allocatorTable(List<AllocatorRow> rows, List<Impl> impls, boolean withMemory) {
        List<String> header = new ArrayList<>(List.of("pattern"));
        List<String> methods = new ArrayList<>();
        for (Impl impl : impls) {
            if (methods.isEmpty() || rows.stream().anyMatch(r -> allocatorNanos(r, impl.method()).isPresent())) {
                header.add(impl.label());
                methods.add(impl.method());
            }
        }
        if (methods.size() < 2 && !withMemory) {
            return Optional.empty();
        }
        if (withMemory) {
            header.add("pymalloc4j native MiB");
        }
        Table table = new Table(header.toArray(String[]::new));
        for (AllocatorRow row : rows) {
            List<String> cells = new ArrayList<>(List.of(row.label()));
            OptionalDouble base = allocatorNanos(row, "pymalloc");
            for (String m : methods) {
                cells.add(cell(allocatorNanos(row, m), base));
            }
            if (withMemory) {
                cells.add(jmh.find(row.className(), "pymalloc", row.param())
                        .map(r -> r.secondary().get("nativeBytes"))
                        .map(s -> fmt(s.median() / (1 << 20))).orElse("-"));
            }
            table.row(cells.toArray());
        }
        return Optional.of(table);
    }

    /** What the random mix's live blocks hold on average: {@code LIVE} sizes uniform in 1..512. */
    static final double MIX_LIVE_BYTES = RandomMixBenchmark.LIVE * (RandomMixBenchmark.MAX_SIZE + 1) / 2.0;

    /** The native memory each allocator held in the random mix, from its {@code nativeBytes} counter. */
    Optional<Section> mixMemory() {
        Table table = new Table("allocator", "native MiB held", "/ live bytes");
        double liveMiB = MIX_LIVE_BYTES / (1 << 20);
        for (Impl impl : ALLOCATORS) {
            jmh.find("RandomMixBenchmark", impl.method(), "")
                    .map(r -> r.secondary().get("nativeBytes"))
                    .ifPresent(s -> table.row(impl.label(), fmt(s.median() / (1 << 20)),
                            String.format(Locale.ROOT, "%.2f", s.median() / MIX_LIVE_BYTES)));
        }
        if (table.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Section("allocator", "Random mix: native memory held", table,
                "At the end of each measured iteration, the median over iterations and forks; the live "
                + "blocks hold about " + fmt(liveMiB) + String.format(Locale.ROOT,
                        " MiB (%,d blocks of 1-%d bytes, %.1f on ", RandomMixBenchmark.LIVE,
                        RandomMixBenchmark.MAX_SIZE, MIX_LIVE_BYTES / RandomMixBenchmark.LIVE)
                + "average). pymalloc4j: its arena high-water in whole arenas (" + (Geometry.PY311.arenaSize() >> 20)
                + " MiB; " + (Geometry.HUGE_PAGES.arenaSize() >> 20) + " MiB on huge pages); Netty: usedDirectMemory(), "
                + "the chunks it holds, in use or not; Arena.ofAuto and ByteBuffer.allocateDirect: the JDK's "
                + "direct buffer pool, the blocks live and those dropped and not yet freed. libc, jemalloc, "
                + "rpmalloc (LWJGL's builds keep no statistics), confined and shared arenas and byte[] report none."));
    }

    Optional<Section> arenaLookup() {
        return methodTable("ArenaLookupBenchmark", "arenas", List.of(new Impl("ownerMap", "owner map"),
                new Impl("radixTree", "CPython's radix tree")), "arenas",
                "Arena lookup (is this address ours?): ns per lookup",
                "What each free asks, over that many 1 MiB arenas laid out as mmap lays them; random addresses, "
                + "1 in 10 outside the arenas. In brackets: time / the owner map's time.", "allocator");
    }

    Optional<Section> domains() {
        return methodTable("DomainBenchmark", "size", List.of(
                new Impl("pymalloc", "PyMalloc direct"), new Impl("objDomain", "obj domain (pymalloc)"),
                new Impl("mallocDomain", "obj domain (malloc)"), new Impl("debugHooks", "pymalloc_debug"),
                new Impl("tracing1", "tracing, 1 frame"), new Impl("tracing16", "tracing, 16 frames")),
                "size", "Domains, debug hooks and tracing: ns per alloc+free",
                "In brackets: time / PyMalloc called directly.", "domains");
    }

    private Optional<Section> methodTable(String className, String paramName, List<Impl> impls, String rowHeader,
                                          String title, String note, String layer) {
        List<String> params = jmh.params(className);
        if (params.isEmpty()) {
            return Optional.empty();
        }
        List<String> header = new ArrayList<>(List.of(rowHeader));
        impls.forEach(i -> header.add(i.label()));
        Table table = new Table(header.toArray(String[]::new));
        for (String param : params) {
            List<String> cells = new ArrayList<>(List.of(paramName.equals("size") ? param + " B" : param));
            OptionalDouble base = nanos(className, impls.get(0).method(), param);
            impls.forEach(i -> cells.add(cell(nanos(className, i.method(), param), base)));
            table.row(cells.toArray());
        }
        return Optional.of(new Section(layer, title, table, note));
    }

    Optional<Section> objects() {
        if (jmh.params("ObjectBenchmark").isEmpty()) {
            return Optional.empty();
        }
        Table table = new Table("work", "pymalloc4j", "in a loop", "CPython 3", "Java heap objects", "Java B/op",
                "Java GC ms", "pymalloc4j Java B/op");
        String[][] rows = {
            {"float create+decref", "floatNative", "floatNativeLoop", "float", "floatJava"},
            {"2-tuple create+decref", "tupleNative", "tupleNativeLoop", "tuple", "tupleJava"},
            {"empty list create+decref", "emptyListNative", "emptyListNativeLoop", "emptyList", "emptyListJava"},
            {"list append (per append)", "listAppend", "", "", "listAppendJava"},
            {"1,000,000-object tree dealloc (per object)", "treeDealloc", "", "", ""},
        };
        for (String[] r : rows) {
            OptionalDouble base = nanos("ObjectBenchmark", r[1], "");
            if (base.isEmpty()) {
                continue;
            }
            OptionalDouble loop = r[2].isEmpty() ? OptionalDouble.empty() : nanos("ObjectBenchmark", r[2], "");
            Double c = cpython.get(r[3]);
            Optional<JmhResults.Result> java = jmh.find("ObjectBenchmark", r[4], "");
            table.row(r[0], fmt(base.getAsDouble()), loop.isPresent() ? cell(loop, base) : "-",
                    c == null ? "-" : cell(OptionalDouble.of(c), base),
                    java.map(j -> cell(OptionalDouble.of(j.score()), base)).orElse("-"),
                    java.map(j -> gcMetric(j, "gc.alloc.rate.norm")).orElse("-"),
                    java.map(j -> gcMetric(j, "gc.time")).orElse("-"),
                    jmh.find("ObjectBenchmark", r[1], "").map(n -> gcMetric(n, "gc.alloc.rate.norm")).orElse("-"));
        }
        return Optional.of(new Section("objects", "Objects: ns per operation", table,
                "Native objects through ObjectSpace's public API (" + (ObjectSpace.CHECKS_DEFAULT ? "" : "un")
                + "checked mode), CPython's C API, and Java heap "
                + "objects with the same fields (JFloat, Object[2], ArrayList). pymalloc4j: one op per JMH call, "
                + "so every call reloads the space's Java fields; in a loop: 1,000 ops per call, the shape of "
                + "CPython's C loop, where the JIT keeps them in registers. In brackets: time / pymalloc4j's. "
                + "B/op: Java heap bytes allocated per op (-prof gc's gc.alloc.rate.norm); GC ms: time the Java GC "
                + "took during the measured iterations (gc.time, already inside the Java figures' ns/op)."));
    }

    Optional<Section> collectorCycles() {
        Optional<JmhResults.Result> r = jmh.find("CollectorBenchmark", "collectCycles", "");
        if (r.isEmpty()) {
            return Optional.empty();
        }
        double ns = r.get().median();
        Table table = new Table("work", "pymalloc4j ns/object", "CPython 3 ns/object", "target");
        Double c = cpython.get("gc.cycles");
        table.row("gc.collect(), 1,000,000 unreachable 2-cycles of lists", fmt(ns),
                c == null ? "-" : cell(OptionalDouble.of(c), OptionalDouble.of(ns)), "<= 75");
        return Optional.of(new Section("collector", "Collector: unreachable cycles", table,
                "Per object (2,000,000 lists); the cycles are built before each collection and the collector is "
                + "disabled while they are; each side's median collection. In brackets: CPython's time / pymalloc4j's."));
    }

    Optional<Section> collectorPauses() {
        List<String> sizes = jmh.params("CollectorBenchmark").stream().filter(p -> !p.isEmpty()).toList();
        if (sizes.isEmpty()) {
            return Optional.empty();
        }
        Table table = new Table("live objects", "pymalloc4j ms", "pymalloc4j ns/object", "CPython 3 ms",
                "CPython 3 ns/object");
        List<String> steps = new ArrayList<>();
        double previousObjects = 0;
        double previousMs = 0;
        for (String n : sizes) {
            double objects = Double.parseDouble(n);
            OptionalDouble ms = jmh.find("CollectorBenchmark", "collectLiveHeap", n).map(JmhResults.Result::median)
                    .map(OptionalDouble::of).orElse(OptionalDouble.empty());
            Double c = cpython.get("gc.live." + n);
            if (ms.isPresent()) {
                if (previousMs > 0) {
                    steps.add(String.format(Locale.ROOT, "×%.1f for ×%.0f", ms.getAsDouble() / previousMs,
                            objects / previousObjects));
                }
                previousObjects = objects;
                previousMs = ms.getAsDouble();
            }
            table.row(String.format(Locale.ROOT, "%,d", (long) objects),
                    ms.isPresent() ? fmt(ms.getAsDouble()) : "-",
                    ms.isPresent() ? fmt(ms.getAsDouble() * 1e6 / objects) : "-",
                    c == null ? "-" : cell(OptionalDouble.of(c), ms),
                    c == null ? "-" : fmt(c * 1e6 / objects));
        }
        String linear = steps.isEmpty() ? "" : " pymalloc4j's pause grows " + String.join(", ", steps)
                + " the objects (linear growth is ×10 for ×10).";
        return Optional.of(new Section("collector", "Collector: full-collection pause against live heap size", table,
                "A list holding N-1 empty lists, all surviving; one gc.collect() per measurement, each side's "
                + "median one; CPython's "
                + "interpreter's own objects frozen first (gc.freeze()), so both sides walk the N alone. In brackets: "
                + "CPython's pause / pymalloc4j's." + linear));
    }

    /** The memory comparison: resident memory of each workload process, in MiB. */
    static Optional<Section> memory(Map<String, Map<String, Double>> figures) {
        Map<String, Double> base = figures.get(MemoryComparison.PYMALLOC4J);
        if (base == null) {
            return Optional.empty();
        }
        Table table = new Table("allocator", "RSS at start", "peak RSS", "peak above start", "RSS after frees",
                "after frees, above start", "arenas in use");
        OptionalDouble basePeak = aboveStart(base, "memory.peakRss");
        OptionalDouble baseAfter = aboveStart(base, "memory.rssAfter");
        figures.forEach((name, f) -> table.row(name, mib(f.get("memory.rssStart")), mib(f.get("memory.peakRss")),
                mibCell(aboveStart(f, "memory.peakRss"), basePeak), mib(f.get("memory.rssAfter")),
                mibCell(aboveStart(f, "memory.rssAfter"), baseAfter),
                f.containsKey("memory.arenas") ? String.format(Locale.ROOT, "%,.0f", f.get("memory.arenas")) : "-"));
        return Optional.of(new Section("memory", "Memory: a fragmenting workload, MiB resident", table,
                "1,000,000 blocks of 1-512 bytes (the same sizes everywhere), then 9 in 10 freed in a scattered "
                + "pattern; each allocator in its own process (VmRSS, VmHWM from /proc/self/status). 'Above start' "
                + "subtracts the process's own footprint (a JVM for pymalloc4j, libpython for the others); in "
                + "brackets: divided by pymalloc4j's."));
    }

    private static OptionalDouble aboveStart(Map<String, Double> f, String key) {
        Double v = f.get(key);
        Double start = f.get("memory.rssStart");
        return v == null || start == null ? OptionalDouble.empty() : OptionalDouble.of(v - start);
    }

    private static String mib(Double bytes) {
        return bytes == null ? "-" : fmt(bytes / (1 << 20));
    }

    private static String mibCell(OptionalDouble bytes, OptionalDouble base) {
        if (bytes.isEmpty()) {
            return "-";
        }
        return cell(OptionalDouble.of(bytes.getAsDouble() / (1 << 20)),
                base.isPresent() ? OptionalDouble.of(base.getAsDouble() / (1 << 20)) : OptionalDouble.empty());
    }

    private OptionalDouble nanos(String className, String method, String param) {
        return jmh.find(className, method, param).map(r -> OptionalDouble.of(nanosPerOp(r)))
                .orElse(OptionalDouble.empty());
    }

    /** A {@code -prof gc} figure; JMH leaves gc.time out when no collection ran. */
    private static String gcMetric(JmhResults.Result r, String metric) {
        JmhResults.Secondary s = r.secondary().get(metric);
        return s == null ? (metric.equals("gc.time") ? "0" : "-") : fmt(Math.max(0, s.score()));
    }

    /** "12.3 (1.50×)": a figure and its ratio to the baseline. */
    static String cell(OptionalDouble value, OptionalDouble base) {
        if (value.isEmpty()) {
            return "-";
        }
        String v = fmt(value.getAsDouble());
        if (base.isEmpty() || base.getAsDouble() <= 0) {
            return v;
        }
        double ratio = value.getAsDouble() / base.getAsDouble();
        // Two decimals where a ratio is near 1 and they matter; a shared arena's 21,473x needs none.
        return v + " (" + threeFigures(ratio, 2) + "×)";
    }

    /** Three significant figures, at most one decimal above 10, thousands separated. */
    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return threeFigures(v, 3);
    }

    /**
     * {@code v} with the decimals of its decade (none from 100, one from 10, two from 1, else
     * {@code below1}), the decade taken from {@code v} as printed: 99.96 is printed as 100, not
     * as 100.0. Printed, not computed: the formatter rounds the double's shortest decimal half
     * up, so 9.995 (in binary 9.99499...) is "10.00" at two decimals, hence "10.0".
     */
    private static String threeFigures(double v, int below1) {
        String printed = String.format(Locale.ROOT, decimals(Math.abs(v), below1), v);
        if (!Double.isFinite(v)) {
            return printed;
        }
        String again = decimals(Math.abs(Double.parseDouble(printed.replace(",", ""))), below1);
        return String.format(Locale.ROOT, again, v);
    }

    private static String decimals(double a, int below1) {
        return a >= 100 ? "%,.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%." + below1 + "f";
    }
}
