package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;

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

    /** The cycle collector's example in objects/README.md: the callback runs before the finalizer. */
    @Test
    void collectorExample() {
        try (ObjectSpace space = ObjectSpace.create()) {
            List<String> printed = new ArrayList<>();
            long node = space.classes().newClass(ClassSpec.named("Node").slots(1).weakReferenceable()
                    .finalizer(self -> printed.add("__del__")));
            long a = space.classes().newInstance(node);
            space.classes().setSlot(a, 0, a);
            long wr = space.weakrefs().newRef(a, ref -> printed.add("callback"));
            space.decref(a);
            assertEquals(1, space.gc().collect());
            assertEquals(List.of("callback", "__del__"), printed);
            assertEquals(space.none(), space.weakrefs().get(wr));
            space.decref(wr);
            space.decref(node);
            assertEquals(0, space.liveObjectCount());
        }
    }
}
