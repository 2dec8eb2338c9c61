package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.pymalloc4j.allocator.internal.TraceTable;

/**
 * CPython's {@code tracemalloc} for one {@link Memory}: records, for every block allocated
 * through its domains while tracing, the size and the Java stack that allocated it.
 *
 * <pre>
 *  Tracer tracer = memory.tracer();
 *  tracer.start(10);                                // up to 10 frames per traceback
 *  ... allocate through memory.raw(), mem(), obj() ...
 *  System.out.print(tracer.takeSnapshot().top(GroupBy.LINE, 10));
 *  tracer.stop();                                   // removes the hooks, forgets the traces
 * </pre>
 *
 * <p><b>Hooking.</b> {@link #start} wraps each of the three domains' current allocators with
 * {@link Memory#wrapAllocator}, over whatever is installed (the debug hooks, a custom
 * allocator); {@link #stop} unwraps them. When not tracing no wrapper is installed, so the
 * allocation path costs nothing.
 *
 * <p><b>What is recorded</b>, as tracemalloc: one trace per live traced block, keyed by address,
 * with its requested size and an interned {@link Traceback} (identical stacks share one
 * instance, frames are interned too); the traced bytes and their peak. The stack is captured
 * with a {@link StackWalker}, most recent frame first, up to {@link #tracebackLimit()} frames,
 * leaving out the allocator's own frames, as tracemalloc sees only Python frames: those of this
 * package ({@code org.pymalloc4j.allocator}: the domains, the heap, the tracer) and its
 * {@code internal} package, and, at the top of the stack (above the first frame kept), the
 * JDK's {@code SegmentAllocator} methods a segment was asked through and the frames of the
 * layers built on the memory that declared their packages with {@link #addLayerPackage}, as
 * the object layer's {@code ObjectSpace} does, so an object is attributed to the line that made
 * it. Other frames are kept. A stack with no other frame is recorded as
 * {@link TraceFrame#UNKNOWN}. Unlike tracemalloc, each trace also records the domain whose API
 * allocated the block. Blocks allocated before {@link #start} are not traced; freeing them
 * while tracing changes nothing.
 *
 * <p><b>Re-entrancy.</b> A call made while the tracer is inside a traced call (an allocator
 * beneath it calling a domain of the same memory, say) is passed through untraced, so a block
 * is attributed to the API its caller used; a free or realloc passed through so still removes
 * the trace of the block it frees or resizes, as tracemalloc 3.11's does. tracemalloc keeps
 * that flag per thread; here it is a plain field, since a {@link Memory} has one owner thread
 * at a time.
 *
 * <p>Every method throws {@link IllegalStateException} once the memory is closed; closing the
 * memory stops tracing.
 */
public final class Tracer {
    private static final Domain[] DOMAINS = Domain.values();

    private final Memory memory;
    private final TraceTable table = new TraceTable();
    private final Tracebacks tracebacks = new Tracebacks();
    /** The wrapper installed in each domain, by ordinal; null when not tracing. */
    private final TracingAllocator[] wrappers = new TracingAllocator[DOMAINS.length];
    private boolean tracing;
    /** Open and not tracing: {@link #isTracing} answers false on this one test, for hot paths that ask it. */
    private boolean idle = true;
    private int limit = 1;
    /** Inside a traced call: tracemalloc's re-entrancy flag (one owner thread, so no thread-local). */
    boolean busy;
    /** {@link Tracebacks#generation()} once {@link #prepare} interned a new traceback; -1 if it interned none. */
    private long prepared = -1;

    Tracer(Memory memory) {
        this.memory = memory;
    }

    // ------------------------------------------------------------------ control

    /**
     * {@link #start(int) start(1)}, tracemalloc's default.
     *
     * @throws IllegalStateException if the memory is closed
     */
    public void start() {
        start(1);
    }

    /**
     * Starts tracing ({@code tracemalloc.start(nframe)}): wraps each domain's current allocator,
     * recording tracebacks of up to {@code frames} frames. If already tracing, does nothing, as
     * CPython's {@code _PyTraceMalloc_Start} ("hooks already installed: do nothing"): the limit
     * stays; {@link #stop()} first to change it.
     *
     * @throws IllegalArgumentException if {@code frames} is not in [1; 65535]
     * @throws IllegalStateException    if the memory is closed
     */
    public void start(int frames) {
        checkOpen();
        checkFrames(frames);
        if (tracing) {
            return;
        }
        limit = frames;
        for (Domain d : DOMAINS) {
            wrappers[d.ordinal()] = (TracingAllocator) memory.wrapAllocator(d, inner -> new TracingAllocator(this, d, inner));
        }
        tracing = true;
        idle = false;
    }

    /**
     * Stops tracing ({@code tracemalloc.stop()}): removes the three wrappers, restoring the
     * allocators they wrapped, and forgets every trace. Does nothing if not tracing.
     *
     * @throws IllegalStateException if another wrapper was installed over the tracer's in a
     *                               domain (unwrap it first; nothing is changed), or if the
     *                               memory is closed
     */
    public void stop() {
        checkOpen();
        if (!tracing) {
            return;
        }
        for (Domain d : DOMAINS) {
            BlockAllocator current = memory.getAllocator(d);
            if (current != wrappers[d.ordinal()]) {
                throw new IllegalStateException("cannot stop tracing: the " + d + " allocator is " + current
                        + ", not the tracer's wrapper; something wrapped over it, so unwrap that first"
                        + " (memory.unwrapAllocator(Domain." + d + "))");
            }
        }
        for (Domain d : DOMAINS) {
            memory.domain(d).unwrap(); // not unwrapAllocator, which refuses to take the tracer's wrapper off
        }
        dropTracing();
    }

    /** Whether {@code allocator} is one of the wrappers this tracer installed (none when not tracing). */
    boolean isWrapper(BlockAllocator allocator) {
        return Arrays.asList(wrappers).contains(allocator);
    }

    /** Whether this tracer's wrapper is the only wrapper over {@code d}'s allocator. */
    boolean isOnlyWrapperOf(MemoryDomain d) {
        return d.wrappers() == 1 && isWrapper(d.allocator());
    }

    /**
     * Runs {@code change} with this tracer's wrappers, each its domain's only one, taken off, then
     * wraps each domain's allocator again, the traces kept: what {@link Memory#setupDebugHooks}
     * installs goes beneath the tracer, as if installed before it started, so that {@link #stop()}
     * leaves it on. (Installed over the tracer, as CPython's PyMem_SetupDebugHooks does, it would
     * be taken off by stop, under blocks laid out by it.) Not tracing, it only runs {@code change}.
     */
    void beneath(Runnable change) {
        if (!tracing) {
            change.run();
            return;
        }
        for (Domain d : DOMAINS) {
            memory.domain(d).unwrap();
        }
        try {
            change.run();
        } finally {
            for (Domain d : DOMAINS) {
                wrappers[d.ordinal()] = (TracingAllocator) memory.wrapAllocator(d, inner -> new TracingAllocator(this, d, inner));
            }
        }
    }

    /** For {@link Memory#close()}: stops tracing; the memory then replaces every allocator anyway. */
    void memoryClosing() {
        if (tracing) {
            boolean onTop = true;
            for (Domain d : DOMAINS) {
                onTop &= memory.getAllocator(d) == wrappers[d.ordinal()];
            }
            if (onTop) {
                stop();
            } else {
                dropTracing();
            }
        }
        idle = false; // closed: isTracing() must check the memory now, and refuse
    }

    private void dropTracing() {
        tracing = false;
        idle = true;
        Arrays.fill(wrappers, null);
        clear();
    }

    /**
     * Whether the tracer is tracing ({@code tracemalloc.is_tracing()}). While the memory is open
     * and not tracing this costs one test of a field, so a hot path may ask it before a call such
     * as {@link #retag}, as CPython's {@code _Py_NewReference} tests {@code tracing}.
     *
     * @throws IllegalStateException if the memory is closed
     */
    public boolean isTracing() {
        if (idle) {
            return false;
        }
        checkOpen();
        return tracing;
    }

    /**
     * The most frames a traceback records ({@code tracemalloc.get_traceback_limit()}): the
     * argument of the {@link #start} that started tracing, kept after {@link #stop}; 1 before
     * the first start.
     *
     * @throws IllegalStateException if the memory is closed
     */
    public int tracebackLimit() {
        checkOpen();
        return limit;
    }

    /**
     * The calling thread's stack as this tracer records it for a block allocated here: most
     * recent frame first, at most {@link #tracebackLimit()} frames, the allocator's own frames
     * left out and, at the top, those of the packages declared with {@link #addLayerPackage}
     * (see the class comment), interned with the traces' tracebacks while tracing. Nothing is
     * recorded, and when not tracing nothing is kept. For a layer above that keeps tracebacks of
     * its own; to give a traced block this traceback, use {@link #retag}.
     *
     * @throws IllegalStateException if the memory is closed
     */
    public Traceback captureTraceback() {
        checkOpen();
        Traceback captured = tracebacks.capture(limit);
        if (!tracing) {
            // No trace to share it with, and stop() and clearTraces() could never drop it; the tables hold nothing else now.
            tracebacks.clear();
        }
        return captured;
    }

    /**
     * Gives the traced block at {@code block} the calling thread's traceback, as if it were
     * allocated here ({@code _PyTraceMalloc_NewReference}, which CPython's {@code _Py_NewReference}
     * calls for an object taken back from a free list, whose block was allocated for an earlier
     * object): {@link #tracebackOf}, snapshots and their statistics then name this line, not the
     * block's allocation. The traceback is captured as an allocation's is (the same frames left
     * out, up to {@link #tracebackLimit()} frames, see {@link #captureTraceback}); the trace's
     * size and domain stay, and so do the traced bytes and their peak. For a layer built on the
     * memory that reuses blocks, as the object layer revives a float, tuple, list or dict; an
     * object of a GC type is traced by its block, which starts at its GC head, 16 bytes before it.
     * Does nothing when not tracing or when the block is not traced (allocated before tracing
     * started or after its traces were cleared, freed, 0, or not a block's address): as
     * tracemalloc, which cannot trace a block whose size it does not know.
     *
     * @throws IllegalStateException if the memory is closed
     */
    public void retag(long block) {
        checkOpen();
        int slot = tracing ? table.find(block) : -1;
        if (slot >= 0) {
            table.setTraceback(slot, tracebacks.idOf(tracebacks.capture(limit)));
        }
    }

    /**
     * Declares {@code packageName} the package of a layer built on this memory, whose frames are
     * no more where its callers' blocks come from than the allocator's are: from now on a
     * traceback, recorded or {@linkplain #captureTraceback captured}, leaves out the frames of
     * classes in that package at the top of the stack, above the first frame of any other
     * class, so the block is attributed to the caller's line, as tracemalloc attributes an object
     * to the Python line that made it and never to the C of {@code Objects/*.c}. Beneath that
     * first frame the package's frames are kept: a callback from the layer into its caller's code
     * (a finalizer, say) that allocates shows the callback's line, the layer's frames that
     * called it and the caller beneath. The object layer's {@code ObjectSpace} declares its
     * packages so. Only classes directly in the package count, not its subpackages; tracebacks
     * recorded before are unchanged. The declaration lasts as long as the memory, through
     * {@link #stop}, {@link #start} and {@link #clearTraces}; declaring a package again changes
     * nothing. By default no package is declared: for a plain user of the domains, only the
     * allocator's own frames are left out (see the class comment).
     *
     * @throws NullPointerException     if {@code packageName} is null
     * @throws IllegalArgumentException if {@code packageName} is not a package's full name (a
     *                                  wildcard such as {@code "my.pkg.*"}, an empty name)
     * @throws IllegalStateException    if the memory is closed
     */
    public void addLayerPackage(String packageName) {
        checkOpen();
        Objects.requireNonNull(packageName, "packageName");
        if (!isPackageName(packageName)) {
            throw new IllegalArgumentException("not a package name: \"" + packageName
                    + "\" (give one package's full name, such as \"com.example.layer\"; no wildcards)");
        }
        tracebacks.addLayer(packageName);
    }

    /** Whether {@code name} is Java identifiers joined by dots (keywords are not looked for). */
    private static boolean isPackageName(String name) {
        for (String part : name.split("\\.", -1)) {
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.codePointAt(0))
                    || !part.codePoints().allMatch(Character::isJavaIdentifierPart) || part.indexOf('$') >= 0) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ counters

    /**
     * The traced bytes now and at their peak ({@code tracemalloc.get_traced_memory()}); both 0
     * when not tracing.
     *
     * @throws IllegalStateException if the memory is closed
     */
    public TracedMemory tracedMemory() {
        checkOpen();
        return new TracedMemory(table.current(), table.peak());
    }

    /**
     * Sets the peak to the current traced bytes ({@code tracemalloc.reset_peak()}); does nothing
     * when not tracing.
     *
     * @throws IllegalStateException if the memory is closed
     */
    public void resetPeak() {
        checkOpen();
        if (tracing) {
            table.resetPeak();
        }
    }

    /**
     * Forgets every trace and interned traceback and zeroes both counters
     * ({@code tracemalloc.clear_traces()}); tracing goes on. Blocks traced so far are untraced
     * from now on. Does nothing when not tracing.
     *
     * @throws IllegalStateException if the memory is closed
     */
    public void clearTraces() {
        checkOpen();
        if (tracing) {
            clear();
        }
    }

    private void clear() {
        table.clear();
        tracebacks.clear();
    }

    /**
     * An estimate of the Java heap bytes the tracer's own tables take
     * ({@code tracemalloc.get_tracemalloc_memory()}): the trace table's arrays, exactly, plus
     * the interned tracebacks and frames at fixed per-object sizes (compressed references; the
     * strings of class, method and file names are shared with the JVM's metadata and not counted).
     *
     * @throws IllegalStateException if the memory is closed
     */
    public long tracerMemory() {
        checkOpen();
        return table.footprint() + tracebacks.footprint();
    }

    /**
     * The number of traced blocks.
     *
     * @throws IllegalStateException if the memory is closed
     */
    public int traceCount() {
        checkOpen();
        return table.count();
    }

    // ------------------------------------------------------------------ queries

    /**
     * Where the block at {@code address} was allocated ({@code tracemalloc.get_object_traceback}):
     * empty if it is not traced (allocated before tracing started or after its traces were
     * cleared, freed, or not tracing).
     *
     * @throws IllegalStateException if the memory is closed
     */
    public Optional<Traceback> tracebackOf(long address) {
        checkOpen();
        int slot = table.find(address);
        return slot < 0 ? Optional.empty() : Optional.of(tracebacks.get(table.traceback(slot)));
    }

    /**
     * What CPython's debug hooks print about a block's origin ({@code _PyMem_DumpTraceback}),
     * each frame as {@link TraceFrame#toString()}, ending with an empty line:
     *
     * <pre>
     *  Memory block allocated at (most recent call first):
     *    File "Foo.java", line 12, in org.example.Foo.bar
     *    File "Main.java", line 5, in org.example.Main.main
     *
     * </pre>
     *
     * @return the text, or null if the block is not traced (including when not tracing, where
     *         CPython prints "Enable tracemalloc to get the memory block allocation traceback")
     * @throws IllegalStateException if the memory is closed
     */
    public String formatAllocationTraceback(long address) {
        String frames = allocationFrames(address);
        return frames == null ? null : "Memory block allocated at (most recent call first):\n" + frames + "\n";
    }

    /**
     * The frame lines of a traced block, most recent first, each ending with a newline; null if
     * the block is not traced. What the debug hooks print under their own heading.
     */
    String allocationFrames(long address) {
        Optional<Traceback> traceback = tracebackOf(address);
        if (traceback.isEmpty()) {
            return null;
        }
        Traceback t = traceback.get();
        return String.join("\n", t.format(t.frames().size(), true)) + "\n";
    }

    /**
     * The traces of every traced block now ({@code tracemalloc.take_snapshot()}).
     *
     * @throws IllegalStateException if not tracing ("the tracer is not tracing; call start()
     *                               first"), or if the memory is closed
     */
    public Snapshot takeSnapshot() {
        checkOpen();
        if (!tracing) {
            throw new IllegalStateException("the tracer is not tracing; call start() first");
        }
        List<Trace> traces = new ArrayList<>(table.count());
        for (int slot = 0; slot < table.capacity(); slot++) {
            if (table.address(slot) != 0) {
                traces.add(new Trace(DOMAINS[table.tag(slot)], table.size(slot), tracebacks.get(table.traceback(slot))));
            }
        }
        return new Snapshot(traces, limit);
    }

    /** Validates the trace table ({@link TraceTable#checkInvariants}), for {@link Memory#checkInvariants}. */
    void checkInvariants() {
        table.checkInvariants();
    }

    // ------------------------------------------------------------------ for TracingAllocator

    /**
     * Captures and interns the caller's traceback and makes room for one more trace, so that
     * {@link #record} cannot fail once the inner allocator has acted.
     */
    Traceback prepare() {
        long before = tracebacks.generation();
        Traceback traceback = tracebacks.capture(limit);
        prepared = tracebacks.generation() != before ? tracebacks.generation() : -1;
        table.reserve();
        return traceback;
    }

    /**
     * The inner allocator refused the call {@link #prepare} was for: the traceback it interned,
     * if new, goes again, as tracemalloc interns a traceback only for a block it traces (it calls
     * the allocator first). Unless something was interned since, from inside the inner allocator.
     */
    void refused() {
        if (prepared >= 0) {
            tracebacks.dropNewest(prepared);
            prepared = -1;
        }
    }

    /** Adds or replaces the trace of {@code address}; nothing if tracing stopped meanwhile. */
    void record(Domain domain, long address, long size, Traceback traceback) {
        if (!tracing) {
            return; // stopped from inside the inner allocator
        }
        // interned by prepare(), unless the traces were cleared from inside the inner allocator
        table.put(address, size, tracebacks.idOf(traceback), (byte) domain.ordinal());
    }

    /** Removes the trace of {@code address}, if any. */
    void forget(long address) {
        if (tracing) {
            table.remove(address);
        }
    }

    /**
     * Validates a frame limit.
     *
     * @throws IllegalArgumentException if {@code frames} is not in [1; 65535]
     */
    static int checkFrames(int frames) {
        if (frames < 1 || frames > Traceback.MAX_FRAMES) {
            throw new IllegalArgumentException("the number of frames must be in range [1; " + Traceback.MAX_FRAMES
                    + "], was " + frames);
        }
        return frames;
    }

    private void checkOpen() {
        if (memory.isClosed()) {
            throw new IllegalStateException("this Memory is closed");
        }
    }

    @Override
    public String toString() {
        return "Tracer[" + (tracing ? "tracing, limit " + limit + ", " + table.count() + (table.count() == 1 ? " trace, " : " traces, ")
                + table.current() + " bytes" : "not tracing") + "]";
    }
}
