package org.pymalloc4j.allocator;

import java.util.Objects;
import java.util.function.LongFunction;
import java.util.function.Predicate;

import org.pymalloc4j.allocator.MemoryCorruptionException.Kind;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.internal.RawBlockTable;

import static org.pymalloc4j.allocator.DebugBlock.DEADBYTE;
import static org.pymalloc4j.allocator.DebugBlock.OVERHEAD;

/**
 * CPython's memory debug hooks ({@code PYTHONMALLOC=debug}, {@code PyMem_SetupDebugHooks}):
 * {@link #wrap} puts a debug allocator in front of a domain's allocator. Each block gets
 * CPython's header and pads, and is checked when it is freed or resized:
 *
 * <pre>
 *  | N, 8 bytes big-endian | API id | FD x 7 | N bytes: CD after malloc, DD after free | FD x 8 |
 *  q                        q+8      q+9      p = q+16                                  tail = p+N
 * </pre>
 *
 * <pre>
 *  try (PyMalloc heap = PyMalloc.create(); DebugHooks hooks = DebugHooks.create()) {
 *      BlockAllocator mem = hooks.wrap(Domain.MEM, heap);
 *      BlockAllocator obj = hooks.wrap(Domain.OBJ, heap);
 *      long p = mem.malloc(10);
 *      obj.free(p);   // MemoryCorruptionException: ... bad ID: Allocated using API 'm', verified using API 'o'
 *  }
 * </pre>
 * (The hooks must close before the heap: closing returns the quarantined blocks to it.)
 *
 * <p>Differences from CPython, all so that a bug is reported rather than crashes or goes unseen:
 * <ul>
 * <li>Corruption throws a {@link MemoryCorruptionException} carrying CPython's report instead of
 *     aborting; the corrupt block stays allocated and the heap unchanged.</li>
 * <li>Every address is looked up in a native table of the live blocks of all wrapped domains
 *     before any byte of it is read, so a foreign or freed address is an
 *     {@link InvalidAddressException}, never a segfault. The trailing pad is found with the
 *     recorded size, and a size word that disagrees with it is reported as "bad size field"
 *     (kind {@link Kind#BAD_LEADING_PAD}); CPython would trust the word.</li>
 * <li>Freed blocks are not returned at once: they wait, DEADBYTE-filled, in a FIFO quarantine
 *     (default {@value #DEFAULT_QUARANTINE_BLOCKS} blocks), so a double free is recognised and a
 *     write after free is caught by {@link #checkFreedMemory()} or when the block leaves the
 *     quarantine. CPython frees at once and pymalloc reuses the block at once. A block leaves
 *     to make room before the free or realloc that needs the room changes anything, so if it
 *     was written, that call throws having done nothing and can be retried; a written block
 *     is released to its inner allocator once reported, so each write is reported once and
 *     nothing leaks. Quarantined blocks still hold their memory, so an allocation the inner
 *     allocator refuses (out of memory, or past a memory limit) empties the quarantine the same
 *     way and is tried once more.</li>
 * <li>{@code realloc} always moves the block, as AddressSanitizer does, so a pointer kept to the
 *     old block sees DEADBYTE; CPython resizes in place when the inner allocator can.</li>
 * <li>No GIL to check; instead, where CPython's MEM and OBJ calls check that their thread holds
 *     the GIL, a call of any domain from a thread while another is inside the hooks is refused
 *     with an {@link IllegalStateException} before it changes anything (a call back in from the
 *     thread inside goes on). It takes no lock: a thread never waits, and a race the calls do
 *     not overlap in is not seen. No serial numbers (off by default since 3.8), and a size
 *     limit of 2^56 - 1 bytes (the table packs the domain into the top byte).</li>
 * </ul>
 *
 * <p>Like {@link PyMalloc}, the hooks take no locks: use them from one thread at a time.
 */
public final class DebugHooks implements AutoCloseable {
    /** Freed blocks held back by {@link #create()}. */
    public static final int DEFAULT_QUARANTINE_BLOCKS = 1024;
    /** The largest quarantine {@link #create(int)} accepts (its two arrays take 16 MiB). */
    public static final int MAX_QUARANTINE_BLOCKS = 1 << 20;

    /** User address to {@link DebugBlock#pack packed} domain and size, for every live block. */
    final RawBlockTable live;
    /** One thread inside the hooks at a time, as CPython checks the GIL; {@link DebugAllocator}'s calls pass it. */
    final CallGate gate = new CallGate();
    private final DebugQuarantine quarantine;
    private final DebugAllocator[] allocators = new DebugAllocator[Domain.values().length];
    private LongFunction<String> tracebackSource;
    /** The memory whose domains {@link Memory#setupDebugHooks()} put these hooks on; null for hooks of one's own. */
    private Memory owner;
    private boolean closed;

    private DebugHooks(int quarantineBlocks) {
        quarantine = new DebugQuarantine(quarantineBlocks);
        live = new RawBlockTable();
    }

    /**
     * Hooks with a quarantine of {@value #DEFAULT_QUARANTINE_BLOCKS} freed blocks.
     *
     * @throws OutOfMemoryError if the native live-block table cannot be allocated
     */
    public static DebugHooks create() {
        return new DebugHooks(DEFAULT_QUARANTINE_BLOCKS);
    }

    /**
     * Hooks that hold back up to {@code quarantineBlocks} freed blocks; 0 frees at once, as
     * CPython does.
     *
     * @throws IllegalArgumentException if {@code quarantineBlocks} is negative or more than
     *                                  {@value #MAX_QUARANTINE_BLOCKS}
     * @throws OutOfMemoryError         if the native live-block table cannot be allocated
     */
    public static DebugHooks create(int quarantineBlocks) {
        if (quarantineBlocks < 0 || quarantineBlocks > MAX_QUARANTINE_BLOCKS) {
            throw new IllegalArgumentException("quarantine of " + quarantineBlocks + " blocks: must be 0.."
                    + MAX_QUARANTINE_BLOCKS);
        }
        return new DebugHooks(quarantineBlocks);
    }

    /**
     * The debug allocator of {@code domain} over {@code inner}. Wrapping a domain again over
     * the same allocator returns the same debug allocator.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code inner} is already a debug allocator (test with
     *                                  {@link #isDebugAllocator}, as CPython skips wrapped domains)
     * @throws IllegalStateException    if {@code domain} is already wrapped over another
     *                                  allocator, or the hooks are closed
     */
    public BlockAllocator wrap(Domain domain, BlockAllocator inner) {
        checkOpen();
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(inner, "inner");
        if (inner instanceof DebugAllocator) {
            throw new IllegalArgumentException(inner + " is already a debug allocator");
        }
        DebugAllocator existing = allocators[domain.ordinal()];
        if (existing != null) {
            if (existing.inner() == inner) {
                return existing;
            }
            throw new IllegalStateException(domain + " is already wrapped over " + existing.inner()
                    + "; its live blocks would be freed through the wrong allocator");
        }
        DebugAllocator allocator = new DebugAllocator(this, domain, inner);
        allocators[domain.ordinal()] = allocator;
        return allocator;
    }

    /** The allocator {@code domain} was wrapped over by {@link #wrap}, or null if it never was. */
    BlockAllocator wrappedOver(Domain domain) {
        DebugAllocator existing = allocators[domain.ordinal()];
        return existing == null ? null : existing.inner();
    }

    /**
     * Why {@code hooks} (a memory's, or null if it has none yet) cannot go on {@code d}, or null
     * if they can (or are on it already): for {@link Memory#setupDebugHooks()}. {@code onlyTraced}:
     * the tracer's wrapper is {@code d}'s only one, which the hooks go beneath.
     */
    static String refusalToInstall(DebugHooks hooks, MemoryDomain d, boolean onlyTraced) {
        BlockAllocator current = onlyTraced ? TracingAllocator.beneath(d.allocator()) : d.allocator();
        if (isDebugAllocator(current)) {
            return null;
        }
        if (d.hasWrapper() && !onlyTraced) { // a user's wrapper holds its inner allocator: the hooks cannot go beneath
            return "a wrapper is installed over its allocator";
        }
        if (d.liveBlocks() != 0) {
            return d.liveBlocksText("allocated without them");
        }
        if (hooks == null) {
            return null;
        }
        if (hooks.isClosed()) {
            return "this memory's debug hooks were closed";
        }
        BlockAllocator before = hooks.wrappedOver(d.domain());
        if (before != null && before != current) {
            // wrap refuses this: the hooks keep one debug allocator a domain, and its quarantined
            // blocks go back to the allocator it was made over.
            return "its hooks were installed over " + before + ", not over its allocator now (" + current
                    + "); set that allocator back first";
        }
        return null;
    }

    /** Whether {@code allocator} is a debug allocator from some {@code DebugHooks}. */
    public static boolean isDebugAllocator(BlockAllocator allocator) {
        return allocator instanceof DebugAllocator;
    }

    /**
     * The allocator a debug allocator wraps.
     *
     * @throws NullPointerException     if {@code debugAllocator} is null
     * @throws IllegalArgumentException if it is not a debug allocator
     */
    public static BlockAllocator unwrap(BlockAllocator debugAllocator) {
        Objects.requireNonNull(debugAllocator, "debugAllocator");
        if (!(debugAllocator instanceof DebugAllocator d)) {
            throw new IllegalArgumentException(debugAllocator + " is not a debug allocator");
        }
        return d.inner();
    }

    /**
     * Where reports get a block's allocation traceback, CPython's tracemalloc: called with the
     * user address, it returns the lines to print after "Memory block allocated at (most
     * recent call first):"; null if not tracing (the report then says "Enable tracemalloc to
     * get the memory block allocation traceback"), or an empty string if tracing but the block
     * is not traced (the report then has no traceback section, as CPython's). Null (the
     * default) unsets it.
     *
     * @throws IllegalStateException if the hooks are closed
     */
    public void setTracebackSource(LongFunction<String> source) {
        checkOpen();
        tracebackSource = source;
    }

    /**
     * Checks that every quarantined block is still all DEADBYTE. The first block found written
     * is reported, then released to its inner allocator, so that each corruption is reported
     * once and the heap stays consistent.
     *
     * @throws MemoryCorruptionException of kind {@link Kind#WRITE_AFTER_FREE}, naming the offset
     *                                   of each written byte
     * @throws IllegalStateException     if the hooks are closed
     */
    public void checkFreedMemory() {
        checkOpen();
        for (int i = 0; i < quarantine.size(); i++) {
            long p = quarantine.address(i);
            long info = quarantine.info(i);
            if (DebugBlock.firstNot(DebugBlock.base(p), DebugBlock.sizeOf(info) + OVERHEAD, DEADBYTE) >= 0) {
                quarantine.remove(i);
                release(p, info, "DebugHooks.checkFreedMemory", null);
            }
        }
    }

    /**
     * The number of live (allocated, not freed) debug blocks in all domains.
     *
     * @throws IllegalStateException if the hooks are closed
     */
    public long liveBlocks() {
        checkOpen();
        return live.count();
    }

    /**
     * The number of freed blocks held in the quarantine.
     *
     * @throws IllegalStateException if the hooks are closed
     */
    public long quarantinedBlocks() {
        checkOpen();
        return quarantine.size();
    }

    /**
     * Checks the live-block table against memory: each live block's size word equals its
     * recorded size, its id byte is its domain's, and both pads are intact; no quarantined
     * block is live. For tests and diagnostics.
     *
     * @throws IllegalStateException naming the first block and field found broken, or if the
     *                               hooks are closed
     */
    public void checkInvariants() {
        checkOpen();
        live.checkInvariants();
        live.forEach((p, info) -> {
            checkLiveBlock(p, info);
            return 0;
        });
        if (quarantine.size() > quarantine.capacity()) {
            throw new IllegalStateException("debug hooks: the quarantine holds " + quarantine.size()
                    + " blocks, more than its capacity of " + quarantine.capacity());
        }
        for (int i = 0; i < quarantine.size(); i++) {
            long p = quarantine.address(i);
            if (live.contains(p)) {
                throw new IllegalStateException("debug hooks: " + DebugReport.hex(p) + " is both live and quarantined");
            }
        }
    }

    private void checkLiveBlock(long p, long info) {
        String block = "debug hooks: block " + DebugReport.hex(p);
        int ordinal = (int) (info >>> 56);
        if (ordinal >= allocators.length || allocators[ordinal] == null) {
            throw new IllegalStateException(block + ": table names domain #" + ordinal + ", which is not wrapped");
        }
        Domain domain = DebugBlock.domainOf(info);
        long n = DebugBlock.sizeOf(info);
        long sizeWord = DebugBlock.headerSize(p);
        if (sizeWord != n) {
            throw new IllegalStateException(block + ": size word reads " + Long.toUnsignedString(sizeWord)
                    + " but " + n + " bytes were requested");
        }
        byte id = DebugBlock.idByte(p);
        if (id != (byte) domain.apiId()) {
            throw new IllegalStateException(block + ": API id " + DebugReport.api(id) + " but it was allocated through "
                    + domain + " ('" + domain.apiId() + "')");
        }
        if (!DebugBlock.leadingPadIntact(p)) {
            throw new IllegalStateException(block + ": leading pad at p-7 is not all FORBIDDENBYTE");
        }
        if (!DebugBlock.trailingPadIntact(p, n)) {
            throw new IllegalStateException(block + ": trailing pad at tail=" + DebugReport.hex(p + n)
                    + " is not all FORBIDDENBYTE");
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Returns every quarantined block to its inner allocator and frees the native table; the
     * hooks and their debug allocators then refuse every call. Live blocks stay allocated:
     * they belong to the caller. Closing again does nothing. The quarantined blocks are not
     * read (an inner heap may be closed already): {@link #checkFreedMemory()} first to check
     * them ({@link Memory#close()} checks those its own heap and libc hold).
     *
     * @throws IllegalStateException if these are the hooks of an open {@link Memory}
     *                               ({@link Memory#setupDebugHooks()}) and a domain of it still
     *                               allocates through them; nothing is changed then
     * @throws RuntimeException what an inner allocator threw for a quarantined block (say an
     *                          {@link IllegalStateException} because its heap was closed first);
     *                          the other blocks are returned and the hooks closed regardless
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        String users = owner == null || owner.isClosed() ? "" : domainsUsing(owner);
        if (!users.isEmpty()) {
            throw new IllegalStateException("these DebugHooks are the allocator of this Memory's " + users
                    + ": close the Memory, which closes them, or set " + (users.contains(" and ") ? "those domains' allocators"
                    : "that domain's allocator") + " back first");
        }
        closed = true;
        RuntimeException failure = null;
        for (int i = 0; i < quarantine.size(); i++) {
            int held = i;
            failure = CloseSteps.run(() -> innerOf(quarantine.info(held)).free(DebugBlock.base(quarantine.address(held))),
                    failure);
        }
        quarantine.clear();
        live.release();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "DebugHooks[quarantine " + quarantine.capacity() + (closed ? ", closed]" : "]");
    }

    /** Has {@link #close()} refuse while a domain of {@code memory}, open, allocates through these hooks. */
    void ownedBy(Memory memory) {
        owner = memory;
    }

    /** The domains of {@code memory} whose allocator, beneath any wrapper, is one of these hooks': "RAW, MEM and OBJ domains". */
    private String domainsUsing(Memory memory) {
        java.util.List<String> users = new java.util.ArrayList<>();
        for (Domain domain : Domain.values()) {
            if (memory.domain(domain).base() instanceof DebugAllocator d && d.hooks() == this) {
                users.add(domain.name());
            }
        }
        int n = users.size();
        return n == 0 ? "" : n == 1 ? users.get(0) + " domain"
                : String.join(", ", users.subList(0, n - 1)) + " and " + users.get(n - 1) + " domains";
    }

    // ------------------------------------------------------------------ for DebugAllocator

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("these DebugHooks are closed");
        }
    }

    /** The allocation traceback of {@code p} for a report, or null. */
    String traceback(long p) {
        LongFunction<String> source = tracebackSource;
        if (source == null) {
            return null;
        }
        try {
            return source.apply(p);
        } catch (RuntimeException e) {
            // A broken source must not hide the corruption being reported.
            return "  (the traceback source failed: " + e + ")";
        }
    }

    /**
     * Why {@code p} is not a live block: freed and still quarantined (a double free if
     * {@code operation} is {@code free}, else a use after free), or never ours.
     */
    InvalidAddressException unknownAddress(String operation, long p) {
        String call = operation + "(" + DebugReport.hex(p) + "): ";
        if (quarantine.capacity() > 0 && quarantine.indexOf(p) >= 0) {
            String misuse = operation.equals("free") ? "double free" : "use after free";
            return new InvalidAddressException(call + "block already freed (" + misuse + "): it is in the debug"
                    + " hooks' quarantine; heap unchanged", p);
        }
        return new InvalidAddressException(call + "not a block allocated through the debug hooks (or freed"
                + " and no longer quarantined); heap unchanged", p);
    }

    /**
     * Makes room for one more block by releasing the oldest quarantined one. Runs before a
     * free or realloc changes anything, so if the evicted block was written after free, the
     * report is thrown and the call can simply be retried.
     */
    void makeRoomInQuarantine(String function) {
        while (quarantine.capacity() != 0 && quarantine.isFull()) { // an eviction's inner free may free through the hooks
            long p = quarantine.address(0);
            long info = quarantine.info(0);
            quarantine.remove(0);
            release(p, info, function, DebugReport.EVICTED);
        }
    }

    /**
     * Returns every quarantined block to its inner allocator, oldest first, for an allocation
     * the inner allocator refused: a quarantined block still holds its memory (and its share of
     * a memory limit), which a freed block must not.
     *
     * @return whether any block was released, so that the allocation is worth trying again
     * @throws RuntimeException the first failure, once every block is released (later ones
     *                          suppressed): a {@link MemoryCorruptionException} for a block
     *                          written after free, so each write is still reported once
     */
    boolean emptyQuarantine(String function) {
        if (quarantine.size() == 0) {
            return false;
        }
        RuntimeException failure = null;
        while (quarantine.size() > 0) {
            long p = quarantine.address(0);
            long info = quarantine.info(0);
            quarantine.remove(0);
            failure = CloseSteps.run(() -> release(p, info, function, DebugReport.EMPTIED), failure);
        }
        if (failure != null) {
            throw failure;
        }
        return true;
    }

    /**
     * Returns to their inner allocators, oldest first, the quarantined blocks whose inner
     * allocator {@code open} says still holds their memory, checking each as it leaves: for
     * {@link Memory#close()}, before it closes the heap. The others stay for {@link #close()},
     * which cannot read them (their allocator may have unmapped them).
     *
     * @throws RuntimeException the first failure, once every such block is released (later ones
     *                          suppressed): a {@link MemoryCorruptionException} for a block
     *                          written after free
     */
    void releaseQuarantine(Predicate<BlockAllocator> open, String function) {
        RuntimeException failure = null;
        for (int i = 0; i < quarantine.size(); ) {
            long p = quarantine.address(i);
            long info = quarantine.info(i);
            if (!open.test(innerOf(info))) {
                i++;
                continue;
            }
            quarantine.remove(i);
            failure = CloseSteps.run(() -> release(p, info, function, DebugReport.CLOSING), failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Frees a checked live block: DEADBYTE over all of it, then quarantine. The caller made room
     * with {@link #makeRoomInQuarantine} after its last call into an inner allocator, so that a
     * reentrant free cannot have taken it.
     */
    void retire(long p, long info) {
        long q = DebugBlock.base(p);
        NativeMemory.fill(q, DebugBlock.sizeOf(info) + OVERHEAD, DEADBYTE);
        live.remove(p);
        if (quarantine.capacity() == 0) {
            innerOf(info).free(q);
        } else {
            assert !quarantine.isFull() : "no room was made in the quarantine";
            quarantine.push(p, info);
        }
    }

    /**
     * Returns a block taken out of the quarantine, throwing afterwards if it was written.
     *
     * @param why the report's line on why the block left the quarantine, or null
     */
    private void release(long p, long info, String function, String why) {
        long q = DebugBlock.base(p);
        long n = DebugBlock.sizeOf(info);
        Domain domain = DebugBlock.domainOf(info);
        String report = null;
        if (DebugBlock.firstNot(q, n + OVERHEAD, DEADBYTE) >= 0) {
            report = DebugReport.freedBlock(p, n, domain.apiId(), why, traceback(p), function);
        }
        innerOf(info).free(q);
        if (report != null) {
            throw new MemoryCorruptionException(report, p, Kind.WRITE_AFTER_FREE, domain.apiId(), domain.apiId());
        }
    }

    private BlockAllocator innerOf(long info) {
        return allocators[DebugBlock.domainOf(info).ordinal()].inner();
    }
}
