package org.pymalloc4j.bench.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.jmh.RandomMixBenchmark;
import org.pymalloc4j.objects.ObjectSpace;

/**
 * The patterns {@code versus} compares: pymalloc4j's side of each, and the number of CPython's
 * side in {@code pymalloc_versus.c}. Each run of either side does {@value #OPS} operations, the
 * C harness's loop ({@code PAIRS_PER_CALL}, {@code BATCH}), with the same requests.
 */
final class VersusPatterns {
    /** The system property naming the geometry of this build's heaps in a child JVM ({@code versus --geometry}). */
    static final String GEOMETRY_PROPERTY = "pymalloc4j.versus.geometry";

    /** This build's heaps' geometry: {@link #GEOMETRY_PROPERTY}, 3.11 when unset. */
    static Geometry geometry() {
        return Geometry.of(System.getProperty(GEOMETRY_PROPERTY, "3.11"));
    }

    /** Operations per run: pymalloc_bench.c's PAIRS_PER_CALL and BATCH. */
    static final int OPS = 100_000;

    // pymalloc_versus.c's PMV_* numbers
    static final int PAIR = 0;
    static final int BATCH = 1;
    static final int MIX = 2;
    static final int FLOAT = 3;
    static final int TUPLE = 4;
    static final int LIST = 5;
    /** A trace file's replay ({@link VersusTrace}). */
    static final int TRACE = 6;

    /** A pattern: its name (pymalloc_bench's), its group, a label for tables, CPython's number and parameter. */
    record Pattern(String name, String group, String label, int number, long param) {
        boolean needsInterpreter() {
            return number >= FLOAT && number <= LIST;
        }
    }

    static final List<Pattern> ALL = List.of(
            new Pattern("pair.16", "pair", "pair 16 B", PAIR, 16),
            new Pattern("pair.64", "pair", "pair 64 B", PAIR, 64),
            new Pattern("pair.256", "pair", "pair 256 B", PAIR, 256),
            new Pattern("pair.512", "pair", "pair 512 B", PAIR, 512),
            new Pattern("batch.16", "batch", "batch 16 B", BATCH, 16),
            new Pattern("batch.64", "batch", "batch 64 B", BATCH, 64),
            new Pattern("batch.256", "batch", "batch 256 B", BATCH, 256),
            new Pattern("randomMix", "mix", "random mix 1-512 B", MIX, 0),
            new Pattern("float", "objects", "float create+decref", FLOAT, 0),
            new Pattern("tuple", "objects", "2-tuple create+decref", TUPLE, 0),
            new Pattern("emptyList", "objects", "empty list create+decref", LIST, 0),
            new Pattern(VersusTrace.PYTHON_STARTUP, "trace", "python3 -c pass, replayed", TRACE, 0));

    private VersusPatterns() {
    }

    /**
     * The patterns {@code names} name, each a pattern or a group, in {@link #ALL}'s order; all
     * of them if {@code names} is empty.
     *
     * @throws UsageException naming the first unknown name and listing the known ones
     */
    static List<Pattern> select(List<String> names, Progress progress) throws UsageException {
        if (names.isEmpty()) {
            return ALL;
        }
        for (String n : names) {
            if (!VersusTrace.isTrace(n) && ALL.stream().noneMatch(p -> p.name().equals(n) || p.group().equals(n))) {
                throw new UsageException("versus: unknown pattern '" + n + "'; patterns: "
                        + String.join(" ", ALL.stream().map(Pattern::name).toList())
                        + " trace:FILE; groups: pair batch mix objects trace");
            }
        }
        List<Pattern> chosen = new ArrayList<>();
        for (Pattern p : ALL) {
            if (names.contains(p.name()) || names.contains(p.group())) {
                chosen.add(p);
            }
        }
        for (String n : names) {
            if (VersusTrace.isTrace(n)) {
                chosen.add(VersusTrace.pattern(n, progress));
            }
        }
        return chosen;
    }

    /**
     * The pattern called {@code name}.
     *
     * @throws IllegalArgumentException if no pattern has that name
     */
    static Pattern named(String name) {
        if (VersusTrace.isTrace(name)) {
            return VersusTrace.of(java.nio.file.Path.of(name.substring(VersusTrace.PREFIX.length())));
        }
        return ALL.stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pattern " + name));
    }

    /** A side of a pattern, set up: each {@code getAsLong} runs it once and returns the operations done. */
    interface Side extends LongSupplier, AutoCloseable {
        @Override
        void close();
    }

    /** The random mix's requests, on the Java heap and in native memory for CPython's side. */
    static final class MixRequests implements AutoCloseable {
        final RandomMixBenchmark.Workload workload = new RandomMixBenchmark.Workload();
        private final Arena arena = Arena.ofConfined();
        final MemorySegment initial;
        final MemorySegment slots;
        final MemorySegment sizes;

        MixRequests() {
            workload.setUp();
            initial = arena.allocateFrom(ValueLayout.JAVA_INT, workload.initialSizes);
            slots = arena.allocateFrom(ValueLayout.JAVA_INT, workload.slots);
            sizes = arena.allocateFrom(ValueLayout.JAVA_INT, workload.sizes);
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /** CPython's side of {@code p}, set up in {@code library}. */
    static Side cpython(CPythonLibrary library, Pattern p, MixRequests requests) {
        if (p.number() == TRACE) {
            return VersusTrace.cpython(library, p);
        }
        if (p.needsInterpreter()) {
            library.startInterpreter();
        }
        boolean mix = p.number() == MIX;
        library.begin(p.number(), p.param(), mix ? requests.initial : MemorySegment.NULL,
                mix ? requests.slots : MemorySegment.NULL, mix ? requests.sizes : MemorySegment.NULL);
        return new Side() {
            @Override
            public long getAsLong() {
                return library.run(p.number(), p.param());
            }

            @Override
            public void close() {
                library.end(p.number());
            }
        };
    }

    /** pymalloc4j's side of {@code p}, on a heap or object space of its own. */
    static Side pymalloc4j(Pattern p, MixRequests requests) {
        return switch (p.number()) {
            case PAIR, BATCH, MIX -> new HeapSide(p, requests);
            case TRACE -> VersusTrace.pymalloc4j(p);
            default -> new ObjectSide(p.number());
        };
    }

    /**
     * pymalloc4j's side of the pattern {@code name} with requests of its own (the same, since
     * their sequence is seeded): what {@link OtherBuild} calls in another build's class loader,
     * where this class is a copy linked against that build.
     *
     * @throws IllegalArgumentException if no pattern has that name
     */
    static Side isolatedSide(String name) {
        Pattern p = named(name);
        MixRequests requests = p.number() == MIX ? new MixRequests() : null; // closing null is skipped
        Side side = pymalloc4j(p, requests);
        return new Side() {
            @Override
            public long getAsLong() {
                return side.getAsLong();
            }

            @Override
            public void close() {
                try (requests) {
                    side.close();
                }
            }
        };
    }

    /** The allocator patterns, on a fresh heap of {@link #geometry()} (3.11 unless told otherwise). */
    private static final class HeapSide implements Side {
        private final PyMalloc heap = PyMalloc.create(geometry());
        private final int number;
        private final int size;
        private final long ballast;
        private final long[] blocks;
        private final RandomMixBenchmark.Workload mix;
        private int cursor;

        HeapSide(Pattern p, MixRequests requests) {
            number = p.number();
            size = (int) p.param();
            ballast = number == PAIR ? heap.malloc(size) : 0; // as the harness: the pool is never emptied
            mix = number == MIX ? requests.workload : null;
            blocks = new long[number == MIX ? RandomMixBenchmark.LIVE : OPS];
            if (mix != null) {
                for (int i = 0; i < blocks.length; i++) {
                    blocks[i] = heap.malloc(mix.initialSizes[i]);
                }
            }
        }

        @Override
        public long getAsLong() {
            return switch (number) {
                case PAIR -> pairs(heap, size);
                case BATCH -> batch(heap, size, blocks);
                default -> mix();
            };
        }

        private static long pairs(PyMalloc heap, int size) {
            for (int i = 0; i < OPS; i++) {
                heap.free(heap.malloc(size));
            }
            return OPS;
        }

        private static long batch(PyMalloc heap, int size, long[] blocks) {
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = heap.malloc(size);
            }
            for (int i = blocks.length - 1; i >= 0; i--) {
                heap.free(blocks[i]);
            }
            return blocks.length;
        }

        private long mix() {
            PyMalloc h = heap;
            long[] live = blocks;
            int[] slots = mix.slots;
            int[] sizes = mix.sizes;
            int c = cursor;
            for (int n = 0; n < OPS; n++) {
                int slot = slots[c];
                h.free(live[slot]);
                live[slot] = h.malloc(sizes[c]);
                c = (c + 1) & (RandomMixBenchmark.SEQUENCE - 1);
            }
            cursor = c;
            return OPS;
        }

        @Override
        public void close() {
            heap.close(); // returns every arena, live blocks and ballast included
        }
    }

    /** The object patterns, on a fresh space in the default mode, over a heap of {@link #geometry()}. */
    private static final class ObjectSide implements Side {
        private final Memory memory = Memory.builder().geometry(geometry()).build();
        private final ObjectSpace space = ObjectSpace.builder().memory(memory).build();
        private final int number;
        private final long a;
        private final long b;

        ObjectSide(int number) {
            this.number = number;
            this.a = space.floats().newFloat(1); // the harness's item_a, item_b
            this.b = space.floats().newFloat(2);
        }

        @Override
        public long getAsLong() {
            return switch (number) {
                case FLOAT -> floats(space);
                case TUPLE -> tuples(space, a, b);
                default -> lists(space);
            };
        }

        private static long floats(ObjectSpace sp) {
            for (int i = 0; i < OPS; i++) {
                sp.decref(sp.floats().newFloat(1.5));
            }
            return OPS;
        }

        private static long tuples(ObjectSpace sp, long a, long b) {
            for (int i = 0; i < OPS; i++) {
                sp.decref(sp.tuples().of(a, b));
            }
            return OPS;
        }

        private static long lists(ObjectSpace sp) {
            for (int i = 0; i < OPS; i++) {
                sp.decref(sp.lists().newList());
            }
            return OPS;
        }

        @Override
        public void close() {
            space.decref(a);
            space.decref(b);
            space.close();
            memory.close();
        }
    }
}
