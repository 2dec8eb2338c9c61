package org.pymalloc4j.allocator.tracing;

import java.util.SplittableRandom;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;

/**
 * Helpers of the tracer tests. The tests live in a subpackage of
 * {@code org.pymalloc4j.allocator} on purpose: the tracer leaves out the frames of that package
 * itself, so frames of tests inside it would not show in tracebacks.
 */
final class TracingSupport {
    private TracingSupport() {
    }

    /** A pymalloc memory. */
    static Memory pymalloc() {
        return Memory.builder().allocator(AllocatorName.PYMALLOC).build();
    }

    /** The line of the caller of this method. */
    static int here() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow().getLineNumber();
    }

    /**
     * The seed of a randomized test: {@code -Dpymalloc4j.seed} if set, else a fresh one; printed
     * so that a failing run can be replayed.
     */
    static long seed() {
        String property = System.getProperty("pymalloc4j.seed");
        long seed = property == null || property.isBlank()
                ? new SplittableRandom().nextLong()
                : Long.decode(property.trim());
        StackWalker.StackFrame caller = StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow();
        System.out.println(caller.getClassName().substring(caller.getClassName().lastIndexOf('.') + 1)
                + "." + caller.getMethodName() + ": replay with -Dpymalloc4j.seed=" + seed);
        return seed;
    }
}
