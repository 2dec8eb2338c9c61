package org.pymalloc4j.allocator.tracing.layer;

import java.util.function.LongSupplier;

import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.Traceback;

/**
 * A layer built on a {@link Memory}, as the object layer is: it allocates two frames down and
 * calls its caller back, as a finalizer is called. In a package of its own, which the tests
 * declare to the tracer ({@code Tracer.addLayerPackage}) or not.
 */
public final class FakeLayer {
    private final Memory memory;

    public FakeLayer(Memory memory) {
        this.memory = memory;
    }

    /** An OBJ block of {@code size} bytes, allocated two frames down. */
    public long make(long size) {
        return allocate(size);
    }

    private long allocate(long size) {
        return memory.obj().malloc(size);
    }

    /** Calls {@code callback} two frames down, as the object layer runs a finalizer. */
    public long callBack(LongSupplier callback) {
        return run(callback);
    }

    private long run(LongSupplier callback) {
        return callback.getAsLong();
    }

    /** The tracer's {@code captureTraceback}, asked from inside the layer. */
    public Traceback capture() {
        return memory.tracer().captureTraceback();
    }

    /** The tracer's {@code retag} of {@code block}, asked two frames down, as the object layer revives an object. */
    public void retag(long block) {
        retagBelow(block);
    }

    private void retagBelow(long block) {
        memory.tracer().retag(block);
    }
}
