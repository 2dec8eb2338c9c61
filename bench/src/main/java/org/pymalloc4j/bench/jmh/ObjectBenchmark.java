package org.pymalloc4j.bench.jmh;

import java.util.ArrayList;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pymalloc4j.objects.ObjectSpace;

/**
 * Issue 4: the object layer's costs beside the same work on Java heap objects with the
 * equivalent fields. Every native benchmark goes through the public API as a user would
 * ({@code space.floats().newFloat(v)}), in the space's default mode (checked unless
 * {@code -jvmArgsPrepend -Dpymalloc4j.checks=false}), on its own {@code ObjectSpace.create()}.
 *
 * <ul>
 *   <li>{@code floatNative} / {@code floatJava}: {@code PyFloat_FromDouble} then {@code Py_DECREF}
 *       (the float free list hands the same block back every op, as in CPython) beside
 *       {@code new JFloat(v)} (a 16-byte object: header and one {@code double}).</li>
 *   <li>{@code tupleNative} / {@code tupleJava}: {@code PyTuple_Pack(2, a, b)} then its decref
 *       (two increfs, two decrefs, the 2-tuple free list) beside {@code new Object[] {a, b}}.</li>
 *   <li>{@code emptyListNative} / {@code emptyListJava}: {@code PyList_New(0)} then its decref
 *       (the list free list; no item array, as {@code new ArrayList<>()} has none).</li>
 *   <li>{@code floatNativeLoop}, {@code tupleNativeLoop}, {@code emptyListNativeLoop}: the same
 *       ops, {@value #LOOP} per call under {@code @OperationsPerInvocation}, the shape of the
 *       CPython harness's C loop. One op per call makes every call reload the Java fields
 *       from the space down to the free list and the heap's rings (JMH's loop reads a volatile
 *       between calls, so nothing is hoisted); in a loop the JIT hoists them. Each loop is
 *       {@code DONT_INLINE}, compiled on its own as the C loop is a function of its own: inlined
 *       into JMH's stub, C2 recompiled it there after two iterations with less inlined, and the
 *       empty list went from 7 ns to 18 in every fork (the tuple from 16 to 23).</li>
 *   <li>{@code listAppend} / {@code listAppendJava}: {@value #APPENDS} appends of one object to
 *       a list made empty before each invocation (growth 0, 4, 8, 16, 24 ... through
 *       {@code PyMem_Realloc}, an incref each) beside {@code ArrayList.add}; per append.</li>
 *   <li>{@code treeDealloc}: the decref of the root of a {@value #TREE_OBJECTS}-object tree
 *       (2-tuples over floats, built before each invocation), which deallocates every object,
 *       through the trashcan, into the free lists and pymalloc; per object. No Java line: a
 *       dropped Java tree costs nothing until a collection, which this harness would not
 *       attribute to the benchmark.</li>
 * </ul>
 */
@State(Scope.Thread)
public class ObjectBenchmark extends BenchmarkBase {

    static final int APPENDS = 1_000_000;
    static final int TREE_OBJECTS = 1_000_000;
    static final int LOOP = 1_000;

    /** A Java object with a {@code PyFloatObject}'s payload; the header stands for refcount and type. */
    static final class JFloat {
        final double value;

        JFloat(double value) {
            this.value = value;
        }
    }

    ObjectSpace space;
    private long a;
    private long b;
    private final Object ja = new JFloat(1);
    private final Object jb = new JFloat(2);

    @Setup(Level.Trial)
    public void setUp() {
        space = ObjectSpace.create();
        a = space.floats().newFloat(1);
        b = space.floats().newFloat(2);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        space.decref(a);
        space.decref(b);
        closeClean(space);
    }

    static void closeClean(ObjectSpace space) {
        space.close();
        if (!space.leakReport().isClean()) {
            throw new IllegalStateException("the benchmark leaked: " + space.leakReport());
        }
    }

    @Benchmark
    public long floatNative() {
        long f = space.floats().newFloat(1.5);
        space.decref(f);
        return f;
    }

    @Benchmark
    @OperationsPerInvocation(LOOP)
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public long floatNativeLoop() {
        ObjectSpace sp = space;
        long sum = 0;
        for (int i = 0; i < LOOP; i++) {
            long f = sp.floats().newFloat(1.5);
            sp.decref(f);
            sum += f;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(LOOP)
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public long tupleNativeLoop() {
        ObjectSpace sp = space;
        long sum = 0;
        for (int i = 0; i < LOOP; i++) {
            long t = sp.tuples().of(a, b);
            sp.decref(t);
            sum += t;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(LOOP)
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public long emptyListNativeLoop() {
        ObjectSpace sp = space;
        long sum = 0;
        for (int i = 0; i < LOOP; i++) {
            long l = sp.lists().newList();
            sp.decref(l);
            sum += l;
        }
        return sum;
    }

    @Benchmark
    public JFloat floatJava() {
        return new JFloat(1.5);
    }

    @Benchmark
    public long tupleNative() {
        long t = space.tuples().of(a, b);
        space.decref(t);
        return t;
    }

    @Benchmark
    public Object[] tupleJava() {
        return new Object[] {ja, jb};
    }

    @Benchmark
    public long emptyListNative() {
        long l = space.lists().newList();
        space.decref(l);
        return l;
    }

    @Benchmark
    public ArrayList<Object> emptyListJava() {
        return new ArrayList<>();
    }

    @Benchmark
    @OperationsPerInvocation(APPENDS)
    public long listAppend(Appends s) {
        ObjectSpace sp = s.space;
        long list = s.list;
        long item = s.item;
        for (int i = 0; i < APPENDS; i++) {
            sp.lists().append(list, item);
        }
        return list;
    }

    @Benchmark
    @OperationsPerInvocation(APPENDS)
    public ArrayList<Object> listAppendJava(Appends s) {
        ArrayList<Object> list = s.javaList;
        Object item = s.javaItem;
        for (int i = 0; i < APPENDS; i++) {
            list.add(item);
        }
        return list;
    }

    @Benchmark
    @OperationsPerInvocation(TREE_OBJECTS)
    public long treeDealloc(Tree s) {
        long root = s.root;
        s.root = 0;
        s.space.decref(root);
        return root;
    }

    /** An empty native list and an empty {@code ArrayList}, new for each invocation. */
    @State(Scope.Thread)
    public static class Appends {
        ObjectSpace space;
        long item;
        long list;
        final Object javaItem = new JFloat(1);
        ArrayList<Object> javaList;

        @Setup(Level.Trial)
        public void open() {
            space = ObjectSpace.create();
            item = space.floats().newFloat(1);
        }

        @Setup(Level.Invocation)
        public void newLists() {
            list = space.lists().newList();
            javaList = new ArrayList<>();
        }

        @TearDown(Level.Invocation)
        public void dropLists() {
            space.decref(list);
            javaList = null;
        }

        @TearDown(Level.Trial)
        public void close() {
            space.decref(item);
            closeClean(space);
        }
    }

    /** A tree of exactly {@value #TREE_OBJECTS} objects, built before each invocation. */
    @State(Scope.Thread)
    public static class Tree {
        ObjectSpace space;
        long root;
        private final long[] level = new long[TREE_OBJECTS / 2];

        @Setup(Level.Trial)
        public void open() {
            space = ObjectSpace.create();
        }

        /**
         * 500,000 float leaves paired into 2-tuples level by level (an odd one out moves up
         * alone): 499,999 tuples over them, and a 1-tuple above the root makes 1,000,000.
         */
        @Setup(Level.Invocation)
        public void build() {
            long[] nodes = level;
            int n = nodes.length;
            for (int i = 0; i < n; i++) {
                nodes[i] = space.floats().newFloat(i);
            }
            while (n > 1) {
                int m = 0;
                for (int i = 0; i + 1 < n; i += 2) {
                    long t = space.tuples().newTuple(2);
                    space.tuples().set(t, 0, nodes[i]);      // steals
                    space.tuples().set(t, 1, nodes[i + 1]);  // steals
                    nodes[m++] = t;
                }
                if ((n & 1) != 0) {
                    nodes[m++] = nodes[n - 1];
                }
                n = m;
            }
            long top = space.tuples().newTuple(1);
            space.tuples().set(top, 0, nodes[0]);
            root = top;
        }

        @TearDown(Level.Invocation)
        public void dropLeftovers() {
            if (root != 0) {
                space.decref(root);
                root = 0;
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            closeClean(space);
        }
    }
}
