package org.pymalloc4j.bench.cli;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPython's pattern library in this JVM: a pattern that cannot be set up is refused with a
 * message, as pmv_begin's comment promises (-1), not with exit(1) from inside the library,
 * which took the whole JVM down (a versus fork: "failed with status 1" and nothing more).
 */
class CPythonLibraryTest {
    @TempDir
    Path dir;

    @Test
    void aPatternThatCannotGetItsMemoryIsRefusedAndTheJvmLivesOn() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        CPythonLibrary.Build build;
        try {
            build = CPythonHarness.build(dir, System.getenv()).library();
        } catch (CPythonHarness.Unavailable e) {
            Assumptions.abort("CPython's side cannot be built here: " + e.getMessage());
            return;
        }
        CPythonLibrary library = CPythonLibrary.load(build.layouts().getFirst(), build.prefix());
        // the pair's ballast block of 2^62 bytes: no malloc gives that
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> library.begin(VersusPatterns.PAIR,
                1L << 62, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL));
        assertTrue(e.getMessage().equals("CPython's pattern 0 (pair) could not be set up: out of memory"), e.getMessage());
        library.begin(VersusPatterns.PAIR, 16, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL);
        assertTrue(library.run(VersusPatterns.PAIR, 16) > 0, "the library still works");
        library.end(VersusPatterns.PAIR);
        IllegalStateException objects = assertThrows(IllegalStateException.class, () -> library.begin(VersusPatterns.FLOAT,
                0, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL));
        assertTrue(objects.getMessage().equals("CPython's pattern 3 (an object pattern) could not be set up: its interpreter "
                + "is not started"), objects.getMessage());
    }
}
