package org.pymalloc4j.allocator;

import org.pymalloc4j.allocator.MemoryCorruptionException.Kind;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.internal.Refusals;

import static org.pymalloc4j.allocator.DebugBlock.OVERHEAD;

/**
 * One domain's debug allocator: CPython's {@code _PyMem_DebugRawMalloc} and friends over an
 * inner allocator, sharing its {@link DebugHooks}' live-block table and quarantine with the
 * other domains. See {@link DebugHooks} for the layout and the differences from CPython.
 */
final class DebugAllocator implements BlockAllocator {
    private static final String MALLOC = "_PyMem_DebugRawMalloc";
    private static final String CALLOC = "_PyMem_DebugRawCalloc";
    private static final String FREE = "_PyMem_DebugRawFree";
    private static final String REALLOC = "_PyMem_DebugRawRealloc";

    private final DebugHooks hooks;
    private final Domain domain;
    private final BlockAllocator inner;
    private final char api;

    DebugAllocator(DebugHooks hooks, Domain domain, BlockAllocator inner) {
        this.hooks = hooks;
        this.domain = domain;
        this.inner = inner;
        this.api = domain.apiId();
    }

    Domain domain() {
        return domain;
    }

    BlockAllocator inner() {
        return inner;
    }

    DebugHooks hooks() {
        return hooks;
    }

    /**
     * Allocates {@code size} bytes filled with CLEANBYTE (0xCD), between a header and a
     * trailing pad; the inner allocator is asked for {@code size + 24}. If it runs out of
     * memory, the quarantine is emptied (its blocks still hold memory) and it is asked again.
     *
     * @throws IllegalArgumentException  if {@code size} is negative
     * @throws OutOfMemoryError          if {@code size} is 2^56 or more, or the inner allocator
     *                                   fails even with the quarantine emptied
     * @throws MemoryCorruptionException if a block released from the quarantine to make room was
     *                                   written after free; it is released, nothing is allocated,
     *                                   and the call can be retried
     * @throws IllegalStateException     if the hooks are closed, or another thread is inside them
     */
    @Override
    public long malloc(long size) {
        boolean outermost = hooks.gate.enter(MALLOC);
        try {
            return allocate(size, MALLOC, "malloc(" + size + ")");
        } finally {
            hooks.gate.leave(outermost);
        }
    }

    /** @param call the call made, for a refusal: {@code malloc(size)}, or realloc's */
    private long allocate(long size, String function, String call) {
        hooks.checkOpen();
        if (size < 0 || size > DebugBlock.MAX_SIZE) {
            throw refuseSize("malloc(" + size + ")", size);
        }
        return register(innerBlock(size + OVERHEAD, false, function, call), size, true);
    }

    /**
     * Allocates {@code nelem * elsize} zeroed bytes through the inner {@code calloc}, emptying
     * the quarantine and asking again if it runs out of memory, as {@link #malloc}.
     *
     * @throws IllegalArgumentException  if either argument is negative
     * @throws OutOfMemoryError          if the product overflows or is 2^56 or more, or the inner
     *                                   allocator fails even with the quarantine emptied
     * @throws MemoryCorruptionException if a block released from the quarantine to make room was
     *                                   written after free (as {@link #malloc})
     * @throws IllegalStateException     if the hooks are closed, or another thread is inside them
     */
    @Override
    public long calloc(long nelem, long elsize) {
        boolean outermost = hooks.gate.enter(CALLOC);
        try {
            hooks.checkOpen();
            long size = Sizes.callocSize(nelem, elsize);
            if (size > DebugBlock.MAX_SIZE) {
                throw refuseSize("calloc(" + nelem + ", " + elsize + ")", size);
            }
            return register(innerBlock(size + OVERHEAD, true, CALLOC, "calloc(" + nelem + ", " + elsize + ")"), size, false);
        } finally {
            hooks.gate.leave(outermost);
        }
    }

    /**
     * Moves the block to a new one of {@code newSize} bytes, always, unlike CPython: the old
     * block is DEADBYTE-filled and quarantined like a freed one, so a stale pointer into it
     * is caught. The first {@code min(old, new)} bytes are copied; a grown tail is CLEANBYTE.
     *
     * @throws IllegalArgumentException   if {@code newSize} is negative
     * @throws InvalidAddressException    if {@code address} is not a live block of these hooks,
     *                                    say because it was already freed
     * @throws MemoryCorruptionException  if the block's id or pads are corrupt (it stays
     *                                    allocated), or if a quarantined block released to make
     *                                    room (as {@link #malloc} does) was written after free
     *                                    (the block is not moved)
     * @throws OutOfMemoryError           if the new block cannot be had even with the quarantine
     *                                    emptied; the old one is intact
     * @throws IllegalStateException      if the hooks are closed, or another thread is inside them
     */
    @Override
    public long realloc(long address, long newSize) {
        boolean outermost = hooks.gate.enter(REALLOC);
        try {
            hooks.checkOpen();
            if (newSize < 0) {
                throw new IllegalArgumentException("debug realloc(" + DebugReport.hex(address) + ", " + newSize
                        + "): negative size");
            }
            if (newSize > DebugBlock.MAX_SIZE) { // before realloc(0, n) becomes malloc(n): the refusal names the call made
                throw refuseSize("realloc(" + DebugReport.hex(address) + ", " + newSize + ")", newSize);
            }
            if (address == 0) {
                return allocate(newSize, MALLOC, "realloc(0x0, " + newSize + ")");
            }
            long info = checkAddress(REALLOC, "realloc", address);
            hooks.makeRoomInQuarantine(REALLOC);
            long moved = allocate(newSize, REALLOC, "realloc(" + DebugReport.hex(address) + ", " + newSize + ")");
            try { // a free reentering the hooks from the inner malloc may have taken the room: evict while nothing has moved
                hooks.makeRoomInQuarantine(REALLOC);
            } catch (RuntimeException e) {
                hooks.live.remove(moved);
                inner.free(DebugBlock.base(moved));
                throw e;
            }
            NativeMemory.copy(address, moved, Math.min(DebugBlock.sizeOf(info), newSize));
            // A grown tail keeps malloc's CLEANBYTE fill.
            hooks.retire(address, info);
            return moved;
        } finally {
            hooks.gate.leave(outermost);
        }
    }

    /**
     * Checks the block as CPython's {@code _PyMem_DebugCheckAddress} does, fills it with
     * DEADBYTE (0xDD) and quarantines it; the oldest quarantined block then goes back to its
     * inner allocator.
     *
     * @throws InvalidAddressException   if {@code address} is not a live block of these hooks,
     *                                   say because it was already freed
     * @throws MemoryCorruptionException if the block's id or pads are corrupt (it stays
     *                                   allocated), or if the quarantined block evicted to make
     *                                   room was written after free (this block is then not freed)
     * @throws IllegalStateException     if the hooks are closed, or another thread is inside them
     */
    @Override
    public void free(long address) {
        boolean outermost = hooks.gate.enter(FREE);
        try {
            hooks.checkOpen();
            if (address == 0) {
                return;
            }
            long info = checkAddress(FREE, "free", address);
            hooks.makeRoomInQuarantine(FREE);
            hooks.retire(address, info);
        } finally {
            hooks.gate.leave(outermost);
        }
    }

    /**
     * The size the block at {@code address} was asked with: the trailing pad follows it. The
     * table answers; the block's bytes are not read.
     *
     * @throws InvalidAddressException if {@code address} is not a live block of this domain's
     *                                 hooks (a block of another domain included)
     * @throws IllegalStateException   if the hooks are closed, or another thread is inside them
     */
    @Override
    public long usableSize(long address) {
        boolean outermost = hooks.gate.enter("usableSize");
        try {
            hooks.checkOpen();
            long info = hooks.live.sizeOf(address);
            if (info < 0) {
                throw hooks.unknownAddress("usableSize", address);
            }
            if (DebugBlock.domainOf(info) != domain) {
                throw new InvalidAddressException("usableSize(" + DebugReport.hex(address) + "): a block of the "
                        + DebugBlock.domainOf(info) + " domain, asked of the " + domain + " domain", address);
            }
            return DebugBlock.sizeOf(info);
        } finally {
            hooks.gate.leave(outermost);
        }
    }

    /** Throws for a size that is negative or too large to record; declared to return for {@code throw}. */
    private static RuntimeException refuseSize(String call, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("debug " + call + ": negative size");
        }
        throw new OutOfMemoryError("pymalloc4j: debug " + call + ": " + size
                + " bytes is more than the debug hooks can record (2^56 - 1)");
    }

    /**
     * A block of {@code total} bytes from the inner allocator; if it runs out of memory, once
     * more after the quarantine is emptied, since a quarantined block still holds its memory
     * (and its share of a memory limit) where CPython's freed block would not.
     */
    private long innerBlock(long total, boolean zeroed, String function, String call) {
        try {
            try {
                return innerCall(total, zeroed);
            } catch (OutOfMemoryError e) {
                if (hopeless(e) || !hooks.emptyQuarantine(function)) {
                    throw e; // a request over the whole limit can never succeed: keep the quarantine for it
                }
            }
            return innerCall(total, zeroed);
        } catch (OutOfMemoryError e) {
            throw named(e, call);
        }
    }

    /**
     * The inner allocator's refusal led by the call made ({@code debug malloc(n): malloc(n + 24): why}),
     * as the hooks' own refusals are, the refusal its cause; a MemoryLimitExceededError stays one.
     * A custom error type is the inner allocator's own answer, passed on as it is.
     */
    private static OutOfMemoryError named(OutOfMemoryError e, String call) {
        return Refusals.ledBy(e, "debug " + call + ": ", "", "out of memory");
    }

    /** The inner allocator's block, its 0 (an allocator written the C way) refused before a guard byte goes there. */
    private long innerCall(long total, boolean zeroed) {
        long q = zeroed ? inner.calloc(1, total) : inner.malloc(total);
        if (q == 0) {
            throw NullBlocks.refused(domain, inner, zeroed ? "calloc(1, " + total + ")" : "malloc(" + total + ")");
        }
        return q;
    }

    /**
     * Whether every way the inner allocator tried to serve the request needs more than the whole
     * limit: the refusal's, and those suppressed in it. A small block refused its arena (more
     * than a limit under an arena's size) was also refused as a raw block, which may well fit.
     */
    private static boolean hopeless(Throwable refusal) {
        if (!(refusal instanceof MemoryLimitExceededError m) || m.requested() <= m.limit()) {
            return false;
        }
        for (Throwable alternative : refusal.getSuppressed()) {
            if (!hopeless(alternative)) {
                return false;
            }
        }
        return true;
    }

    private long register(long q, long size, boolean clean) {
        DebugBlock.format(q, size, api, clean);
        long p = DebugBlock.user(q);
        try {
            hooks.live.put(p, DebugBlock.pack(domain, size));
        } catch (OutOfMemoryError e) {
            inner.free(q);
            throw e;
        }
        return p;
    }

    /**
     * CPython's {@code _PyMem_DebugCheckAddress}, after a table look-up that keeps a foreign
     * address from ever being read. Returns the block's table value.
     */
    private long checkAddress(String function, String operation, long p) {
        long info = hooks.live.sizeOf(p);
        if (info < 0) {
            throw hooks.unknownAddress(operation, p);
        }
        long n = DebugBlock.sizeOf(info);
        byte id = DebugBlock.idByte(p);
        Domain owner = DebugBlock.domainOf(info);
        if (id != (byte) api || owner != domain) {
            // The id byte decides, as in CPython; the table catches an id forged to match.
            char actual = id != (byte) api ? (char) (id & 0xff) : owner.apiId();
            throw corruption(p, n, function, Kind.BAD_ID, actual, "bad ID: Allocated using API "
                    + DebugReport.api((byte) actual) + ", verified using API '" + api + "'");
        }
        if (!DebugBlock.leadingPadIntact(p)) {
            throw corruption(p, n, function, Kind.BAD_LEADING_PAD, api, "bad leading pad byte");
        }
        long sizeWord = DebugBlock.headerSize(p);
        if (sizeWord != n) {
            // CPython would trust it and check (or fault on) a tail elsewhere; the table knows better.
            throw corruption(p, n, function, Kind.BAD_LEADING_PAD, api, "bad size field: it reads "
                    + Long.toUnsignedString(sizeWord) + ", but " + n + " bytes were requested");
        }
        if (!DebugBlock.trailingPadIntact(p, n)) {
            throw corruption(p, n, function, Kind.BAD_TRAILING_PAD, api, "bad trailing pad byte");
        }
        return info;
    }

    private MemoryCorruptionException corruption(long p, long n, String function, Kind kind, char actual,
                                                 String problem) {
        String report = DebugReport.liveBlock(p, n, hooks.traceback(p), function, problem);
        return new MemoryCorruptionException(report, p, kind, api, actual);
    }

    @Override
    public String toString() {
        return "DebugAllocator[" + domain + " over " + inner + "]";
    }
}
