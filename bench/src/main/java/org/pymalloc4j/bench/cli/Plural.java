package org.pymalloc4j.bench.cli;

import java.util.Locale;

/** A count and its noun for the tool's output: "1 arena", "2,048 arenas". */
final class Plural {
    private Plural() {
    }

    /** {@code n} with thousands separators, then {@code noun}, with an s unless {@code n} is 1. */
    static String of(long n, String noun) {
        return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }
}
