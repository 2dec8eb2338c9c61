package org.pymalloc4j.allocator;

import java.nio.ByteOrder;

import org.pymalloc4j.allocator.internal.NativeMemory;

/**
 * The layout of a debug-wrapped block, CPython's without the serial number (off since 3.8):
 *
 * <pre>
 *  q = base from the inner allocator          p = q + 16, what the caller gets
 *  | N, 8 bytes big-endian | id | FD x 7 | data, N bytes (CD x N after malloc) | FD x 8 |
 *  q                       q+8   p-7      p                                     tail = p+N
 * </pre>
 *
 * And the packing of the live-block table's values: the domain's ordinal in the top byte,
 * N in the low 56 bits.
 */
final class DebugBlock {
    /** CPython's {@code SST}, {@code sizeof(size_t)}. */
    static final int SST = 8;
    /** From the base to the user address: size word, id byte, leading pad. */
    static final int HEADER = 2 * SST;
    /** Bytes asked of the inner allocator on top of N. */
    static final int OVERHEAD = 3 * SST;

    static final byte CLEANBYTE = (byte) 0xCD;
    static final byte DEADBYTE = (byte) 0xDD;
    static final byte FORBIDDENBYTE = (byte) 0xFD;

    /** Largest N: the table keeps N in 56 bits (CPython allows up to PY_SSIZE_T_MAX - 24). */
    static final long MAX_SIZE = (1L << 56) - 1;

    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
    private static final long FORBIDDEN_WORD = 0xFDFDFDFDFDFDFDFDL;
    private static final Domain[] DOMAINS = Domain.values();

    private DebugBlock() {
    }

    /** The user address of the block based at {@code q}. */
    static long user(long q) {
        return q + HEADER;
    }

    /** The base of the block whose user address is {@code p}. */
    static long base(long p) {
        return p - HEADER;
    }

    /** Writes the size word, id, leading pad and trailing pad; CLEANBYTE-fills the data if {@code clean}. */
    static void format(long q, long n, char api, boolean clean) {
        NativeMemory.putLong(q, BIG_ENDIAN ? n : Long.reverseBytes(n));
        NativeMemory.putByte(q + SST, (byte) api);
        NativeMemory.fill(q + SST + 1, SST - 1, FORBIDDENBYTE);
        if (clean && n > 0) {
            NativeMemory.fill(q + HEADER, n, CLEANBYTE);
        }
        NativeMemory.putLong(q + HEADER + n, FORBIDDEN_WORD);
    }

    /** The size word at {@code p - 16}, read big-endian as CPython's {@code read_size_t}. */
    static long headerSize(long p) {
        long word = NativeMemory.getLong(p - HEADER);
        return BIG_ENDIAN ? word : Long.reverseBytes(word);
    }

    /** The API id byte at {@code p - 8}. */
    static byte idByte(long p) {
        return NativeMemory.getByte(p - SST);
    }

    /** Whether the 7 bytes before {@code p} are all FORBIDDENBYTE. */
    static boolean leadingPadIntact(long p) {
        return firstNot(p - (SST - 1), SST - 1, FORBIDDENBYTE) < 0;
    }

    /** Whether the 8 bytes at {@code p + n} are all FORBIDDENBYTE. */
    static boolean trailingPadIntact(long p, long n) {
        return NativeMemory.getLong(p + n) == FORBIDDEN_WORD;
    }

    /** The offset of the first of {@code length} bytes at {@code address} that is not {@code b}, or -1. */
    static long firstNot(long address, long length, byte b) {
        long word = (b & 0xFFL) * 0x0101010101010101L;
        long i = 0;
        for (; i + 8 <= length; i += 8) {
            if (NativeMemory.getLong(address + i) != word) {
                break; // the byte loop below finds which
            }
        }
        for (; i < length; i++) {
            if (NativeMemory.getByte(address + i) != b) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ table values

    static long pack(Domain domain, long n) {
        return (long) domain.ordinal() << 56 | n;
    }

    static long sizeOf(long packed) {
        return packed & MAX_SIZE;
    }

    static Domain domainOf(long packed) {
        return DOMAINS[(int) (packed >>> 56)];
    }
}
