package org.pymalloc4j.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.pymalloc4j.allocator.BlockAllocator;

/**
 * Writes a Java program's allocations as a {@link Trace} file, what {@code pymalloc4j record}
 * does for a Python program: wrap the allocators whose calls to record, and every call that
 * succeeds becomes a line ({@code m SLOT SIZE}, {@code r SLOT SIZE}, {@code f SLOT}). The file
 * replays with {@code pymalloc4j replay}, on any allocator ({@code --malloc}), and against
 * CPython's pymalloc ({@code replay --time}, {@code versus trace:FILE}).
 *
 * <pre>
 *  try (TraceWriter trace = TraceWriter.open(Path.of("app.trace"))) {
 *      memory.wrapAllocator(Domain.MEM, trace::wrap);    // one trace for both: they share a heap
 *      memory.wrapAllocator(Domain.OBJ, trace::wrap);
 *      ... the program ...
 *      memory.unwrapAllocator(Domain.OBJ);
 *      memory.unwrapAllocator(Domain.MEM);
 *  }
 * </pre>
 * A slot names a block from its malloc to its free; a freed slot is the next taken, so the
 * largest slot is the most blocks ever live at once. Blocks allocated before the wrapping are
 * passed through and not written: their free is not in the trace, as their malloc is not.
 * Like a heap, a writer has one owner at a time.
 */
public final class TraceWriter implements AutoCloseable {
    private final BufferedWriter out;
    private final Path file;
    /** Each recorded live block's slot, by address. */
    private final Map<Long, Integer> slots = new HashMap<>();
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextSlot;
    private long written;
    private boolean closed;

    private TraceWriter(BufferedWriter out, Path file) {
        this.out = out;
        this.file = file;
    }

    /**
     * Starts a trace file, replacing one that is there.
     *
     * @throws IOException if the file cannot be created
     */
    public static TraceWriter open(Path file) throws IOException {
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write("# allocation calls of a Java program, recorded by TraceWriter\n");
        return new TraceWriter(out, file);
    }

    /**
     * An allocator that calls {@code inner} and writes each call that succeeded.
     *
     * @throws IllegalStateException if this writer is closed
     */
    public BlockAllocator wrap(BlockAllocator inner) {
        checkOpen();
        return new Recording(inner);
    }

    /** The calls written so far. */
    public long calls() {
        return written;
    }

    /**
     * Finishes the file. The wrapped allocators must not be called afterwards (unwrap them first):
     * they throw {@link IllegalStateException}, after their call has run.
     *
     * @throws UncheckedIOException if the file cannot be written
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("TraceWriter: writing " + file + " failed", e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this TraceWriter (" + file + ") is closed");
        }
    }

    private void allocated(long block, long size) {
        int slot = freeCount > 0 ? freeSlots[--freeCount] : nextSlot++;
        slots.put(block, slot);
        line("m " + slot + " " + size);
    }

    private void reallocated(long from, long to, long size) {
        Integer slot = from == 0 ? null : slots.remove(from);
        if (slot == null) { // realloc(0, n), or a block from before the wrapping: a malloc here
            allocated(to, size);
            return;
        }
        slots.put(to, slot);
        line("r " + slot + " " + size);
    }

    private void freed(long block) {
        Integer slot = block == 0 ? null : slots.remove(block);
        if (slot == null) {
            return;
        }
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
        line("f " + slot);
    }

    private void line(String text) {
        checkOpen();
        try {
            out.write(text);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("TraceWriter: writing " + file + " failed", e);
        }
        written++;
    }

    /**
     * The wrapper: the inner call first, then the line, so a refused call writes nothing, whether
     * it threw or, C's way, returned 0 (which the domain above refuses).
     */
    private final class Recording implements BlockAllocator {
        private final BlockAllocator inner;

        Recording(BlockAllocator inner) {
            this.inner = inner;
        }

        @Override
        public long malloc(long size) {
            long block = inner.malloc(size);
            if (block != 0) {
                allocated(block, size);
            }
            return block;
        }

        @Override
        public long calloc(long nelem, long elsize) {
            long block = inner.calloc(nelem, elsize);
            if (block != 0) {
                allocated(block, nelem * elsize); // the inner allocator refused an overflowing product
            }
            return block;
        }

        @Override
        public long realloc(long address, long newSize) {
            long block = inner.realloc(address, newSize);
            if (block != 0) { // else it failed, the old block intact
                reallocated(address, block, newSize);
            }
            return block;
        }

        @Override
        public void free(long address) {
            inner.free(address);
            freed(address);
        }

        @Override
        public long usableSize(long address) {
            return inner.usableSize(address);
        }

        @Override
        public String toString() {
            return "TraceWriter(" + inner + " -> " + file + ")";
        }
    }
}
