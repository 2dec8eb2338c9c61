package org.pymalloc4j.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README.md's Speed section names the fork flags of every benchmark ({@link JvmArgs}, which
 * {@link BenchmarkBase} and {@code versus}'s child JVMs pass), all of them: one left out there
 * is a flag a reader reproducing a figure by hand would not give.
 */
class ReadmeForkFlagsTest {
    @Test
    void theSpeedSectionListsEveryForkFlag() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("\n## Speed\n");
        String speed = readme.substring(start, readme.indexOf("\n## ", start + 1)).replaceAll("\\s+", " ");
        String flags = "`JvmArgs`: `" + String.join(" ", JvmArgs.ALL) + "`";
        assertTrue(speed.contains(flags), "README.md's Speed section should name the fork flags as " + flags);
    }
}
