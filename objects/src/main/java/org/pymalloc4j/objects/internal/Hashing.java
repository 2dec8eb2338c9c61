package org.pymalloc4j.objects.internal;

import static org.pymalloc4j.allocator.internal.NativeMemory.getByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/**
 * CPython 3.11's hash functions on 64-bit, bit for bit: numbers modulo the Mersenne prime
 * 2^61 - 1 ({@code sys.hash_info}), tuples by the xxHash-based combination, pointers rotated by
 * 4 bits, and str/bytes by SipHash-1-3 with the all-zero key, i.e. the values CPython gives with
 * {@code PYTHONHASHSEED=0} (CPython randomises the key per process by default).
 */
public final class Hashing {
    public static final int BITS = 61;
    public static final long MODULUS = (1L << BITS) - 1;
    public static final long INF = 314159;
    private static final long XXPRIME_1 = 0x9E3779B185EBCA87L;
    private static final long XXPRIME_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long XXPRIME_5 = 0x27D4EB2F165667C5L;

    private Hashing() {
    }

    /** {@code _Py_HashPointer}. */
    public static long pointer(long p) {
        long x = Long.rotateRight(p, 4);
        return x == -1 ? -2 : x;
    }

    /** {@code _Py_HashDouble}; NaN hashes by the object's address, as in 3.10+. */
    public static long ofDouble(long o, double v) {
        if (!Double.isFinite(v)) {
            return Double.isInfinite(v) ? (v > 0 ? INF : -INF) : pointer(o);
        }
        int e = Math.getExponent(v);
        double m;
        if (v == 0) {
            return 0;
        } else if (e == Double.MIN_EXPONENT - 1) { // subnormal: frexp by hand
            m = v * 0x1p54;
            e = Math.getExponent(m) - 54 + 1;
            m = m / Math.scalb(1.0, Math.getExponent(m) + 1);
        } else {
            e = e + 1;
            m = Math.scalb(v, -e); // exact; v / 2^e overflowed to v / inf == 0 for e == 1024
        }
        long sign = 1;
        if (m < 0) {
            sign = -1;
            m = -m;
        }
        long x = 0;
        while (m != 0) {
            x = ((x << 28) & MODULUS) | x >>> (BITS - 28);
            m *= 268435456.0; // 2^28
            e -= 28;
            long y = (long) m;
            m -= y;
            x += y;
            if (Long.compareUnsigned(x, MODULUS) >= 0) {
                x -= MODULUS;
            }
        }
        e = e >= 0 ? e % BITS : BITS - 1 - ((-1 - e) % BITS);
        x = ((x << e) & MODULUS) | x >>> (BITS - e);
        x = x * sign;
        return x == -1 ? -2 : x;
    }

    /** {@code tuplehash}: xxHash-style combination of the item hashes. */
    public static long combineTuple(long[] itemHashes) {
        long acc = XXPRIME_5;
        for (long lane : itemHashes) {
            acc += lane * XXPRIME_2;
            acc = Long.rotateLeft(acc, 31);
            acc *= XXPRIME_1;
        }
        acc += itemHashes.length ^ (XXPRIME_5 ^ 3527539L);
        return acc == -1 ? 1546275796L : acc;
    }

    /** {@code _Py_HashBytes}: SipHash-1-3 of {@code length} bytes at {@code data}, key 0; 0 for no bytes. */
    public static long bytes(long data, long length) {
        if (length == 0) {
            return 0;
        }
        long v0 = 0x736f6d6570736575L;
        long v1 = 0x646f72616e646f6dL;
        long v2 = 0x6c7967656e657261L;
        long v3 = 0x7465646279746573L;
        long b = length << 56;
        long at = data;
        long left = length;
        for (; left >= 8; left -= 8, at += 8) {
            long mi = getLong(at); // little endian, as the C code reads it
            v3 ^= mi;
            v0 += v1; v2 += v3; v1 = Long.rotateLeft(v1, 13) ^ v0; v3 = Long.rotateLeft(v3, 16) ^ v2; v0 = Long.rotateLeft(v0, 32);
            v2 += v1; v0 += v3; v1 = Long.rotateLeft(v1, 17) ^ v2; v3 = Long.rotateLeft(v3, 21) ^ v0; v2 = Long.rotateLeft(v2, 32);
            v0 ^= mi;
        }
        long t = 0;
        for (int i = 0; i < left; i++) {
            t |= (getByte(at + i) & 0xFFL) << (8 * i);
        }
        b |= t;
        v3 ^= b;
        v0 += v1; v2 += v3; v1 = Long.rotateLeft(v1, 13) ^ v0; v3 = Long.rotateLeft(v3, 16) ^ v2; v0 = Long.rotateLeft(v0, 32);
        v2 += v1; v0 += v3; v1 = Long.rotateLeft(v1, 17) ^ v2; v3 = Long.rotateLeft(v3, 21) ^ v0; v2 = Long.rotateLeft(v2, 32);
        v0 ^= b;
        v2 ^= 0xff;
        for (int r = 0; r < 3; r++) {
            v0 += v1; v2 += v3; v1 = Long.rotateLeft(v1, 13) ^ v0; v3 = Long.rotateLeft(v3, 16) ^ v2; v0 = Long.rotateLeft(v0, 32);
            v2 += v1; v0 += v3; v1 = Long.rotateLeft(v1, 17) ^ v2; v3 = Long.rotateLeft(v3, 21) ^ v0; v2 = Long.rotateLeft(v2, 32);
        }
        long h = (v0 ^ v1) ^ (v2 ^ v3);
        return h == -1 ? -2 : h;
    }
}
