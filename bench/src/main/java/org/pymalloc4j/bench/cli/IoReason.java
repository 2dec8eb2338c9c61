package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file could not be read or written, for a message that names the file itself: the
 * {@code getMessage()} of an {@link AccessDeniedException} or {@link NoSuchFileException} is
 * only the path, so "cannot read x.trace: " + it said nothing of the reason.
 */
final class IoReason {
    private IoReason() {
    }

    static String of(IOException e) {
        return switch (e) {
            case AccessDeniedException denied -> "permission denied";
            case NoSuchFileException missing -> "no such file or directory";
            case NotDirectoryException notDirectory -> "not a directory";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage();
        };
    }
}
