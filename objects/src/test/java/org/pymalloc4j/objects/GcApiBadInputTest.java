package org.pymalloc4j.objects;

import java.io.PrintStream;
import java.util.List;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static org.pymalloc4j.objects.BadInputTest.refused;
import static org.pymalloc4j.objects.BadInputTest.refusedWhenClosed;

/**
 * One test per {@code @throws} of the weakref, class-spec and collector API, each named by the
 * clause it proves; as in {@link BadInputTest}, a refused call names what was wrong and leaves
 * the space valid with the same objects and references.
 */
class GcApiBadInputTest {
    @TestFactory
    List<DynamicTest> weakrefs() {
        Class<WrongTypeException> w = WrongTypeException.class;
        Class<FreedObjectException> x = FreedObjectException.class;
        WeakrefApi.Callback ignore = ref -> { };
        return List.of(
                refused("weakrefs().newRef(o): @throws WrongTypeException if o's type cannot be weakly referenced", w,
                        "cannot create weak reference to 'list' object", f -> f.space().weakrefs().newRef(f.list())),
                refused("weakrefs().newRef(o): @throws FreedObjectException", x, f -> f.space().weakrefs().newRef(f.freed())),
                refusedWhenClosed("weakrefs().newRef(o)", f -> f.space().weakrefs().newRef(f.instance())),
                refused("weakrefs().newRef(o, callback): @throws NullPointerException if callback is null", NullPointerException.class,
                        "callback", f -> f.space().weakrefs().newRef(f.instance(), null)),
                refused("weakrefs().newRef(o, callback): @throws WrongTypeException if o's type cannot be weakly referenced", w,
                        "cannot create weak reference to 'tuple' object", f -> f.space().weakrefs().newRef(f.tuple(), ignore)),
                refused("weakrefs().newRef(o, callback): @throws FreedObjectException", x,
                        f -> f.space().weakrefs().newRef(f.freed(), ignore)),
                refusedWhenClosed("weakrefs().newRef(o, callback)", f -> f.space().weakrefs().newRef(f.instance(), ignore)),
                refused("weakrefs().get: @throws WrongTypeException if weakref is not a weakref", w,
                        f -> f.space().weakrefs().get(f.list())),
                refused("weakrefs().get: @throws FreedObjectException", x, f -> f.space().weakrefs().get(f.freed())),
                refusedWhenClosed("weakrefs().get", f -> f.space().weakrefs().get(f.list())),
                refused("weakrefs().canReference: @throws FreedObjectException", x, f -> f.space().weakrefs().canReference(f.freed())),
                refusedWhenClosed("weakrefs().canReference", f -> f.space().weakrefs().canReference(f.list())),
                refused("weakrefs().count: @throws FreedObjectException", x, f -> f.space().weakrefs().count(f.freed())),
                refusedWhenClosed("weakrefs().count", f -> f.space().weakrefs().count(f.list())),
                refused("weakrefs().refsTo: @throws FreedObjectException", x, f -> f.space().weakrefs().refsTo(f.freed())),
                refusedWhenClosed("weakrefs().refsTo", f -> f.space().weakrefs().refsTo(f.list())));
    }

    @TestFactory
    List<DynamicTest> classSpecs() {
        Class<NullPointerException> npe = NullPointerException.class;
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        return List.of(
                refused("ClassSpec: @throws NullPointerException if name is null", npe, "name",
                        f -> new ClassSpec(null, 0, false, null, null)),
                refused("ClassSpec: @throws IllegalArgumentException if slots is negative", iae,
                        "slots must be in [0, " + ClassApi.MAX_SLOTS + "], was -1", f -> ClassSpec.named("C").slots(-1)),
                refused("ClassSpec: @throws IllegalArgumentException if slots is above MAX_SLOTS", iae,
                        "was " + (ClassApi.MAX_SLOTS + 1), f -> ClassSpec.named("C").slots(ClassApi.MAX_SLOTS + 1)),
                // type('a\0b', (), {}) -> ValueError; type('\udc80', (), {}) -> UnicodeEncodeError (CPython 3.11.7):
                // tp_name is the name's UTF-8 as a C string, which such a name cannot be.
                refused("ClassSpec: @throws IllegalArgumentException if name holds a NUL character", iae,
                        "type name must not contain null characters", f -> ClassSpec.named("a\0b")),
                refused("ClassSpec: @throws IllegalArgumentException if name holds a lone surrogate", iae,
                        "type name must be encodable in UTF-8: lone surrogate U+DC80 at index 1",
                        f -> f.space().classes().newClass("a\udc80", 1)),
                refused("ClassSpec.finalizer(null): NullPointerException", npe, "finalizer", f -> ClassSpec.named("C").finalizer(null)),
                refused("ClassSpec.legacyFinalizer(null): NullPointerException", npe, "legacyFinalizer",
                        f -> ClassSpec.named("C").legacyFinalizer(null)),
                refused("classes().newClass(spec): @throws NullPointerException if spec is null", npe, "spec",
                        f -> f.space().classes().newClass((ClassSpec) null)),
                refusedWhenClosed("classes().newClass(spec)", f -> f.space().classes().newClass(ClassSpec.named("C"))));
    }

    @TestFactory
    List<DynamicTest> collector() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<FreedObjectException> x = FreedObjectException.class;
        return List.of(
                refused("gc().collect(generation): @throws IllegalArgumentException if generation is not 0, 1 or 2", iae,
                        "invalid generation 3: 0, 1 or 2", f -> f.space().gc().collect(3)),
                refused("gc().collect(generation): @throws IllegalArgumentException (a negative generation)", iae,
                        "invalid generation -1: 0, 1 or 2", f -> f.space().gc().collect(-1)),
                refused("gc().getObjects(generation): @throws IllegalArgumentException if generation is not 0, 1 or 2", iae,
                        "invalid generation 3: 0, 1 or 2", f -> f.space().gc().getObjects(3)),
                refused("gc().setThreshold: @throws IllegalArgumentException if no threshold is given", iae,
                        "setThreshold takes 1 to 3 thresholds, got 0", f -> f.space().gc().setThreshold()),
                refused("gc().setThreshold: @throws IllegalArgumentException if more than three are given", iae,
                        "setThreshold takes 1 to 3 thresholds, got 4", f -> f.space().gc().setThreshold(1, 2, 3, 4)),
                refused("gc().setThreshold: @throws IllegalArgumentException if one is negative (none is set)", iae,
                        "negative threshold -1", f -> {
                            try {
                                f.space().gc().setThreshold(5, -1);
                            } finally {
                                if (f.space().gc().getThreshold()[0] == 5) {
                                    throw new AssertionError("threshold0 set by a refused setThreshold");
                                }
                            }
                        }),
                refused("gc().isTracked: @throws FreedObjectException", x, f -> f.space().gc().isTracked(f.freed())),
                refused("gc().getReferents: @throws FreedObjectException if an argument is not a live object", x,
                        f -> f.space().gc().getReferents(f.list(), f.freed())),
                refused("gc().getReferrers: @throws FreedObjectException if an argument is not a live object", x,
                        f -> f.space().gc().getReferrers(f.freed())),
                refused("gc().isFinalized: @throws FreedObjectException", x, f -> f.space().gc().isFinalized(f.freed())),
                refusedWhenClosed("gc().collect()", f -> f.space().gc().collect()),
                refusedWhenClosed("gc().collect(generation)", f -> f.space().gc().collect(0)),
                refusedWhenClosed("gc().enable", f -> f.space().gc().enable()),
                refusedWhenClosed("gc().disable", f -> f.space().gc().disable()),
                refusedWhenClosed("gc().isEnabled", f -> f.space().gc().isEnabled()),
                refusedWhenClosed("gc().getThreshold", f -> f.space().gc().getThreshold()),
                refusedWhenClosed("gc().setThreshold", f -> f.space().gc().setThreshold(1)),
                refusedWhenClosed("gc().getCount", f -> f.space().gc().getCount()),
                refusedWhenClosed("gc().getStats", f -> f.space().gc().getStats()),
                refusedWhenClosed("gc().isTracked", f -> f.space().gc().isTracked(f.list())),
                refusedWhenClosed("gc().getObjects()", f -> f.space().gc().getObjects()),
                refusedWhenClosed("gc().getObjects(generation)", f -> f.space().gc().getObjects(0)),
                refusedWhenClosed("gc().getReferents", f -> f.space().gc().getReferents(f.list())),
                refusedWhenClosed("gc().getReferrers", f -> f.space().gc().getReferrers(f.list())),
                refusedWhenClosed("gc().freeze", f -> f.space().gc().freeze()),
                refusedWhenClosed("gc().unfreeze", f -> f.space().gc().unfreeze()),
                refusedWhenClosed("gc().getFreezeCount", f -> f.space().gc().getFreezeCount()),
                refusedWhenClosed("gc().isFinalized", f -> f.space().gc().isFinalized(f.instance())),
                refusedWhenClosed("gc().garbage", f -> f.space().gc().garbage()),
                // CPython's gc.set_debug(64) is accepted and kept; here unknown bits are refused
                refused("gc().setDebug: @throws IllegalArgumentException if flags has a bit no DEBUG_ constant has",
                        iae, "unknown debug flags 0x40", f -> f.space().gc().setDebug(Collector.DEBUG_STATS | 64)),
                refusedWhenClosed("gc().setDebug", f -> f.space().gc().setDebug(0)),
                refusedWhenClosed("gc().getDebug", f -> f.space().gc().getDebug()),
                refused("gc().setDebugOutput: @throws NullPointerException if out is null", NullPointerException.class, "out",
                        f -> f.space().gc().setDebugOutput(null)),
                refusedWhenClosed("gc().setDebugOutput", f -> f.space().gc().setDebugOutput(new PrintStream(System.err))),
                refusedWhenClosed("gc().getMemoryCollections", f -> f.space().gc().getMemoryCollections()));
    }

    @TestFactory
    List<DynamicTest> listClear() {
        return List.of(
                refused("lists().clear: @throws WrongTypeException if list is not a list", WrongTypeException.class,
                        f -> f.space().lists().clear(f.tuple())),
                refused("lists().clear: @throws FreedObjectException", FreedObjectException.class,
                        f -> f.space().lists().clear(f.freed())),
                refusedWhenClosed("lists().clear", f -> f.space().lists().clear(f.list())));
    }
}
