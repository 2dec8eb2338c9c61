package org.pymalloc4j.objects;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MemoryLimitExceededError;
import org.pymalloc4j.objects.internal.Builtins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;

/**
 * One test per {@code @throws} of the public API, each quoting its clause. After every refused
 * call the space must still pass {@code checkInvariants()} with exactly the objects it had.
 */
class BadInputTest {
    /** Objects every case may use; the case gets them alive, with the counts listed. */
    record Fixture(ObjectSpace space, long list, long tuple, long dict, long cls, long instance, long str, long freed) {
    }

    private static Fixture fixture(ObjectSpace space) {
        long list = space.lists().newList();
        space.lists().append(list, space.none());
        long tuple = space.tuples().newTuple(1);
        space.tuples().set(tuple, 0, space.floats().newFloat(1));
        long cls = space.classes().newClass("C", 1);
        Fixture f = new Fixture(space, list, tuple, space.dicts().newDict(), cls, space.classes().newInstance(cls), space.strs().newStr("s str"),
                space.strs().newStr("freed str"));
        space.decref(f.freed); // last, so no later allocation reuses its block
        return f;
    }

    static DynamicTest refused(String clause, Class<? extends Throwable> type, Consumer<Fixture> call) {
        return refused(clause, type, null, call);
    }

    /**
     * A case of {@code @throws type}: the call throws it, its message names what was wrong
     * ({@code expected} if given; for a freed or wrongly typed object its address, and its type;
     * for an index, the index), and the space is as it was.
     */
    static DynamicTest refused(String clause, Class<? extends Throwable> type, String expected, Consumer<Fixture> call) {
        return DynamicTest.dynamicTest(clause, () -> {
            try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).checked(true).build()) {
                Fixture f = fixture(space);
                long live = space.liveObjectCount();
                long strRefs = space.refcount(f.str);
                Throwable t = assertThrows(type, () -> call.accept(f));
                String m = t.getMessage();
                assertTrue(m != null && !m.isBlank(), "no message: " + t);
                assertTrue(expected == null || m.contains(expected), () -> "expected '" + expected + "' in: " + m);
                if (t instanceof FreedObjectException e) {
                    assertEquals(f.freed, e.address(), m);
                    assertTrue(m.contains(String.format("0x%x", f.freed)), m);
                } else if (t instanceof WrongTypeException e) {
                    assertTrue(m.contains(String.format("0x%x", e.address())) && m.contains(e.typeName()), m);
                } else if (t instanceof IndexOutOfBoundsException) {
                    assertTrue(m.contains("index ") && m.contains("out of range"), m);
                }
                space.checkInvariants();
                assertEquals(live, space.liveObjectCount(), "nothing made or freed by a refused call");
                assertEquals(strRefs, space.refcount(f.str), "no reference taken or dropped");
            }
        });
    }

    static DynamicTest refusedWhenClosed(String method, Consumer<Fixture> call) {
        return DynamicTest.dynamicTest(method + ": @throws IllegalStateException if the space is closed", () -> {
            ObjectSpace space = ObjectSpace.create();
            Fixture f = fixture(space);
            space.close();
            Throwable t = assertThrows(IllegalStateException.class, () -> call.accept(f));
            assertTrue(t.getMessage().contains("closed"), t.getMessage());
        });
    }

    @TestFactory
    List<DynamicTest> wrongTypes() {
        Class<WrongTypeException> w = WrongTypeException.class;
        return List.of(
                refused("ints().value: @throws WrongTypeException if o is not an int or bool", w,
                        "ints().value expects an int object, got the str object at 0x", f -> f.space.ints().value(f.str)),
                refused("ints().bigIntegerValue: @throws WrongTypeException", w, f -> f.space.ints().bigIntegerValue(f.list)),
                refused("floats().value: @throws WrongTypeException", w, f -> f.space.floats().value(f.str)),
                refused("bytes().value: @throws WrongTypeException", w, f -> f.space.bytes().value(f.str)),
                refused("strs().value: @throws WrongTypeException", w, f -> f.space.strs().value(f.list)),
                refused("strs().internInPlace: @throws WrongTypeException (nothing stolen)", w, f -> f.space.strs().internInPlace(f.list)),
                refused("strs().isInterned: @throws WrongTypeException", w, f -> f.space.strs().isInterned(f.list)),
                refused("tuples().get: @throws WrongTypeException (a tuple operation on a list)", w, f -> f.space.tuples().get(f.list, 0)),
                refused("tuples().size: @throws WrongTypeException", w, f -> f.space.tuples().size(f.list)),
                refused("lists().append: @throws WrongTypeException", w, f -> f.space.lists().append(f.tuple, f.str)),
                refused("lists().get: @throws WrongTypeException", w, f -> f.space.lists().get(f.tuple, 0)),
                refused("lists().size: @throws WrongTypeException", w, f -> f.space.lists().size(f.tuple)),
                refused("lists().capacity: @throws WrongTypeException", w, f -> f.space.lists().capacity(f.dict)),
                refused("lists().insert: @throws WrongTypeException", w, f -> f.space.lists().insert(f.tuple, 0, f.str)),
                refused("lists().pop(list): @throws WrongTypeException", w, f -> f.space.lists().pop(f.tuple)),
                refused("lists().pop: @throws WrongTypeException", w, f -> f.space.lists().pop(f.tuple, 0)),
                refused("lists().delete: @throws WrongTypeException", w, f -> f.space.lists().delete(f.dict, 0)),
                refused("dicts().set: @throws WrongTypeException if dict is not a dict", w, f -> f.space.dicts().set(f.list, f.str, f.str)),
                refused("dicts().set: @throws WrongTypeException if key is unhashable", w, f -> f.space.dicts().set(f.dict, f.list, f.str)),
                refused("dicts().get: @throws WrongTypeException if key is unhashable", w, f -> f.space.dicts().get(f.dict, f.dict)),
                refused("dicts().delete: @throws WrongTypeException", w, f -> f.space.dicts().delete(f.tuple, f.str)),
                refused("dicts().size: @throws WrongTypeException", w, f -> f.space.dicts().size(f.list)),
                refused("dicts().keys: @throws WrongTypeException", w, f -> f.space.dicts().keys(f.list)),
                refused("dicts().values: @throws WrongTypeException", w, f -> f.space.dicts().values(f.tuple)),
                refused("dicts().items: @throws WrongTypeException", w, f -> f.space.dicts().items(f.str)),
                refused("dicts().forEach: @throws WrongTypeException", w, f -> f.space.dicts().forEach(f.list, (k, v) -> { })),
                refused("classes().newInstance: @throws WrongTypeException if cls is not a class", w, f -> f.space.classes().newInstance(f.space.type(f.str))),
                refused("classes().getSlot: @throws WrongTypeException", w, f -> f.space.classes().getSlot(f.list, 0)),
                refused("classes().setSlot: @throws WrongTypeException", w, f -> f.space.classes().setSlot(f.str, 0, f.str)),
                refused("hash: @throws WrongTypeException if o is unhashable", w, f -> f.space.hash(f.list)));
    }

    @Test
    void wrongTypeMessagesNameTheObjectAndItsType() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long list = space.lists().newList();
            WrongTypeException e = assertThrows(WrongTypeException.class, () -> space.tuples().size(list));
            assertTrue(e.getMessage().contains(String.format("0x%x", list)), e.getMessage());
            assertTrue(e.getMessage().contains("list") && e.getMessage().contains("tuple"), e.getMessage());
            assertEquals("list", e.typeName());
            assertEquals(list, e.address());
            space.decref(list);
        }
    }

    @TestFactory
    List<DynamicTest> indexesOutOfRange() {
        Class<IndexOutOfBoundsException> x = IndexOutOfBoundsException.class;
        return List.of(
                refused("tuples().get: @throws IndexOutOfBoundsException", x, f -> f.space.tuples().get(f.tuple, 1)),
                refused("lists().get: @throws IndexOutOfBoundsException", x, f -> f.space.lists().get(f.list, -1)),
                refused("lists().pop: @throws IndexOutOfBoundsException", x, f -> f.space.lists().pop(f.list, 1)),
                refused("lists().pop: @throws IndexOutOfBoundsException (from the end)", x, f -> f.space.lists().pop(f.list, -2)),
                refused("lists().delete: @throws IndexOutOfBoundsException", x, f -> f.space.lists().delete(f.list, 1)),
                refused("classes().getSlot: @throws IndexOutOfBoundsException", x, f -> f.space.classes().getSlot(f.instance, 1)),
                refused("classes().setSlot: @throws IndexOutOfBoundsException", x, f -> f.space.classes().setSlot(f.instance, 7, f.str)));
    }

    @Test
    void settersStealTheirItemEvenWhenTheyThrow() {
        // tuples().set / lists().set: "a bad tuple or index releases item and throws, as CPython does"
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long t = space.tuples().newTuple(1);
            long l = space.lists().newList(1);
            long item = space.floats().newFloat(2);
            space.incref(item);
            String m = assertThrows(IndexOutOfBoundsException.class, () -> space.tuples().set(t, 5, item)).getMessage();
            assertTrue(m.endsWith(String.format(": index 5 out of range for the tuple object at 0x%x of size 1", t)), m);
            assertEquals(1, space.refcount(item), "stolen");
            m = assertThrows(IndexOutOfBoundsException.class, () -> space.lists().set(l, 1, item)).getMessage();
            assertTrue(m.endsWith(String.format(": index 1 out of range for the list object at 0x%x of size 1", l)), m);
            assertEquals(1, space.liveObjectCount() - 1 - 0, "item freed; t and l remain");
            // tuples().set: @throws IllegalStateException if the tuple's refcount is not 1
            space.incref(t);
            long other = space.floats().newFloat(3);
            IllegalStateException shared = assertThrows(IllegalStateException.class, () -> space.tuples().set(t, 0, other));
            assertTrue(shared.getMessage().startsWith(String.format("tuples().set on the shared tuple at 0x%x (refcount 2)", t)),
                    shared.getMessage());
            space.decref(t);
            space.decref(t);
            space.decref(l);
            assertEquals(0, space.liveObjectCount());
            space.checkInvariants();
        }
    }

    @TestFactory
    List<DynamicTest> freedObjects() {
        Class<FreedObjectException> x = FreedObjectException.class;
        return List.of(
                refused("incref: @throws FreedObjectException", x, f -> f.space.incref(f.freed)),
                refused("decref: @throws FreedObjectException (a decref below zero)", x, f -> f.space.decref(f.freed)),
                refused("refcount: @throws FreedObjectException", x, f -> f.space.refcount(f.freed)),
                refused("sizeOf: @throws FreedObjectException", x, f -> f.space.sizeOf(f.freed)),
                refused("type: @throws FreedObjectException", x, f -> f.space.type(f.freed)),
                refused("typeName: @throws FreedObjectException", x, f -> f.space.typeName(f.freed)),
                refused("hash: @throws FreedObjectException", x, f -> f.space.hash(f.freed)),
                refused("valueEquals: @throws FreedObjectException", x, f -> f.space.valueEquals(f.str, f.freed)),
                refused("ints().value: @throws FreedObjectException", x, f -> f.space.ints().value(f.freed)),
                refused("ints().bigIntegerValue: @throws FreedObjectException", x, f -> f.space.ints().bigIntegerValue(f.freed)),
                refused("floats().value: @throws FreedObjectException", x, f -> f.space.floats().value(f.freed)),
                refused("bytes().value: @throws FreedObjectException", x, f -> f.space.bytes().value(f.freed)),
                refused("strs().value: @throws FreedObjectException", x, f -> f.space.strs().value(f.freed)),
                refused("strs().internInPlace: @throws FreedObjectException", x, f -> f.space.strs().internInPlace(f.freed)),
                refused("strs().isInterned: @throws FreedObjectException", x, f -> f.space.strs().isInterned(f.freed)),
                refused("tuples().of(a, b): @throws FreedObjectException (nothing changed)", x, f -> f.space.tuples().of(f.str, f.freed)),
                refused("tuples().of(long...): @throws FreedObjectException (nothing changed)", x,
                        f -> f.space.tuples().of(f.str, f.str, f.freed)),
                refused("tuples().get: @throws FreedObjectException", x, f -> f.space.tuples().get(f.freed, 0)),
                refused("tuples().set: @throws FreedObjectException (item not stolen if it is the bad one)", x,
                        f -> f.space.tuples().set(f.tuple, 0, f.freed)),
                refused("tuples().size: @throws FreedObjectException", x, f -> f.space.tuples().size(f.freed)),
                refused("lists().append: @throws FreedObjectException", x, f -> f.space.lists().append(f.list, f.freed)),
                refused("lists().get: @throws FreedObjectException", x, f -> f.space.lists().get(f.freed, 0)),
                refused("lists().set: @throws FreedObjectException", x, f -> f.space.lists().set(f.list, 0, f.freed)),
                refused("lists().size: @throws FreedObjectException", x, f -> f.space.lists().size(f.freed)),
                refused("lists().capacity: @throws FreedObjectException", x, f -> f.space.lists().capacity(f.freed)),
                refused("lists().insert: @throws FreedObjectException (the list)", x, f -> f.space.lists().insert(f.freed, 0, f.str)),
                refused("lists().insert: @throws FreedObjectException (the item)", x, f -> f.space.lists().insert(f.list, 0, f.freed)),
                refused("lists().pop(list): @throws FreedObjectException", x, f -> f.space.lists().pop(f.freed)),
                refused("lists().pop: @throws FreedObjectException", x, f -> f.space.lists().pop(f.freed, 0)),
                refused("lists().delete: @throws FreedObjectException", x, f -> f.space.lists().delete(f.freed, 0)),
                refused("dicts().set: @throws FreedObjectException", x, f -> f.space.dicts().set(f.dict, f.str, f.freed)),
                refused("dicts().get: @throws FreedObjectException", x, f -> f.space.dicts().get(f.dict, f.freed)),
                refused("dicts().delete: @throws FreedObjectException", x, f -> f.space.dicts().delete(f.freed, f.str)),
                refused("dicts().size: @throws FreedObjectException", x, f -> f.space.dicts().size(f.freed)),
                refused("ints().check: @throws FreedObjectException", x, f -> f.space.ints().check(f.freed)),
                refused("floats().check: @throws FreedObjectException", x, f -> f.space.floats().check(f.freed)),
                refused("strs().check: @throws FreedObjectException", x, f -> f.space.strs().check(f.freed)),
                refused("bytes().check: @throws FreedObjectException", x, f -> f.space.bytes().check(f.freed)),
                refused("tuples().check: @throws FreedObjectException", x, f -> f.space.tuples().check(f.freed)),
                refused("lists().check: @throws FreedObjectException", x, f -> f.space.lists().check(f.freed)),
                refused("dicts().check: @throws FreedObjectException", x, f -> f.space.dicts().check(f.freed)),
                refused("weakrefs().check: @throws FreedObjectException", x, f -> f.space.weakrefs().check(f.freed)),
                refused("dicts().keys: @throws FreedObjectException", x, f -> f.space.dicts().keys(f.freed)),
                refused("dicts().values: @throws FreedObjectException", x, f -> f.space.dicts().values(f.freed)),
                refused("dicts().items: @throws FreedObjectException", x, f -> f.space.dicts().items(f.freed)),
                refused("dicts().forEach: @throws FreedObjectException", x, f -> f.space.dicts().forEach(f.freed, (k, v) -> { })),
                refused("classes().newInstance: @throws FreedObjectException", x, f -> f.space.classes().newInstance(f.freed)),
                refused("classes().getSlot: @throws FreedObjectException", x, f -> f.space.classes().getSlot(f.freed, 0)),
                refused("classes().setSlot: @throws FreedObjectException", x, f -> f.space.classes().setSlot(f.instance, 0, f.freed)),
                refused("Frame.local: @throws FreedObjectException", x, f -> {
                    try (Frame fr = f.space.frame()) {
                        fr.local(f.freed);
                    }
                }),
                refused("Frame.hold: @throws FreedObjectException", x, f -> {
                    try (Frame fr = f.space.frame()) {
                        fr.hold(f.freed);
                    }
                }),
                refused("Frame.returning: @throws FreedObjectException", x, f -> {
                    try (Frame fr = f.space.frame()) {
                        fr.returning(f.freed);
                    }
                }),
                refused("Frame.set: @throws FreedObjectException", x, f -> {
                    try (Frame fr = f.space.frame()) {
                        fr.local(0);
                        fr.set(0, f.freed);
                    }
                }));
    }

    @Test
    void everyKindOfFreedObjectIsRecognised() {
        try (ObjectSpace space = ObjectSpace.create()) {
            List<Long> freed = new ArrayList<>();
            freed.add(space.floats().newFloat(1));                       // parked on the float free list
            freed.add(space.tuples().newTuple(3));                       // parked on the 3-tuple free list
            freed.add(space.lists().newList());                         // parked on the list free list
            freed.add(space.strs().newStr("x".repeat(10)));            // back to its pool
            freed.add(space.bytes().newBytes(new byte[2000]));          // a raw (libc) block
            freed.add(space.ints().newInt(BigInteger.TEN.pow(50)));
            for (long o : freed) {
                space.decref(o);
            }
            for (long o : freed) {
                FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.decref(o));
                assertEquals(o, e.address());
                assertTrue(e.getMessage().contains(String.format("0x%x", o)), e.getMessage());
            }
            space.checkInvariants();
        }
    }

    @Test
    void aStaleAddressInsideAReusedBlockIsNoObject() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long s = space.strs().newStr("nine char"); // 48 + 10 bytes: the 64-byte class
            space.decref(s);
            long d = space.dicts().newDict();           // 16 + 48 bytes: the same block, GC head where s was
            assertEquals(s + 16, d, "pymalloc hands back the block just freed");
            FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.decref(s));
            assertTrue(e.getMessage().contains("no type"), e.getMessage());
            space.decref(d);
            space.checkInvariants();
        }
    }

    @Test
    void deallocatingAStaticObjectIsRefusedAndUndone() {
        // decref: @throws IllegalStateException if a static object would be deallocated
        try (ObjectSpace space = ObjectSpace.create()) {
            long none = space.none();
            putLong(none, 1); // as if 999,999,998 decrefs too many had run
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.decref(none));
            assertTrue(e.getMessage().contains("NoneType"), e.getMessage());
            assertEquals(999_999_999L, space.refcount(none));
            space.checkInvariants();
        }
    }

    @TestFactory
    List<DynamicTest> closedSpace() {
        List<DynamicTest> tests = new ArrayList<>();
        record Case(String method, Consumer<Fixture> call) {
        }
        for (Case c : List.<Case>of(
                new Case("newBool", f -> f.space.newBool(true)),
                new Case("newInt", f -> f.space.ints().newInt(1000)),
                new Case("newInt(BigInteger)", f -> f.space.ints().newInt(BigInteger.ONE)),
                new Case("newFloat", f -> f.space.floats().newFloat(1)),
                new Case("newBytes", f -> f.space.bytes().newBytes(new byte[1])),
                new Case("newStr", f -> f.space.strs().newStr("abc")),
                new Case("intern", f -> f.space.strs().intern("abc")),
                new Case("newTuple", f -> f.space.tuples().newTuple(2)),
                new Case("tupleOf", f -> f.space.tuples().of()),
                new Case("tupleOfPair", f -> f.space.tuples().of(f.str, f.str)),
                new Case("newList", f -> f.space.lists().newList()),
                new Case("newDict", f -> f.space.dicts().newDict()),
                new Case("newClass", f -> f.space.classes().newClass("D", 0)),
                new Case("incref", f -> f.space.incref(f.str)),
                new Case("decref", f -> f.space.decref(f.str)),
                new Case("refcount", f -> f.space.refcount(f.str)),
                new Case("sizeOf", f -> f.space.sizeOf(f.str)),
                new Case("listAppend", f -> f.space.lists().append(f.list, f.str)),
                new Case("dictSet", f -> f.space.dicts().set(f.dict, f.str, f.str)),
                new Case("frame", f -> f.space.frame()),
                new Case("liveObjects", f -> f.space.liveObjects()),
                new Case("debugMallocStats", f -> f.space.debugMallocStats()),
                new Case("ints().value", f -> f.space.ints().value(f.str)),
                new Case("ints().bigIntegerValue", f -> f.space.ints().bigIntegerValue(f.str)),
                new Case("floats().value", f -> f.space.floats().value(f.str)),
                new Case("bytes().value", f -> f.space.bytes().value(f.str)),
                new Case("strs().value", f -> f.space.strs().value(f.str)),
                new Case("strs().internInPlace", f -> f.space.strs().internInPlace(f.str)),
                new Case("strs().isInterned", f -> f.space.strs().isInterned(f.str)),
                new Case("tuples().get", f -> f.space.tuples().get(f.tuple, 0)),
                new Case("tuples().set", f -> f.space.tuples().set(f.tuple, 0, f.str)),
                new Case("tuples().size", f -> f.space.tuples().size(f.tuple)),
                new Case("lists().newList(n)", f -> f.space.lists().newList(3)),
                new Case("lists().get", f -> f.space.lists().get(f.list, 0)),
                new Case("lists().set", f -> f.space.lists().set(f.list, 0, f.str)),
                new Case("lists().size", f -> f.space.lists().size(f.list)),
                new Case("lists().capacity", f -> f.space.lists().capacity(f.list)),
                new Case("lists().insert", f -> f.space.lists().insert(f.list, 0, f.str)),
                new Case("lists().pop(list)", f -> f.space.lists().pop(f.list)),
                new Case("lists().pop", f -> f.space.lists().pop(f.list, 0)),
                new Case("lists().delete", f -> f.space.lists().delete(f.list, 0)),
                new Case("dicts().get", f -> f.space.dicts().get(f.dict, f.str)),
                new Case("dicts().delete", f -> f.space.dicts().delete(f.dict, f.str)),
                new Case("dicts().size", f -> f.space.dicts().size(f.dict)),
                new Case("ints().check", f -> f.space.ints().check(f.str)),
                new Case("floats().check", f -> f.space.floats().check(f.str)),
                new Case("strs().check", f -> f.space.strs().check(f.str)),
                new Case("bytes().check", f -> f.space.bytes().check(f.str)),
                new Case("tuples().check", f -> f.space.tuples().check(f.str)),
                new Case("lists().check", f -> f.space.lists().check(f.str)),
                new Case("dicts().check", f -> f.space.dicts().check(f.str)),
                new Case("weakrefs().check", f -> f.space.weakrefs().check(f.str)),
                new Case("dicts().keys", f -> f.space.dicts().keys(f.dict)),
                new Case("dicts().values", f -> f.space.dicts().values(f.dict)),
                new Case("dicts().items", f -> f.space.dicts().items(f.dict)),
                new Case("dicts().forEach", f -> f.space.dicts().forEach(f.dict, (k, v) -> { })),
                new Case("classes().newInstance", f -> f.space.classes().newInstance(f.cls)),
                new Case("classes().getSlot", f -> f.space.classes().getSlot(f.instance, 0)),
                new Case("classes().setSlot", f -> f.space.classes().setSlot(f.instance, 0, f.str)),
                new Case("type", f -> f.space.type(f.str)),
                new Case("typeName", f -> f.space.typeName(f.str)),
                new Case("hash", f -> f.space.hash(f.str)),
                new Case("valueEquals", f -> f.space.valueEquals(f.str, f.str)),
                new Case("checkInvariants", f -> f.space.checkInvariants()))) {
            tests.add(refusedWhenClosed(c.method, c.call));
        }
        return tests;
    }

    @Test
    void closingTwiceDoesNothing() {
        ObjectSpace space = ObjectSpace.create();
        space.close();
        space.close();
        assertTrue(space.isClosed());
    }

    /**
     * Builder.build: "@throws OutOfMemoryError if the static objects cannot be allocated". They
     * are the space's first allocation, so the memory given is left as it was, and usable.
     */
    @Test
    void aSpaceWhoseStaticObjectsCannotBeAllocatedIsRefusedAndLeavesTheMemoryAsItWas() {
        try (Memory memory = Memory.builder().limit(32 << 10).build()) {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class,
                    () -> ObjectSpace.builder().memory(memory).checked(true).build());
            assertEquals(String.format(Locale.ROOT, "pymalloc4j: the object space's static objects of %,d bytes would exceed"
                    + " the memory limit of 32,768 bytes (0 in use)", Builtins.STATIC_BYTES), e.getMessage());
            assertInstanceOf(MemoryLimitExceededError.class, e, "still the limit's error");
            assertEquals(0, memory.bytesFromOs(), "the refused space left something in the memory");
            memory.raw().free(memory.raw().malloc(64));
            memory.checkInvariants();
        }
    }

    /** Lists.newList allocates (or revives) the header, then the item array: a failing array leaks the header. */
    @Test
    void newListWhoseItemArrayCannotBeAllocatedLeaksNothing() {
        try (Memory memory = Memory.builder().limit(4L << 20).build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).traceRefs(true).build()) {
            long live = space.liveObjectCount();
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> space.lists().newList(1 << 20)); // 8 MiB > 4 MiB
            assertTrue(e.getMessage().contains("8,388,608 bytes would exceed the memory limit of 4,194,304 bytes"), e.getMessage());
            assertEquals(live, space.liveObjectCount(),
                    () -> "the half-built list header leaked: " + space.liveObjects());
            space.checkInvariants();
        }
    }

    /**
     * dicts().set: "@throws OutOfMemoryError if the keys table cannot be had or grown, even after
     * a full collection; nothing is stored and no reference kept".
     */
    @Test
    void dictSetThatCannotAllocateItsTableTakesNoReferences() {
        try (Memory memory = Memory.builder().limit(4L << 20).build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).build()) {
            space.gc().disable();
            long d = space.dicts().newDict();
            long key = space.floats().newFloat(0.25);   // a non-str key: the general (24-byte entry) table
            long value = space.floats().newFloat(0.5);
            List<Long> filler = new ArrayList<>();
            fillMemory(space, filler);
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> space.dicts().set(d, key, value));
            assertTrue(e.getMessage().contains("would exceed the memory limit of 4,194,304 bytes"), e.getMessage());
            long keyRefs = space.refcount(key);
            long valueRefs = space.refcount(value);
            long size = space.dicts().size(d);
            for (long o : filler) {
                space.decref(o);
            }
            assertEquals(0, size);
            assertEquals(1, keyRefs, "the refused set kept a reference to the key");
            assertEquals(1, valueRefs, "the refused set kept a reference to the value");
        }
    }

    private static void fillMemory(ObjectSpace s, List<Long> filler) {
        Fill.listsThenFloats(s, filler);
    }

    /**
     * lists().set and tuples().set: "@throws WrongTypeException in checked mode, if list (tuple)
     * is not a list (tuple)", naming the object; the item is stolen all the same (released), as
     * CPython's PyList_SetItem and PyTuple_SetItem release it.
     */
    @Test
    void settersRefuseTheWrongContainerAndStillStealTheItem() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).checked(true).build()) {
            long t = space.tuples().newTuple(1);
            long l = space.lists().newList(1);
            long live = space.liveObjectCount();
            long item = space.floats().newFloat(2);
            WrongTypeException e = assertThrows(WrongTypeException.class, () -> space.lists().set(t, 0, item));
            assertEquals(t, e.address());
            assertTrue(e.getMessage().contains(String.format("lists().set expects a list object, got the tuple object at 0x%x", t)),
                    e.getMessage());
            long other = space.floats().newFloat(3);
            e = assertThrows(WrongTypeException.class, () -> space.tuples().set(l, 0, other));
            assertEquals(l, e.address());
            assertTrue(e.getMessage().contains(String.format("tuples().set expects a tuple object, got the list object at 0x%x", l)),
                    e.getMessage());
            assertEquals(live, space.liveObjectCount(), () -> "an item was not released: " + space.liveObjects());
            space.checkInvariants();
            space.decref(t);
            space.decref(l);
            assertEquals(0, space.liveObjectCount());
        }
    }

    @TestFactory
    List<DynamicTest> nullsAndBadSizes() {
        Class<NullPointerException> npe = NullPointerException.class;
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        return List.of(
                refused("ints().newInt(BigInteger): @throws NullPointerException if value is null", npe, "value",
                        f -> f.space.ints().newInt((BigInteger) null)),
                refused("bytes().newBytes: @throws NullPointerException if value is null", npe, "value",
                        f -> f.space.bytes().newBytes(null)),
                refused("strs().newStr: @throws NullPointerException if value is null", npe, "value",
                        f -> f.space.strs().newStr(null)),
                refused("strs().intern: @throws NullPointerException if value is null", npe, "value",
                        f -> f.space.strs().intern(null)),
                refused("classes().newClass(name, slots): @throws NullPointerException if name is null", npe, "name",
                        f -> f.space.classes().newClass(null, 1)),
                refused("tuples().newTuple: @throws IllegalArgumentException if n is negative", iae, "negative tuple size -1",
                        f -> f.space.tuples().newTuple(-1)),
                refused("lists().newList(n): @throws IllegalArgumentException if n is negative", iae, "negative list size -1",
                        f -> f.space.lists().newList(-1)),
                refused("classes().newClass(name, slots): @throws IllegalArgumentException if slots is negative", iae,
                        "slots must be in [0, 60], was -1", f -> f.space.classes().newClass("C", -1)),
                refused("classes().newClass(name, slots): @throws IllegalArgumentException if slots is above 60", iae,
                        "slots must be in [0, 60], was 61", f -> f.space.classes().newClass("C", 61)),
                refused("ints().value: @throws ArithmeticException if the value does not fit in a long", ArithmeticException.class,
                        "does not fit in a long", f -> {
                            long big = f.space.ints().newInt(BigInteger.TWO.pow(63));
                            try {
                                f.space.ints().value(big);
                            } finally {
                                f.space.decref(big);
                            }
                        }),
                refused("Builder.memory: @throws NullPointerException if memory is null", npe, "memory",
                        f -> ObjectSpace.builder().memory(null)),
                refused("Builder.allocator: @throws NullPointerException if name is null", npe, "name",
                        f -> ObjectSpace.builder().allocator(null)),
                refused("Builder.build: @throws IllegalStateException if the memory given is closed", IllegalStateException.class,
                        "the memory given is closed", f -> {
                            Memory closed = Memory.create();
                            closed.close();
                            ObjectSpace.builder().memory(closed).build();
                        }));
    }
}
