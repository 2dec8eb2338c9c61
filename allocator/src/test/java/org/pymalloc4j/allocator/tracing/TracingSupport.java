package org.pymalloc4j.allocator.tracing;

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
}
