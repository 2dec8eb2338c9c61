package org.pymalloc4j.allocator.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads Linux's {@code /proc} files of {@code Key:   value [kB]} lines ({@code /proc/meminfo},
 * {@code /proc/self/status}, {@code /proc/self/smaps_rollup}).
 */
public final class ProcFiles {
    private ProcFiles() {
    }

    /**
     * The number on the first line of {@code file} that starts with {@code key} (which ends with
     * its colon, e.g. {@code "VmRSS:"}), a {@code kB} unit dropped; -1 if the file is not
     * readable (not Linux) or has no such line.
     *
     * @throws IOException if reading the file fails
     */
    public static long number(Path file, String key) throws IOException {
        if (!Files.isReadable(file)) {
            return -1;
        }
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).replace("kB", "").strip());
            }
        }
        return -1;
    }
}
