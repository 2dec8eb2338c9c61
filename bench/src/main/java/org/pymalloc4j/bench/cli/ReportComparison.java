package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares two pymalloc statistics reports in the layout of {@code sys._debugmallocstats()}:
 * CPython's and pymalloc4j's after the same calls. The arena map's node counts at the end are
 * left out: they depend on where the OS put the arenas, not on what pymalloc did.
 */
final class ReportComparison {
    /** What the comparison covers, as a clause for the sentence that reports it. */
    static final String SCOPE = " (the arena map's node counts aside: they depend on where the OS put the arenas)";
    /** The first line of the section left out. */
    private static final String ARENA_MAP = "arena map counts";
    /** Differing lines shown at most; the rest are counted. */
    private static final int SHOWN = 40;

    private ReportComparison() {
    }

    /**
     * The lines where the reports differ, each as a pair of indented lines naming whose it is,
     * and a last line counting those not shown; empty if the reports agree.
     */
    static List<String> differences(String cpython, String pymalloc4j) {
        List<String> theirs = compared(cpython);
        List<String> ours = compared(pymalloc4j);
        List<String> shown = new ArrayList<>();
        int differing = 0;
        for (int i = 0; i < Math.max(theirs.size(), ours.size()); i++) {
            String a = i < theirs.size() ? theirs.get(i) : "(no line)";
            String b = i < ours.size() ? ours.get(i) : "(no line)";
            if (!a.equals(b)) {
                differing++;
                if (differing <= SHOWN) {
                    shown.add("  line " + (i + 1) + ", CPython:    " + a);
                    shown.add("  line " + (i + 1) + ", pymalloc4j: " + b);
                }
            }
        }
        if (differing > SHOWN) {
            shown.add("  ... and " + (differing - SHOWN) + " more differing lines");
        }
        return shown;
    }

    /** The report's lines up to the arena map section, trailing blanks dropped. */
    private static List<String> compared(String report) {
        List<String> lines = new ArrayList<>();
        for (String line : report.split("\n", -1)) {
            if (line.startsWith(ARENA_MAP)) {
                break;
            }
            lines.add(line.stripTrailing());
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }
}
