package org.pymalloc4j.bench.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on standard error, redrawn in place at most ten times a second. When standard
 * error is not a terminal it prints one line per phase instead, so logs stay readable.
 */
final class Progress {
    private static final int WIDTH = 30;
    /**
     * The widest redraw: one column less than the narrowest usual terminal, so that the line never
     * wraps (a carriage return would then go back to the wrapped row only, leaving debris).
     */
    private static final int COLUMNS = 79;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream err;
    private final boolean enabled;
    private final boolean animated;
    private String phase = "";
    private String unit = "operation";
    private long total;
    private long lastDraw;

    Progress(PrintStream err, boolean enabled) {
        // the bar only where it is seen: another stream (a test's buffer) gets lines
        this(err, enabled, enabled && err == System.err && Terminal.stderrIsTerminal());
    }

    /** A progress that draws the bar ({@code animated}) or prints lines, whatever {@code err} is: for tests. */
    Progress(PrintStream err, boolean enabled, boolean animated) {
        this.err = err;
        this.enabled = enabled;
        this.animated = animated;
    }

    /** A phase of {@code total} operations. */
    void start(String phase, long total) {
        start(phase, total, "operation");
    }

    /**
     * A phase of {@code total} {@code unit}s ({@code unit} singular: "byte" for a file's); a total
     * of 0 or less is unknown.
     */
    void start(String phase, long total, String unit) {
        this.phase = phase;
        this.unit = unit;
        this.total = total;
        this.lastDraw = 0;
        if (enabled && !animated) {
            err.println(total > 0 ? phase + ": " + Plural.of(total, unit) + "..." : phase + "...");
        }
        update(0);
    }

    void update(long done) {
        if (!animated) {
            return;
        }
        long now = System.nanoTime();
        if ((total <= 0 || done < total) && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        if (total <= 0) { // no bar without a total: how far it has got
            draw("  ", String.format("%-12s", phase), " " + Plural.of(done, unit));
            return;
        }
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        draw("  ", String.format("%-12s", phase), String.format(Locale.ROOT, " [%s%s] %3d%%  %,d/%,d", "#".repeat(filled),
                ".".repeat(WIDTH - filled), 100 * Math.min(done, total) / total, done, total));
    }

    /**
     * Redraws the line as {@code head}, {@code label} and {@code tail}, the label cut short to fit
     * {@link #COLUMNS}, and padded to them to cover what a longer line before it left.
     */
    private void draw(String head, String label, String tail) {
        int room = Math.max(1, COLUMNS - head.length() - tail.length());
        String fitted = label.length() <= room ? label : label.substring(0, room - 1) + "…";
        String line = head + fitted + tail;
        line = line.length() > COLUMNS ? line.substring(0, COLUMNS) : line;
        err.print("\r" + line + " ".repeat(COLUMNS - line.length()));
        err.flush();
    }

    /**
     * Shows {@code label} and how far a run that reports only a fraction done has got; without a
     * terminal, one line per call.
     */
    void step(String label, double fraction) {
        if (!enabled) {
            return;
        }
        int percent = (int) Math.round(100 * Math.max(0, Math.min(1, fraction)));
        if (!animated) {
            err.printf(Locale.ROOT, "[%3d%%] %s%n", percent, label);
            return;
        }
        int filled = WIDTH * percent / 100;
        draw(String.format(Locale.ROOT, "  [%s%s] %3d%%  ", "#".repeat(filled), ".".repeat(WIDTH - filled), percent), label, "");
    }

    /** {@link #step}, but without a terminal nothing: for updates within a phase step announced. */
    void tick(String label, double fraction) {
        if (animated) {
            step(label, fraction);
        }
    }

    /** A message that must be seen even with {@code --quiet}. */
    void note(String message) {
        err.println(message);
    }

    /** Clears the bar's line; redrawing the phase first only flashed it back, at 0 when steps followed it. */
    void finish() {
        if (animated) {
            err.print("\r" + " ".repeat(COLUMNS) + "\r");
            err.flush();
        }
    }
}
