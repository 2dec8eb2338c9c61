package org.pymalloc4j.objects.internal;

import java.math.BigInteger;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.BuiltinLayouts.DIGIT_BITS;
import static org.pymalloc4j.objects.BuiltinLayouts.OB_DIGIT_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.OB_SIZE_OFFSET;

/**
 * {@code int} and {@code bool}: CPython 3.11's {@code PyLongObject}, a sign-magnitude number in
 * 30-bit digits, least significant first, with {@code ob_size = sign * ndigits} (0 for zero) and
 * at least one digit allocated. The small ints -5..256 are static, as are True and False.
 *
 * <pre>
 *  value = sign(ob_size) * Σ digit[i] * 2^(30 i),  0 &lt;= i &lt; |ob_size|;  digit[|ob_size|-1] != 0
 *  sys.getsizeof = 24 + 4 * max(1, |ob_size|); the block asked for is that, or 32 for one digit (_PyLong_FromMedium)
 * </pre>
 */
public final class Ints extends TypeBehaviour {
    public static final int SMALL_MIN = -5;
    public static final int SMALL_MAX = 256;
    private static final long DIGIT_MASK = (1L << DIGIT_BITS) - 1;
    /**
     * {@code sizeof(PyLongObject)}: static ints take 32 bytes each, as in CPython's runtime state,
     * and so does a one-digit int made by {@code PyLong_FromLong} (3.11's {@code _PyLong_FromMedium}).
     */
    private static final int STATIC_INT_LENGTH = 32;

    private final Core core;
    private final long[] small = new long[SMALL_MAX - SMALL_MIN + 1];
    private long trueObject;
    private long falseObject;

    public Ints(Core core) {
        this.core = core;
    }

    /** Creates the static small ints and the two bools; the types must exist. */
    public void bootstrap() {
        for (int v = SMALL_MIN; v <= SMALL_MAX; v++) {
            long o = core.newStatic(STATIC_INT_LENGTH, core.intType, false);
            writeSmall(o, v);
            small[v - SMALL_MIN] = o;
        }
        falseObject = core.newStatic(STATIC_INT_LENGTH, core.boolType, false);
        writeSmall(falseObject, 0);
        trueObject = core.newStatic(STATIC_INT_LENGTH, core.boolType, false);
        writeSmall(trueObject, 1);
    }

    private static void writeSmall(long o, int v) {
        putLong(o + OB_SIZE_OFFSET, Integer.signum(v));
        putInt(o + OB_DIGIT_OFFSET, Math.abs(v));
    }

    public long trueObject() {
        return trueObject;
    }

    public long falseObject() {
        return falseObject;
    }

    /** The static small int {@code v}, borrowed; -5 &lt;= v &lt;= 256. */
    public long small(int v) {
        return small[v - SMALL_MIN];
    }

    /** {@code PyLong_FromLong}: a new reference. */
    public long fromLong(long v) {
        if (v >= SMALL_MIN && v <= SMALL_MAX) {
            long o = small[(int) v - SMALL_MIN];
            core.incref(o);
            return o;
        }
        long magnitude = Math.abs(v); // Long.MIN_VALUE stays 2^63 read unsigned
        int n = (64 - Long.numberOfLeadingZeros(magnitude) + DIGIT_BITS - 1) / DIGIT_BITS;
        // _PyLong_FromMedium asks for sizeof(PyLongObject), 32, for one digit; _PyLong_New for more
        long o = core.newObject(n == 1 ? STATIC_INT_LENGTH : OB_DIGIT_OFFSET + 4L * n, core.intType);
        putLong(o + OB_SIZE_OFFSET, v < 0 ? -n : n);
        for (int i = 0; i < n; i++) {
            putInt(o + OB_DIGIT_OFFSET + 4L * i, (int) (magnitude & DIGIT_MASK));
            magnitude >>>= DIGIT_BITS;
        }
        return o;
    }

    /** A new reference to an int of any size. */
    public long fromBigInteger(BigInteger v) {
        if (v.bitLength() < 64) {
            return fromLong(v.longValue());
        }
        BigInteger magnitude = v.abs();
        int n = (magnitude.bitLength() + DIGIT_BITS - 1) / DIGIT_BITS;
        long o = core.newObject(OB_DIGIT_OFFSET + 4L * n, core.intType);
        putLong(o + OB_SIZE_OFFSET, v.signum() < 0 ? -n : n);
        // The bytes, least significant first, regrouped into 30-bit digits: one pass, where a
        // shiftRight per digit copied the whole number each time (quadratic).
        byte[] bigEndian = magnitude.toByteArray();
        long bits = 0;
        int held = 0;
        int i = 0;
        for (int k = bigEndian.length - 1; k >= 0 && i < n; k--) {
            bits |= (bigEndian[k] & 0xFFL) << held;
            held += 8;
            if (held >= DIGIT_BITS) {
                putInt(o + OB_DIGIT_OFFSET + 4L * i++, (int) (bits & DIGIT_MASK));
                bits >>>= DIGIT_BITS;
                held -= DIGIT_BITS;
            }
        }
        if (i < n) {
            putInt(o + OB_DIGIT_OFFSET + 4L * i, (int) bits); // the top digit, under 30 bits
        }
        return o;
    }

    /** {@code PyLong_AsLong}, for int or bool objects. */
    public long toLong(long o) {
        long size = getLong(o + OB_SIZE_OFFSET);
        int n = (int) Math.abs(size);
        if (n > 3) {
            throw overflow(o);
        }
        long magnitude = 0;
        for (int i = n - 1; i >= 0; i--) {
            magnitude = (magnitude << DIGIT_BITS) | (getInt(o + OB_DIGIT_OFFSET + 4L * i) & DIGIT_MASK);
        }
        if (n == 3 && getInt(o + OB_DIGIT_OFFSET + 8) >= 16) { // above 2^64: the shifts lost bits
            throw overflow(o);
        }
        if (size >= 0) {
            if (magnitude < 0) {
                throw overflow(o);
            }
            return magnitude;
        }
        if (magnitude < 0 && magnitude != Long.MIN_VALUE) {
            throw overflow(o);
        }
        return -magnitude;
    }

    private ArithmeticException overflow(long o) {
        return new ArithmeticException(String.format(
                "the int at 0x%x does not fit in a long (Python int too large to convert to C long)", o));
    }

    public BigInteger toBigInteger(long o) {
        long size = getLong(o + OB_SIZE_OFFSET);
        int n = (int) Math.abs(size);
        // The digits regrouped into bytes, least significant first, then one BigInteger: linear,
        // where a shiftLeft per digit copied the whole number each time.
        byte[] bigEndian = new byte[(int) ((n * (long) DIGIT_BITS + 7) / 8)];
        int k = bigEndian.length;
        long bits = 0;
        int held = 0;
        for (int i = 0; i < n; i++) {
            bits |= (getInt(o + OB_DIGIT_OFFSET + 4L * i) & DIGIT_MASK) << held;
            held += DIGIT_BITS;
            for (; held >= 8; held -= 8, bits >>>= 8) {
                bigEndian[--k] = (byte) bits;
            }
        }
        if (held > 0) {
            bigEndian[--k] = (byte) bits;
        }
        BigInteger v = new BigInteger(1, bigEndian);
        return size < 0 ? v.negate() : v;
    }

    /** CPython's {@code long_hash}: the value modulo 2^61 - 1, with -1 mapped to -2. */
    public static long hash(long o) {
        long size = getLong(o + OB_SIZE_OFFSET);
        int n = (int) Math.abs(size);
        long x = 0;
        for (int i = n - 1; i >= 0; i--) {
            x = ((x << DIGIT_BITS) & Hashing.MODULUS) | (x >>> (Hashing.BITS - DIGIT_BITS));
            x += getInt(o + OB_DIGIT_OFFSET + 4L * i) & DIGIT_MASK;
            if (Long.compareUnsigned(x, Hashing.MODULUS) >= 0) {
                x -= Hashing.MODULUS;
            }
        }
        if (size < 0) {
            x = -x;
        }
        return x == -1 ? -2 : x;
    }

    /** Whether two int/bool objects hold the same value. */
    public static boolean equal(long a, long b) {
        long size = getLong(a + OB_SIZE_OFFSET);
        if (size != getLong(b + OB_SIZE_OFFSET)) {
            return false;
        }
        for (int i = 0, n = (int) Math.abs(size); i < n; i++) {
            if (getInt(a + OB_DIGIT_OFFSET + 4L * i) != getInt(b + OB_DIGIT_OFFSET + 4L * i)) {
                return false;
            }
        }
        return true;
    }

    public static int digitCount(long o) {
        return (int) Math.abs(getLong(o + OB_SIZE_OFFSET));
    }

    @Override
    public void dealloc(long o) {
        core.freeObject(o);
    }

    @Override
    public long sizeOf(long o) {
        return OB_DIGIT_OFFSET + 4L * Math.max(1, digitCount(o));
    }
}
