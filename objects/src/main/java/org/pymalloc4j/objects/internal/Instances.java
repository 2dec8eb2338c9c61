package org.pymalloc4j.objects.internal;

import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

import static org.pymalloc4j.allocator.internal.NativeMemory.fill;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.BuiltinLayouts.SLOTS_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_SIZE_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.BASETYPE;
import static org.pymalloc4j.objects.TypeLayout.HAVE_GC;
import static org.pymalloc4j.objects.TypeLayout.VALID_VERSION_TAG;
import static org.pymalloc4j.objects.TypeLayout.HEAPTYPE;
import static org.pymalloc4j.objects.TypeLayout.READY;
import static org.pymalloc4j.objects.TypeLayout.TP_BASE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_BASICSIZE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_FLAGS_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_ITEMSIZE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_NAME_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_WEAKLISTOFFSET_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_WEAKLIST_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TYPE_OBJECT_LENGTH;

/**
 * Classes made at run time and their instances: a class with n slots is CPython's
 * {@code class C: __slots__ = (...n names...)}: instances are {@code 16 + 8n} bytes plus the GC
 * head (8 more with {@code '__weakref__'}, the weaklist after the slots), each slot an owned
 * reference or NULL, and each instance owns a reference to its class (as heap-type instances do
 * since 3.8). A class is a type object with {@code HEAPTYPE}; it is deallocated when its last
 * reference (from the program or an instance) goes. Each class has its own {@link ClassType}
 * behaviour, holding its finalizers.
 */
public final class Instances {
    /** A 3.11 class's flags once its version tag is in use: {@code class D: __slots__ = ('a',)} after a use, 0x85600. */
    private static final long CLASS_FLAGS = HEAPTYPE | BASETYPE | READY | HAVE_GC | VALID_VERSION_TAG;

    private final Core core;
    private final Weakrefs weakrefs;
    /** The behaviour of type objects themselves (instances of {@code type}). */
    public final TypeBehaviour typeObjects = new TypeObjects();

    public Instances(Core core, Weakrefs weakrefs) {
        this.core = core;
        this.weakrefs = weakrefs;
    }

    /**
     * A new reference to a new class; {@code finalizer} ({@code tp_finalize}) and
     * {@code legacyFinalizer} ({@code tp_del}) may be null.
     */
    public long newClass(String name, int slots, boolean weakReferenceable, LongConsumer finalizer,
                         LongConsumer legacyFinalizer) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        // The name first: a refused allocation then leaves no half-made type object behind.
        long cName = core.alloc.memMalloc(utf8.length + 1L);
        long t;
        try {
            t = core.newGcObject(TYPE_OBJECT_LENGTH, core.typeType);
        } catch (RuntimeException | Error e) {
            core.mem.free(cName);
            throw e;
        }
        fill(t + OB_SIZE_OFFSET, TYPE_OBJECT_LENGTH - OB_SIZE_OFFSET, (byte) 0);
        for (int i = 0; i < utf8.length; i++) {
            putByte(cName + i, utf8[i]);
        }
        putByte(cName + utf8.length, (byte) 0);
        long slotBytes = SLOTS_OFFSET + 8L * slots;
        putLong(t + OB_SIZE_OFFSET, slots);
        putLong(t + TP_NAME_OFFSET, cName);
        putLong(t + TP_BASICSIZE_OFFSET, slotBytes + (weakReferenceable ? 8 : 0));
        putLong(t + TP_ITEMSIZE_OFFSET, 0);
        putLong(t + TP_FLAGS_OFFSET, CLASS_FLAGS);
        putLong(t + TP_WEAKLISTOFFSET_OFFSET, weakReferenceable ? slotBytes : 0);
        putLong(t + TP_BASE_OFFSET, core.objectType);
        core.incref(core.objectType);
        core.types.register(t, name, true, new ClassType(weakReferenceable, finalizer, legacyFinalizer));
        core.gc.track(t);
        return t;
    }

    public static boolean isClass(long type) {
        return (getLong(type + TP_FLAGS_OFFSET) & HEAPTYPE) != 0;
    }

    public static long slotCount(long instance) {
        return getLong(getLong(instance + OB_TYPE_OFFSET) + OB_SIZE_OFFSET);
    }

    /** A new reference to a new instance, every slot NULL (and the weaklist empty). */
    public long newInstance(long cls) {
        long n = getLong(cls + OB_SIZE_OFFSET);
        long size = getLong(cls + TP_BASICSIZE_OFFSET);
        long o = core.newGcObject(size, cls);
        fill(o + SLOTS_OFFSET, size - SLOTS_OFFSET, (byte) 0);
        core.incref(cls);
        core.gc.track(o);
        return o;
    }

    public static long slot(long o, long i) {
        return getLong(o + SLOTS_OFFSET + 8 * i);
    }

    public static void putSlot(long o, long i, long v) {
        putLong(o + SLOTS_OFFSET + 8 * i, v);
    }

    /** {@code clear_slots}: each slot NULLed, then its old value released, in slot order. */
    private void clearSlots(long o) {
        for (long i = 0, n = slotCount(o); i < n; i++) {
            long v = slot(o, i);
            if (v != 0) {
                putSlot(o, i, 0);
                core.decrefHeld(v);
            }
        }
    }

    /** The instances of one class: 3.11's {@code subtype_dealloc}, traverse and clear. */
    private final class ClassType extends TypeBehaviour {
        private final boolean weakReferenceable;
        private final LongConsumer finalizer;
        private final LongConsumer legacyFinalizer;

        ClassType(boolean weakReferenceable, LongConsumer finalizer, LongConsumer legacyFinalizer) {
            this.weakReferenceable = weakReferenceable;
            this.finalizer = finalizer;
            this.legacyFinalizer = legacyFinalizer;
        }

        @Override
        public int traits() {
            return (finalizer != null ? FINALIZER : 0) | (legacyFinalizer != null ? LEGACY_FINALIZER : 0);
        }

        @Override
        public void finalize(long o) {
            run(finalizer, o);
        }

        /**
         * Finalizer first (unless it already ran), then weakref callbacks, then {@code tp_del};
         * either finalizer may resurrect the object, which then stays, tracked.
         */
        @Override
        public void dealloc(long o) {
            long g = o - GC_HEAD_LENGTH;
            if (finalizer != null && !GcHead.isFinalized(g) && resurrected(o, finalizer, true)) {
                return;
            }
            if (weakReferenceable) {
                weakrefs.clearWeakRefs(o);
            }
            if (legacyFinalizer != null && resurrected(o, legacyFinalizer, false)) {
                return;
            }
            if (weakReferenceable && (finalizer != null || legacyFinalizer != null)) {
                weakrefs.clearWithoutCallbacks(o);
            }
            clearSlots(o);
            long cls = getLong(o + OB_TYPE_OFFSET);
            core.freeGcObject(o);
            core.decrefHeld(cls);
        }

        /**
         * {@code PyObject_CallFinalizerFromDealloc}: the object, tracked again, lives at refcount
         * 1 across the call; if the finalizer left it referenced, it is resurrected, and as
         * {@code _Py_NewReference} then does, it is listed anew as the newest object in trace-refs
         * mode (CPython's {@code _Py_Dealloc} unlisted it) and its block's trace (when tracing) is
         * retagged to the caller, whose decref set the deallocation off.
         */
        private boolean resurrected(long o, LongConsumer f, boolean markFinalized) {
            core.gc.track(o);
            putLong(o, 1);
            run(f, o);
            if (markFinalized) {
                GcHead.setFinalized(o - GC_HEAD_LENGTH);
            }
            long rc = getLong(o) - 1;
            putLong(o, rc);
            if (rc != 0) {
                core.newReference(o); // as _Py_NewReference on a resurrection: the newest, with a new serial
                return true;
            }
            core.gc.untrack(o);
            return false;
        }

        @Override
        public void traverse(long o, LongConsumer visit) {
            for (long i = 0, n = slotCount(o); i < n; i++) {
                long v = slot(o, i);
                if (v != 0) {
                    visit.accept(v);
                }
            }
            visit.accept(getLong(o + OB_TYPE_OFFSET)); // subtype_traverse: the slots, then the type (3.9+)
        }

        @Override
        public void clear(long o) {
            clearSlots(o);
        }

        @Override
        public long sizeOf(long o) {
            return GC_HEAD_LENGTH + getLong(getLong(o + OB_TYPE_OFFSET) + TP_BASICSIZE_OFFSET);
        }
    }

    private static void run(LongConsumer f, long o) {
        try {
            f.accept(o);
        } catch (Throwable e) { // checked ones too: Kotlin, or a sneaky throw, can throw them here
            Unraisable.report(e);
        }
    }

    /** Type objects: only classes are ever deallocated (built-in types are static). */
    private final class TypeObjects extends TypeBehaviour {
        @Override
        public void dealloc(long t) {
            if (getLong(t + TP_WEAKLIST_OFFSET) != 0) {
                weakrefs.clearWeakRefs(t);
            }
            core.types.unregister(core.types.find(t));
            core.mem.free(getLong(t + TP_NAME_OFFSET));
            long base = getLong(t + TP_BASE_OFFSET);
            core.freeGcObject(t);
            core.decrefHeld(base);
        }

        @Override
        public void traverse(long t, LongConsumer visit) {
            long base = getLong(t + TP_BASE_OFFSET);
            if (isClass(t) && base != 0) {
                visit.accept(base);
            }
        }

        @Override
        public long sizeOf(long t) {
            return GC_HEAD_LENGTH + TYPE_OBJECT_LENGTH;
        }
    }
}
