package org.pymalloc4j.objects;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.testkit.DocComments;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the object layer's docs say about threads; the allocator's ThreadRuleDocsTest says why. */
class ThreadRuleDocsTest {
    /** As the heap's and the memory's close: the space's frees everything under a call another thread makes. */
    @Test
    void closeSaysAnotherThreadsCallMayCrashTheJvm() throws IOException {
        String close = DocComments.ofMember("src/main/java/org/pymalloc4j/objects", "ObjectSpace", "public void close()");
        assertTrue(close.contains("another thread") && close.contains("crash the JVM"), "ObjectSpace.close()'s Javadoc: " + close);
    }
}
