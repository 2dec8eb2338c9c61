package org.pymalloc4j.objects;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The families' {@code check} ({@code PyLong_Check}, {@code PyList_Check} ...) over one object of every type. */
class TypeCheckTest {

    @Test
    void eachCheckAcceptsItsOwnTypeOnly() {
        for (boolean checked : new boolean[] {true, false}) {
            try (ObjectSpace space = ObjectSpace.builder().checked(checked).build()) {
                long cls = space.classes().newClass(ClassSpec.named("list").slots(0).weakReferenceable()); // named as a built-in
                Map<String, Long> samples = new LinkedHashMap<>();
                samples.put("int", space.ints().newInt(1000));
                samples.put("big int", space.ints().newInt(BigInteger.TEN.pow(40)));
                samples.put("small int", space.ints().newInt(7));
                space.incref(space.trueObject()); // borrowed: each sample is dropped at the end
                samples.put("bool", space.trueObject());
                samples.put("float", space.floats().newFloat(1.5));
                samples.put("str", space.strs().newStr("text"));
                samples.put("empty str", space.strs().newStr(""));
                samples.put("bytes", space.bytes().newBytes(new byte[] {1, 2}));
                samples.put("one byte", space.bytes().newBytes(new byte[] {1}));
                samples.put("tuple", space.tuples().newTuple(2));
                samples.put("empty tuple", space.tuples().newTuple(0));
                samples.put("list", space.lists().newList());
                samples.put("dict", space.dicts().newDict());
                space.incref(space.none());
                samples.put("None", space.none());
                samples.put("class", cls);
                long instance = space.classes().newInstance(cls);
                samples.put("instance of a class named list", instance);
                samples.put("weakref", space.weakrefs().newRef(instance));
                samples.put("weakref with a callback", space.weakrefs().newRef(instance, (ref) -> { }));
                Map<String, LongPredicate> checks = new LinkedHashMap<>();
                checks.put("ints", space.ints()::check);
                checks.put("floats", space.floats()::check);
                checks.put("strs", space.strs()::check);
                checks.put("bytes", space.bytes()::check);
                checks.put("tuples", space.tuples()::check);
                checks.put("lists", space.lists()::check);
                checks.put("dicts", space.dicts()::check);
                checks.put("weakrefs", space.weakrefs()::check);
                Map<String, List<String>> expected = Map.of(
                        "ints", List.of("int", "big int", "small int", "bool"),
                        "floats", List.of("float"),
                        "strs", List.of("str", "empty str"),
                        "bytes", List.of("bytes", "one byte"),
                        "tuples", List.of("tuple", "empty tuple"),
                        "lists", List.of("list"),
                        "dicts", List.of("dict"),
                        "weakrefs", List.of("weakref", "weakref with a callback"));
                checks.forEach((family, check) -> assertEquals(expected.get(family),
                        samples.entrySet().stream().filter(e -> check.test(e.getValue())).map(Map.Entry::getKey).toList(),
                        family + "().check, checked " + checked));
                for (long o : samples.values()) {
                    space.decref(o);
                }
                space.checkInvariants();
            }
        }
    }
}
