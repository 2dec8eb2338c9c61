package org.pymalloc4j.objects.internal;

import java.util.Arrays;

import static org.pymalloc4j.allocator.internal.NativeMemory.putInt;
import static org.pymalloc4j.objects.TypeLayout.TP_VERSION_TAG_OFFSET;

/**
 * The Java side of every type of a space, indexed by the type's {@code tp_version_tag}.
 *
 * <pre>
 *  for every registered index i:  tag(address[i]) == i  and  find(address[i]) == i
 *  free indexes are reused; find() of an unregistered address is -1
 * </pre>
 * {@link #find} is an open-addressed table of type addresses, used by checked mode to tell a
 * type pointer from garbage without reading through it.
 *
 * <pre>
 *  lastIndex == -1  or  behaviour(lastIndex) == lastBehaviour      (the last answer, kept)
 * </pre>
 */
public final class TypeTable {
    private long[] address = new long[32];
    private TypeBehaviour[] behaviour = new TypeBehaviour[32];
    private String[] name = new String[32];
    private boolean[] gc = new boolean[32];
    private int[] traits = new int[32];
    private int count;
    private int[] freeIndexes = new int[8];
    private int freeCount;
    /** Keys: type addresses ever registered; values: index, or -1 once unregistered. */
    private long[] keys = new long[64];
    private int[] values = new int[64];
    private int used;
    /**
     * A direct-mapped cache of the types {@link #find} found lately, slot {@code (type >>> 4) & 15}:
     * {@code recent[2s]} a type's address ({@link #NO_TYPE} if none), {@code recent[2s + 1]} its index. One slot
     * per type would thrash whenever two types alternate (a tuple and its items, a list and its
     * floats), which every container operation does; types are hundreds of bytes apart, so
     * neighbours land in different slots.
     */
    private final long[] recent = new long[2 * RECENT];
    private static final int RECENT = 16;
    /** An empty slot of {@link #recent}: odd, so never a type's (16-byte-aligned) address. */
    private static final long NO_TYPE = -1;
    /**
     * The index {@link #behaviour} answered last, and its answer. A loop over one type's objects
     * (a float made and dropped, again and again) then reaches the type's behaviour through
     * these two fields, which the JIT keeps in registers, instead of through the array indexed
     * by each object's tag. That matters more than the load it saves: the free list a dealloc
     * pushes onto is then known before the object's type is read, so the next allocation's pop
     * from that list need not wait for the chain object, type, tag, array, behaviour to resolve
     * before the processor can tell the pop reads what the push wrote.
     */
    private int lastIndex = -1;
    private TypeBehaviour lastBehaviour;

    public TypeTable() {
        for (int s = 0; s < recent.length; s += 2) {
            recent[s] = NO_TYPE;
        }
    }

    /** Registers a type and writes its index into {@code tp_version_tag}. */
    public int register(long type, String typeName, boolean isGc, TypeBehaviour b) {
        int i = freeCount > 0 ? freeIndexes[--freeCount] : count++;
        if (i == address.length) {
            int n = i * 2;
            address = Arrays.copyOf(address, n);
            behaviour = Arrays.copyOf(behaviour, n);
            name = Arrays.copyOf(name, n);
            gc = Arrays.copyOf(gc, n);
            traits = Arrays.copyOf(traits, n);
        }
        forgetLast();
        address[i] = type;
        behaviour[i] = b;
        name[i] = typeName;
        gc[i] = isGc;
        traits[i] = b.traits();
        putInt(type + TP_VERSION_TAG_OFFSET, i);
        put(type, i);
        return i;
    }

    /** Forgets a type whose object is about to be freed. */
    public void unregister(int i) {
        int slot = slot(address[i]);
        if (recent[slot] == address[i]) {
            recent[slot] = NO_TYPE;
        }
        put(address[i], -1);
        forgetLast();
        address[i] = 0;
        behaviour[i] = null;
        name[i] = null;
        if (freeCount == freeIndexes.length) {
            freeIndexes = Arrays.copyOf(freeIndexes, freeCount * 2);
        }
        freeIndexes[freeCount++] = i;
    }

    public TypeBehaviour behaviour(int i) {
        return i == lastIndex ? lastBehaviour : remember(i);
    }

    private TypeBehaviour remember(int i) {
        TypeBehaviour b = behaviour[i];
        lastIndex = i;
        lastBehaviour = b;
        return b;
    }

    /** Drops the kept answer of {@link #behaviour}: an index is about to change hands. */
    private void forgetLast() {
        lastIndex = -1;
        lastBehaviour = null;
    }

    /** Whether the answer {@link #behaviour} keeps is still the table's (the invariant above). */
    public boolean lastAnswerIsCurrent() {
        return lastIndex == -1 || lastIndex < count && behaviour[lastIndex] == lastBehaviour;
    }

    public boolean isGc(int i) {
        return gc[i];
    }

    /** {@link TypeBehaviour#traits()} of the type at index {@code i}, read once at registration. */
    public int traits(int i) {
        return traits[i];
    }

    public String name(int i) {
        return name[i];
    }

    public long address(int i) {
        return address[i];
    }

    /** Indexes in use are below this bound. */
    public int bound() {
        return count;
    }

    /** The index of the type at {@code type}, or -1 if no live type is there. */
    public int find(long type) {
        int slot = slot(type);
        long[] r = recent;
        if (r[slot] == type) {
            return (int) r[slot + 1];
        }
        return findInTable(type, slot);
    }

    /**
     * Whether {@link #find} found {@code type} lately, without probing the table: true only for
     * a registered type (0 and the freed-object marker never are), false may still be a type.
     */
    public boolean isRecent(long type) {
        return recent[slot(type)] == type;
    }

    private static int slot(long type) {
        return ((int) (type >>> 4) & (RECENT - 1)) << 1;
    }

    private int findInTable(long type, int slot) {
        if (type == 0) {
            return -1; // 0 marks empty table slots, and is no type
        }
        int mask = keys.length - 1;
        for (int h = mix(type) & mask; ; h = (h + 1) & mask) {
            long k = keys[h];
            if (k == type) {
                int v = values[h];
                if (v >= 0) {
                    recent[slot] = type;
                    recent[slot + 1] = v;
                }
                return v;
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    private void put(long type, int index) {
        int mask = keys.length - 1;
        int h = mix(type) & mask;
        while (keys[h] != 0 && keys[h] != type) {
            h = (h + 1) & mask;
        }
        if (keys[h] == 0) {
            keys[h] = type;
            if (++used * 2 > keys.length) {
                values[h] = index;
                grow();
                return;
            }
        }
        values[h] = index;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        used = 0;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0 && oldValues[j] >= 0) {
                put(oldKeys[j], oldValues[j]);
            }
        }
    }

    private static int mix(long x) {
        x *= 0x9E3779B97F4A7C15L;
        return (int) (x >>> 32);
    }
}
