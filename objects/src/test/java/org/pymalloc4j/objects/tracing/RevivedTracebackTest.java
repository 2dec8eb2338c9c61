package org.pymalloc4j.objects.tracing;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.pymalloc4j.allocator.GroupBy;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.Statistic;
import org.pymalloc4j.allocator.TracedMemory;
import org.pymalloc4j.allocator.Tracer;
import org.pymalloc4j.objects.ObjectSpace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPython's {@code _Py_NewReference} calls {@code _PyTraceMalloc_NewReference} when tracing: an
 * object revived from a free list retags its block's trace, so {@code get_object_traceback()}
 * and a snapshot's statistics name the line that revived it, not the one that first allocated
 * the block (checked with python3.11: a float made at line A, deleted, made again at line B in
 * the same block is traced to B, and the traced bytes stay). The tracer's own traces here, in
 * any mode, not only trace-refs'.
 */
class RevivedTracebackTest {
    /** The first allocation of a block: its traceback names this method (the object layer's frames left out). */
    private static long allocate(ObjectSpace s, String kind, long item) {
        return switch (kind) {
            case "float" -> s.floats().newFloat(1.5);
            case "tuple" -> s.tuples().of(new long[] {item});
            case "pair" -> s.tuples().of(item, item);
            case "list" -> s.lists().newList();
            case "dict" -> s.dicts().newDict();
            default -> throw new AssertionError(kind);
        };
    }

    /** The same, from another method: the revival of the block from the free list must name this one. */
    private static long revive(ObjectSpace s, String kind, long item) {
        return switch (kind) {
            case "float" -> s.floats().newFloat(1.5);
            case "tuple" -> s.tuples().of(new long[] {item});
            case "pair" -> s.tuples().of(item, item);
            case "list" -> s.lists().newList();
            case "dict" -> s.dicts().newDict();
            default -> throw new AssertionError(kind);
        };
    }

    private static String topMethod(Tracer tracer, long block) {
        return tracer.tracebackOf(block).orElseThrow(() -> new AssertionError("untraced")).mostRecent().methodName();
    }

    private static long countAt(List<Statistic> byLine, String method) {
        return byLine.stream().filter(st -> st.traceback().mostRecent().methodName().equals(method))
                .mapToLong(Statistic::count).sum();
    }

    @ParameterizedTest
    @ValueSource(strings = {"float", "tuple", "pair", "list", "dict"})
    void aRevivedObjectsBlockIsTracedToTheLineThatRevivedIt(String kind) {
        for (boolean traceRefs : new boolean[] {false, true}) {
            try (Memory memory = Memory.create()) {
                Tracer tracer = memory.tracer();
                tracer.start(1);
                try (ObjectSpace s = ObjectSpace.builder().memory(memory).traceRefs(traceRefs).build()) {
                    long item = s.floats().newFloat(0.5);
                    long first = allocate(s, kind, item);
                    long block = kind.equals("float") ? first : first - 16; // a GC object's block starts at its GC head
                    assertEquals("allocate", topMethod(tracer, block));
                    s.decref(first); // parked on its free list: the block stays allocated and traced
                    TracedMemory parked = tracer.tracedMemory();
                    long o = revive(s, kind, item);
                    assertEquals(first, o, "the free list hands the same block back");
                    assertEquals("revive", topMethod(tracer, block), kind + ", traceRefs " + traceRefs);
                    assertEquals(parked, tracer.tracedMemory(), "a retag moves no bytes");
                    List<Statistic> byLine = tracer.takeSnapshot().statistics(GroupBy.LINE);
                    assertEquals(0, countAt(byLine, "allocate"), byLine::toString);
                    assertEquals(1, countAt(byLine, "revive"), byLine::toString);
                    if (traceRefs) {
                        assertEquals("revive", s.liveObjects().get(1).traceback().orElseThrow().mostRecent().methodName());
                    }
                    s.decref(o);
                    s.decref(item);
                }
            }
        }
    }

    /** As _PyTraceMalloc_NewReference: a block allocated before tracing started is not traced when revived. */
    @ParameterizedTest
    @ValueSource(strings = {"float", "pair", "list"})
    void aBlockAllocatedBeforeTracingStayUntracedWhenRevived(String kind) {
        try (Memory memory = Memory.create(); ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
            long item = s.floats().newFloat(0.5);
            long first = allocate(s, kind, item);
            s.decref(first);
            memory.tracer().start(1);
            long o = revive(s, kind, item);
            assertEquals(first, o);
            assertTrue(memory.tracer().tracebackOf(kind.equals("float") ? o : o - 16).isEmpty());
            assertEquals(0, memory.tracer().traceCount());
            s.decref(o);
            s.decref(item);
        }
    }
}
