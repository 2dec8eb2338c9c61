package org.pymalloc4j.allocator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.pymalloc4j.allocator.internal.ProcFiles;

/**
 * What the Linux kernel offers in huge pages, read once from {@code /sys} and {@code /proc}:
 * the size of a transparent huge page and whether THP is on, and the size of the pages of the
 * reserved pool ({@code MAP_HUGETLB}). Everywhere else, and where a file cannot be read, the
 * answers are 0 and {@code "unavailable"} (and -1 for {@link #processBytesInTransparentHugePages}).
 */
public final class HugePages {
    private static final Path THP = Path.of("/sys/kernel/mm/transparent_hugepage");

    private static final long TRANSPARENT_SIZE = readLong(THP.resolve("hpage_pmd_size"));
    private static final String TRANSPARENT_MODE = selected(THP.resolve("enabled"));
    private static final long RESERVED_SIZE = Math.max(0, kib(Path.of("/proc/meminfo"), "Hugepagesize:")) * 1024;

    private HugePages() {
    }

    /** The size of a transparent huge page (2 MiB on x86-64), or 0 if the kernel has none. */
    public static long transparentSize() {
        return TRANSPARENT_SIZE;
    }

    /**
     * When the kernel backs memory with transparent huge pages: {@code "always"},
     * {@code "madvise"} (only ranges advised so, as {@link ArenaAllocator#hugePages()} does),
     * {@code "never"}, or {@code "unavailable"}.
     */
    public static String transparentMode() {
        return TRANSPARENT_MODE;
    }

    /** Whether an advised range can get transparent huge pages: the mode is always or madvise. */
    public static boolean transparentAvailable() {
        return TRANSPARENT_SIZE > 0 && (TRANSPARENT_MODE.equals("always") || TRANSPARENT_MODE.equals("madvise"));
    }

    /** The size of the reserved pool's pages ({@code Hugepagesize} in /proc/meminfo), or 0. */
    public static long reservedSize() {
        return RESERVED_SIZE;
    }

    /**
     * Bytes of this process's anonymous memory now backed by transparent huge pages
     * ({@code AnonHugePages} in {@code /proc/self/smaps_rollup}; the Java heap's too, if the JVM
     * runs with {@code -XX:+UseTransparentHugePages}), or -1 where that cannot be read.
     */
    public static long processBytesInTransparentHugePages() {
        long kib = kib(Path.of("/proc/self/smaps_rollup"), "AnonHugePages:");
        return kib < 0 ? -1 : kib * 1024;
    }

    private static long readLong(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The bracketed word of a kernel setting such as {@code always [madvise] never}. */
    private static String selected(Path file) {
        try {
            String text = Files.readString(file);
            int open = text.indexOf('[');
            int close = text.indexOf(']', open + 1);
            return open >= 0 && close > open ? text.substring(open + 1, close).toLowerCase(Locale.ROOT) : "unavailable";
        } catch (IOException | RuntimeException e) {
            return "unavailable";
        }
    }

    /** {@link ProcFiles#number}, or -1 where the file cannot be read or parsed. */
    private static long kib(Path file, String key) {
        try {
            return ProcFiles.number(file, key);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
