package org.pymalloc4j.bench.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Whether standard error is a terminal, as C's {@code isatty(2)} says. {@code System.console()}
 * cannot tell: it looks at standard input and output, so {@code pymalloc4j demo 2>log} in a
 * terminal would draw the progress bar's carriage returns into the log, and
 * {@code pymalloc4j demo >out} would print plain lines on a terminal that could show the bar.
 */
final class Terminal {
    private static final int STDERR_FILENO = 2;
    private static final boolean STDERR = isatty(STDERR_FILENO);

    private Terminal() {
    }

    /** Whether this process's standard error (file descriptor 2) is a terminal. */
    static boolean stderrIsTerminal() {
        return STDERR;
    }

    private static boolean isatty(int fd) {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle isatty = linker.downcallHandle(linker.defaultLookup().findOrThrow("isatty"),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            return (int) isatty.invokeExact(fd) == 1;
        } catch (Throwable e) { // no isatty (not a POSIX C library): plain lines are always safe
            return false;
        }
    }
}
