package org.pymalloc4j.objects.internal;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;

/**
 * Where {@code gc.set_debug}'s lines go: the user's stream, which may throw (a PrintStream passes
 * on an unchecked exception from the stream under it, and a subclass may throw its own). The
 * lines are written in the middle of a collection, whose candidates are then outside every
 * generation: an exception escaping here would leave them there. CPython's
 * {@code PySys_WriteStderr} clears the error of a failing {@code sys.stderr}, writes the line to
 * the C-level {@code stderr} instead, and the collection goes on; here the failure is reported
 * as unraisable, and the rest of that collection's lines are dropped (a broken stream would
 * otherwise be reported once a line: once an object, under DEBUG_COLLECTABLE). The next
 * collection tries the stream again.
 */
public final class GcDebugOutput {
    private PrintStream out = System.err;
    /** A write failed in the running collection. */
    private boolean failed;

    public void set(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
        failed = false;
    }

    /** A collection starts: its lines are tried again. */
    void collectionStarts() {
        failed = false;
    }

    /** One line (the format ends with {@code %n}), in CPython's digits and point whatever the locale. */
    public void printf(String format, Object... args) {
        if (failed) {
            return;
        }
        try {
            out.printf(Locale.ROOT, format, args);
        } catch (Throwable e) { // checked ones too: a sneaky throw can throw them here
            failed = true;
            Unraisable.report(e);
        }
    }
}
