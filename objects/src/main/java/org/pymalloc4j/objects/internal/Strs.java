package org.pymalloc4j.objects.internal;

import java.util.HashMap;
import java.util.Map;

import static org.pymalloc4j.allocator.internal.NativeMemory.getByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.putInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.StrLayout.ASCII;
import static org.pymalloc4j.objects.StrLayout.ASCII_LENGTH;
import static org.pymalloc4j.objects.StrLayout.COMPACT;
import static org.pymalloc4j.objects.StrLayout.COMPACT_LENGTH;
import static org.pymalloc4j.objects.StrLayout.HASH_OFFSET;
import static org.pymalloc4j.objects.StrLayout.INTERNED_IMMORTAL;
import static org.pymalloc4j.objects.StrLayout.INTERNED_MASK;
import static org.pymalloc4j.objects.StrLayout.INTERNED_MORTAL;
import static org.pymalloc4j.objects.StrLayout.KIND_MASK;
import static org.pymalloc4j.objects.StrLayout.KIND_SHIFT;
import static org.pymalloc4j.objects.StrLayout.LENGTH_OFFSET;
import static org.pymalloc4j.objects.StrLayout.NOT_INTERNED;
import static org.pymalloc4j.objects.StrLayout.READY;
import static org.pymalloc4j.objects.StrLayout.STATE_OFFSET;

/**
 * {@code str}: CPython 3.11's compact strings (see {@link org.pymalloc4j.objects.StrLayout}).
 * The empty string and the 256 one-character latin-1 strings are static and interned immortal,
 * as in 3.11. Interning keeps a Java map from value to the interned object; as in CPython the
 * map's references are not counted, and a mortal interned string leaves the map when it dies.
 * Unlike 3.11's {@code interned} dict, the map takes no heap memory (objects/README.md).
 */
public final class Strs extends TypeBehaviour {
    private final Core core;
    private final Map<String, Long> interned = new HashMap<>();
    private final long[] chars = new long[256];
    private long empty;

    public Strs(Core core) {
        this.core = core;
    }

    public void bootstrap() {
        empty = makeStatic("");
        for (int c = 0; c < 256; c++) {
            chars[c] = makeStatic(String.valueOf((char) c));
        }
    }

    private long makeStatic(String s) {
        int[] cps = s.codePoints().toArray();
        boolean ascii = cps.length == 0 || cps[0] < 128;
        long o = core.newStatic(headerLength(ascii) + (cps.length + 1L), core.strType, false);
        init(o, cps, 1, ascii, INTERNED_IMMORTAL);
        return o;
    }

    private static int headerLength(boolean ascii) {
        return ascii ? ASCII_LENGTH : COMPACT_LENGTH;
    }

    /**
     * {@code PyUnicode_FromKindAndData} (UCS-4 code points): a new reference in one block of the
     * exact size; not {@code PyUnicode_FromString}, whose UTF-8 decoder widens an oversized
     * buffer and reallocates it.
     */
    public long newStr(String s) {
        int[] cps = s.codePoints().toArray();
        if (cps.length <= 1 && (cps.length == 0 || cps[0] < 256)) {
            long o = cps.length == 0 ? empty : chars[cps[0]];
            core.incref(o);
            return o;
        }
        int max = 0;
        for (int cp : cps) {
            max |= cp;
        }
        int kind = max < 256 ? 1 : max < 65536 ? 2 : 4;
        boolean ascii = max < 128;
        long o = core.newObject(headerLength(ascii) + (cps.length + 1L) * kind, core.strType);
        init(o, cps, kind, ascii, NOT_INTERNED);
        return o;
    }

    private static void init(long o, int[] cps, int kind, boolean ascii, int interned) {
        putLong(o + LENGTH_OFFSET, cps.length);
        putLong(o + HASH_OFFSET, -1);
        putInt(o + STATE_OFFSET, interned | kind << KIND_SHIFT | COMPACT | (ascii ? ASCII : 0) | READY);
        putInt(o + STATE_OFFSET + 4, 0);
        for (long f = o + STATE_OFFSET + 8; f < o + headerLength(ascii); f += 8) {
            putLong(f, 0); // wstr, utf8_length, utf8, wstr_length
        }
        long data = data(o);
        for (int i = 0; i <= cps.length; i++) {
            int cp = i < cps.length ? cps[i] : 0;
            long at = data + (long) i * kind;
            putByte(at, (byte) cp);
            if (kind >= 2) {
                putByte(at + 1, (byte) (cp >>> 8));
            }
            if (kind == 4) {
                putByte(at + 2, (byte) (cp >>> 16));
                putByte(at + 3, (byte) (cp >>> 24));
            }
        }
    }

    public static int state(long o) {
        return getInt(o + STATE_OFFSET);
    }

    public static int kind(long o) {
        return (state(o) & KIND_MASK) >>> KIND_SHIFT;
    }

    public static long length(long o) {
        return getLong(o + LENGTH_OFFSET);
    }

    public static long data(long o) {
        return o + ((state(o) & ASCII) != 0 ? ASCII_LENGTH : COMPACT_LENGTH);
    }

    public static int codePoint(long o, long i) {
        int kind = kind(o);
        long at = data(o) + i * kind;
        return switch (kind) {
            case 1 -> getByte(at) & 0xFF;
            case 2 -> (getByte(at) & 0xFF) | (getByte(at + 1) & 0xFF) << 8;
            default -> getInt(at);
        };
    }

    public static String value(long o) {
        int n = (int) length(o);
        int[] cps = new int[n];
        for (int i = 0; i < n; i++) {
            cps[i] = codePoint(o, i);
        }
        return new String(cps, 0, n);
    }

    /** {@code unicode_hash}: cached in the object once computed. */
    public static long hash(long o) {
        long h = getLong(o + HASH_OFFSET);
        if (h == -1) {
            h = Hashing.bytes(data(o), length(o) * kind(o));
            putLong(o + HASH_OFFSET, h);
        }
        return h;
    }

    /** Equal values have equal kinds in compact form, so comparing the data bytes suffices. */
    public static boolean equal(long a, long b) {
        long n = length(a);
        int kind = kind(a);
        if (n != length(b) || kind != kind(b)) {
            return false;
        }
        long da = data(a);
        long db = data(b);
        for (long i = 0, bytes = n * kind; i < bytes; i++) {
            if (getByte(da + i) != getByte(db + i)) {
                return false;
            }
        }
        return true;
    }

    public static boolean isInterned(long o) {
        return (state(o) & INTERNED_MASK) != NOT_INTERNED;
    }

    /**
     * {@code PyUnicode_InternInPlace}: steals {@code s} and returns a new reference to the
     * interned string equal to it ({@code s} itself if it becomes the interned one).
     */
    public long internInPlace(long s) {
        if (isInterned(s)) {
            return s;
        }
        String key = value(s);
        Long existing = interned.get(key);
        if (existing != null) {
            core.incref(existing);
            core.decrefHeld(s);
            return existing;
        }
        interned.put(key, s);
        putInt(s + STATE_OFFSET, state(s) | INTERNED_MORTAL);
        return s;
    }

    public int internedCount() {
        return interned.size();
    }

    public Map<String, Long> internedView() {
        return java.util.Collections.unmodifiableMap(interned);
    }

    @Override
    public void dealloc(long o) {
        if ((state(o) & INTERNED_MASK) == INTERNED_MORTAL) {
            interned.remove(value(o));
        }
        core.freeObject(o);
    }

    @Override
    public long sizeOf(long o) {
        return (data(o) - o) + (length(o) + 1) * kind(o);
    }
}
