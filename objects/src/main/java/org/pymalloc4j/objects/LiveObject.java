package org.pymalloc4j.objects;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.pymalloc4j.allocator.Traceback;

/**
 * One live object as trace-refs mode lists it.
 *
 * @param address   the object's address, its {@code id}
 * @param typeName  its type's name
 * @param refcount  its reference count when listed
 * @param serial    the allocation's ordinal in this space (1 for the first object allocated), to
 *                  find where it was allocated by re-running with a breakpoint on that serial; an
 *                  object revived from a free list, or resurrected by its finalizer as it was
 *                  deallocated, gets a new one then and is listed as the newest, as CPython's
 *                  {@code _Py_NewReference} lists it again
 * @param traceback where it was allocated, if the space's memory was tracing
 *                  ({@code memory.tracer().start(n)}) then and still is: the tracer's traceback
 *                  of the object's block (which for a GC type starts at its GC head, 16 bytes
 *                  before the object, as {@code _PyTraceMalloc_NewReference} looks it up). For
 *                  an object revived from a free list or resurrected so it is where that
 *                  happened, as CPython retags the trace; if tracing started after the block
 *                  was first allocated, the block is untraced and this is empty. Most recent frame first, the object
 *                  layer's own frames above the caller's left out (the space declares its
 *                  packages with {@code Tracer.addLayerPackage}), so even with a limit of 1 it
 *                  names the line that made the object.
 */
public record LiveObject(long address, String typeName, long refcount, long serial, Optional<Traceback> traceback) {
    /** @throws NullPointerException if {@code traceback} is null (an entry without one has it empty) */
    public LiveObject {
        Objects.requireNonNull(traceback, "traceback");
    }

    /** An entry without a traceback. */
    public LiveObject(long address, String typeName, long refcount, long serial) {
        this(address, typeName, refcount, serial, Optional.empty());
    }

    @Override
    public String toString() {
        String head = String.format(Locale.ROOT, "0x%x %s refcount=%d serial=%d", address, typeName, refcount, serial);
        if (traceback.isEmpty()) {
            return head;
        }
        StringBuilder out = new StringBuilder(head).append(", allocated at (most recent call first):");
        for (String line : traceback.get().format(traceback.get().frames().size(), true)) {
            out.append("\n  ").append(line);
        }
        return out.toString();
    }
}
