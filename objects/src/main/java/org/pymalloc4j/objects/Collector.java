package org.pymalloc4j.objects;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.GcCallbackInfo;
import org.pymalloc4j.objects.internal.GcCollection;
import org.pymalloc4j.objects.internal.GcHead;
import org.pymalloc4j.objects.internal.GcState;
import org.pymalloc4j.objects.internal.Unraisable;

/**
 * The space's cycle collector: CPython 3.11's generational collector and its {@code gc}
 * module, from {@link ObjectSpace#gc()}. Container objects (tuples, lists, dicts holding
 * containers, class instances, classes and weak references) are tracked in three generations through their GC
 * heads; each GC allocation counts, and one taking generation 0's count over its threshold runs
 * a collection while the collector is enabled (the default), as 3.11 does inside the
 * allocation. {@link #collect()} returns the number of unreachable objects found, as
 * {@code gc.collect()}.
 * <pre>
 *  try (ObjectSpace space = ObjectSpace.create()) {
 *      long l = space.lists().newList();      // l = []
 *      space.lists().append(l, l);            // l.append(l)
 *      space.decref(l);                       // del l
 *      assert space.gc().collect() == 1;      // gc.collect()
 *  }
 * </pre>
 * Objects returned in lists ({@link #getObjects}, {@link #getReferents}, {@link #getReferrers})
 * are borrowed. Every method but {@link #callbacks()} (a plain Java list) throws
 * {@link IllegalStateException} on a closed space.
 */
public final class Collector {
    /** {@code gc.DEBUG_STATS}: print statistics during collection. */
    public static final int DEBUG_STATS = GcState.DEBUG_STATS;
    /** {@code gc.DEBUG_COLLECTABLE}: print the collectable objects found. */
    public static final int DEBUG_COLLECTABLE = GcState.DEBUG_COLLECTABLE;
    /** {@code gc.DEBUG_UNCOLLECTABLE}: print the uncollectable objects found. */
    public static final int DEBUG_UNCOLLECTABLE = GcState.DEBUG_UNCOLLECTABLE;
    /** {@code gc.DEBUG_SAVEALL}: keep every unreachable object in {@link #garbage()} instead of freeing it. */
    public static final int DEBUG_SAVEALL = GcState.DEBUG_SAVEALL;
    /** {@code gc.DEBUG_LEAK}: COLLECTABLE | UNCOLLECTABLE | SAVEALL. */
    public static final int DEBUG_LEAK = GcState.DEBUG_LEAK;
    private static final int DEBUG_ALL = DEBUG_STATS | DEBUG_LEAK;

    /** Per generation, as {@code gc.get_stats()}. */
    public record GenerationStats(long collections, long collected, long uncollectable) {
    }

    /** The phase a {@link Callback} is called in. */
    public enum Phase { START, STOP }

    /** {@code info} of a callback: counts are 0 at {@link Phase#START}. */
    public record Info(int generation, long collected, long uncollectable) {
    }

    /** A {@code gc.callbacks} entry. */
    @FunctionalInterface
    public interface Callback {
        void call(Phase phase, Info info);
    }

    private final Core core;
    private final GcState gc;
    private final GcCollection collection;
    private final GcCallbackInfo infoDict;
    private final List<Callback> callbacks = new CopyOnWriteArrayList<>();

    Collector(Core core, GcCollection collection, GcCallbackInfo infoDict) {
        this.core = core;
        this.gc = core.gc;
        this.collection = collection;
        this.infoDict = infoDict;
        gc.collector = this::collectWithCallbacks;
    }

    /**
     * {@code gc.collect()}: a full collection.
     *
     * @return the number of unreachable objects found; 0 if a collection is already running
     * @throws FreedObjectException  in checked mode, if a tracked object holds a reference to a
     *                               freed object (freed by unbalanced decrefs), or to one whose
     *                               refcount is smaller than the references tracked objects hold
     *                               to it; checked or not, if a tracked object is at refcount 0:
     *                               nothing is freed, as {@link #collect(int)} says
     * @throws IllegalStateException if the space is closed
     */
    public long collect() {
        return collect(GcState.GENERATIONS - 1);
    }

    /**
     * {@code gc.collect(generation)}: collects generations 0 to {@code generation}.
     *
     * @return the number of unreachable objects found; 0 if a collection is already running
     *         (a callback collecting, say)
     * @throws IllegalArgumentException if {@code generation} is not 0, 1 or 2
     * @throws FreedObjectException     in checked mode, if a tracked object of those generations
     *                                  holds a reference to a freed object (freed by unbalanced
     *                                  decrefs), or to one of them whose refcount is smaller than
     *                                  the references they hold to it (CPython's debug build stops
     *                                  there: "refcount is too small"), or, checked or not, if one
     *                                  of them is tracked at refcount 0 (deallocated while still
     *                                  tracked): nothing is freed, and the error names them. Found
     *                                  in the first pass, nothing else has happened either; found
     *                                  after the finalizers ran (one of them made it), they and
     *                                  the weakref callbacks have run, as in a collection that
     *                                  goes on
     * @throws IllegalStateException    if the space is closed
     */
    public long collect(int generation) {
        core.checkOpen();
        checkGeneration(generation);
        return gc.collecting ? 0 : gc.whileCollecting(this::collectWithCallbacks, generation);
    }

    /**
     * The shutdown collection ({@code _PyGC_CollectNoFail}): no callbacks; nothing if running;
     * a dangling reference is reported as unraisable and the close goes on.
     */
    void collectAtClose() {
        if (!gc.collecting) {
            gc.collectAutomatically(collection::collect, GcState.GENERATIONS - 1);
        }
    }

    private long collectWithCallbacks(int generation) {
        invokeCallbacks(Phase.START, new Info(generation, 0, 0));
        long n;
        try {
            n = collection.collect(generation);
        } catch (FreedObjectException e) {
            // Refused before anything was freed: every START still gets its STOP, with nothing collected.
            invokeCallbacks(Phase.STOP, new Info(generation, 0, 0));
            throw e;
        }
        invokeCallbacks(Phase.STOP, new Info(generation, collection.lastCollected, collection.lastUncollectable));
        return n;
    }

    /**
     * A throwing callback is reported as unraisable (the thread's uncaught-exception handler); the
     * rest still run. The live list is walked by index, as invoke_gc_callback walks gc.callbacks,
     * around the info dict it makes and drops (see {@link GcCallbackInfo}).
     */
    private void invokeCallbacks(Phase phase, Info info) {
        if (callbacks.isEmpty()) {
            return;
        }
        long dict = infoDict.make(info.generation(), info.collected(), info.uncollectable());
        try {
            for (int i = 0; i < callbacks.size(); i++) {
                Callback c = callbacks.get(i);
                try {
                    c.call(phase, info);
                } catch (Throwable e) { // checked ones too: Kotlin, or a sneaky throw, can throw them here
                    Unraisable.report(e);
                }
            }
        } finally {
            if (dict != 0) {
                core.decref(dict);
            }
        }
    }

    /**
     * {@code gc.callbacks}: the live list, called with (START, info) before and (STOP, info)
     * after each collection, automatic or explicit (not the one {@link ObjectSpace#close()}
     * runs); a collection refused over a dangling reference still calls STOP, with counts 0.
     * A callback may allocate (no collection starts meanwhile) or call
     * {@link #collect()} (which returns 0). An exception from a callback goes to the thread's
     * uncaught-exception handler, as CPython writes it as unraisable, and the collection goes on.
     * Each phase walks the list by index as CPython does: a callback added during a phase is
     * called in it, and one that removes itself makes the next one miss that phase. As CPython,
     * a phase with callbacks makes its {@code info} dict and drops it after them, though the
     * callbacks get an {@link Info}: that dict counts in generation 0 and parks on the dict free
     * list, as in CPython ({@code gc.get_count()} is (1, 0, 0) after a full collection with
     * callbacks).
     */
    public List<Callback> callbacks() {
        return callbacks;
    }

    // ------------------------------------------------------------------ automatic collection

    /**
     * {@code gc.enable()}.
     *
     * @throws IllegalStateException if the space is closed
     */
    public void enable() {
        core.checkOpen();
        gc.enabled = true;
    }

    /**
     * {@code gc.disable()}: no automatic collection; {@link #collect()} still works.
     *
     * @throws IllegalStateException if the space is closed
     */
    public void disable() {
        core.checkOpen();
        gc.enabled = false;
    }

    /**
     * {@code gc.isenabled()}.
     *
     * @throws IllegalStateException if the space is closed
     */
    public boolean isEnabled() {
        core.checkOpen();
        return gc.enabled;
    }

    /**
     * {@code gc.get_threshold()}: a copy, (700, 10, 10) by default.
     *
     * @throws IllegalStateException if the space is closed
     */
    public int[] getThreshold() {
        core.checkOpen();
        return gc.threshold.clone();
    }

    /**
     * {@code gc.set_threshold(threshold0[, threshold1[, threshold2]])}: the thresholds given
     * replace the first ones; 0 for threshold0 turns automatic collection off.
     *
     * @throws IllegalArgumentException if no threshold or more than three are given, or one is
     *                                  negative (CPython stores a negative one, and then
     *                                  collects at every allocation; here it is refused)
     * @throws IllegalStateException    if the space is closed
     */
    public void setThreshold(int... thresholds) {
        core.checkOpen();
        if (thresholds.length < 1 || thresholds.length > GcState.GENERATIONS) {
            throw new IllegalArgumentException("setThreshold takes 1 to 3 thresholds, got " + thresholds.length);
        }
        for (int t : thresholds) {
            if (t < 0) {
                throw new IllegalArgumentException("negative threshold " + t);
            }
        }
        System.arraycopy(thresholds, 0, gc.threshold, 0, thresholds.length);
    }

    /**
     * {@code gc.get_count()}: a copy of (count0, count1, count2).
     *
     * @throws IllegalStateException if the space is closed
     */
    public int[] getCount() {
        core.checkOpen();
        return gc.count.clone();
    }

    /**
     * {@code gc.get_stats()}: one entry per generation.
     *
     * @throws IllegalStateException if the space is closed
     */
    public List<GenerationStats> getStats() {
        core.checkOpen();
        List<GenerationStats> out = new ArrayList<>();
        for (int g = 0; g < GcState.GENERATIONS; g++) {
            out.add(new GenerationStats(gc.collections[g], gc.collected[g], gc.uncollectable[g]));
        }
        return out;
    }

    // ------------------------------------------------------------------ objects

    /**
     * {@code gc.is_tracked(o)}: false for atomic objects, dicts holding no container yet,
     * tuples untracked by a collection, dicts holding no container untracked by a full
     * collection, static objects.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public boolean isTracked(long o) {
        core.args.checkArgument(o);
        return gc.isGc(o) && GcHead.isTracked(o);
    }

    /**
     * {@code gc.get_objects()}: every tracked object of the three generations, youngest
     * generation first (frozen objects excluded); borrowed.
     *
     * @throws IllegalStateException if the space is closed
     */
    public List<Long> getObjects() {
        core.checkOpen();
        List<Long> out = new ArrayList<>();
        for (int g = 0; g < GcState.GENERATIONS; g++) {
            addAll(gc.generation(g), out);
        }
        return out;
    }

    /**
     * {@code gc.get_objects(generation)}: the tracked objects of one generation; borrowed.
     *
     * @throws IllegalArgumentException if {@code generation} is not 0, 1 or 2
     * @throws IllegalStateException    if the space is closed
     */
    public List<Long> getObjects(int generation) {
        core.checkOpen();
        checkGeneration(generation);
        List<Long> out = new ArrayList<>();
        addAll(gc.generation(generation), out);
        return out;
    }

    private static void addAll(long list, List<Long> out) {
        for (long g = GcHead.next(list); g != list; g = GcHead.next(g)) {
            out.add(GcHead.object(g));
        }
    }

    /**
     * {@code gc.get_referents(*objs)}: what each container argument's traversal visits, in
     * order, duplicates kept (non-containers contribute nothing); borrowed.
     *
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public List<Long> getReferents(long... objects) {
        core.checkOpen();
        for (long o : objects) {
            core.args.checkArgument(o);
        }
        List<Long> out = new ArrayList<>();
        for (long o : objects) {
            if (gc.isGc(o)) {
                core.behaviourOf(o).traverse(o, out::add);
            }
        }
        return out;
    }

    /**
     * {@code gc.get_referrers(*objs)}: the tracked objects of the three generations referring to
     * any argument, each once, youngest generation first; untracked and frozen objects are not
     * seen. Borrowed.
     *
     * @throws FreedObjectException  in checked mode, if an argument is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public List<Long> getReferrers(long... objects) {
        core.checkOpen();
        Set<Long> targets = new HashSet<>();
        for (long o : objects) {
            core.args.checkArgument(o);
            targets.add(o);
        }
        List<Long> out = new ArrayList<>();
        boolean[] hit = new boolean[1];
        for (int gen = 0; gen < GcState.GENERATIONS; gen++) {
            long list = gc.generation(gen);
            for (long g = GcHead.next(list); g != list; g = GcHead.next(g)) {
                long o = GcHead.object(g);
                hit[0] = false;
                core.behaviourOf(o).traverse(o, r -> hit[0] |= targets.contains(r));
                if (hit[0]) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    /**
     * {@code gc.is_finalized(o)}: whether {@code o}'s finalizer has run (false for objects
     * that are not containers).
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException if the space is closed
     */
    public boolean isFinalized(long o) {
        core.args.checkArgument(o);
        return gc.isGc(o) && GcHead.isFinalized(o - ObjectHeader.GC_HEAD_LENGTH);
    }

    /**
     * {@code gc.garbage}: a list (borrowed) of the unreachable objects with a legacy finalizer
     * ({@code tp_del}) a collection could not free; what they reach stays alive through them,
     * counted as uncollectable but not listed. Under {@link #DEBUG_SAVEALL}, every unreachable
     * object. The list owns them: empty it with {@link ListApi#clear} to let them go. Made on
     * first use, as if at start-up: uncounted, and running no collection.
     *
     * @throws OutOfMemoryError      if, on first use, the memory refuses the list (only the
     *                               free lists' parked objects are freed for it first); a later
     *                               call tries again
     * @throws IllegalStateException if the space is closed
     */
    public long garbage() {
        core.checkOpen();
        return collection.garbage.list();
    }

    // ------------------------------------------------------------------ debugging

    /**
     * {@code gc.set_debug(flags)}: a mix of the {@code DEBUG_*} constants; 0 turns debugging off.
     * The messages are CPython's, printed to {@link #setDebugOutput the debug output}.
     *
     * @throws IllegalArgumentException if {@code flags} has a bit no DEBUG_ constant has
     * @throws IllegalStateException    if the space is closed
     */
    public void setDebug(int flags) {
        core.checkOpen();
        if ((flags & ~DEBUG_ALL) != 0) {
            throw new IllegalArgumentException(String.format(
                    "unknown debug flags 0x%x (known: STATS 1, COLLECTABLE 2, UNCOLLECTABLE 4, SAVEALL 32)", flags & ~DEBUG_ALL));
        }
        gc.debug = flags;
    }

    /**
     * {@code gc.get_debug()}.
     *
     * @throws IllegalStateException if the space is closed
     */
    public int getDebug() {
        core.checkOpen();
        return gc.debug;
    }

    /**
     * Where the debug flags print, {@code System.err} (CPython's {@code sys.stderr}) by default.
     * The stream may throw: the collection goes on, as CPython's does over a failing
     * {@code sys.stderr}; the exception goes to the thread's uncaught-exception handler (as
     * CPython's unraisable errors do) and the rest of that collection's lines are dropped, where
     * CPython writes each refused line to the C-level {@code stderr} and reports nothing.
     *
     * @throws NullPointerException  if {@code out} is null
     * @throws IllegalStateException if the space is closed
     */
    public void setDebugOutput(PrintStream out) {
        core.checkOpen();
        gc.debugOut.set(out);
    }

    /**
     * Full collections run because an allocation failed for lack of memory (or the memory
     * limit): each was followed by one more try of the allocation.
     *
     * @throws IllegalStateException if the space is closed
     */
    public long getMemoryCollections() {
        core.checkOpen();
        return gc.memoryCollections;
    }

    // ------------------------------------------------------------------ freezing

    /**
     * {@code gc.freeze()}: moves every tracked object into the permanent generation, which no
     * collection looks at, and zeroes the three generations' counts (3.11's gc_freeze_impl).
     *
     * @throws IllegalStateException if the space is closed
     */
    public void freeze() {
        core.checkOpen();
        for (int g = 0; g < GcState.GENERATIONS; g++) {
            GcHead.merge(gc.generation(g), gc.permanent());
            gc.count[g] = 0;
        }
    }

    /**
     * {@code gc.unfreeze()}: the permanent generation joins the oldest.
     *
     * @throws IllegalStateException if the space is closed
     */
    public void unfreeze() {
        core.checkOpen();
        GcHead.merge(gc.permanent(), gc.generation(GcState.GENERATIONS - 1));
    }

    /**
     * {@code gc.get_freeze_count()}.
     *
     * @throws IllegalStateException if the space is closed
     */
    public long getFreezeCount() {
        core.checkOpen();
        return GcHead.size(gc.permanent());
    }

    private static void checkGeneration(int generation) {
        if (generation < 0 || generation >= GcState.GENERATIONS) {
            throw new IllegalArgumentException("invalid generation " + generation + ": 0, 1 or 2");
        }
    }
}
