package org.pymalloc4j.objects;

/**
 * One live object as trace-refs mode lists it.
 *
 * @param address  the object's address, its {@code id}
 * @param typeName its type's name
 * @param refcount its reference count when listed
 * @param serial   the allocation's ordinal in this space (1 for the first object allocated), to
 *                 find where it was allocated by re-running with a breakpoint on that serial
 */
public record LiveObject(long address, String typeName, long refcount, long serial) {
    @Override
    public String toString() {
        return String.format("0x%x %s refcount=%d serial=%d", address, typeName, refcount, serial);
    }
}
