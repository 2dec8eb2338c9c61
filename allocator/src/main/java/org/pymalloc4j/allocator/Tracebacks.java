package org.pymalloc4j.allocator;

import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The tracer's interned tracebacks and frames, and the stack capture that makes them:
 * tracemalloc's {@code traceback_new}, {@code tracemalloc_tracebacks} and
 * {@code tracemalloc_filenames}. A trace refers to its traceback by an {@code int} id.
 *
 * <p>Interning is by value, frames and total depth, as tracemalloc's
 * {@code hashtable_compare_traceback}: the blocks allocated from the same stack share one
 * {@link Traceback}, and equal frames one {@link TraceFrame}.
 */
final class Tracebacks {
    private static final String PACKAGE = Tracebacks.class.getPackageName();
    private static final String INTERNAL = PACKAGE + ".internal";
    /** Whose default methods a segment is asked through: the API called, as the domains' own methods. */
    private static final String SEGMENT_ALLOCATOR = SegmentAllocator.class.getName();
    private static final StackWalker WALKER = StackWalker.getInstance();
    /**
     * Estimated heap bytes per interned traceback besides its frame references: the object, its
     * immutable list and that list's array header, the map entry, the boxed id and the slots.
     */
    private static final long TRACEBACK_BYTES = 24 + 16 + 16 + 32 + 16 + 8;
    /** Estimated heap bytes per interned frame: the record, its map entry and slot. */
    private static final long FRAME_BYTES = 24 + 32 + 8;

    private final Map<TraceFrame, TraceFrame> frames = new HashMap<>();
    private final Map<Traceback, Integer> ids = new HashMap<>();
    private final List<Traceback> byId = new ArrayList<>();
    /** The frames of the stack being captured (tracemalloc's scratch traceback). */
    private final ArrayList<TraceFrame> scratch = new ArrayList<>();
    /** The packages of the layers built on the memory ({@link Tracer#addLayerPackage}); kept by {@link #clear}. */
    private String[] layers = {};
    /** Bumped by every traceback interned and by {@link #clear}: {@link #dropNewest} checks nothing came since. */
    private long generation;
    /** The frames the capture being made interned so far, then those the newest interned traceback brought. */
    private final ArrayList<TraceFrame> capturedFrames = new ArrayList<>();
    private final ArrayList<TraceFrame> newestFrames = new ArrayList<>();

    /**
     * The caller's stack, most recent frame first, at most {@code limit} frames, leaving out the
     * allocator's frames (this package and its internal package), and above the first frame kept
     * the {@link SegmentAllocator} methods and the layers' frames; {@link TraceFrame#UNKNOWN} if
     * no frame is left. Interned.
     */
    Traceback capture(int limit) {
        return WALKER.walk(stack -> {
            scratch.clear();
            capturedFrames.clear();
            int total = 0;
            for (Iterator<StackWalker.StackFrame> it = stack.iterator(); it.hasNext(); ) {
                StackWalker.StackFrame f = it.next();
                String className = f.getClassName();
                if (isMachinery(className) || total == 0 && (className.equals(SEGMENT_ALLOCATOR) || isLayer(className))) {
                    continue;
                }
                if (scratch.size() < limit) {
                    scratch.add(frame(f));
                }
                if (total < Traceback.MAX_FRAMES) {
                    total++;
                }
            }
            Traceback candidate = scratch.isEmpty()
                    ? Traceback.of(TraceFrame.UNKNOWN)
                    : new Traceback(scratch, total);
            long before = generation;
            Traceback interned = byId.get(idOf(candidate));
            if (generation != before) {
                newestFrames.clear();
                newestFrames.addAll(capturedFrames); // a new frame makes a new traceback, so none is lost here
            }
            capturedFrames.clear();
            return interned;
        });
    }

    /** A number that changes whenever a traceback is interned or the tables are cleared. */
    long generation() {
        return generation;
    }

    /**
     * Forgets the newest interned traceback and the frames it brought, if nothing was interned or
     * cleared since {@link #generation()} was {@code generation}: no id handed out since can then
     * refer to it. For a traced call the inner allocator refused.
     */
    void dropNewest(long generation) {
        if (generation == this.generation && !byId.isEmpty()) {
            ids.remove(byId.removeLast());
            for (TraceFrame f : newestFrames) {
                frames.remove(f);
            }
            newestFrames.clear();
            this.generation++;
        }
    }

    /** The id of {@code traceback}, interning it if it is new. */
    int idOf(Traceback traceback) {
        Integer id = ids.get(traceback);
        if (id != null) {
            return id;
        }
        int next = byId.size();
        byId.add(traceback);
        ids.put(traceback, next);
        generation++;
        return next;
    }

    /** The traceback of an id. */
    Traceback get(int id) {
        return byId.get(id);
    }

    private TraceFrame frame(StackWalker.StackFrame f) {
        String file = f.getFileName();
        TraceFrame frame = new TraceFrame(f.getClassName(), f.getMethodName(), file == null ? "<unknown>" : file,
                Math.max(0, f.getLineNumber()));
        TraceFrame interned = frames.putIfAbsent(frame, frame);
        if (interned != null) {
            return interned;
        }
        capturedFrames.add(frame);
        return frame;
    }

    /** Whether {@code className} is in this package or its internal package (not another subpackage). */
    static boolean isMachinery(String className) {
        return inPackage(className, PACKAGE) || inPackage(className, INTERNAL);
    }

    /** Adds a layer's package; adding one twice changes nothing. */
    void addLayer(String packageName) {
        if (!List.of(layers).contains(packageName)) {
            layers = Arrays.copyOf(layers, layers.length + 1);
            layers[layers.length - 1] = packageName;
        }
    }

    private boolean isLayer(String className) {
        for (String layer : layers) {
            if (inPackage(className, layer)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code className} is directly in {@code packageName} (not in a subpackage). */
    private static boolean inPackage(String className, String packageName) {
        return className.lastIndexOf('.') == packageName.length() && className.startsWith(packageName);
    }

    /** Forgets every traceback and frame; ids start again from 0. */
    void clear() {
        frames.clear();
        ids.clear();
        byId.clear();
        scratch.clear();
        scratch.trimToSize();
        capturedFrames.clear();
        newestFrames.clear();
        generation++;
    }

    /**
     * An estimate of the heap bytes taken: fixed per-object sizes with compressed references;
     * the strings of class, method and file names are shared with the JVM's metadata and not
     * counted.
     */
    long footprint() {
        long bytes = 16 + 4L * scratch.size() + FRAME_BYTES * frames.size();
        for (Traceback tb : byId) {
            bytes += TRACEBACK_BYTES + 4L * tb.frames().size();
        }
        return bytes;
    }
}
