package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The example at the top of objects/README.md, run as written (asserts made JUnit's). */
class ReadmeExampleTest {
    @Test
    void readmeExample() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long x = space.ints().newInt(56);
            long y = space.ints().newInt(56);
            assertEquals(x, y);
            long a = space.lists().newList();
            for (int i = 1; i <= 3; i++) {
                long item = space.ints().newInt(i);
                space.lists().append(a, item);
                space.decref(item);
            }
            long b = a;
            space.incref(b);
            space.lists().set(a, 1, space.ints().newInt(5));
            assertEquals(5, space.ints().value(space.lists().get(b, 1)));
            assertEquals(88, space.sizeOf(a));
            space.decref(a);
            space.decref(b);
            space.decref(x);
            space.decref(y);
            assertEquals(0, space.liveObjectCount());
        }
    }
}
