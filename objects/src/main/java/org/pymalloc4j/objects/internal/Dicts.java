package org.pymalloc4j.objects.internal;

import java.util.function.LongConsumer;

import static org.pymalloc4j.allocator.internal.NativeMemory.fill;
import static org.pymalloc4j.allocator.internal.NativeMemory.getByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.putInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.BuiltinLayouts.DICT_LENGTH;
import static org.pymalloc4j.objects.BuiltinLayouts.MA_KEYS_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.MA_USED_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.MA_VALUES_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.MA_VERSION_TAG_OFFSET;
import static org.pymalloc4j.objects.DictKeysLayout.DK_INDICES_OFFSET;
import static org.pymalloc4j.objects.DictKeysLayout.DK_KIND_OFFSET;
import static org.pymalloc4j.objects.DictKeysLayout.DK_LOG2_INDEX_BYTES_OFFSET;
import static org.pymalloc4j.objects.DictKeysLayout.DK_LOG2_SIZE_OFFSET;
import static org.pymalloc4j.objects.DictKeysLayout.DK_NENTRIES_OFFSET;
import static org.pymalloc4j.objects.DictKeysLayout.DK_REFCNT_OFFSET;
import static org.pymalloc4j.objects.DictKeysLayout.DK_USABLE_OFFSET;
import static org.pymalloc4j.objects.DictKeysLayout.DK_VERSION_OFFSET;
import static org.pymalloc4j.objects.DictKeysLayout.GENERAL_ENTRY_LENGTH;
import static org.pymalloc4j.objects.DictKeysLayout.KIND_GENERAL;
import static org.pymalloc4j.objects.DictKeysLayout.KIND_UNICODE;
import static org.pymalloc4j.objects.DictKeysLayout.LOG2_MIN_SIZE;
import static org.pymalloc4j.objects.DictKeysLayout.UNICODE_ENTRY_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;

/**
 * {@code dict}: CPython 3.11's combined-table dict, the 48-byte {@code PyDictObject} with a GC
 * head and its {@code PyDictKeysObject} (see {@link org.pymalloc4j.objects.DictKeysLayout}) in
 * the OBJ domain: open addressing over the index table with CPython's perturbed probing,
 * entries in insertion order, str-only tables in the 16-byte "unicode" entry form until a
 * non-str key arrives, growth to {@code used * 3} rounded up to a power of two. Empty dicts
 * share one static empty keys object. Not done: split tables (instances have no {@code __dict__}
 * here). Free lists as 3.11: 80 dict objects, and 80 keys objects of the minimum size with str
 * keys only ({@code keys_free_list}), parked when their dict is freed or cleared or a resize
 * replaces them.
 *
 * <pre>
 *  ma_used == live entries == index slots holding an entry number;  dk_usable + dk_nentries == 2 * size / 3
 * </pre>
 */
public final class Dicts extends TypeBehaviour {
    public static final int MAX_FREE = 80;
    private static final long DKIX_EMPTY = -1;
    private static final long DKIX_DUMMY = -2;
    private static final int PERTURB_SHIFT = 5;

    private final Core core;
    private final Protocols protocols;
    public final FreeList free = new FreeList(MAX_FREE);
    /** Keys blocks of {@code LOG2_MIN_SIZE} with the unicode entry form: not objects, just blocks. */
    public final FreeList keysFree = new FreeList(MAX_FREE);
    private long emptyKeys;
    private long version;

    public Dicts(Core core, Protocols protocols) {
        this.core = core;
        this.protocols = protocols;
    }

    /**
     * The static keys every empty dict shares, 3.11's {@code empty_keys_struct}: log2 size 0 (one
     * index slot) and one byte of indices, unicode kind, {@code dk_version} 1, nothing usable,
     * with its eight {@code DKIX_EMPTY} index bytes. Its {@code dk_refcnt} is the static objects'
     * (3.11 counts the dicts sharing it there).
     */
    public void bootstrap() {
        emptyKeys = core.statics.carve(DK_INDICES_OFFSET + 8);
        putLong(emptyKeys + DK_REFCNT_OFFSET, Core.IMMORTAL_REFCNT);
        putByte(emptyKeys + DK_LOG2_SIZE_OFFSET, (byte) 0);
        putByte(emptyKeys + DK_LOG2_INDEX_BYTES_OFFSET, (byte) 0);
        putByte(emptyKeys + DK_KIND_OFFSET, (byte) KIND_UNICODE);
        putInt(emptyKeys + DK_VERSION_OFFSET, 1);
        fill(emptyKeys + DK_INDICES_OFFSET, 8, (byte) -1);
    }

    /** {@code PyDict_New}: a new reference; untracked until it holds a possible container (3.11). */
    public long newDict() {
        long d = free.pop();
        if (d != 0) {
            core.revive(d, core.dictType);
        } else {
            d = core.newGcObject(DICT_LENGTH, core.dictType);
        }
        putLong(d + MA_USED_OFFSET, 0);
        putLong(d + MA_VERSION_TAG_OFFSET, ++version);
        putLong(d + MA_KEYS_OFFSET, emptyKeys);
        putLong(d + MA_VALUES_OFFSET, 0);
        return d;
    }

    public static long size(long d) {
        return getLong(d + MA_USED_OFFSET);
    }

    // ------------------------------------------------------------------ keys object access

    private static long keys(long d) {
        return getLong(d + MA_KEYS_OFFSET);
    }

    private static int log2Size(long k) {
        return getByte(k + DK_LOG2_SIZE_OFFSET);
    }

    private static int kind(long k) {
        return getByte(k + DK_KIND_OFFSET);
    }

    private static int entryLength(long k) {
        return kind(k) == KIND_GENERAL ? GENERAL_ENTRY_LENGTH : UNICODE_ENTRY_LENGTH;
    }

    private static long entry(long k, long ix) {
        return k + DK_INDICES_OFFSET + (1L << getByte(k + DK_LOG2_INDEX_BYTES_OFFSET)) + ix * entryLength(k);
    }

    /** Offset of me_key within an entry: after me_hash in general entries. */
    private static long keyOffset(long k) {
        return kind(k) == KIND_GENERAL ? 8 : 0;
    }

    private static long entryKey(long k, long ix) {
        return getLong(entry(k, ix) + keyOffset(k));
    }

    private static long entryValue(long k, long ix) {
        return getLong(entry(k, ix) + keyOffset(k) + 8);
    }

    private static long entryHash(long k, long ix) {
        return kind(k) == KIND_GENERAL ? getLong(entry(k, ix)) : Strs.hash(entryKey(k, ix));
    }

    private static int indexWidth(long k) {
        return 1 << (getByte(k + DK_LOG2_INDEX_BYTES_OFFSET) - log2Size(k));
    }

    private static long index(long k, long slot) {
        long at = k + DK_INDICES_OFFSET;
        return switch (indexWidth(k)) {
            case 1 -> getByte(at + slot);
            case 2 -> (short) ((getByte(at + 2 * slot) & 0xFF) | getByte(at + 2 * slot + 1) << 8);
            case 4 -> getInt(at + 4 * slot);
            default -> getLong(at + 8 * slot);
        };
    }

    private static void setIndex(long k, long slot, long ix) {
        long at = k + DK_INDICES_OFFSET;
        switch (indexWidth(k)) {
            case 1 -> putByte(at + slot, (byte) ix);
            case 2 -> {
                putByte(at + 2 * slot, (byte) ix);
                putByte(at + 2 * slot + 1, (byte) (ix >> 8));
            }
            case 4 -> putInt(at + 4 * slot, (int) ix);
            default -> putLong(at + 8 * slot, ix);
        }
    }

    /** The index slot whose entry holds a key equal to {@code key}, or -1. */
    private long findSlot(long k, long key, long hash) {
        long mask = (1L << log2Size(k)) - 1;
        long i = hash & mask;
        for (long perturb = hash; ; ) {
            long ix = index(k, i);
            if (ix == DKIX_EMPTY) {
                return -1;
            }
            if (ix >= 0) {
                long ek = entryKey(k, ix);
                if (ek == key || (entryHash(k, ix) == hash && protocols.equal(ek, key))) {
                    return i;
                }
            }
            perturb >>>= PERTURB_SHIFT;
            i = (i * 5 + perturb + 1) & mask;
        }
    }

    /** The first slot on the probe sequence holding no entry (empty or dummy). */
    private static long findEmptySlot(long k, long hash) {
        long mask = (1L << log2Size(k)) - 1;
        long i = hash & mask;
        for (long perturb = hash; index(k, i) >= 0; ) {
            perturb >>>= PERTURB_SHIFT;
            i = (i * 5 + perturb + 1) & mask;
        }
        return i;
    }

    // ------------------------------------------------------------------ operations

    /** {@code PyDict_GetItem}: the value, borrowed, or 0; {@code hash} is the key's ({@link Protocols#hash}). */
    public long get(long d, long key, long hash) {
        long k = keys(d);
        long slot = findSlot(k, key, hash);
        return slot < 0 ? 0 : entryValue(k, index(k, slot));
    }

    /** {@code PyDict_SetItem}: takes new references to key and value; {@code hash} is the key's. */
    public void set(long d, long key, long hash, long value) {
        core.incref(key);
        core.incref(value);
        long slot;
        try {
            try {
                slot = makeRoom(d, key, hash, value);
            } catch (OutOfMemoryError e) {
                // The collection runs finalizers and callbacks, which may have stored into or
                // resized this dict: the retry looks the key up again in the dict as it is now.
                core.alloc.collectForMemory(e);
                slot = makeRoom(d, key, hash, value);
            }
        } catch (RuntimeException | OutOfMemoryError e) { // insertdict's Fail: nothing stored, nothing kept
            core.decrefHeld(value);
            core.decrefHeld(key);
            throw e;
        }
        long k = keys(d);
        if (slot >= 0) {
            long at = entry(k, index(k, slot)) + keyOffset(k) + 8;
            long old = getLong(at);
            if (old != value) { // insertdict: the same value again changes nothing, not even the version
                putLong(at, value);
                putLong(d + MA_VERSION_TAG_OFFSET, ++version);
            }
            try { // insertdict's order: the old value (which can re-enter), then the key
                core.decrefHeld(old);
            } finally { // also when checked mode refuses a freed old value: the key, checked live, is released
                core.decrefHeld(key);
            }
            return;
        }
        long ix = getLong(k + DK_NENTRIES_OFFSET);
        setIndex(k, findEmptySlot(k, hash), ix);
        writeEntry(k, ix, hash, key, value);
        putLong(k + DK_USABLE_OFFSET, getLong(k + DK_USABLE_OFFSET) - 1);
        putLong(k + DK_NENTRIES_OFFSET, ix + 1);
        putLong(d + MA_USED_OFFSET, size(d) + 1);
        putLong(d + MA_VERSION_TAG_OFFSET, ++version);
    }

    /**
     * The lookup and table growth of {@code insert_to_emptydict} and {@code insertdict}: the
     * index slot of an entry holding {@code key}, or -1 once the table has room for a new entry.
     * A refused table leaves the dict as it was and runs no collection (see {@link #set}).
     */
    private long makeRoom(long d, long key, long hash, long value) {
        long k = keys(d);
        boolean strKey = getLong(key + OB_TYPE_OFFSET) == core.strType;
        if (k == emptyKeys) { // insert_to_emptydict
            putLong(d + MA_KEYS_OFFSET, newKeys(LOG2_MIN_SIZE, strKey));
            maintainTracking(d, key, value);
            return -1;
        }
        // insertdict: a str-only table given another key turns general, then MAINTAIN_TRACKING, then growth
        long slot = findSlot(k, key, hash);
        if (slot < 0 && kind(k) == KIND_UNICODE && !strKey) {
            k = grow(d, false);
        }
        maintainTracking(d, key, value);
        if (slot < 0 && getLong(k + DK_USABLE_OFFSET) <= 0) {
            grow(d, kind(k) == KIND_UNICODE);
        }
        return slot;
    }

    /** insertdict's {@code insertion_resize}: a table for three times the items; returns the new keys. */
    private long grow(long d, boolean unicode) {
        resize(d, log2ForMinSize(size(d) * 3), unicode);
        return keys(d);
    }

    /**
     * {@code MAINTAIN_TRACKING}: a dict is tracked once it may hold a container. 3.11 does it
     * once the keys object that will hold the item exists, so a refused allocation before that
     * leaves the dict as it was.
     */
    private void maintainTracking(long d, long key, long value) {
        if (!GcHead.isTracked(d) && (core.gc.mayBeTracked(key) || core.gc.mayBeTracked(value))) {
            core.gc.track(d);
        }
    }

    private static void writeEntry(long k, long ix, long hash, long key, long value) {
        long e = entry(k, ix);
        if (kind(k) == KIND_GENERAL) {
            putLong(e, hash);
        }
        putLong(e + keyOffset(k), key);
        putLong(e + keyOffset(k) + 8, value);
    }

    /** {@code PyDict_DelItem}, reporting a missing key by returning false; {@code hash} is the key's. */
    public boolean delete(long d, long key, long hash) {
        long k = keys(d);
        long slot = findSlot(k, key, hash);
        if (slot < 0) {
            return false;
        }
        long ix = index(k, slot);
        long e = entry(k, ix) + keyOffset(k);
        long oldKey = getLong(e);
        long oldValue = getLong(e + 8);
        setIndex(k, slot, DKIX_DUMMY);
        putLong(e, 0);
        putLong(e + 8, 0);
        if (kind(k) == KIND_GENERAL) {
            putLong(e - 8, 0); // delitem_common zeroes a general entry's me_hash too
        }
        putLong(d + MA_USED_OFFSET, size(d) - 1);
        putLong(d + MA_VERSION_TAG_OFFSET, ++version);
        core.decrefHeld(oldKey);
        core.decrefHeld(oldValue);
        return true;
    }

    /**
     * {@code _PyDict_Next}'s walk: the number of the first entry at or after {@code pos} that
     * holds a value, or -1 past the last. Entries are in insertion order; deleted ones are empty.
     */
    public static long nextEntry(long d, long pos) {
        long k = keys(d);
        for (long end = getLong(k + DK_NENTRIES_OFFSET); pos < end; pos++) {
            if (entryValue(k, pos) != 0) {
                return pos;
            }
        }
        return -1;
    }

    /** The key of entry {@code ix} ({@link #nextEntry}), borrowed. */
    public static long keyAt(long d, long ix) {
        return entryKey(keys(d), ix);
    }

    /** The value of entry {@code ix} ({@link #nextEntry}), borrowed. */
    public static long valueAt(long d, long ix) {
        return entryValue(keys(d), ix);
    }

    /** {@code calculate_log2_keysize}: the smallest table of at least {@code minSize} slots, 8 at least. */
    static int log2ForMinSize(long minSize) {
        long m = (minSize | (1 << LOG2_MIN_SIZE)) - 1;
        return 64 - Long.numberOfLeadingZeros(m | ((1 << LOG2_MIN_SIZE) - 1));
    }

    private long newKeys(int log2Size, boolean unicode) {
        int log2Bytes = log2Size + (log2Size < 8 ? 0 : log2Size < 16 ? 1 : log2Size < 32 ? 2 : 3);
        long usable = usableFraction(1L << log2Size);
        int entryLength = unicode ? UNICODE_ENTRY_LENGTH : GENERAL_ENTRY_LENGTH;
        long entriesBytes = usable * entryLength;
        long k = log2Size == LOG2_MIN_SIZE && unicode ? keysFree.pop() : 0;
        if (k == 0) {
            k = core.obj.malloc(DK_INDICES_OFFSET + (1L << log2Bytes) + entriesBytes);
        }
        putLong(k + DK_REFCNT_OFFSET, 1);
        putByte(k + DK_LOG2_SIZE_OFFSET, (byte) log2Size);
        putByte(k + DK_LOG2_INDEX_BYTES_OFFSET, (byte) log2Bytes);
        putByte(k + DK_KIND_OFFSET, (byte) (unicode ? KIND_UNICODE : KIND_GENERAL));
        putByte(k + DK_KIND_OFFSET + 1, (byte) 0);
        putInt(k + DK_VERSION_OFFSET, 0);
        putLong(k + DK_USABLE_OFFSET, usable);
        putLong(k + DK_NENTRIES_OFFSET, 0);
        fill(k + DK_INDICES_OFFSET, 1L << log2Bytes, (byte) -1);
        fill(k + DK_INDICES_OFFSET + (1L << log2Bytes), entriesBytes, (byte) 0);
        return k;
    }

    static long usableFraction(long size) {
        return (size << 1) / 3;
    }

    /** {@code dictresize}: a new table holding the live entries in order, dummies dropped. */
    private void resize(long d, int log2Size, boolean unicode) {
        long old = keys(d);
        long k = newKeys(log2Size, unicode);
        long n = 0;
        for (long ix = 0, end = getLong(old + DK_NENTRIES_OFFSET); ix < end; ix++) {
            long key = entryKey(old, ix);
            if (key != 0) {
                long hash = entryHash(old, ix);
                writeEntry(k, n, hash, key, entryValue(old, ix));
                setIndex(k, findEmptySlot(k, hash), n);
                n++;
            }
        }
        putLong(k + DK_USABLE_OFFSET, getLong(k + DK_USABLE_OFFSET) - n);
        putLong(k + DK_NENTRIES_OFFSET, n);
        putLong(d + MA_KEYS_OFFSET, k);
        if (old != emptyKeys) {
            freeKeys(old);
        }
    }

    // ------------------------------------------------------------------ behaviour

    @Override
    public void dealloc(long d) {
        long k = keys(d);
        if (k != emptyKeys) {
            releaseEntries(k);
            freeKeys(k);
        }
        if (free.push(d)) {
            core.park(d);
        } else {
            core.freeGcObject(d);
        }
    }

    @Override
    public boolean isParked(long d) {
        return free.contains(d);
    }

    private void releaseEntries(long k) {
        for (long ix = 0, end = getLong(k + DK_NENTRIES_OFFSET); ix < end; ix++) {
            long key = entryKey(k, ix);
            if (key != 0) {
                long value = entryValue(k, ix);
                core.decrefHeld(key);
                core.xdecrefHeld(value);
            }
        }
    }

    @Override
    public void traverse(long d, LongConsumer visit) {
        long k = keys(d);
        boolean unicode = kind(k) == KIND_UNICODE; // str keys are never containers: values only
        for (long ix = 0, end = getLong(k + DK_NENTRIES_OFFSET); ix < end; ix++) {
            long value = entryValue(k, ix);
            if (value != 0 && entryKey(k, ix) != 0) {
                visit.accept(value); // dict_traverse's order: the value, then the key
                if (!unicode) {
                    visit.accept(entryKey(k, ix));
                }
            }
        }
    }

    /** {@code PyDict_Clear}: the dict takes the empty keys before any reference is dropped. */
    @Override
    public void clear(long d) {
        long k = keys(d);
        if (k == emptyKeys) {
            return;
        }
        putLong(d + MA_KEYS_OFFSET, emptyKeys);
        putLong(d + MA_USED_OFFSET, 0);
        putLong(d + MA_VERSION_TAG_OFFSET, ++version);
        releaseEntries(k);
        freeKeys(k);
    }

    /** {@code free_keys_object}: a minimum-size str-only table is parked if there is room, else freed. */
    private void freeKeys(long k) {
        if (log2Size(k) != LOG2_MIN_SIZE || kind(k) != KIND_UNICODE || !keysFree.push(k)) {
            core.obj.free(k);
        }
    }

    /** {@code dict.__sizeof__} + GC head: the keys count when this dict owns them alone. */
    @Override
    public long sizeOf(long d) {
        long k = keys(d);
        long size = GC_HEAD_LENGTH + DICT_LENGTH;
        if (k != emptyKeys && getLong(k + DK_REFCNT_OFFSET) == 1) {
            size += DK_INDICES_OFFSET + (1L << getByte(k + DK_LOG2_INDEX_BYTES_OFFSET))
                    + usableFraction(1L << log2Size(k)) * entryLength(k);
        }
        return size;
    }

    /** Checks a dict's table against its invariants; for validators. */
    public void check(long d) {
        long k = keys(d);
        if (keysFree.contains(k)) {
            throw new IllegalStateException(String.format("dict 0x%x uses the parked keys 0x%x", d, k));
        }
        long live = 0;
        long slots = 1L << log2Size(k);
        long nentries = getLong(k + DK_NENTRIES_OFFSET);
        for (long i = 0; i < slots; i++) {
            long ix = index(k, i);
            if (ix >= 0) {
                if (ix >= nentries || entryKey(k, ix) == 0) {
                    throw new IllegalStateException(String.format("dict 0x%x: slot %d points at dead entry %d", d, i, ix));
                }
                live++;
            }
        }
        if (live != size(d)) {
            throw new IllegalStateException(String.format("dict 0x%x: ma_used %d but %d live slots", d, size(d), live));
        }
        if (k != emptyKeys && getLong(k + DK_USABLE_OFFSET) + nentries != usableFraction(slots)) {
            throw new IllegalStateException(String.format("dict 0x%x: dk_usable + dk_nentries != usable_fraction", d));
        }
    }

    /** The keys free list's invariant, for validators: distinct minimum-size str-only tables. */
    public void checkKeysFreeList() {
        for (int i = 0; i < keysFree.size(); i++) {
            long k = keysFree.get(i);
            if (log2Size(k) != LOG2_MIN_SIZE || kind(k) != KIND_UNICODE) {
                throw new IllegalStateException(String.format("parked dict keys 0x%x: log2 size %d, kind %d", k,
                        log2Size(k), kind(k)));
            }
            for (int j = 0; j < i; j++) {
                if (keysFree.get(j) == k) {
                    throw new IllegalStateException(String.format("dict keys 0x%x parked twice", k));
                }
            }
        }
    }

    /** {@code _PyDict_ClearFreeList}: the dicts, then the keys, each most recently parked first. */
    public int clearFreeList() {
        return free.drain(d -> core.freeParked(d, true)) + keysFree.drain(core.obj::free);
    }
}
