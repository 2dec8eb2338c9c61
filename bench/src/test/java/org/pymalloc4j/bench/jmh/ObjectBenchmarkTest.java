package org.pymalloc4j.bench.jmh;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each {@link ObjectBenchmark} body run once, as JMH would call it, without JMH. */
class ObjectBenchmarkTest {
    @Test
    void createAndDecrefBenchmarksLeaveOnlyTheirFixture() {
        ObjectBenchmark bench = new ObjectBenchmark();
        bench.setUp();
        assertNotEquals(0, bench.floatNative());
        assertNotEquals(0, bench.tupleNative());
        assertNotEquals(0, bench.emptyListNative());
        assertNotEquals(0, bench.floatNativeLoop());
        assertNotEquals(0, bench.tupleNativeLoop());
        assertNotEquals(0, bench.emptyListNativeLoop());
        assertEquals(2, bench.space.liveObjectCount(), "only a and b are alive");
        assertEquals(1.5, bench.floatJava().value);
        assertEquals(2, bench.tupleJava().length);
        assertTrue(bench.emptyListJava().isEmpty());
        bench.tearDown(); // throws if anything leaked
    }

    @Test
    void listAppendsAppendAMillionReferences() {
        ObjectBenchmark bench = new ObjectBenchmark();
        ObjectBenchmark.Appends s = new ObjectBenchmark.Appends();
        s.open();
        s.newLists();
        long list = bench.listAppend(s);
        assertEquals(ObjectBenchmark.APPENDS, s.space.lists().size(list));
        assertEquals(ObjectBenchmark.APPENDS + 1L, s.space.refcount(s.item));
        assertEquals(ObjectBenchmark.APPENDS, bench.listAppendJava(s).size());
        s.dropLists();
        assertEquals(1, s.space.refcount(s.item));
        s.close();
    }

    @Test
    void treeDeallocFreesExactlyAMillionObjects() {
        ObjectBenchmark bench = new ObjectBenchmark();
        ObjectBenchmark.Tree s = new ObjectBenchmark.Tree();
        s.open();
        s.build();
        assertEquals(ObjectBenchmark.TREE_OBJECTS, s.space.liveObjectCount());
        bench.treeDealloc(s);
        assertEquals(0, s.space.liveObjectCount());
        s.dropLeftovers();
        s.build(); // a second invocation reuses the space
        assertEquals(ObjectBenchmark.TREE_OBJECTS, s.space.liveObjectCount());
        bench.treeDealloc(s);
        s.close();
    }
}
