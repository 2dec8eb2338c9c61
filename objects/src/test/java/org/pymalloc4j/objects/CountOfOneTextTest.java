package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a count in a message or a toString can be 1, its noun is singular: not "1 live objects". */
class CountOfOneTextTest {
    @Test
    void aSpaceWithOneLiveObject() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long f = space.floats().newFloat(1);
            assertTrue(space.toString().startsWith("ObjectSpace[1 live object, "), space.toString());
            long g = space.floats().newFloat(2);
            assertTrue(space.toString().startsWith("ObjectSpace[2 live objects, "), space.toString());
            space.decref(g);
            space.decref(f);
        }
    }
}
