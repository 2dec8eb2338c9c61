package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.testkit.Seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dicts().keys}, {@code values}, {@code items} and {@code forEach}: a dict's entries in insertion order. */
class DictIterationTest {

    /** Random sets, replacements and deletes against a LinkedHashMap, which orders as a dict does. */
    @Test
    void keysValuesAndItemsFollowInsertionOrder() {
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        for (boolean checked : new boolean[] {true, false}) {
            try (ObjectSpace space = ObjectSpace.builder().checked(checked).build()) {
                long d = space.dicts().newDict();
                Map<Long, Long> model = new LinkedHashMap<>();
                for (int step = 0; step < 2000; step++) {
                    long k = random.nextLong(60);
                    if (random.nextInt(3) == 0) {
                        long key = newKey(space, k);
                        assertEquals(model.remove(k) != null, space.dicts().delete(d, key));
                        space.decref(key);
                    } else {
                        long v = random.nextLong(1000);
                        long key = newKey(space, k);
                        long value = space.ints().newInt(v);
                        space.dicts().set(d, key, value);
                        space.decref(key);
                        space.decref(value);
                        model.put(k, v);
                    }
                    if (step % 50 == 0) {
                        assertMatches(space, d, model, "seed " + seed + " step " + step);
                        space.checkInvariants();
                    }
                }
                assertMatches(space, d, model, "seed " + seed);
                space.decref(d);
                space.checkInvariants();
            }
        }
    }

    private static void assertMatches(ObjectSpace space, long d, Map<Long, Long> model, String where) {
        long keys = space.dicts().keys(d);
        long values = space.dicts().values(d);
        long items = space.dicts().items(d);
        List<Long> keyList = new ArrayList<>();
        List<Long> valueList = new ArrayList<>();
        List<Long> visitedKeys = new ArrayList<>();
        for (long i = 0; i < space.lists().size(keys); i++) {
            keyList.add(keyNumber(space, space.lists().get(keys, i)));
            valueList.add(space.ints().value(space.lists().get(values, i)));
            long item = space.lists().get(items, i);
            assertEquals(space.lists().get(keys, i), space.tuples().get(item, 0), where);
            assertEquals(space.lists().get(values, i), space.tuples().get(item, 1), where);
        }
        space.dicts().forEach(d, (key, value) -> visitedKeys.add(keyNumber(space, key)));
        assertEquals(new ArrayList<>(model.keySet()), keyList, where);
        assertEquals(new ArrayList<>(model.values()), valueList, where);
        assertEquals(keyList, visitedKeys, where);
        assertEquals(model.size(), space.lists().capacity(keys), "PyList_New(n): exactly n slots");
        space.decref(keys);
        space.decref(values);
        space.decref(items);
    }

    /** An int for even numbers, a str for odd ones: both kinds of keys table, and the switch between them. */
    private static long newKey(ObjectSpace space, long k) {
        return k % 2 == 0 ? space.ints().newInt(k) : space.strs().newStr("k" + k);
    }

    private static long keyNumber(ObjectSpace space, long key) {
        return space.typeName(key).equals("str") ? Long.parseLong(space.strs().value(key).substring(1)) : space.ints().value(key);
    }

    /** The lists hold new references, dropped with them. */
    @Test
    void theListsHoldReferencesOfTheirOwn() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long d = space.dicts().newDict();
            long key = space.floats().newFloat(0.5);
            long value = space.floats().newFloat(1.5);
            space.dicts().set(d, key, value);
            long items = space.dicts().items(d);
            long keys = space.dicts().keys(d);
            long values = space.dicts().values(d);
            assertEquals(4, space.refcount(key), "the test, the dict, the items tuple, the keys list");
            assertEquals(4, space.refcount(value));
            space.decref(items);
            space.decref(keys);
            space.decref(values);
            assertEquals(2, space.refcount(key));
            assertEquals(2, space.refcount(value));
            space.decref(key);
            space.decref(value);
            space.decref(d);
            space.checkInvariants();
        }
    }

    @Test
    void anEmptyDictGivesEmptyListsAndNoVisits() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long d = space.dicts().newDict();
            for (long list : new long[] {space.dicts().keys(d), space.dicts().values(d), space.dicts().items(d)}) {
                assertEquals(0, space.lists().size(list));
                space.decref(list);
            }
            space.dicts().forEach(d, (k, v) -> {
                throw new AssertionError("visited an empty dict");
            });
            space.decref(d);
            space.checkInvariants();
        }
    }

    /** forEach's ConcurrentModificationException, in both of python3.11's wordings. */
    @Test
    void forEachRefusesADictChangedUnderIt() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long d = space.dicts().newDict();
            long a = space.strs().newStr("a");
            long b = space.strs().newStr("b");
            long c = space.strs().newStr("c");
            space.dicts().set(d, a, space.none());
            space.dicts().set(d, b, space.none());
            // for k in d: d['c'] = 3 -> RuntimeError: dictionary changed size during iteration
            ConcurrentModificationException e = assertThrows(ConcurrentModificationException.class,
                    () -> space.dicts().forEach(d, (k, v) -> space.dicts().set(d, c, space.none())));
            assertEquals(String.format("dictionary changed size during iteration (the dict object at 0x%x)", d), e.getMessage());
            space.dicts().delete(d, c);
            // for k in d: if k == 'a': del d['a']; d['c'] = 3 -> dictionary keys changed during iteration
            e = assertThrows(ConcurrentModificationException.class, () -> space.dicts().forEach(d, (k, v) -> {
                if (k == a) {
                    space.dicts().delete(d, a);
                    space.dicts().set(d, c, space.none());
                }
            }));
            assertTrue(e.getMessage().startsWith("dictionary keys changed during iteration"), e.getMessage());
            // replacing values is allowed
            List<Long> seen = new ArrayList<>();
            space.dicts().forEach(d, (k, v) -> {
                seen.add(k);
                space.dicts().set(d, k, space.trueObject());
            });
            assertEquals(List.of(b, c), seen);
            assertEquals(space.trueObject(), space.dicts().get(d, b));
            for (long o : new long[] {a, b, c, d}) {
                space.decref(o);
            }
            space.checkInvariants();
        }
    }

    /**
     * {@code d = {...}; for k, v in d.items(): d = False; ...} visits every entry in CPython
     * 3.11, whose iterator holds a reference to the dict: the walk keeps the dict alive when the
     * visitor drops the caller's last reference, and releases it at the end. (It read the dict's
     * freed header, revived by the dicts the visitor made, and refused it as changed.)
     */
    @Test
    void theWalkKeepsTheDictAliveWhenTheVisitorDropsItsLastReference() {
        for (boolean checked : new boolean[] {true, false}) {
            try (ObjectSpace space = ObjectSpace.builder().checked(checked).traceRefs(true).build()) {
                List<String> seen = new ArrayList<>();
                try (Frame f = space.frame()) {
                    long d = f.local(space.dicts().newDict());
                    for (int i = 0; i < 5; i++) {
                        long k = space.strs().newStr("key" + i);
                        space.dicts().set(d, k, space.none());
                        space.decref(k);
                    }
                    space.dicts().forEach(d, (k, v) -> {
                        seen.add(space.strs().value(k));
                        f.set(0, space.newBool(false)); // d = False: the frame's reference was the last
                        long junk = f.local(space.dicts().newDict()); // takes the freed dict's block
                        long s = space.strs().newStr("junk" + seen.size());
                        space.dicts().set(junk, s, s);
                        space.decref(s);
                    });
                    assertEquals(List.of("key0", "key1", "key2", "key3", "key4"), seen);
                    assertEquals(2 * 5, space.liveObjectCount(), "the frame's dicts and their strs: d and its keys are freed");
                }
                space.checkInvariants();
                assertEquals(0, space.liveObjectCount());
            }
        }
    }

    /**
     * A visitor that closes the space, or the memory under it, mid-walk is refused as code run by
     * a collection is: the walk would go on reading the dict in memory unmapped under it (the JVM
     * died of SIGSEGV). The walk visits every entry and both close once forEach returns.
     */
    @Test
    void closeFromAVisitorIsRefusedAndTheWalkGoesOn() {
        for (boolean checked : new boolean[] {true, false}) {
            Memory memory = Memory.create();
            ObjectSpace space = ObjectSpace.builder().memory(memory).checked(checked).build();
            ObjectSpace owning = ObjectSpace.builder().checked(checked).build();
            for (ObjectSpace s : List.of(space, owning)) {
                long d = s.dicts().newDict();
                for (int i = 0; i < 4; i++) {
                    long k = s.ints().newInt(i);
                    s.dicts().set(d, k, k);
                    s.decref(k);
                }
                List<String> refusals = new ArrayList<>();
                List<Long> seen = new ArrayList<>();
                s.dicts().forEach(d, (k, v) -> {
                    seen.add(s.ints().value(k));
                    for (Runnable close : s == space ? List.<Runnable>of(s::close, memory::close) : List.<Runnable>of(s::close)) {
                        refusals.add(assertThrows(IllegalStateException.class, close::run).getMessage());
                    }
                });
                assertEquals(List.of(0L, 1L, 2L, 3L), seen);
                assertTrue(refusals.contains("close() called from a dicts().forEach visitor while its walk is under way:"
                        + " close it once forEach returns"), refusals.toString());
                if (s == space) {
                    assertTrue(refusals.contains("this Memory cannot close now: an ObjectSpace over it is walking a dict"
                            + " (close() called from a dicts().forEach visitor?); close it once that returns"), refusals.toString());
                }
                assertEquals(1, s.refcount(d));
                s.decref(d);
                s.checkInvariants();
                s.close();
                assertTrue(s.leakReport().isClean(), s.leakReport().toString());
            }
            memory.close();
        }
    }

    /** forEach's NullPointerException: a null visitor is refused before the dict is touched. */
    @Test
    void aNullVisitorIsRefused() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long d = space.dicts().newDict();
            NullPointerException e = assertThrows(NullPointerException.class, () -> space.dicts().forEach(d, null));
            assertEquals("visitor", e.getMessage());
            assertEquals(1, space.refcount(d));
            space.decref(d);
            space.checkInvariants();
        }
    }

    /** FreedObjectException for an entry freed behind the dict's back: no list is left behind. */
    @Test
    void aValueFreedBehindTheDictsBackIsNamedAndNoListIsLeft() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long d = space.dicts().newDict();
            long key = space.strs().newStr("key");
            long value = space.floats().newFloat(2.5);
            space.dicts().set(d, key, value);
            space.decref(value);
            space.decref(value); // the dict's reference, dropped by mistake: value is freed
            long live = space.liveObjectCount();
            long keyRefs = space.refcount(key);
            for (Runnable call : List.<Runnable>of(() -> space.dicts().values(d), () -> space.dicts().items(d))) {
                FreedObjectException e = assertThrows(FreedObjectException.class, call::run);
                assertEquals(value, e.address(), e.getMessage());
                assertEquals(live, space.liveObjectCount(), "the half-filled list was released");
                assertEquals(keyRefs, space.refcount(key), "the key's reference went with the tuple");
            }
            long keys = space.dicts().keys(d);
            assertEquals(key, space.lists().get(keys, 0), "the keys are all live");
            space.decref(keys);
        }
    }

    /**
     * items' OutOfMemoryError: the list's array fits but not all its tuples; the list and the
     * tuples made so far are released.
     */
    @Test
    void itemsThatCannotBeMadeLeaveNothingBehind() {
        try (Memory memory = Memory.builder().limit(4L << 20).build();
             ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
            s.gc().disable();
            long d = s.dicts().newDict();
            for (int i = 0; i < 40; i++) {
                long k = s.ints().newInt(i);
                s.dicts().set(d, k, k);
                s.decref(k);
            }
            long keep = s.lists().newList(40);  // two 320-byte arrays in one pool: freeing one
            long spare = s.lists().newList(40); // leaves room for the items list's array
            List<Long> filler = new ArrayList<>();
            Fill.untilRefused(filler, () -> s.tuples().newTuple(2)); // the 2-tuples' class full, no pool left
            for (int i = 0; i < 20; i++) {
                s.decref(filler.removeLast()); // parked: room for 20 tuples, not 40
            }
            s.decref(spare);
            long live = s.liveObjectCount();
            assertThrows(OutOfMemoryError.class, () -> s.dicts().items(d));
            assertEquals(live, s.liveObjectCount(), "the list and its tuples were released");
            filler.forEach(s::decref);
            long items = s.dicts().items(d);
            assertEquals(40, s.lists().size(items));
            s.decref(items);
            s.decref(keep);
            s.decref(d);
            s.checkInvariants();
        }
    }

    /**
     * dict_keys' "Durnit": the list's allocation runs a collection for memory whose finalizer
     * deletes an entry, so the list made for two keys is dropped and one made for one.
     */
    @Test
    void aListMadeWhileACollectionShrankTheDictIsMadeAgain() {
        try (Memory memory = Memory.builder().limit(4L << 20).build();
             ObjectSpace s = ObjectSpace.builder().memory(memory).build()) {
            Collector gc = s.gc();
            gc.disable();
            long d = s.dicts().newDict();
            long first = s.floats().newFloat(1);
            long second = s.floats().newFloat(2);
            s.dicts().set(d, first, s.none());
            s.dicts().set(d, second, s.none());
            List<Long> filler = new ArrayList<>();
            List<Long> blocks = new ArrayList<>();
            long cls = s.classes().newClass(ClassSpec.named("Shrinker").slots(1).finalizer(self -> {
                s.dicts().delete(d, first);
                for (int i = 0; i < 64; i++) { // room for the retry
                    s.decref(filler.removeLast());
                    memory.mem().free(blocks.removeLast());
                }
            }));
            s.decref(GcTestSupport.selfCycle(s, cls));
            Fill.untilRefused(filler, () -> s.lists().newList());       // no more list headers
            Fill.untilRefused(blocks, () -> memory.mem().malloc(16));    // nor item arrays
            gc.enable();
            long keys = s.dicts().keys(d);
            assertEquals(1, gc.getMemoryCollections(), "the list's allocation ran a collection");
            assertEquals(1, s.lists().size(keys));
            assertEquals(second, s.lists().get(keys, 0));
            s.decref(keys);
            filler.forEach(s::decref);
            blocks.forEach(memory.mem()::free);
            for (long o : new long[] {first, second, d, cls}) {
                s.decref(o);
            }
            gc.collect();
            s.checkInvariants();
        }
    }
}
