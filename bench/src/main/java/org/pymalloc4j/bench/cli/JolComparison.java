package org.pymalloc4j.bench.cli;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;
import org.pymalloc4j.allocator.MallocStats;
import org.pymalloc4j.objects.LayoutTable;
import org.pymalloc4j.objects.ObjectLayouts;
import org.pymalloc4j.objects.ObjectSpace;

/**
 * {@code pymalloc4j layout --compare}: each built-in's native layout beside its Java
 * counterpart's as JOL lays it out, the JVM's header mode, and per object graph JOL's
 * {@code GraphLayout.totalSize()} against the native bytes the same graph keeps in use.
 *
 * <p>Native bytes in use are the pymalloc heap's blocks in use plus raw blocks, before and after
 * building the graph in a fresh space, so they count what the size classes round up to and
 * nothing that is static (small ints, the one-character strings), which CPython allocates once
 * per process. JOL counts every Java object reachable, cached ones too ({@code Long.valueOf(1)}).
 */
final class JolComparison {
    private final PrintStream out;
    private final Progress progress;

    JolComparison(PrintStream out, Progress progress) {
        this.out = out;
        this.progress = progress;
    }

    /** A native object made in a space, and the Java value that plays its part. */
    private record Pair(String kind, String value, String label, Supplier<Object> java) {
    }

    /** An object graph made twice: natively in a space, and in Java. */
    private record Graph(String label, ToLongFunction<ObjectSpace> nativeGraph, Supplier<Object> java) {
    }

    void print(int items) throws UsageException {
        out.println("pymalloc4j layout --compare: CPython 3.11's objects on the native heap beside their Java counterparts");
        out.println(jvmLine());
        out.println();
        List<Pair> pairs = List.of(
                new Pair("float", "1.5", "java.lang.Double 1.5", () -> 1.5d),
                new Pair("int", "1234567890123456789", "java.lang.Long 1234567890123456789L", () -> 1234567890123456789L),
                new Pair("int", "1234567890123456789", "java.math.BigInteger 1234567890123456789",
                        () -> new BigInteger("1234567890123456789")),
                new Pair("tuple", "1,2.5,abc", "Object[] {1L, 2.5, \"abc\"}", () -> new Object[] {1L, 2.5d, "abc"}),
                new Pair("list", "1,2.5,abc", "ArrayList of 1L, 2.5, \"abc\"", () -> new ArrayList<>(List.of(1L, 2.5d, "abc"))),
                new Pair("str", "héllo", "java.lang.String \"héllo\"", () -> new String("héllo".toCharArray())),
                new Pair("bytes", "abc", "byte[] {'a', 'b', 'c'}", () -> "abc".getBytes(StandardCharsets.UTF_8)),
                new Pair("dict", "a=1,b=2.5", "HashMap {\"a\"=1L, \"b\"=2.5}", () -> new HashMap<>(Map.of("a", 1L, "b", 2.5d))));
        Table totals = new Table("object graph", "native objects", "native bytes in use", "Java objects",
                "JOL totalSize", "Java / native");
        List<Graph> graphs = graphs(items);
        progress.step("the built-ins, one of each", 0);
        for (Pair p : pairs) {
            comparePair(p, totals);
        }
        for (int i = 0; i < graphs.size(); i++) { // a graph of a million items takes seconds on each side
            Graph g = graphs.get(i);
            progress.step(g.label(), (i + 1.0) / (graphs.size() + 1));
            long[] n = nativeBytes(g.nativeGraph());
            total(totals, g.label(), n, GraphLayout.parseInstance(g.java().get()));
        }
        progress.finish();
        out.println("Totals per object graph: native bytes in use (blocks as their size classes round them, static");
        out.println("objects not counted) against JOL's GraphLayout.totalSize() of the Java graph (cached objects counted):");
        out.println();
        out.print(totals.render());
    }

    private void comparePair(Pair p, Table totals) throws UsageException {
        Object java = p.java().get();
        String label = p.kind() + " " + p.value() + "  vs  " + p.label();
        out.println("=".repeat(8) + " " + label + " " + "=".repeat(Math.max(8, 100 - label.length())));
        long[] n;
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long before = inUse(space);
            long o = new SampleObjects(space).make(p.kind(), p.value());
            n = new long[] {space.liveObjectCount(), inUse(space) - before};
            out.print(ObjectLayouts.of(space, o));
            for (LayoutTable owned : ObjectLayouts.ownedBlocks(space, o)) {
                out.println();
                out.print(owned);
            }
            space.decref(o);
        }
        out.println();
        out.print(ClassLayout.parseInstance(java).toPrintable());
        GraphLayout graph = GraphLayout.parseInstance(java);
        if (graph.totalCount() > 1) {
            out.println();
            out.print(graph.toFootprint());
        }
        out.println();
        total(totals, p.kind() + " " + p.value() + " / " + java.getClass().getSimpleName(), n, graph);
    }

    private static void total(Table totals, String label, long[] n, GraphLayout java) {
        totals.row(label, String.format(Locale.ROOT, "%,d", n[0]), String.format(Locale.ROOT, "%,d", n[1]),
                String.format(Locale.ROOT, "%,d", java.totalCount()), String.format(Locale.ROOT, "%,d", java.totalSize()),
                n[1] == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) java.totalSize() / n[1]));
    }

    /** The bigger graphs: {@code items} items each. */
    private static List<Graph> graphs(int items) {
        return List.of(
                new Graph("list of " + Plural.of(items, "float") + " / ArrayList<Double>", space -> {
                    long list = space.lists().newList();
                    for (int i = 0; i < items; i++) {
                        append(space, list, space.floats().newFloat(i + 0.5));
                    }
                    return list;
                }, () -> {
                    List<Double> l = new ArrayList<>();
                    for (int i = 0; i < items; i++) {
                        l.add(i + 0.5);
                    }
                    return l;
                }),
                new Graph("list of " + Plural.of(items, "int") + " ≥ 2^30 / ArrayList<Long>", space -> {
                    long list = space.lists().newList();
                    for (int i = 0; i < items; i++) {
                        append(space, list, space.ints().newInt((1L << 30) + i));
                    }
                    return list;
                }, () -> {
                    List<Long> l = new ArrayList<>();
                    for (int i = 0; i < items; i++) {
                        l.add((1L << 30) + i);
                    }
                    return l;
                }),
                new Graph("tuple of " + Plural.of(items, "str") + " 'item-i' / Object[] of String", space -> {
                    long t = space.tuples().newTuple(items);
                    for (int i = 0; i < items; i++) {
                        space.tuples().set(t, i, space.strs().newStr("item-" + i));
                    }
                    return t;
                }, () -> {
                    Object[] a = new Object[items];
                    for (int i = 0; i < items; i++) {
                        a[i] = "item-" + i;
                    }
                    return a;
                }),
                new Graph(String.format(Locale.ROOT, "dict of %,d str → int / HashMap<String, Long>", items), space -> {
                    long d = space.dicts().newDict();
                    for (int i = 0; i < items; i++) {
                        long k = space.strs().newStr("key-" + i);
                        long v = space.ints().newInt(1000L + i);
                        space.dicts().set(d, k, v);
                        space.decref(k);
                        space.decref(v);
                    }
                    return d;
                }, () -> {
                    Map<String, Long> m = new HashMap<>();
                    for (int i = 0; i < items; i++) {
                        m.put("key-" + i, 1000L + i);
                    }
                    return m;
                }));
    }

    private static void append(ObjectSpace space, long list, long item) {
        space.lists().append(list, item);
        space.decref(item);
    }

    /** Objects made and native bytes kept in use by {@code graph}, built in a fresh space. */
    private static long[] nativeBytes(ToLongFunction<ObjectSpace> graph) {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long before = inUse(space);
            long root = graph.applyAsLong(space);
            long[] n = {space.liveObjectCount(), inUse(space) - before};
            space.decref(root);
            return n;
        }
    }

    private static long inUse(ObjectSpace space) {
        MallocStats s = space.memory().pymalloc().stats();
        return s.allocatedBlockBytes() + s.rawBytes();
    }

    /** The JVM's object header mode, read from the running JVM, and JOL's view of it. */
    static String jvmLine() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        return String.format(Locale.ROOT, "JVM: %s %s; compressed oops %s, compact object headers %s, %s-byte object "
                        + "alignment (HotSpotDiagnosticMXBean); JOL: %d-byte object headers, %d-byte array headers, "
                        + "%d-byte references",
                System.getProperty("java.vm.name"), System.getProperty("java.vm.version"),
                onOff(hotspot, "UseCompressedOops"), onOff(hotspot, "UseCompactObjectHeaders"),
                hotspot.getVMOption("ObjectAlignmentInBytes").getValue(), VM.current().objectHeaderSize(),
                VM.current().arrayHeaderSize(), VM.current().sizeOfField("java.lang.Object"));
    }

    private static String onOff(HotSpotDiagnosticMXBean hotspot, String flag) {
        return Boolean.parseBoolean(hotspot.getVMOption(flag).getValue()) ? "on" : "off";
    }
}
