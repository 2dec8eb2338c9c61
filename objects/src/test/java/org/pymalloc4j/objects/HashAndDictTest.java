package org.pymalloc4j.objects;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Hashes against CPython 3.11.7 (PYTHONHASHSEED=0) and the dict against a Java map. */
class HashAndDictTest {
    @Test
    void hashesAreCPythons() {
        try (ObjectSpace space = ObjectSpace.create()) {
            expect(space, space.strs().newStr("abc"), -4594863902769663758L);
            expect(space, space.bytes().newBytes("abc".getBytes()), -4594863902769663758L);
            expect(space, space.strs().newStr("\u00e9"), 6047309291227476195L);
            expect(space, space.strs().newStr("\u20acx"), -483395623852268653L);
            expect(space, space.strs().newStr("\uD83D\uDE00"), -3536540696076613844L);
            expect(space, space.strs().newStr("x".repeat(100)), 1359644457043326220L);
            expect(space, space.strs().newStr("k12345678"), -40324129065859153L);
            expect(space, space.strs().newStr(""), 0);
            expect(space, space.floats().newFloat(1.5), 1152921504606846977L);
            expect(space, space.floats().newFloat(0.1), 230584300921369408L);
            expect(space, space.floats().newFloat(1e300), 1224995262755759164L);
            expect(space, space.floats().newFloat(Double.MIN_VALUE), 16777216L);
            expect(space, space.floats().newFloat(-2.5e-310), -386353265232576880L);
            expect(space, space.floats().newFloat(Double.POSITIVE_INFINITY), 314159L);
            expect(space, space.ints().newInt(-1), -2);
            expect(space, space.ints().newInt((1L << 61) - 1), 0);
            expect(space, space.ints().newInt(1L << 61), 1);
            expect(space, space.ints().newInt(BigInteger.TWO.pow(70).negate()), -512);
            expect(space, space.tuples().of(), 5740354900026072187L);
            long one = space.ints().newInt(1);
            long two = space.ints().newInt(2);
            expect(space, space.tuples().of(one, two), -3550055125485641917L);
            long f = space.floats().newFloat(1.5);
            long abc = space.strs().newStr("abc");
            expect(space, space.tuples().of(f, abc), 1045458185112867642L);
            expect(space, space.tuples().of(abc), 4078542689555126432L);
            space.decref(f);
            space.decref(abc);
            assertEquals(0, space.liveObjectCount());
        }
    }

    /**
     * Floats of exponent 1024 (1e308 up to {@code sys.float_info.max}): frexp's mantissa was
     * taken as {@code v / 2^1024}, and 2^1024 overflows to infinity, so every such float hashed
     * to 0. Values from CPython 3.11.7.
     */
    @Test
    void theLargestFloatsHashAsCPythons() {
        try (ObjectSpace space = ObjectSpace.create()) {
            expect(space, space.floats().newFloat(1e308), 156575653125701L);
            expect(space, space.floats().newFloat(-1e308), -156575653125701L);
            expect(space, space.floats().newFloat(Double.MAX_VALUE), 2234066890152476671L);
            expect(space, space.floats().newFloat(0x1p1023), 140737488355328L);
            expect(space, space.floats().newFloat(1.5 * 0x1p1023), 211106232532992L);
            expect(space, space.floats().newFloat(0x1p1000), 16777216L);
            expect(space, space.floats().newFloat(-1.0), -2);
            expect(space, space.floats().newFloat(Double.MIN_NORMAL), 32768L);
        }
    }

    /**
     * valueEquals said "Python's a == b", which is False for a NaN and itself; it is
     * PyObject_RichCompareBool, identity first, as dicts, {@code in} and tuple items compare
     * ({@code x in [x]}, {@code (x,) == (x,)} and {@code {x: 1}[x]} hold in CPython 3.11.7,
     * {@code (x,) == (y,)} for two NaNs does not).
     */
    @Test
    void valueEqualsIsRichCompareBoolSoANanEqualsItself() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long x = space.floats().newFloat(Double.NaN);
            long y = space.floats().newFloat(Double.NaN);
            long tx = space.tuples().of(x);
            long tx2 = space.tuples().of(x);
            long ty = space.tuples().of(y);
            assertTrue(space.valueEquals(x, x));
            assertFalse(space.valueEquals(x, y));
            assertTrue(space.valueEquals(tx, tx2));
            assertFalse(space.valueEquals(tx, ty));
            long d = space.dicts().newDict();
            space.dicts().set(d, x, space.none());
            assertEquals(space.none(), space.dicts().get(d, x));
            assertEquals(0, space.dicts().get(d, y));
            for (long o : new long[] {d, tx, tx2, ty, x, y}) {
                space.decref(o);
            }
            assertEquals(0, space.liveObjectCount());
        }
    }

    private static void expect(ObjectSpace space, long o, long hash) {
        assertEquals(hash, space.hash(o), () -> space.typeName(o));
        space.decref(o);
    }

    @Test
    void numbersEqualInValueAreOneKey() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long d = space.dicts().newDict();
            long one = space.ints().newInt(1);
            long oneFloat = space.floats().newFloat(1.0);
            space.dicts().set(d, one, space.none());
            space.dicts().set(d, oneFloat, space.falseObject()); // replaces the value, keeps the key 1
            assertEquals(1, space.dicts().size(d));
            assertEquals(space.falseObject(), space.dicts().get(d, space.trueObject()));
            long big = space.ints().newInt(BigInteger.TWO.pow(80));
            long bigFloat = space.floats().newFloat(Math.pow(2, 80));
            space.dicts().set(d, big, space.none());
            assertEquals(space.none(), space.dicts().get(d, bigFloat));
            assertTrue(space.dicts().delete(d, bigFloat));
            assertFalse(space.dicts().delete(d, big));
            for (long o : new long[] {d, one, oneFloat, big, bigFloat}) {
                space.decref(o);
            }
            assertEquals(0, space.liveObjectCount());
        }
    }

    @Test
    void aDictAgreesWithAJavaMapUnderRandomOperations() {
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long d = space.dicts().newDict();
            Map<Object, Long> model = new HashMap<>(); // key value -> value object
            for (int step = 0; step < 20_000; step++) {
                Object keyValue = random.nextInt(4) == 0 ? (Object) ("s" + random.nextInt(300)) : (Object) (long) random.nextInt(600);
                long key = keyValue instanceof String s ? space.strs().newStr(s) : space.ints().newInt((Long) keyValue);
                int op = random.nextInt(10);
                if (op < 5) {
                    long value = space.floats().newFloat(step);
                    space.dicts().set(d, key, value);
                    space.decref(value);
                    model.put(keyValue, value);
                } else if (op < 8) {
                    long found = space.dicts().get(d, key);
                    assertEquals(model.getOrDefault(keyValue, 0L), found, "seed " + seed + " step " + step);
                } else {
                    assertEquals(model.remove(keyValue) != null, space.dicts().delete(d, key), "seed " + seed + " step " + step);
                }
                space.decref(key);
                assertEquals(model.size(), space.dicts().size(d), "seed " + seed);
                if (step % 2000 == 0) {
                    space.checkInvariants();
                }
            }
            space.checkInvariants();
            for (long v : model.values()) {
                assertEquals(1, space.refcount(v), "the dict holds the only reference; seed " + seed);
            }
            space.decref(d);
            assertEquals(0, space.liveObjectCount(), "seed " + seed);
        }
    }

    /**
     * A tuple not yet filled has NULL items; comparing it with a filled one read the header at
     * address 0 and the JVM died (SIGSEGV). Now it is refused, naming the tuple and the item.
     */
    @Test
    void valueEqualsRefusesATupleWithANullItem() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long unfilled = space.tuples().newTuple(1);
            long f = space.floats().newFloat(1.5);
            long full = space.tuples().of(f);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.valueEquals(unfilled, full));
            assertTrue(e.getMessage().contains(String.format("tuple at 0x%x has a NULL item 0", unfilled)), e.getMessage());
            e = assertThrows(IllegalStateException.class, () -> space.valueEquals(full, unfilled), "either side");
            assertTrue(e.getMessage().contains(String.format("tuple at 0x%x has a NULL item 0", unfilled)), e.getMessage());
            space.tuples().set(unfilled, 0, f); // filled with f's own reference: now equal
            assertTrue(space.valueEquals(unfilled, full));
            space.decref(unfilled);
            space.decref(full);
        }
    }

    /**
     * hash's and dicts().set/get/delete's "@throws IllegalStateException ... if key is or holds a
     * tuple with a NULL item (not yet set)": refused naming the tuple and the item, at any depth,
     * in either mode, before anything is read at address 0 or anything is stored.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aTupleWithANullItemHasNoHashAndIsNoKey(boolean checked) {
        try (ObjectSpace space = ObjectSpace.builder().checked(checked).build()) {
            long unfilled = space.tuples().newTuple(2);
            space.tuples().set(unfilled, 0, space.ints().newInt(7)); // item 1 still NULL
            long outer = space.tuples().of(space.none(), unfilled);
            long d = space.dicts().newDict();
            long value = space.floats().newFloat(0.5);
            String named = String.format("the tuple at 0x%x has a NULL item 1", unfilled);
            for (long key : new long[] {unfilled, outer}) {
                assertEquals(named, assertThrows(IllegalStateException.class, () -> space.hash(key)).getMessage());
                assertEquals(named, assertThrows(IllegalStateException.class, () -> space.dicts().set(d, key, value)).getMessage());
                assertEquals(named, assertThrows(IllegalStateException.class, () -> space.dicts().get(d, key)).getMessage());
                assertEquals(named, assertThrows(IllegalStateException.class, () -> space.dicts().delete(d, key)).getMessage());
            }
            assertEquals(0, space.dicts().size(d), "nothing stored");
            assertEquals(1, space.refcount(value), "no reference kept to the value");
            assertEquals(2, space.refcount(unfilled), "nor to the key (outer holds one)");
            for (long o : new long[] {d, value, outer, unfilled}) {
                space.decref(o);
            }
            assertEquals(0, space.liveObjectCount());
        }
    }

    /**
     * hash's and dicts().set's javadoc: a tuple holding a list, at any depth, is unhashable, as
     * {@code hash((None, ((),[])))} raises TypeError in CPython; nothing is stored. A weakref
     * hashes by identity (objects/README.md's differences).
     */
    @Test
    void aTupleHoldingAListIsUnhashableAndAWeakrefHashesByIdentity() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long list = space.lists().newList();
            long empty = space.tuples().of();
            long inner = space.tuples().of(empty, list);
            long key = space.tuples().of(space.none(), inner);
            long d = space.dicts().newDict();
            String unhashable = String.format("hash (unhashable type: 'list') expects a hashable object, got the list"
                    + " object at 0x%x", list);
            assertEquals(unhashable, assertThrows(WrongTypeException.class, () -> space.hash(key)).getMessage());
            String named = String.format("unhashable type: 'list' (the list object at 0x%x)", list);
            assertEquals("dicts().set: " + named, assertThrows(WrongTypeException.class, () -> space.dicts().set(d, key, list)).getMessage());
            assertEquals("dicts().get: " + named, assertThrows(WrongTypeException.class, () -> space.dicts().get(d, key)).getMessage());
            assertEquals("dicts().delete: " + named, assertThrows(WrongTypeException.class, () -> space.dicts().delete(d, key)).getMessage());
            assertEquals(0, space.dicts().size(d));
            long cls = space.classes().newClass(ClassSpec.named("C").weakReferenceable());
            long o = space.classes().newInstance(cls);
            long wr = space.weakrefs().newRef(o);
            assertEquals(Long.rotateRight(wr, 4), space.hash(wr), "_Py_HashPointer of the weakref itself");
            assertEquals(Long.rotateRight(o, 4), space.hash(o));
            space.decref(o);
            assertEquals(Long.rotateRight(wr, 4), space.hash(wr), "CPython raises TypeError: never hashed, referent gone");
            for (long x : new long[] {wr, cls, d, key, inner, empty, list}) {
                space.decref(x);
            }
            assertEquals(0, space.liveObjectCount());
        }
    }
    /**
     * Replacing a value releases the old value, then the caller's key, as 3.11's insertdict
     * ({@code Py_XDECREF(old_value)}, then {@code Py_DECREF(key)}). Seen when the key given is
     * borrowed from the old value, an equal tuple only the old value holds: the old value is
     * freed first and parked, then the key, so the next 1-tuple made is the key's block. In
     * CPython 3.11.7, {@code k = v[0]; d[k] = None; del k} leaves the same order.
     */
    @Test
    void replacingAValueReleasesTheOldValueBeforeTheKey() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long one = space.ints().newInt(1);
            long stored = space.tuples().of(one);
            long key = space.tuples().of(one);             // equal to stored, another object
            long old = space.tuples().of(key);
            space.decref(key);                             // now only old holds key
            long d = space.dicts().newDict();
            space.dicts().set(d, stored, old);
            space.decref(stored);
            space.decref(old);
            space.dicts().set(d, key, space.none());       // key borrowed from old, the value replaced
            long first = space.tuples().newTuple(1);
            long second = space.tuples().newTuple(1);
            assertEquals(key, first, "the key was parked last: old value first, then the key");
            assertEquals(old, second);
            for (long o : new long[] {first, second, d, one}) {
                space.decref(o);
            }
            assertEquals(0, space.liveObjectCount());
        }
    }
}
