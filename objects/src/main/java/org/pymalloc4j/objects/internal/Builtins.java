package org.pymalloc4j.objects.internal;

import java.nio.charset.StandardCharsets;

import static org.pymalloc4j.allocator.internal.NativeMemory.putByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.WEAKREF_LENGTH;
import static org.pymalloc4j.objects.TypeLayout.HAVE_GC;
import static org.pymalloc4j.objects.TypeLayout.TP_WEAKLISTOFFSET_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_WEAKLIST_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_BASE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_BASICSIZE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_FLAGS_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_ITEMSIZE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TP_NAME_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.TYPE_OBJECT_LENGTH;

/**
 * Every built-in type and static object of a space, made once at start-up in the static area.
 * Sizes and flags are CPython 3.11's ({@code __basicsize__}, {@code __itemsize__},
 * {@code __flags__} as 3.11.7 reports them).
 */
public final class Builtins {
    /** Bytes of the static area: types, None, bools, small ints, empty singletons, 1-char strings, 1-byte bytes. */
    public static final long STATIC_BYTES = 61 * 1024 + 128;

    public final Core core;
    public final Ints ints;
    public final Floats floats;
    public final Strs strs;
    public final BytesObjects bytes;
    public final Tuples tuples;
    public final Lists lists;
    public final Protocols protocols;
    public final Dicts dicts;
    public final Instances instances;
    public final Weakrefs weakrefs;
    public final DataStack stack;
    public final GcCollection collection;
    public long none;

    public Builtins(Core core) {
        this.core = core;
        this.ints = new Ints(core);
        this.floats = new Floats(core);
        this.strs = new Strs(core);
        this.bytes = new BytesObjects(core);
        this.tuples = new Tuples(core);
        this.lists = new Lists(core);
        this.protocols = new Protocols(core, ints);
        this.dicts = new Dicts(core, protocols);
        this.weakrefs = new Weakrefs(core, tuples);
        this.instances = new Instances(core, weakrefs);
        this.stack = new DataStack(core);
        TypeBehaviour noneBehaviour = new TypeBehaviour() {
            @Override
            public void dealloc(long o) {
                throw new IllegalStateException("deallocating None");
            }

            @Override
            public long sizeOf(long o) {
                return 16;
            }
        };
        core.typeType = type("type", 904, 40, 0x80085d00L, instances.typeObjects);
        putLong(core.typeType + OB_TYPE_OFFSET, core.typeType);
        core.objectType = type("object", 16, 0, 0x81500L, noneBehaviour);
        putLong(core.typeType + TP_BASE_OFFSET, core.objectType);
        core.noneType = type("NoneType", 16, 0, 0x81100L, noneBehaviour);
        core.intType = type("int", 24, 4, 0x1481500L, ints);
        core.boolType = type("bool", 32, 4, 0x1481100L, ints);
        putLong(core.boolType + TP_BASE_OFFSET, core.intType);
        core.floatType = type("float", 24, 0, 0x401500L, floats);
        core.bytesType = type("bytes", 33, 1, 0x8481500L, bytes);
        core.strType = type("str", 80, 0, 0x10481500L, strs);
        core.tupleType = type("tuple", 24, 8, 0x4485520L, tuples);
        core.listType = type("list", 40, 0, 0x2485520L, lists);
        core.dictType = type("dict", 48, 0, 0x20485540L, dicts);
        core.weakrefType = type("weakref.ReferenceType", WEAKREF_LENGTH, 0, 0x85d00L, weakrefs);
        putLong(core.typeType + TP_WEAKLISTOFFSET_OFFSET, TP_WEAKLIST_OFFSET); // classes can be weakly referenced
        none = core.newStatic(16, core.noneType, false);
        core.none = none;
        ints.bootstrap();
        strs.bootstrap();
        bytes.bootstrap();
        tuples.bootstrap();
        dicts.bootstrap();
        collection = new GcCollection(core, lists, weakrefs, this::clearFreeLists);
        core.alloc.freeListsEmptiedBy(() -> clearFreeLists() > 0); // for an allocation the memory refused
    }

    private long type(String name, long basicsize, long itemsize, long flags, TypeBehaviour behaviour) {
        long t = core.newStatic(TYPE_OBJECT_LENGTH, core.typeType, true);
        byte[] utf8 = name.getBytes(StandardCharsets.US_ASCII);
        long cName = core.statics.carve(utf8.length + 1L);
        for (int i = 0; i < utf8.length; i++) {
            putByte(cName + i, utf8[i]);
        }
        putLong(t + TP_NAME_OFFSET, cName);
        putLong(t + TP_BASICSIZE_OFFSET, basicsize);
        putLong(t + TP_ITEMSIZE_OFFSET, itemsize);
        putLong(t + TP_FLAGS_OFFSET, flags);
        putLong(t + TP_BASE_OFFSET, core.objectType); // 0 while object itself is made
        core.types.register(t, name, (flags & HAVE_GC) != 0, behaviour);
        return t;
    }

    /**
     * Frees every free list's parked blocks in 3.11's {@code clear_freelists} order: tuples
     * (sizes 1 up), floats, lists, dicts then dict keys, each most recently parked first. The
     * order the blocks reach the allocator decides its pools' free lists and so where later
     * objects go. Returns how many blocks went back.
     */
    public int clearFreeLists() {
        return tuples.clearFreeLists() + floats.clearFreeList() + lists.clearFreeList() + dicts.clearFreeList();
    }
}
