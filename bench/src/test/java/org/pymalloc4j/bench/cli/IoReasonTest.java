package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Messages of files that cannot be read or written say why. (An unreadable trace, run as a user
 * other than root, said "cannot read /tmp/t.trace: /tmp/t.trace"; root reads every file, so the
 * tests give the exceptions Java throws directly.)
 */
class IoReasonTest {
    @Test
    void theReasonIsNotThePathAgain() {
        assertEquals("permission denied", IoReason.of(new AccessDeniedException("/tmp/t.trace")));
        assertEquals("no such file or directory", IoReason.of(new NoSuchFileException("/proc/x.svg")));
        assertEquals("not a directory", IoReason.of(new NotDirectoryException("/tmp/f/x")));
        assertEquals("Is a directory", IoReason.of(new FileSystemException("/tmp", null, "Is a directory")));
        assertEquals("No space left on device", IoReason.of(new IOException("No space left on device")));
    }
}
