package org.pymalloc4j.objects;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bytes {@code PyLong_FromLong} asks for, as tracemalloc sees them: 3.11 makes a one-digit
 * int ({@code |v| < 2^30}) by {@code _PyLong_FromMedium}, which allocates
 * {@code sizeof(PyLongObject)}, 32 bytes, though {@code sys.getsizeof} says 28; longer ones by
 * {@code _PyLong_New(ndigits)}, 24 + 4 digits. In python3.11 (gc disabled):
 * <pre>
 *  f = ctypes.pythonapi.PyLong_FromLong; f.restype = ctypes.py_object; f.argtypes = [ctypes.c_long]
 *  tracemalloc.start(); x = f(v); sn = tracemalloc.take_snapshot()
 *  # the trace of x: 257, -6, -1000, 2**30-1, -(2**30-1) -> 32 B (getsizeof 28); 2**30 -> 32 (32);
 *  # 2**60, -2**63, 2**63-1 -> 36 (36); PyLong_FromLongLong the same
 * </pre>
 */
class IntAllocationSizeTest {
    @Test
    void aOneDigitIntAsksForSizeofPyLongObjectAsFromMedium() {
        long[][] cases = { // value, traced bytes, sys.getsizeof
            {257, 32, 28}, {-6, 32, 28}, {-1000, 32, 28}, {(1 << 30) - 1, 32, 28}, {-((1 << 30) - 1), 32, 28},
            {1 << 30, 32, 32}, {1L << 60, 36, 36}, {Long.MIN_VALUE, 36, 36}, {Long.MAX_VALUE, 36, 36},
        };
        try (Memory memory = Memory.create(); ObjectSpace space = ObjectSpace.builder().memory(memory).build()) {
            memory.tracer().start(1);
            for (long[] c : cases) {
                for (boolean big : new boolean[] {false, true}) {
                    long before = memory.tracer().tracedMemory().current();
                    long o = big ? space.ints().newInt(BigInteger.valueOf(c[0])) : space.ints().newInt(c[0]);
                    assertEquals(c[1], memory.tracer().tracedMemory().current() - before, "traced bytes of " + c[0]);
                    assertEquals(c[2], space.sizeOf(o), "sys.getsizeof(" + c[0] + ")");
                    assertEquals(c[0], space.ints().value(o));
                    space.decref(o);
                }
            }
        }
    }
}
