package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.PyMalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Another build loaded beside this one: its classes come from its jars, and its sides run. */
class OtherBuildTest {
    /** This build's allocator and objects jars (the reactor packages them before bench's tests). */
    static List<Path> moduleJars() {
        List<Path> jars = new ArrayList<>();
        for (String module : List.of("allocator", "objects")) {
            try (Stream<Path> files = Files.list(Path.of("..", module, "target"))) {
                files.filter(f -> f.getFileName().toString().matches("pymalloc4j-" + module + "-[^-]+(-SNAPSHOT)?\\.jar"))
                        .forEach(f -> jars.add(f.toAbsolutePath().normalize()));
            } catch (IOException e) {
                Assumptions.abort("the " + module + " module's jar is not built: " + e.getMessage());
            }
        }
        Assumptions.assumeTrue(jars.size() == 2, "one jar of each module: " + jars);
        return jars;
    }

    @Test
    void itsClassesComeFromItsJarsAndItsSidesRun() throws Exception {
        List<Path> jars = moduleJars();
        try (OtherBuild other = new OtherBuild(jars)) {
            assertEquals(jars.get(0).toString(), other.allocatorSource());
            for (String pattern : List.of("pair.16", "batch.16", "randomMix", "tuple")) {
                try (VersusPatterns.Side side = other.side(pattern)) {
                    assertEquals(VersusPatterns.OPS, side.getAsLong(), pattern);
                    assertEquals(VersusPatterns.OPS, side.getAsLong(), pattern + ", a second run");
                }
            }
            Class<?> theirs = Class.forName(PyMalloc.class.getName(), false, other.classLoader());
            assertNotSame(PyMalloc.class, theirs, "a class apart from this build's PyMalloc");
        }
    }

    @Test
    void anUnknownPatternIsRefusedWithItsName() {
        try (OtherBuild other = new OtherBuild(moduleJars())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.side("tupel"));
            assertTrue(e.getMessage().startsWith("the other build cannot set up tupel: "), e.getMessage());
            assertTrue(e.getMessage().contains("no pattern tupel"), e.getMessage());
        }
    }
}
