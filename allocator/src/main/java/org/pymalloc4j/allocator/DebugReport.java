package org.pymalloc4j.allocator;

import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.pymalloc4j.allocator.DebugBlock.DEADBYTE;
import static org.pymalloc4j.allocator.DebugBlock.FORBIDDENBYTE;
import static org.pymalloc4j.allocator.DebugBlock.HEADER;
import static org.pymalloc4j.allocator.DebugBlock.OVERHEAD;
import static org.pymalloc4j.allocator.DebugBlock.SST;

/**
 * The text of a {@link MemoryCorruptionException}: CPython's {@code _PyObject_DebugDumpAddress}
 * line for line, then its {@code _PyMem_DumpTraceback} section, then the fatal error's
 * {@code function: problem} line (without the {@code Fatal Python error: } prefix, since
 * nothing is fatal here).
 *
 * <p>Every read stays inside the block as recorded in the live table, never as its possibly
 * corrupt size word says: the dump cannot fault where CPython's may.
 */
final class DebugReport {
    /** Bad bytes listed for a write after free before the rest are summarised. */
    private static final int LISTED = 8;
    /** Why a block left the quarantine: to make room for one more. */
    static final String EVICTED = "It was the oldest block in the quarantine, released to make room.";
    /** Why a block left the quarantine: the inner allocator ran out of memory. */
    static final String EMPTIED = "The quarantine was emptied to make room for an allocation the inner allocator"
            + " refused.";

    /** Why a block left the quarantine: its memory closed. */
    static final String CLOSING = "It was still in the quarantine when the memory closed.";

    private DebugReport() {
    }

    /**
     * The dump of a live block, with its tail at {@code p + n} ({@code n} as recorded).
     *
     * @param traceback the allocation traceback of {@code p}; null if not tracing, empty if
     *                  tracing but {@code p} is not traced
     */
    static String liveBlock(long p, long n, String traceback, String function, String problem) {
        StringBuilder out = new StringBuilder(640);
        out.append("Debug memory block at address p=").append(hex(p)).append(": API ")
                .append(api(DebugBlock.idByte(p))).append('\n');
        out.append("    ").append(n).append(" bytes originally requested\n");
        long sizeWord = DebugBlock.headerSize(p);
        if (sizeWord != n) {
            // CPython would print the size word above and trust it for the tail; we don't.
            out.append("    The size field at p-").append(HEADER).append(" is corrupt: it reads ")
                    .append(Long.toUnsignedString(sizeWord)).append(" (").append(hex(sizeWord)).append(")\n");
        }
        out.append("    The ").append(SST - 1).append(" pad bytes at p-").append(SST - 1).append(" are ");
        if (DebugBlock.leadingPadIntact(p)) {
            out.append("FORBIDDENBYTE, as expected.\n");
        } else {
            out.append("not all FORBIDDENBYTE (").append(byteHex(FORBIDDENBYTE)).append("):\n");
            for (int i = SST - 1; i >= 1; i--) {
                padByte(out, "p-" + i, NativeMemory.getByte(p - i), FORBIDDENBYTE);
            }
            out.append("    Because memory is corrupted at the start, the count of bytes requested\n")
                    .append("       may be bogus, and checking the trailing pad bytes may segfault.\n");
        }
        long tail = p + n;
        out.append("    The ").append(SST).append(" pad bytes at tail=").append(hex(tail)).append(" are ");
        if (DebugBlock.trailingPadIntact(p, n)) {
            out.append("FORBIDDENBYTE, as expected.\n");
        } else {
            out.append("not all FORBIDDENBYTE (").append(byteHex(FORBIDDENBYTE)).append("):\n");
            for (int i = 0; i < SST; i++) {
                padByte(out, "tail+" + i, NativeMemory.getByte(tail + i), FORBIDDENBYTE);
            }
        }
        return finish(out, p, n, traceback, function, problem);
    }

    /**
     * The dump of a quarantined block found written after free: the bad bytes (the first
     * {@value #LISTED}, then a count) with their offsets, named as in the live dump
     * ({@code p-16..p-1}, {@code p+i}, {@code tail+i}).
     *
     * @param why a line on why the block left the quarantine ({@link #EVICTED}, {@link #EMPTIED},
     *            {@link #CLOSING}), or null
     */
    static String freedBlock(long p, long n, char api, String why, String traceback,
                             String function) {
        StringBuilder out = new StringBuilder(640);
        out.append("Debug memory block at address p=").append(hex(p)).append(": API ")
                .append(api((byte) api)).append('\n');
        out.append("    ").append(n).append(" bytes originally requested\n");
        long q = DebugBlock.base(p);
        long total = n + OVERHEAD;
        out.append("    The block was freed; its ").append(total).append(" bytes should all be DEADBYTE (")
                .append(byteHex(DEADBYTE)).append("):\n");
        long bad = 0;
        long last = -1;
        for (long at = DebugBlock.firstNot(q, total, DEADBYTE); at >= 0; ) {
            if (bad < LISTED) {
                padByte(out, offsetName(at, n), NativeMemory.getByte(q + at), DEADBYTE);
            }
            bad++;
            last = at;
            long next = DebugBlock.firstNot(q + at + 1, total - at - 1, DEADBYTE);
            at = next < 0 ? -1 : at + 1 + next;
        }
        if (bad > LISTED) {
            out.append("        ... ").append(bad - LISTED).append(" more bad bytes, the last at ")
                    .append(offsetName(last, n)).append('\n');
        }
        if (why != null) {
            out.append("    ").append(why).append('\n');
        }
        return finish(out, p, n, traceback, function, "write after free");
    }

    /** The data line, the blank line, the traceback section and the problem line. */
    private static String finish(StringBuilder out, long p, long n, String traceback, String function,
                                 String problem) {
        if (n > 0) {
            // CPython: up to 8 bytes from the start, then " ..." and the last 8 when N > 16.
            out.append("    Data at p:");
            long from = 0;
            for (; from < Math.min(n, 8); from++) {
                out.append(' ').append(hex2(NativeMemory.getByte(p + from)));
            }
            if (n - from > 8) {
                out.append(" ...");
                from = n - 8;
            }
            for (; from < n; from++) {
                out.append(' ').append(hex2(NativeMemory.getByte(p + from)));
            }
            out.append('\n');
        }
        out.append('\n');
        if (traceback == null) {
            out.append("Enable tracemalloc to get the memory block allocation traceback\n\n");
        } else if (!traceback.isEmpty()) { // tracing, the block untraced: CPython prints nothing
            out.append("Memory block allocated at (most recent call first):\n").append(traceback);
            if (!traceback.endsWith("\n")) {
                out.append('\n');
            }
            out.append('\n');
        }
        return out.append(function).append(": ").append(problem).toString();
    }

    private static void padByte(StringBuilder out, String where, byte b, byte expected) {
        out.append("        at ").append(where).append(": ").append(byteHex(b));
        if (b != expected) {
            out.append(" *** OUCH");
        }
        out.append('\n');
    }

    /** Names byte {@code at} of the block (from its base) relative to p or the tail. */
    private static String offsetName(long at, long n) {
        if (at < HEADER) {
            return "p-" + (HEADER - at);
        }
        return at < HEADER + n ? "p+" + (at - HEADER) : "tail+" + (at - HEADER - n);
    }

    /**
     * An API id as CPython's {@code '%c'}, quoted; a byte that is not printable ASCII (a
     * corrupt id) is written {@code '\xNN'} so the message stays readable.
     */
    static String api(byte id) {
        return id >= 0x20 && id < 0x7f ? "'" + (char) id + "'" : "'\\x" + hex2(id) + "'";
    }

    static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    private static String byteHex(byte b) {
        return "0x" + hex2(b);
    }

    private static String hex2(byte b) {
        String h = Integer.toHexString(b & 0xff);
        return h.length() == 1 ? "0" + h : h;
    }
}
