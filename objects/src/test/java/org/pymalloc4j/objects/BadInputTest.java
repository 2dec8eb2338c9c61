package org.pymalloc4j.objects;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        long list = space.newList();
        space.listAppend(list, space.none());
        long tuple = space.newTuple(1);
        space.tupleSet(tuple, 0, space.newFloat(1));
        long cls = space.newClass("C", 1);
        Fixture f = new Fixture(space, list, tuple, space.newDict(), cls, space.newInstance(cls), space.newStr("s str"),
                space.newStr("freed str"));
        space.decref(f.freed); // last, so no later allocation reuses its block
        return f;
    }

    private static DynamicTest refused(String clause, Class<? extends Throwable> type, Consumer<Fixture> call) {
        return DynamicTest.dynamicTest(clause, () -> {
            try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).checked(true).build()) {
                Fixture f = fixture(space);
                long live = space.liveObjectCount();
                long strRefs = space.refcount(f.str);
                Throwable t = assertThrows(type, () -> call.accept(f));
                assertTrue(t.getMessage() != null && !t.getMessage().isEmpty());
                space.checkInvariants();
                assertEquals(live, space.liveObjectCount(), "nothing made or freed by a refused call");
                assertEquals(strRefs, space.refcount(f.str), "no reference taken or dropped");
            }
        });
    }

    private static DynamicTest refusedWhenClosed(String method, Consumer<Fixture> call) {
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
                refused("intValue: @throws WrongTypeException if o is not an int or bool", w, f -> f.space.intValue(f.str)),
                refused("bigIntegerValue: @throws WrongTypeException", w, f -> f.space.bigIntegerValue(f.list)),
                refused("floatValue: @throws WrongTypeException", w, f -> f.space.floatValue(f.str)),
                refused("bytesValue: @throws WrongTypeException", w, f -> f.space.bytesValue(f.str)),
                refused("strValue: @throws WrongTypeException", w, f -> f.space.strValue(f.list)),
                refused("internInPlace: @throws WrongTypeException (nothing stolen)", w, f -> f.space.internInPlace(f.list)),
                refused("isInterned: @throws WrongTypeException", w, f -> f.space.isInterned(f.list)),
                refused("tupleGet: @throws WrongTypeException (a tuple operation on a list)", w, f -> f.space.tupleGet(f.list, 0)),
                refused("tupleSize: @throws WrongTypeException", w, f -> f.space.tupleSize(f.list)),
                refused("listAppend: @throws WrongTypeException", w, f -> f.space.listAppend(f.tuple, f.str)),
                refused("listGet: @throws WrongTypeException", w, f -> f.space.listGet(f.tuple, 0)),
                refused("listSize: @throws WrongTypeException", w, f -> f.space.listSize(f.tuple)),
                refused("listCapacity: @throws WrongTypeException", w, f -> f.space.listCapacity(f.dict)),
                refused("dictSet: @throws WrongTypeException if dict is not a dict", w, f -> f.space.dictSet(f.list, f.str, f.str)),
                refused("dictSet: @throws WrongTypeException if key is unhashable", w, f -> f.space.dictSet(f.dict, f.list, f.str)),
                refused("dictGet: @throws WrongTypeException if key is unhashable", w, f -> f.space.dictGet(f.dict, f.dict)),
                refused("dictDelete: @throws WrongTypeException", w, f -> f.space.dictDelete(f.tuple, f.str)),
                refused("dictSize: @throws WrongTypeException", w, f -> f.space.dictSize(f.list)),
                refused("newInstance: @throws WrongTypeException if cls is not a class", w, f -> f.space.newInstance(f.space.type(f.str))),
                refused("getSlot: @throws WrongTypeException", w, f -> f.space.getSlot(f.list, 0)),
                refused("setSlot: @throws WrongTypeException", w, f -> f.space.setSlot(f.str, 0, f.str)),
                refused("hash: @throws WrongTypeException if o is unhashable", w, f -> f.space.hash(f.list)));
    }

    @Test
    void wrongTypeMessagesNameTheObjectAndItsType() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long list = space.newList();
            WrongTypeException e = assertThrows(WrongTypeException.class, () -> space.tupleSize(list));
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
                refused("tupleGet: @throws IndexOutOfBoundsException", x, f -> f.space.tupleGet(f.tuple, 1)),
                refused("listGet: @throws IndexOutOfBoundsException", x, f -> f.space.listGet(f.list, -1)),
                refused("getSlot: @throws IndexOutOfBoundsException", x, f -> f.space.getSlot(f.instance, 1)),
                refused("setSlot: @throws IndexOutOfBoundsException", x, f -> f.space.setSlot(f.instance, 7, f.str)));
    }

    @Test
    void settersStealTheirItemEvenWhenTheyThrow() {
        // tupleSet / listSet: "a bad tuple or index releases item and throws, as CPython does"
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long t = space.newTuple(1);
            long l = space.newList(1);
            long item = space.newFloat(2);
            space.incref(item);
            assertThrows(IndexOutOfBoundsException.class, () -> space.tupleSet(t, 5, item));
            assertEquals(1, space.refcount(item), "stolen");
            assertThrows(IndexOutOfBoundsException.class, () -> space.listSet(l, 1, item));
            assertEquals(1, space.liveObjectCount() - 1 - 0, "item freed; t and l remain");
            // tupleSet: @throws IllegalStateException if the tuple's refcount is not 1
            space.incref(t);
            long other = space.newFloat(3);
            assertThrows(IllegalStateException.class, () -> space.tupleSet(t, 0, other));
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
                refused("intValue: @throws FreedObjectException", x, f -> f.space.intValue(f.freed)),
                refused("bigIntegerValue: @throws FreedObjectException", x, f -> f.space.bigIntegerValue(f.freed)),
                refused("floatValue: @throws FreedObjectException", x, f -> f.space.floatValue(f.freed)),
                refused("bytesValue: @throws FreedObjectException", x, f -> f.space.bytesValue(f.freed)),
                refused("strValue: @throws FreedObjectException", x, f -> f.space.strValue(f.freed)),
                refused("internInPlace: @throws FreedObjectException", x, f -> f.space.internInPlace(f.freed)),
                refused("isInterned: @throws FreedObjectException", x, f -> f.space.isInterned(f.freed)),
                refused("tupleOf: @throws FreedObjectException (nothing changed)", x, f -> f.space.tupleOf(f.str, f.freed)),
                refused("tupleGet: @throws FreedObjectException", x, f -> f.space.tupleGet(f.freed, 0)),
                refused("tupleSet: @throws FreedObjectException (item not stolen if it is the bad one)", x,
                        f -> f.space.tupleSet(f.tuple, 0, f.freed)),
                refused("tupleSize: @throws FreedObjectException", x, f -> f.space.tupleSize(f.freed)),
                refused("listAppend: @throws FreedObjectException", x, f -> f.space.listAppend(f.list, f.freed)),
                refused("listGet: @throws FreedObjectException", x, f -> f.space.listGet(f.freed, 0)),
                refused("listSet: @throws FreedObjectException", x, f -> f.space.listSet(f.list, 0, f.freed)),
                refused("listSize: @throws FreedObjectException", x, f -> f.space.listSize(f.freed)),
                refused("listCapacity: @throws FreedObjectException", x, f -> f.space.listCapacity(f.freed)),
                refused("dictSet: @throws FreedObjectException", x, f -> f.space.dictSet(f.dict, f.str, f.freed)),
                refused("dictGet: @throws FreedObjectException", x, f -> f.space.dictGet(f.dict, f.freed)),
                refused("dictDelete: @throws FreedObjectException", x, f -> f.space.dictDelete(f.freed, f.str)),
                refused("dictSize: @throws FreedObjectException", x, f -> f.space.dictSize(f.freed)),
                refused("newInstance: @throws FreedObjectException", x, f -> f.space.newInstance(f.freed)),
                refused("getSlot: @throws FreedObjectException", x, f -> f.space.getSlot(f.freed, 0)),
                refused("setSlot: @throws FreedObjectException", x, f -> f.space.setSlot(f.instance, 0, f.freed)),
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
            freed.add(space.newFloat(1));                       // parked on the float free list
            freed.add(space.newTuple(3));                       // parked on the 3-tuple free list
            freed.add(space.newList());                         // parked on the list free list
            freed.add(space.newStr("x".repeat(10)));            // back to its pool
            freed.add(space.newBytes(new byte[2000]));          // a raw (libc) block
            freed.add(space.newInt(BigInteger.TEN.pow(50)));
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
            long s = space.newStr("nine char"); // 48 + 10 bytes: the 64-byte class
            space.decref(s);
            long d = space.newDict();           // 16 + 48 bytes: the same block, GC head where s was
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

    @Test
    void nullAndNegativeArguments() {
        try (ObjectSpace space = ObjectSpace.create()) {
            // @throws NullPointerException if value / name is null
            assertThrows(NullPointerException.class, () -> space.newInt((BigInteger) null));
            assertThrows(NullPointerException.class, () -> space.newBytes(null));
            assertThrows(NullPointerException.class, () -> space.newStr(null));
            assertThrows(NullPointerException.class, () -> space.intern(null));
            assertThrows(NullPointerException.class, () -> space.newClass(null, 1));
            // @throws IllegalArgumentException if n / slots is out of range
            assertThrows(IllegalArgumentException.class, () -> space.newTuple(-1));
            assertThrows(IllegalArgumentException.class, () -> space.newList(-1));
            assertThrows(IllegalArgumentException.class, () -> space.newClass("C", -1));
            assertThrows(IllegalArgumentException.class, () -> space.newClass("C", 61));
            // intValue: @throws ArithmeticException if the value does not fit in a long
            long big = space.newInt(BigInteger.TWO.pow(63));
            assertThrows(ArithmeticException.class, () -> space.intValue(big));
            space.decref(big);
            // Builder: @throws NullPointerException / IllegalStateException if the memory given is closed
            assertThrows(NullPointerException.class, () -> ObjectSpace.builder().memory(null));
            assertThrows(NullPointerException.class, () -> ObjectSpace.builder().allocator(null));
            Memory closed = Memory.create();
            closed.close();
            assertThrows(IllegalStateException.class, () -> ObjectSpace.builder().memory(closed).build());
            assertEquals(0, space.liveObjectCount());
        }
    }

    @TestFactory
    List<DynamicTest> closedSpace() {
        List<DynamicTest> tests = new ArrayList<>();
        record Case(String method, Consumer<Fixture> call) {
        }
        for (Case c : List.<Case>of(
                new Case("newBool", f -> f.space.newBool(true)),
                new Case("newInt", f -> f.space.newInt(1000)),
                new Case("newInt(BigInteger)", f -> f.space.newInt(BigInteger.ONE)),
                new Case("newFloat", f -> f.space.newFloat(1)),
                new Case("newBytes", f -> f.space.newBytes(new byte[1])),
                new Case("newStr", f -> f.space.newStr("abc")),
                new Case("intern", f -> f.space.intern("abc")),
                new Case("newTuple", f -> f.space.newTuple(2)),
                new Case("tupleOf", f -> f.space.tupleOf()),
                new Case("newList", f -> f.space.newList()),
                new Case("newDict", f -> f.space.newDict()),
                new Case("newClass", f -> f.space.newClass("D", 0)),
                new Case("incref", f -> f.space.incref(f.str)),
                new Case("decref", f -> f.space.decref(f.str)),
                new Case("refcount", f -> f.space.refcount(f.str)),
                new Case("sizeOf", f -> f.space.sizeOf(f.str)),
                new Case("listAppend", f -> f.space.listAppend(f.list, f.str)),
                new Case("dictSet", f -> f.space.dictSet(f.dict, f.str, f.str)),
                new Case("frame", f -> f.space.frame()),
                new Case("liveObjects", f -> f.space.liveObjects()),
                new Case("debugMallocStats", f -> f.space.debugMallocStats()),
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
}
