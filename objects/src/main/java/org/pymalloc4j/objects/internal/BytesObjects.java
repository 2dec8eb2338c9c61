package org.pymalloc4j.objects.internal;

import static org.pymalloc4j.allocator.internal.NativeMemory.getByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.BuiltinLayouts.BYTES_BASE_LENGTH;
import static org.pymalloc4j.objects.BuiltinLayouts.OB_SHASH_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.OB_SVAL_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.OB_SIZE_OFFSET;

/**
 * {@code bytes}: CPython 3.11's {@code PyBytesObject}, {@code 33 + n} bytes with a trailing NUL
 * and a cached hash ({@code ob_shash}, -1 until computed). {@code b''} and the 256 one-byte
 * bytes are static singletons, as 3.11's {@code bytes_empty} and {@code bytes_characters}.
 */
public final class BytesObjects extends TypeBehaviour {
    private final Core core;
    private long empty;
    private final long[] chars = new long[256];

    public BytesObjects(Core core) {
        this.core = core;
    }

    public void bootstrap() {
        empty = core.newStatic(BYTES_BASE_LENGTH, core.bytesType, false);
        putLong(empty + OB_SIZE_OFFSET, 0);
        putLong(empty + OB_SHASH_OFFSET, -1);
        for (int c = 0; c < 256; c++) {
            long o = core.newStatic(BYTES_BASE_LENGTH + 1, core.bytesType, false);
            putLong(o + OB_SIZE_OFFSET, 1);
            putLong(o + OB_SHASH_OFFSET, -1);
            putByte(o + OB_SVAL_OFFSET, (byte) c);
            chars[c] = o;
        }
    }

    /** {@code PyBytes_FromStringAndSize}: a new reference. */
    public long newBytes(byte[] value) {
        if (value.length <= 1) {
            long o = value.length == 0 ? empty : chars[value[0] & 0xFF];
            core.incref(o);
            return o;
        }
        long o = core.newObject(BYTES_BASE_LENGTH + (long) value.length, core.bytesType);
        putLong(o + OB_SIZE_OFFSET, value.length);
        putLong(o + OB_SHASH_OFFSET, -1);
        for (int i = 0; i < value.length; i++) {
            putByte(o + OB_SVAL_OFFSET + i, value[i]);
        }
        putByte(o + OB_SVAL_OFFSET + value.length, (byte) 0);
        return o;
    }

    public static byte[] value(long o) {
        byte[] out = new byte[(int) getLong(o + OB_SIZE_OFFSET)];
        for (int i = 0; i < out.length; i++) {
            out[i] = getByte(o + OB_SVAL_OFFSET + i);
        }
        return out;
    }

    public static long hash(long o) {
        long h = getLong(o + OB_SHASH_OFFSET);
        if (h == -1) {
            h = Hashing.bytes(o + OB_SVAL_OFFSET, getLong(o + OB_SIZE_OFFSET));
            putLong(o + OB_SHASH_OFFSET, h);
        }
        return h;
    }

    public static boolean equal(long a, long b) {
        long n = getLong(a + OB_SIZE_OFFSET);
        if (n != getLong(b + OB_SIZE_OFFSET)) {
            return false;
        }
        for (long i = 0; i < n; i++) {
            if (getByte(a + OB_SVAL_OFFSET + i) != getByte(b + OB_SVAL_OFFSET + i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void dealloc(long o) {
        core.freeObject(o);
    }

    @Override
    public long sizeOf(long o) {
        return BYTES_BASE_LENGTH + getLong(o + OB_SIZE_OFFSET);
    }
}
