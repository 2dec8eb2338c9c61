package org.pymalloc4j.allocator;

/**
 * tracemalloc's {@code get_traced_memory()}: the bytes of the traced blocks now and at their peak.
 *
 * @param current the sum of the requested sizes of the blocks traced now
 * @param peak    the highest {@code current} since tracing started, the traces were cleared or
 *                the peak was {@linkplain Tracer#resetPeak() reset}
 */
public record TracedMemory(long current, long peak) {
}
