package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.pymalloc4j.allocator.internal.BlockViews;
import org.pymalloc4j.allocator.internal.ByteBudget;

/**
 * CPython's memory manager as one object: the RAW, MEM and OBJ {@linkplain MemoryDomain
 * domains}, the pymalloc heap behind MEM and OBJ, the debug hooks and the tracer.
 *
 * <pre>
 *  try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).limit(256 &lt;&lt; 20).build()) {
 *      long object = memory.obj().malloc(40);     // PyObject_Malloc
 *      long items = memory.mem().malloc(8 * 16);  // PyMem_Malloc
 *      memory.obj().free(object);
 *      memory.mem().free(items);
 *  }
 * </pre>
 *
 * <p><b>Replacing allocators</b> (CPython's {@code PyMem_SetAllocator}) is safe by
 * construction: {@link #setAllocator} refuses while the domain has live blocks, because the
 * new allocator could not free them; {@link #wrapAllocator} installs a wrapper at any time,
 * on the contract (CPython's) that it passes every block it did not allocate to the allocator
 * it wraps. The arena allocator can be replaced at any time: each arena goes back where it
 * came from.
 *
 * <p>One owner at a time, like the heap beneath it.
 */
public final class Memory implements AutoCloseable {
    private final AllocatorName configured;
    private final ByteBudget budget;
    private final PyMalloc heap;
    private final LibcAllocator libc;
    private final Map<Domain, MemoryDomain> domains = new EnumMap<>(Domain.class);
    private final MemoryDomain raw;
    private final MemoryDomain mem;
    private final MemoryDomain obj;
    private final Tracer tracer = new Tracer(this);
    private final int quarantineBlocks;
    /** Installed by a {@code *_debug} configuration or {@link #setupDebugHooks()}; else null. */
    private DebugHooks debugHooks;
    private boolean closed;
    /** Set while {@link #close()} runs the onClose actions: a close from one of them returns at once. */
    private boolean closing;
    /** The segments the domains' {@code allocate} hands out, ended first by {@link #close()}. */
    private final BlockViews views = new BlockViews();
    /** The heap's own views, which refuse its close while this memory is open: the domains' blocks are there. */
    private final BlockViews heapViews = new BlockViews();
    /** What {@link #close()} runs first; see {@link #onClose}. */
    private final List<Runnable> closeActions = new ArrayList<>();
    private final List<Supplier<String>> closeGuards = new ArrayList<>();

    private Memory(Builder b, AllocatorName configured) {
        this.configured = configured;
        this.budget = new ByteBudget(b.limit);
        this.libc = new LibcAllocator(budget);
        PyMalloc pymalloc = null;
        try { // the heap's and the debug hooks' metadata: a refusal gives back what came before it
            pymalloc = configured.usesPymalloc()
                    ? PyMalloc.builder().geometry(b.geometry)
                            .arenaAllocator(b.arenaAllocator != null ? b.arenaAllocator : PyMallocBuilder.defaultAllocator(b.geometry))
                            .budget(budget).views(heapViews).build()
                    : null;
            this.heap = pymalloc;
            heapViews.refuseClose("this PyMalloc heap is a Memory's (behind its MEM and OBJ domains): close the Memory,"
                    + " which closes the heap");
            BlockAllocator small = heap != null ? heap : libc;
            this.raw = new MemoryDomain(Domain.RAW, libc, views);
            this.mem = new MemoryDomain(Domain.MEM, small, views);
            this.obj = new MemoryDomain(Domain.OBJ, small, views);
            domains.put(Domain.RAW, raw);
            domains.put(Domain.MEM, mem);
            domains.put(Domain.OBJ, obj);
            this.quarantineBlocks = b.quarantineBlocks;
            if (configured.hasDebugHooks()) {
                setupDebugHooks();
            }
        } catch (OutOfMemoryError e) {
            heapViews.refuseClose(null);
            if (pymalloc != null) {
                pymalloc.close();
            }
            libc.close();
            throw e;
        }
    }

    /**
     * A memory manager configured by the system property {@value AllocatorName#PROPERTY}
     * ({@code pymalloc} when unset), with CPython 3.11's geometry and no limit.
     *
     * @throws IllegalArgumentException if the property names no configuration
     */
    public static Memory create() {
        return builder().build();
    }

    /** A builder; unless a configuration is named, {@link Builder#build()} takes the system property's, as {@link #create()}. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ domains

    /** {@code PyMem_RawMalloc} and friends. */
    public MemoryDomain raw() {
        return raw;
    }

    /** {@code PyMem_Malloc} and friends. */
    public MemoryDomain mem() {
        return mem;
    }

    /** {@code PyObject_Malloc} and friends. */
    public MemoryDomain obj() {
        return obj;
    }

    /**
     * The given domain.
     *
     * @throws NullPointerException if {@code domain} is null
     */
    public MemoryDomain domain(Domain domain) {
        return domains.get(Objects.requireNonNull(domain, "domain"));
    }

    /**
     * This memory's tracer, CPython's {@code tracemalloc}: not tracing until
     * {@link Tracer#start(int) started}.
     */
    public Tracer tracer() {
        return tracer;
    }

    // ------------------------------------------------------------------ allocators

    /**
     * The allocator a domain uses now ({@code PyMem_GetAllocator}).
     *
     * @throws NullPointerException  if {@code domain} is null
     * @throws IllegalStateException if this memory is closed
     */
    public BlockAllocator getAllocator(Domain domain) {
        checkOpen();
        return domain(domain).allocator();
    }

    /**
     * Replaces a domain's allocator ({@code PyMem_SetAllocator}).
     *
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException if the domain has live blocks, which {@code allocator} could
     *                               not free (use {@link #wrapAllocator} to hook a live domain),
     *                               if a wrapper (such as the tracer's) is installed over the
     *                               domain's allocator, or if this memory is closed
     */
    public void setAllocator(Domain domain, BlockAllocator allocator) {
        checkOpen();
        Objects.requireNonNull(allocator, "allocator");
        MemoryDomain d = domain(domain);
        if (d.hasWrapper()) {
            throw new IllegalStateException("cannot replace the " + domain + " allocator while a wrapper ("
                    + d.allocator() + ") is installed over it: unwrapAllocator (or stop the tracer) first");
        }
        if (d.liveBlocks() != 0) {
            throw new IllegalStateException("cannot replace the " + domain + " allocator while " + d.liveBlocksText("it allocated")
                    + (d.liveBlocks() > 0 ? ": free them first, or " : ": ") + "wrapAllocator(" + domain
                    + ", ...) to hook the allocator they came from");
        }
        d.install(allocator);
    }

    /**
     * Installs {@code wrapper.apply(current)} as the domain's allocator; allowed while blocks
     * are live. The wrapper must pass every block it did not allocate itself to {@code current},
     * as CPython requires of allocators installed after start-up.
     *
     * @return the wrapper installed
     * @throws NullPointerException  if an argument is null or the wrapper returns null
     * @throws IllegalStateException if this memory is closed
     */
    public BlockAllocator wrapAllocator(Domain domain, UnaryOperator<BlockAllocator> wrapper) {
        checkOpen();
        Objects.requireNonNull(wrapper, "wrapper");
        MemoryDomain d = domain(domain);
        BlockAllocator installed = Objects.requireNonNull(wrapper.apply(d.allocator()), "wrapper returned null");
        d.wrap(installed);
        return installed;
    }

    /**
     * Removes the wrapper {@link #wrapAllocator} installed last on a domain, restoring the
     * allocator beneath it.
     *
     * @return the wrapper removed
     * @throws IllegalStateException if the domain's allocator is not a wrapper installed by
     *                               {@link #wrapAllocator}; if it is the {@linkplain #tracer()
     *                               tracer's} (stop the tracer instead, which unwraps every
     *                               domain); or if this memory is closed
     */
    public BlockAllocator unwrapAllocator(Domain domain) {
        checkOpen();
        MemoryDomain d = domain(domain);
        if (!d.hasWrapper()) {
            throw new IllegalStateException("the " + domain + " allocator (" + d.allocator()
                    + ") is not a wrapper installed by wrapAllocator");
        }
        if (tracer.isWrapper(d.allocator())) {
            // Taken off here, it would leave the tracer tracing with a wrapper it cannot find.
            throw new IllegalStateException("the " + domain + " allocator is the tracer's wrapper: stop the tracer"
                    + " instead (memory.tracer().stop()), which takes it off every domain");
        }
        return d.unwrap();
    }

    /**
     * Wraps every domain's allocator in CPython's debug hooks ({@code PyMem_SetupDebugHooks}):
     * guard bytes, 0xCD/0xDD fills, API ids, a quarantine of freed blocks. Domains already
     * wrapped are skipped. The {@code *_debug} configurations call this when built. While the
     * tracer traces, the hooks go beneath it, as if set up before it started.
     *
     * @return the hooks, to {@linkplain DebugHooks#checkFreedMemory() check freed memory}; they
     *         are this memory's, closed by its close (theirs refuses while a domain uses them)
     * @throws IllegalStateException if a domain to wrap has live blocks (they carry no guard
     *                               bytes, so the hooks could not free them) or a wrapper of the
     *                               user's ({@link #wrapAllocator}) over it; if this memory's hooks were once
     *                               installed on a domain over another allocator than its
     *                               current one (the blocks they still hold for it must go back
     *                               to that one); if the hooks were closed; or if this memory is
     *                               closed. Every domain is checked first: nothing is changed then
     */
    public DebugHooks setupDebugHooks() {
        checkOpen();
        for (MemoryDomain d : domains.values()) {
            String refusal = DebugHooks.refusalToInstall(debugHooks, d, tracer.isOnlyWrapperOf(d));
            if (refusal != null) {
                throw new IllegalStateException("cannot install the debug hooks on the " + d.domain() + " domain: "
                        + refusal);
            }
        }
        if (debugHooks == null) {
            debugHooks = DebugHooks.create(quarantineBlocks);
            debugHooks.ownedBy(this);
            debugHooks.setTracebackSource(this::allocationFrames);
        }
        tracer.beneath(() -> domains.values().forEach(d -> { // the tracer, tracing, stays on top
            if (!DebugHooks.isDebugAllocator(d.allocator())) {
                d.install(debugHooks.wrap(d.domain(), d.allocator()));
            }
        }));
        return debugHooks;
    }

    /**
     * The frame lines of a traced block, for the debug hooks' reports: null if not tracing, empty
     * if tracing but the block is not traced (CPython's {@code _PyMem_DumpTraceback} then prints
     * nothing).
     */
    private String allocationFrames(long address) {
        // Not tracing: the "Enable tracemalloc" hint. (No report is made once the memory is closed.)
        if (!tracer.isTracing()) {
            return null;
        }
        String frames = tracer.allocationFrames(address);
        return frames == null ? "" : frames;
    }

    /** The debug hooks, if {@link #setupDebugHooks()} or a {@code *_debug} configuration installed them. */
    public Optional<DebugHooks> debugHooks() {
        return Optional.ofNullable(debugHooks);
    }

    /** Where the pymalloc heap takes arenas from ({@code PyObject_GetArenaAllocator}). */
    public Optional<ArenaAllocator> getArenaAllocator() {
        return heap == null ? Optional.empty() : Optional.of(heap.arenaAllocator());
    }

    /**
     * Replaces the arena allocator ({@code PyObject_SetArenaAllocator}); safe at any time.
     *
     * @throws NullPointerException  if {@code allocator} is null
     * @throws IllegalStateException if this memory has no pymalloc heap (a {@code malloc}
     *                               configuration) or is closed
     */
    public void setArenaAllocator(ArenaAllocator allocator) {
        checkOpen();
        Objects.requireNonNull(allocator, "allocator");
        pymalloc().setArenaAllocator(allocator);
    }

    // ------------------------------------------------------------------ state

    /** The configuration this memory was built with. */
    public AllocatorName configured() {
        return configured;
    }

    /**
     * The configuration the installed allocators amount to, as CPython's
     * {@code _PyMem_GetCurrentAllocatorName}: empty when a custom allocator is installed, and so
     * while tracing, the tracer's wrappers being one (tracemalloc's hooks are to CPython).
     */
    public Optional<AllocatorName> allocatorName() {
        return AllocatorName.installed(raw.allocator(), mem.allocator(), obj.allocator(), libc, heap);
    }

    /**
     * {@link #allocatorName()} beneath the tracer's wrappers: the configuration that serves the
     * blocks whether or not tracing is on, for a layer that reads their headers.
     */
    public Optional<AllocatorName> allocatorNameBeneathTracer() {
        return AllocatorName.installed(TracingAllocator.beneath(raw.allocator()), TracingAllocator.beneath(mem.allocator()),
                TracingAllocator.beneath(obj.allocator()), libc, heap);
    }

    /**
     * The pymalloc heap behind MEM and OBJ. It is this memory's: its {@link PyMalloc#close()}
     * refuses while the memory is open, since the domains' blocks are in it; {@link #close()}
     * closes it.
     *
     * @throws IllegalStateException if this is a {@code malloc} configuration, or closed
     */
    public PyMalloc pymalloc() {
        checkOpen();
        if (heap == null) {
            throw new IllegalStateException("the " + configured + " configuration has no pymalloc heap");
        }
        return heap;
    }

    /** Whether MEM and OBJ were built over a pymalloc heap. */
    public boolean hasPymalloc() {
        return heap != null;
    }

    /** The limit on bytes taken from the OS; {@code Long.MAX_VALUE} if none. */
    public long memoryLimit() {
        return budget.limit();
    }

    /** Bytes taken from the OS and not returned: arenas plus raw and libc blocks as requested. */
    public long bytesFromOs() {
        return budget.used();
    }

    /**
     * Validates the pymalloc heap, the libc block table, the tracer's trace table and the
     * domains' counts.
     *
     * @throws IllegalStateException naming the broken invariant, or if this memory is closed
     */
    public void checkInvariants() {
        checkOpen();
        libc.checkInvariants();
        if (debugHooks != null) {
            debugHooks.checkInvariants();
        }
        if (heap != null) {
            heap.checkInvariants();
        }
        tracer.checkInvariants();
        for (MemoryDomain d : domains.values()) {
            if (d.liveBlocks() < 0) {
                throw new IllegalStateException(d + ": negative live block count");
            }
        }
    }

    /**
     * Runs {@code action} when this memory closes, before anything is released: for a layer built
     * on it, such as an {@code ObjectSpace} over a memory it was given, to stop using memory that
     * is about to go. Actions run once, in the order they were added; one that throws does not
     * stop the close, and the first exception is rethrown once the memory is closed.
     *
     * @throws NullPointerException  if {@code action} is null
     * @throws IllegalStateException if the memory is closed
     */
    public void onClose(Runnable action) {
        checkOpen();
        Objects.requireNonNull(action, "action");
        closeActions.add(action);
    }

    /** Withdraws an action {@link #onClose} added (the same object); nothing if it is not there. */
    public void removeOnClose(Runnable action) {
        closeActions.remove(action);
    }

    /**
     * Adds a check {@link #close()} makes before anything else: {@code busy} returns why the
     * memory cannot close now, or null. For a layer built on it whose work in progress reads the
     * memory and may call out to code that closes it (an {@code ObjectSpace}'s collection runs
     * finalizers and callbacks); a close from there would unmap what that work goes on reading.
     *
     * @throws NullPointerException  if {@code busy} is null
     * @throws IllegalStateException if the memory is closed
     */
    public void guardClose(Supplier<String> busy) {
        checkOpen();
        Objects.requireNonNull(busy, "busy");
        closeGuards.add(busy);
    }

    /** Withdraws a check {@link #guardClose} added (the same object); nothing if it is not there. */
    public void removeCloseGuard(Supplier<String> busy) {
        closeGuards.remove(busy);
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Ends the segments the domains handed out ({@link MemoryDomain#allocate}), runs the
     * {@link #onClose} actions, stops the tracer, then returns every arena and every libc block
     * to the OS. Custom allocators installed in a domain are not closed; they belong to whoever
     * made them. Closing again does nothing but close the heap if a native call kept it open (below), and a close
     * from an action does nothing: this one finishes. A call another thread still makes on the memory meanwhile
     * (nothing detects it) goes on in memory that is gone and may crash the JVM.
     *
     * @throws IllegalStateException if a {@link #guardClose} check gives a reason, or a domain's segment is held by a
     *                               native call (in another thread, or this one's upcall called close); the memory then
     *                               stays open, its actions not run.
     *                               A segment an action took, held so, keeps the memory open too, its actions run (the
     *                               first one's failure suppressed in this): a close once the call returns finishes
     * @throws RuntimeException      the first exception an {@link #onClose} action, the debug hooks (a
     *                               {@link MemoryCorruptionException} for a block still quarantined and written after
     *                               free; an inner allocator refusing a quarantined block), the heap or the libc
     *                               allocator threw, the later ones suppressed: the memory is closed all the same, and
     *                               so are the hooks and libc; the heap too, unless one of its own segments
     *                               ({@link PyMalloc#segment}) is held by a native call: it then
     *                               stays open, arenas and all, for a close again (this one, or {@link PyMalloc#close()}) once the call returns
     */
    @Override
    public void close() {
        if (closed && heap != null) {
            heap.close(); // one a native call kept open: closed now that it returned, else refused again
        }
        if (closed || closing) {
            return;
        }
        for (Supplier<String> guard : closeGuards) {
            String busy = guard.get();
            if (busy != null) {
                throw new IllegalStateException("this Memory cannot close now: " + busy + "; close it once that returns");
            }
        }
        views.close(); // first: if a segment is in use elsewhere it throws, and the memory stays open
        closing = true; // else an action closing the memory again would run every action again, without end
        RuntimeException failure;
        try {
            failure = CloseSteps.runAll(closeActions); // one at a time: an action may add or withdraw others
        } finally {
            closing = false; // an Error out of an action leaves the memory open: a close again finishes it
        }
        try {
            views.close(); // segments an action took, in a new scope: they go too, or nothing goes under them
        } catch (IllegalStateException held) { // open, its actions run: a close again once the call returns finishes
            if (failure != null) {
                held.addSuppressed(failure);
            }
            throw held;
        }
        closeGuards.clear();
        if (debugHooks != null) { // while all is mapped and open: a write after free is reported as its block leaves
            failure = CloseSteps.run(() -> debugHooks.releaseQuarantine(a -> a == heap || a == libc, "Memory.close"),
                    failure);
        }
        tracer.memoryClosing();
        closed = true;
        heapViews.refuseClose(null); // the heap is the caller's now: a close left undone is theirs to finish
        for (MemoryDomain d : domains.values()) {
            d.install(ClosedAllocator.INSTANCE);
        }
        try { // the hooks first: they free their quarantine into the heap
            failure = debugHooks != null ? CloseSteps.run(debugHooks::close, failure) : failure;
        } finally { // an Error out of the hooks (a custom allocator's free) goes on once all is given back
            failure = heap != null ? CloseSteps.run(heap::close, failure) : failure;
            failure = CloseSteps.run(libc::close, failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this Memory is closed");
        }
    }

    @Override
    public String toString() {
        return "Memory[" + configured + (closed ? ", closed]" : ", " + raw + ", " + mem + ", " + obj + "]");
    }

    /** Configures a {@link Memory}. */
    public static final class Builder {
        private AllocatorName allocator; // null: build() reads the property, as CPython reads PYTHONMALLOC only if unset
        private Geometry geometry = Geometry.PY311;
        /** Null until set: the heap's builder then picks the geometry's default. */
        private ArenaAllocator arenaAllocator;
        private long limit = ByteBudget.UNLIMITED;
        private int quarantineBlocks = DebugHooks.DEFAULT_QUARANTINE_BLOCKS;

        private Builder() {
        }

        /**
         * The {@code PYTHONMALLOC} configuration.
         *
         * @throws NullPointerException if {@code name} is null
         */
        public Builder allocator(AllocatorName name) {
            this.allocator = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The configuration by its {@code PYTHONMALLOC} spelling, e.g. {@code "malloc_debug"}.
         *
         * @throws NullPointerException     if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is no configuration
         */
        public Builder allocator(String name) {
            return allocator(AllocatorName.parse(name));
        }

        /**
         * The pymalloc heap's geometry; {@link Geometry#PY311} by default.
         *
         * @throws NullPointerException if {@code geometry} is null
         */
        public Builder geometry(Geometry geometry) {
            this.geometry = Objects.requireNonNull(geometry, "geometry");
            return this;
        }

        /**
         * Where the pymalloc heap takes arenas from; by default {@link ArenaAllocator#mmap()}, or
         * {@link ArenaAllocator#hugePages()} for {@link Geometry#HUGE_PAGES}.
         *
         * @throws NullPointerException if {@code allocator} is null
         */
        public Builder arenaAllocator(ArenaAllocator allocator) {
            this.arenaAllocator = Objects.requireNonNull(allocator, "allocator");
            return this;
        }

        /**
         * The most bytes all domains together may take from the OS (arenas plus raw blocks).
         *
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder limit(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("memory limit must be positive, was " + bytes);
            }
            this.limit = bytes;
            return this;
        }

        /**
         * How many freed blocks the debug hooks keep, filled with 0xDD, before really freeing
         * them; a write to one is reported when it leaves. 1024 by default; 0 frees at once.
         *
         * @throws IllegalArgumentException if {@code blocks} is negative or over
         *                                  {@link DebugHooks#MAX_QUARANTINE_BLOCKS}
         */
        public Builder quarantine(int blocks) {
            if (blocks < 0 || blocks > DebugHooks.MAX_QUARANTINE_BLOCKS) {
                throw new IllegalArgumentException("quarantine must be 0.." + DebugHooks.MAX_QUARANTINE_BLOCKS
                        + " blocks, was " + blocks);
            }
            this.quarantineBlocks = blocks;
            return this;
        }

        /**
         * @throws IllegalArgumentException if no configuration was named and the system property
         *                                  {@value AllocatorName#PROPERTY} names none
         * @throws OutOfMemoryError         if the metadata cannot be allocated
         */
        public Memory build() {
            return new Memory(this, allocator != null ? allocator : AllocatorName.fromSystemProperty());
        }
    }
}
