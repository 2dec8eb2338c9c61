package org.pymalloc4j.objects;

/**
 * An operation was given an object that has been deallocated (or an address that was never a
 * live object of the space), or met one: a container's freed item, when the container lets go
 * of it or the collector reads it, or an item the collector finds held more often than its
 * refcount counts (one of its holders would free it behind the others' backs). Thrown in
 * checked mode, but for a tracked object the collector finds at refcount 0 (deallocated while
 * still tracked), which it refuses in either mode. A refused argument is refused
 * before anything changes, but for the reference a setter steals (released when the container
 * is the freed one: see {@link ObjectSpace}); a freed item is met once things have changed (the
 * container's deallocation finishes first; a collection rebuilds its lists and collects
 * nothing), as objects/README.md's "Checked mode" tells.
 */
public final class FreedObjectException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final long address;

    public FreedObjectException(long address, String message) {
        super(message);
        this.address = address;
    }

    /** The freed or foreign address: the argument refused, or the freed item met. */
    public long address() {
        return address;
    }
}
