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
import static org.pymalloc4j.objects.TypeLayout.HAVE_VERSION_TAG;
import static org.pymalloc4j.objects.TypeLayout.HEAPTYPE;
import static org.pymalloc4j.objects.TypeLayout.READY;
import static org.pymalloc4j.objects.TypeLayout.TP_BASE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_BASICSIZE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_FLAGS_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_ITEMSIZE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_NAME_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TYPE_OBJECT_LENGTH;

/**
 * Classes made at run time and their instances: a class with n slots is CPython's
 * {@code class C: __slots__ = (...n names...)}: instances are {@code 16 + 8n} bytes plus the GC
 * head, each slot an owned reference or NULL, and each instance owns a reference to its class
 * (as heap-type instances do since 3.8). A class is a type object with {@code HEAPTYPE}; it is
 * deallocated when its last reference (from the program or an instance) goes.
 */
public final class Instances implements TypeBehaviour {
    private static final long CLASS_FLAGS = HEAPTYPE | BASETYPE | READY | HAVE_GC | HAVE_VERSION_TAG;

    private final Core core;
    /** The behaviour of type objects themselves (instances of {@code type}). */
    public final TypeBehaviour typeObjects = new TypeObjects();

    public Instances(Core core) {
        this.core = core;
    }

    /** A new reference to a new class. */
    public long newClass(String name, int slots) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        long t = core.newGcObject(TYPE_OBJECT_LENGTH, core.typeType);
        fill(t + OB_SIZE_OFFSET, TYPE_OBJECT_LENGTH - OB_SIZE_OFFSET, (byte) 0);
        long cName = core.mem.malloc(utf8.length + 1L);
        for (int i = 0; i < utf8.length; i++) {
            putByte(cName + i, utf8[i]);
        }
        putByte(cName + utf8.length, (byte) 0);
        putLong(t + OB_SIZE_OFFSET, slots);
        putLong(t + TP_NAME_OFFSET, cName);
        putLong(t + TP_BASICSIZE_OFFSET, SLOTS_OFFSET + 8L * slots);
        putLong(t + TP_ITEMSIZE_OFFSET, 0);
        putLong(t + TP_FLAGS_OFFSET, CLASS_FLAGS);
        putLong(t + TP_BASE_OFFSET, core.objectType);
        core.incref(core.objectType);
        core.types.register(t, name, true, this);
        core.gc.track(t);
        return t;
    }

    public static boolean isClass(long type) {
        return (getLong(type + TP_FLAGS_OFFSET) & HEAPTYPE) != 0;
    }

    public static long slotCount(long instance) {
        return getLong(getLong(instance + OB_TYPE_OFFSET) + OB_SIZE_OFFSET);
    }

    /** A new reference to a new instance, every slot NULL. */
    public long newInstance(long cls) {
        long n = getLong(cls + OB_SIZE_OFFSET);
        long o = core.newGcObject(SLOTS_OFFSET + 8 * n, cls);
        for (long i = 0; i < n; i++) {
            putLong(o + SLOTS_OFFSET + 8 * i, 0);
        }
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

    @Override
    public void dealloc(long o) {
        long cls = getLong(o + OB_TYPE_OFFSET);
        long n = getLong(cls + OB_SIZE_OFFSET);
        for (long i = 0; i < n; i++) {
            long v = slot(o, i);
            if (v != 0) {
                putSlot(o, i, 0);
                core.decref(v);
            }
        }
        core.freeGcObject(o);
        core.decref(cls);
    }

    @Override
    public void traverse(long o, LongConsumer visit) {
        visit.accept(getLong(o + OB_TYPE_OFFSET)); // heap types visit their type (3.9+)
        for (long i = 0, n = slotCount(o); i < n; i++) {
            long v = slot(o, i);
            if (v != 0) {
                visit.accept(v);
            }
        }
    }

    @Override
    public void clear(long o) {
        for (long i = 0, n = slotCount(o); i < n; i++) {
            long v = slot(o, i);
            if (v != 0) {
                putSlot(o, i, 0);
                core.decref(v);
            }
        }
    }

    @Override
    public long sizeOf(long o) {
        return GC_HEAD_LENGTH + getLong(getLong(o + OB_TYPE_OFFSET) + TP_BASICSIZE_OFFSET);
    }

    /** Type objects: only classes are ever deallocated (built-in types are static). */
    private final class TypeObjects implements TypeBehaviour {
        @Override
        public void dealloc(long t) {
            core.types.unregister(core.types.find(t));
            core.mem.free(getLong(t + TP_NAME_OFFSET));
            long base = getLong(t + TP_BASE_OFFSET);
            core.freeGcObject(t);
            core.decref(base);
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
