package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The examples of objects/README.md, and those of the class comments of the objects package,
 * run as written (asserts made JUnit's, prints collected).
 */
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

    /** "Ownership": the seed's get_first_item. */
    static long getFirstItem(ObjectSpace space, long list) {
        long item = space.lists().get(list, 0);   // PyList_GetItem: borrowed, no ownership
        space.incref(item);                       // Py_INCREF: get ownership
        return item;                              // safe to return
    }

    /** "Frames": the seed's foo = (a, b). */
    static long makePair(ObjectSpace space) {
        try (Frame f = space.frame()) {
            long a = f.local(space.floats().newFloat(1.5));
            long b = f.local(space.strs().newStr("bee"));
            long foo = f.local(space.tuples().of(a, b));  // BUILD_TUPLE: a new reference, owned by the frame
            return f.returning(foo);                      // the caller receives ownership of foo
        }                                                 // a, b and the frame's reference to foo released
    }

    @Test
    void ownershipAndFrameExamples() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            try (Frame f = space.frame()) {
                long s = f.local(space.strs().newStr("hi"));   // s keeps a reference to 'hi' and has ownership
                assertEquals("hi", space.strs().value(s));
            }                                                  // hello() returns: the reference is released
            assertEquals(0, space.liveObjectCount());

            long list = space.lists().newList();
            long item = space.ints().newInt(1000);
            space.lists().append(list, item);
            space.decref(item);
            long first = getFirstItem(space, list);
            space.decref(list);                                // the list goes; its first item is ours
            assertEquals(1000, space.ints().value(first));
            space.decref(first);

            long foo = makePair(space);
            assertEquals(1, space.refcount(foo), "only the caller owns foo");
            assertEquals(1, space.refcount(space.tuples().get(foo, 0)), "a and b are owned by the tuple alone");
            space.decref(foo);
            assertEquals(0, space.liveObjectCount());
        }
    }

    /** ObjectSpace's class comment: of takes references of its own; get is borrowed. */
    @Test
    void objectSpaceJavadocExample() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long f = space.floats().newFloat(1.5);                       // a new reference
            long t = space.tuples().of(f, space.none());                 // of takes references of its own
            space.decref(f);
            double d = space.floats().value(space.tuples().get(t, 0));   // get: borrowed
            assertEquals(1.5, d);
            space.decref(t);                                             // frees the tuple, then the float
            assertEquals(0, space.liveObjectCount());
        }
    }

    /** Frame's class comment. */
    static long frameJavadocExample(ObjectSpace space) {
        try (Frame f = space.frame()) {
            long x = f.local(space.floats().newFloat(1.5));   // the frame owns x
            long t = f.local(space.tuples().of(x, x));         // of took its own references to x
            return f.returning(t);                             // the caller gets a new reference to t
        }                                                      // x and t's frame references released here
    }

    @Test
    void frameJavadocExampleLeavesTheCallerTheOnlyOwner() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long t = frameJavadocExample(space);
            assertEquals(1, space.refcount(t));
            assertEquals(2, space.refcount(space.tuples().get(t, 0)), "x is held twice by the tuple alone");
            space.decref(t);
            assertEquals(0, space.liveObjectCount());
        }
    }

    /** Collector's class comment: a list that contains itself. */
    @Test
    void collectorJavadocExample() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long l = space.lists().newList();      // l = []
            space.lists().append(l, l);            // l.append(l)
            space.decref(l);                       // del l
            assertEquals(1, space.gc().collect()); // gc.collect()
        }
    }

    /** The class comments of ClassSpec (a finalizer) and WeakrefApi (a callback on a death by refcount). */
    @Test
    void classSpecAndWeakrefJavadocExamples() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            List<String> printed = new ArrayList<>();
            long node = space.classes().newClass(ClassSpec.named("Node").slots(2).weakReferenceable()
                    .finalizer(self -> printed.add("del " + Long.toHexString(self))));
            long obj = space.classes().newInstance(node);
            long wr = space.weakrefs().newRef(obj, ref -> printed.add("gone"));
            space.decref(obj);                       // prints "gone"
            assertEquals(space.none(), space.weakrefs().get(wr));
            assertEquals(List.of("del " + Long.toHexString(obj), "gone"), printed);
            space.decref(wr);
            space.decref(node);
            assertEquals(0, space.liveObjectCount());
        }
    }

    /**
     * ObjectLayouts' class comment: the table of a PyFloatObject, as objects/README.md shows it.
     * Its {@code create()} is checked unless {@code -Dpymalloc4j.checks=false}, under which
     * ObjectLayouts refuses, as its class comment says.
     */
    @Test
    void objectLayoutsJavadocExample() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long f = space.floats().newFloat(1.5);
            if (!space.isChecked()) {
                assertTrue(assertThrows(IllegalStateException.class, () -> ObjectLayouts.of(space, f))
                        .getMessage().startsWith("ObjectLayouts needs a checked space"));
                space.decref(f);
                return;
            }
            String printed = String.valueOf(ObjectLayouts.of(space, f));   // System.out.print's text
            assertEquals(String.format("float object at 0x%x (PyFloatObject)", f), printed.lines().findFirst().orElseThrow());
            assertEquals(List.of("OFF  SZ          TYPE DESCRIPTION VALUE",
                    "  0   8    Py_ssize_t ob_refcnt   1"), printed.lines().skip(1).limit(2).toList());
            assertEquals("Space losses: 0 bytes internal + 8 bytes external = 8 bytes total",
                    printed.lines().reduce((a, b) -> b).orElseThrow());
            space.decref(f);
        }
    }
}
