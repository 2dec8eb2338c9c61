package org.pymalloc4j.objects;

import java.io.PrintStream;
import java.util.List;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static org.pymalloc4j.objects.BadInputTest.refused;
import static org.pymalloc4j.objects.BadInputTest.refusedWhenClosed;

/**
 * One test per {@code @throws} of the weakref, class-spec and collector API, each named by the
 * clause it proves; as in {@link BadInputTest}, a refused call leaves the space valid with the
 * same objects and references.
 */
class GcApiBadInputTest {
    @TestFactory
    List<DynamicTest> weakrefs() {
        Class<WrongTypeException> w = WrongTypeException.class;
        Class<FreedObjectException> x = FreedObjectException.class;
        WeakrefApi.Callback ignore = ref -> { };
        return List.of(
                refused("weakrefs().newRef(o): @throws WrongTypeException if o's type cannot be weakly referenced", w,
                        f -> f.space().weakrefs().newRef(f.list())),
                refused("weakrefs().newRef(o): @throws FreedObjectException", x, f -> f.space().weakrefs().newRef(f.freed())),
                refusedWhenClosed("weakrefs().newRef(o)", f -> f.space().weakrefs().newRef(f.instance())),
                refused("weakrefs().newRef(o, callback): @throws NullPointerException if callback is null", NullPointerException.class,
                        f -> f.space().weakrefs().newRef(f.instance(), null)),
                refused("weakrefs().newRef(o, callback): @throws WrongTypeException if o's type cannot be weakly referenced", w,
                        f -> f.space().weakrefs().newRef(f.tuple(), ignore)),
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
        return List.of(
                refused("ClassSpec: @throws NullPointerException if name is null", npe,
                        f -> new ClassSpec(null, 0, false, null, null)),
                refused("ClassSpec: @throws IllegalArgumentException if slots is negative", IllegalArgumentException.class,
                        f -> ClassSpec.named("C").slots(-1)),
                refused("ClassSpec: @throws IllegalArgumentException if slots is above MAX_SLOTS", IllegalArgumentException.class,
                        f -> ClassSpec.named("C").slots(ClassApi.MAX_SLOTS + 1)),
                refused("ClassSpec.finalizer(null): NullPointerException", npe, f -> ClassSpec.named("C").finalizer(null)),
                refused("ClassSpec.legacyFinalizer(null): NullPointerException", npe, f -> ClassSpec.named("C").legacyFinalizer(null)),
                refused("classes().newClass(spec): @throws NullPointerException if spec is null", npe,
                        f -> f.space().classes().newClass((ClassSpec) null)),
                refusedWhenClosed("classes().newClass(spec)", f -> f.space().classes().newClass(ClassSpec.named("C"))));
    }

    @TestFactory
    List<DynamicTest> collector() {
        return List.of(
                refused("gc().isFinalized: @throws FreedObjectException", FreedObjectException.class,
                        f -> f.space().gc().isFinalized(f.freed())),
                refusedWhenClosed("gc().isFinalized", f -> f.space().gc().isFinalized(f.instance())),
                refusedWhenClosed("gc().garbage", f -> f.space().gc().garbage()),
                // CPython's gc.set_debug(64) is accepted and kept; here unknown bits are refused
                refused("gc().setDebug: @throws IllegalArgumentException if flags has a bit no DEBUG_ constant has",
                        IllegalArgumentException.class, f -> f.space().gc().setDebug(Collector.DEBUG_STATS | 64)),
                refusedWhenClosed("gc().setDebug", f -> f.space().gc().setDebug(0)),
                refusedWhenClosed("gc().getDebug", f -> f.space().gc().getDebug()),
                refused("gc().setDebugOutput: @throws NullPointerException if out is null", NullPointerException.class,
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
