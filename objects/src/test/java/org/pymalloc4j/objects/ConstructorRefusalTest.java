package org.pymalloc4j.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MemoryLimitExceededError;

/**
 * Every call that makes a new object: "@throws OutOfMemoryError if the memory cannot be had,
 * even after a full collection (a MemoryLimitExceededError over the memory's limit); nothing is
 * made". Each is called in a space over a memory filled to its limit until it is refused, which
 * must then leave no object behind and the space sound. Their Javadoc must say so: a user who
 * sets a limit needs to know which calls it can refuse.
 */
class ConstructorRefusalTest {
    /** What the README calls each constructor, by the file its Javadoc is in, and how to call it in a space. */
    private static final Map<String, ToLongFunction<ObjectSpace>> CONSTRUCTORS = Map.ofEntries(
            Map.entry("IntApi newInt(long value)", s -> s.ints().newInt(1L << 40)),
            Map.entry("IntApi newInt(BigInteger value)", s -> s.ints().newInt(BigInteger.TEN.pow(40))),
            Map.entry("FloatApi newFloat(double value)", s -> s.floats().newFloat(2.5)),
            Map.entry("StrApi newStr(String value)", s -> s.strs().newStr("a str of some length")),
            Map.entry("StrApi intern(String value)", s -> s.strs().intern("interned " + System.nanoTime())),
            Map.entry("BytesApi newBytes(byte[] value)", s -> s.bytes().newBytes(new byte[40])),
            Map.entry("TupleApi newTuple(int n)", s -> s.tuples().newTuple(3)),
            Map.entry("TupleApi of(long... items)", s -> s.tuples().of(s.none(), s.none(), s.none())),
            Map.entry("TupleApi of(long a, long b)", s -> s.tuples().of(s.none(), s.none())),
            Map.entry("ListApi newList()", s -> s.lists().newList()),
            Map.entry("DictApi newDict()", s -> s.dicts().newDict()));

    @TestFactory
    Stream<DynamicTest> eachConstructorRefusedLeavesNothingBehind() {
        return CONSTRUCTORS.entrySet().stream().map(c -> DynamicTest.dynamicTest(c.getKey(), () -> {
            try (Memory memory = Memory.builder().limit(4L << 20).build();
                 ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).traceRefs(true).build()) {
                fillThenCallUntilRefused(space, c.getKey(), () -> c.getValue().applyAsLong(space));
            }
        }));
    }

    /** The weakref and instance constructors, which need a class first. */
    @TestFactory
    Stream<DynamicTest> classBasedConstructorsRefusedLeaveNothingBehind() {
        return Stream.of("ClassApi newInstance(long cls)", "WeakrefApi newRef(long o)", "WeakrefApi newRef(long o, Callback callback)")
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    try (Memory memory = Memory.builder().limit(4L << 20).build();
                         ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).traceRefs(true).build()) {
                        long cls = space.classes().newClass(ClassSpec.named("C").slots(2).weakReferenceable());
                        long target = space.classes().newInstance(cls);
                        fillThenCallUntilRefused(space, name, () -> switch (name) {
                            case "ClassApi newInstance(long cls)" -> space.classes().newInstance(cls);
                            case "WeakrefApi newRef(long o)" -> space.weakrefs().newRef(target);
                            default -> space.weakrefs().newRef(target, ref -> { });
                        });
                        space.decref(target);
                        space.decref(cls);
                    }
                }));
    }

    /** Fills the space to its limit, calls {@code make} until it is refused, and checks nothing was left behind. */
    private static void fillThenCallUntilRefused(ObjectSpace space, String name, LongSupplier make) {
        List<Long> made = new ArrayList<>();
        Fill.listsThenFloats(space, made);
        long live = -1;
        MemoryLimitExceededError refusal = null;
        for (int i = 0; i < 100_000 && refusal == null; i++) {
            live = space.liveObjectCount();
            try {
                made.add(make.getAsLong());
            } catch (MemoryLimitExceededError e) {
                refusal = e;
            }
        }
        assertTrue(refusal != null, name + " never refused");
        assertEquals(live, space.liveObjectCount(), () -> name + " left something: " + space.liveObjects());
        space.checkInvariants();
        for (long o : made) {
            space.decref(o);
        }
    }

    /** Each of those methods' Javadoc has the clause. */
    @TestFactory
    Stream<DynamicTest> theirJavadocSaysSo() {
        List<String> names = new ArrayList<>(CONSTRUCTORS.keySet());
        names.addAll(List.of("ClassApi newInstance(long cls)", "WeakrefApi newRef(long o)", "WeakrefApi newRef(long o, Callback callback)"));
        return names.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            String file = name.substring(0, name.indexOf(' '));
            String signature = name.substring(name.indexOf(' ') + 1);
            String source = Files.readString(Path.of("src/main/java/org/pymalloc4j/objects/" + file + ".java"));
            int at = source.indexOf(" " + signature + " {");
            assertTrue(at > 0, "no " + signature + " in " + file);
            String doc = source.substring(source.lastIndexOf("/**", at), at);
            assertTrue(doc.contains("@throws OutOfMemoryError"), file + "." + signature + " does not say it can be refused:\n" + doc);
        }));
    }
}
