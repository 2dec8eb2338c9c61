package org.pymalloc4j.objects;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hashes against CPython 3.11.7 (PYTHONHASHSEED=0) and the dict against a Java map. */
class HashAndDictTest {
    @Test
    void hashesAreCPythons() {
        try (ObjectSpace space = ObjectSpace.create()) {
            expect(space, space.newStr("abc"), -4594863902769663758L);
            expect(space, space.newBytes("abc".getBytes()), -4594863902769663758L);
            expect(space, space.newStr("\u00e9"), 6047309291227476195L);
            expect(space, space.newStr("\u20acx"), -483395623852268653L);
            expect(space, space.newStr("\uD83D\uDE00"), -3536540696076613844L);
            expect(space, space.newStr("x".repeat(100)), 1359644457043326220L);
            expect(space, space.newStr("k12345678"), -40324129065859153L);
            expect(space, space.newStr(""), 0);
            expect(space, space.newFloat(1.5), 1152921504606846977L);
            expect(space, space.newFloat(0.1), 230584300921369408L);
            expect(space, space.newFloat(1e300), 1224995262755759164L);
            expect(space, space.newFloat(Double.MIN_VALUE), 16777216L);
            expect(space, space.newFloat(-2.5e-310), -386353265232576880L);
            expect(space, space.newFloat(Double.POSITIVE_INFINITY), 314159L);
            expect(space, space.newInt(-1), -2);
            expect(space, space.newInt((1L << 61) - 1), 0);
            expect(space, space.newInt(1L << 61), 1);
            expect(space, space.newInt(BigInteger.TWO.pow(70).negate()), -512);
            expect(space, space.tupleOf(), 5740354900026072187L);
            long one = space.newInt(1);
            long two = space.newInt(2);
            expect(space, space.tupleOf(one, two), -3550055125485641917L);
            long f = space.newFloat(1.5);
            long abc = space.newStr("abc");
            expect(space, space.tupleOf(f, abc), 1045458185112867642L);
            expect(space, space.tupleOf(abc), 4078542689555126432L);
            space.decref(f);
            space.decref(abc);
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
            long d = space.newDict();
            long one = space.newInt(1);
            long oneFloat = space.newFloat(1.0);
            space.dictSet(d, one, space.none());
            space.dictSet(d, oneFloat, space.falseObject()); // replaces the value, keeps the key 1
            assertEquals(1, space.dictSize(d));
            assertEquals(space.falseObject(), space.dictGet(d, space.trueObject()));
            long big = space.newInt(BigInteger.TWO.pow(80));
            long bigFloat = space.newFloat(Math.pow(2, 80));
            space.dictSet(d, big, space.none());
            assertEquals(space.none(), space.dictGet(d, bigFloat));
            assertTrue(space.dictDelete(d, bigFloat));
            assertFalse(space.dictDelete(d, big));
            for (long o : new long[] {d, one, oneFloat, big, bigFloat}) {
                space.decref(o);
            }
            assertEquals(0, space.liveObjectCount());
        }
    }

    @Test
    void aDictAgreesWithAJavaMapUnderRandomOperations() {
        long seed = new SplittableRandom().nextLong();
        System.out.println("HashAndDictTest seed = " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long d = space.newDict();
            Map<Object, Long> model = new HashMap<>(); // key value -> value object
            for (int step = 0; step < 20_000; step++) {
                Object keyValue = random.nextInt(4) == 0 ? (Object) ("s" + random.nextInt(300)) : (Object) (long) random.nextInt(600);
                long key = keyValue instanceof String s ? space.newStr(s) : space.newInt((Long) keyValue);
                int op = random.nextInt(10);
                if (op < 5) {
                    long value = space.newFloat(step);
                    space.dictSet(d, key, value);
                    space.decref(value);
                    model.put(keyValue, value);
                } else if (op < 8) {
                    long found = space.dictGet(d, key);
                    assertEquals(model.getOrDefault(keyValue, 0L), found, "seed " + seed + " step " + step);
                } else {
                    assertEquals(model.remove(keyValue) != null, space.dictDelete(d, key), "seed " + seed + " step " + step);
                }
                space.decref(key);
                assertEquals(model.size(), space.dictSize(d), "seed " + seed);
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
}
