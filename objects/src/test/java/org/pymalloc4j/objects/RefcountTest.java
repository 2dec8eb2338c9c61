package org.pymalloc4j.objects;

import java.math.BigInteger;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference counting, deallocation, the trashcan, singletons, free lists and interning. */
class RefcountTest {
    @Test
    void deallocationReleasesReferencesTransitively() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long f = space.floats().newFloat(1.5);
            long l = space.lists().newList();
            space.lists().append(l, f);
            assertEquals(2, space.refcount(f));
            long t = space.tuples().of(l, f);
            assertEquals(3, space.refcount(f));
            assertEquals(2, space.refcount(l));
            space.decref(f);
            space.decref(l);
            assertEquals(3, space.liveObjectCount());
            space.decref(t); // tuple -> list -> float all go
            assertEquals(0, space.liveObjectCount());
            space.checkInvariants();
        }
    }

    @Test
    void aPairTakesAReferenceToEachItemWhetherItsTupleIsNewOrFromTheFreeList() {
        for (boolean checked : new boolean[] {true, false}) {
            try (ObjectSpace space = ObjectSpace.builder().checked(checked).build()) {
                long f = space.floats().newFloat(1.5);
                long g = space.floats().newFloat(2.5);
                assertTrue(space.debugMallocStats().contains(" 0 free 2-sized PyTupleObjects"), "nothing parked yet");
                long fresh = space.tuples().of(f, g); // so a new tuple
                assertEquals(List.of(2L, 2L), List.of(space.refcount(f), space.refcount(g)), "checked " + checked);
                space.decref(fresh); // parked on the free list
                assertEquals(List.of(1L, 1L), List.of(space.refcount(f), space.refcount(g)));
                long recycled = space.tuples().of(f, g);
                assertEquals(fresh, recycled, "the parked tuple is reused");
                assertEquals(List.of(2L, 2L), List.of(space.refcount(f), space.refcount(g)));
                space.decref(recycled);
                long twice = space.tuples().of(f, f); // the same item twice: two references
                assertEquals(3, space.refcount(f));
                assertEquals(f, space.tuples().get(twice, 0));
                assertEquals(f, space.tuples().get(twice, 1));
                space.decref(twice);
                assertEquals(1, space.refcount(f));
                space.decref(f);
                space.decref(g);
                assertEquals(0, space.liveObjectCount());
                space.checkInvariants();
            }
        }
    }

    @Test
    void aTenMillionLongChainOfListsFreesWithoutStackOverflow() {
        deepChain(10_000_000, (space, inner) -> {
            long l = space.lists().newList();
            space.lists().append(l, inner);
            return l;
        });
    }

    @Test
    void aMillionLongChainOfInstancesAndTuplesFreesWithoutStackOverflow() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long cls = space.classes().newClass("Node", 1);
            long head = space.tuples().newTuple(0);
            for (int i = 0; i < 1_000_000; i++) {
                long node = i % 2 == 0 ? space.classes().newInstance(cls) : space.tuples().newTuple(1);
                if (i % 2 == 0) {
                    space.classes().setSlot(node, 0, head);
                    space.decref(head);
                } else {
                    space.tuples().set(node, 0, head);
                }
                head = node;
            }
            assertEquals(1_000_001, space.liveObjectCount()); // the nodes and the class
            space.decref(head);
            assertEquals(1, space.liveObjectCount());
            space.decref(cls);
            assertEquals(0, space.liveObjectCount());
            space.checkInvariants();
        }
    }

    interface Link {
        long wrap(ObjectSpace space, long inner);
    }

    private static void deepChain(int length, Link link) {
        try (Memory memory = Memory.create(); ObjectSpace space = ObjectSpace.builder().memory(memory).build()) {
            long head = space.dicts().newDict();
            for (int i = 0; i < length; i++) {
                long next = link.wrap(space, head);
                space.decref(head);
                head = next;
            }
            assertEquals(length + 1, space.liveObjectCount());
            space.decref(head);
            assertEquals(0, space.liveObjectCount());
            space.checkInvariants();
        }
    }

    @Test
    void aSpaceOverLibcMallocWorksTheSame() {
        try (ObjectSpace space = ObjectSpace.builder().allocator(AllocatorName.MALLOC).traceRefs(true).checked(true)
                .build()) {
            long l = space.lists().newList();
            for (int i = 0; i < 100; i++) {
                long t = space.tuples().of(l);
                space.lists().append(l, t);
                space.decref(t);
            }
            long s = space.strs().newStr("over malloc");
            space.lists().append(l, s);
            space.decref(s);
            space.checkInvariants();
            assertTrue(space.debugMallocStats().startsWith("            0 free PyDictObjects"), "no heap section");
            for (int i = 0; i < 100; i++) {
                space.lists().set(l, i, 0); // break the list <-> tuple cycles
            }
            space.decref(l);
            assertEquals(0, space.liveObjectCount());
            assertThrowsFreed(space, s);
        }
    }

    private static void assertThrowsFreed(ObjectSpace space, long freed) {
        FreedObjectException e = org.junit.jupiter.api.Assertions.assertThrows(FreedObjectException.class,
                () -> space.decref(freed));
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(freed)), e.getMessage());
        assertEquals(freed, e.address());
    }

    @Test
    void smallIntsAreSharedAndStatic() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long a = space.ints().newInt(56);
            long b = space.ints().newInt(56);
            assertEquals(a, b, "two requests for 56 give the same object");
            assertEquals(space.ints().newInt(-5), space.ints().newInt(-5)); // (references to statics never matter)
            assertEquals(space.ints().newInt(256), space.ints().newInt(256));
            long x = space.ints().newInt(257);
            long y = space.ints().newInt(257);
            assertNotEquals(x, y);
            assertEquals(0, space.liveObjectCount() - 2, "small ints are static, not run-time objects");
            assertEquals(999_999_999L + 2, space.refcount(a), "3.11's immortal start plus a's and b's references");
            space.decref(x);
            space.decref(y);
        }
    }

    @Test
    void intConversions() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long[] values = {0, 1, -1, 255, 257, -6, 1L << 30, -(1L << 30), (1L << 60) - 1, Long.MAX_VALUE, Long.MIN_VALUE};
            for (long v : values) {
                long o = space.ints().newInt(v);
                assertEquals(v, space.ints().value(o));
                assertEquals(BigInteger.valueOf(v), space.ints().bigIntegerValue(o));
                space.decref(o);
            }
            BigInteger big = BigInteger.TEN.pow(100).negate();
            long o = space.ints().newInt(big);
            assertEquals(big, space.ints().bigIntegerValue(o));
            assertEquals(72, space.sizeOf(o));
            space.decref(o);
            long t = space.newBool(true);
            assertEquals(space.trueObject(), t);
            assertEquals(1, space.ints().value(t));
            assertEquals("bool", space.typeName(t));
            space.decref(t);
        }
    }

    /**
     * A 200,000-digit int converts both ways, digit for digit. Each digit used to cost a shift of
     * the whole number (about half a minute for this one); the time is not asserted here, where a
     * loaded machine would fail it: speed is measured in bench/.
     */
    @Test
    void bigIntsConvertDigitForDigit() {
        try (ObjectSpace space = ObjectSpace.create()) {
            BigInteger huge = BigInteger.ONE.shiftLeft(30 * 200_000).subtract(BigInteger.ONE).negate();
            long o = space.ints().newInt(huge);
            assertEquals(24 + 4 * 200_000, space.sizeOf(o));
            assertEquals(huge, space.ints().bigIntegerValue(o));
            assertEquals(pyHash(huge), space.hash(o));
            space.decref(o);
        }
        try (ObjectSpace space = ObjectSpace.create()) {
            SplittableRandom random = new SplittableRandom(7);
            for (int bits = 60; bits < 400; bits++) {
                BigInteger v = new BigInteger(bits, new java.util.Random(random.nextLong()));
                v = random.nextBoolean() ? v.negate() : v;
                long o = space.ints().newInt(v);
                assertEquals(v, space.ints().bigIntegerValue(o), "bits " + bits);
                assertEquals(pyHash(v), space.hash(o), "bits " + bits);
                space.decref(o);
            }
        }
    }

    /** CPython's hash of an int: sign * (|v| mod 2^61 - 1), -1 as -2. */
    private static long pyHash(BigInteger v) {
        long h = v.abs().mod(BigInteger.ONE.shiftLeft(61).subtract(BigInteger.ONE)).longValueExact() * v.signum();
        return h == -1 ? -2 : h;
    }

    @Test
    void aFreedFloatsBlockIsTheNextFloat() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long a = space.floats().newFloat(1.0);
            space.decref(a);
            long b = space.floats().newFloat(2.0);
            assertEquals(a, b, "the free list hands back the block just freed");
            assertEquals(2.0, space.floats().value(b));
            space.decref(b);
            assertTrue(space.debugMallocStats().contains("1 free PyFloatObjects * 24 bytes each"));
        }
    }

    /**
     * A parked object keeps its type word, and its refcount of 0 is what marks it: a use of it
     * is refused as a use after free, and still is once a full collection has cleared the free
     * lists and freed its block.
     */
    @Test
    void aParkedObjectKeepsItsTypeAndIsRefusedAsFreed() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long f = space.floats().newFloat(1.5);
            long t = space.tuples().of(f, f);
            long l = space.lists().newList();
            long d = space.dicts().newDict();
            long[] parked = {t, f, l, d};
            long[] types = new long[parked.length];
            for (int i = 0; i < parked.length; i++) {
                types[i] = NativeMemory.getLong(parked[i] + ObjectHeader.OB_TYPE_OFFSET);
                space.decref(parked[i]); // the tuple first: it holds the float
            }
            for (int i = 0; i < parked.length; i++) {
                long o = parked[i];
                assertEquals(0, NativeMemory.getLong(o), "refcount");
                assertEquals(types[i], NativeMemory.getLong(o + ObjectHeader.OB_TYPE_OFFSET), "type word kept");
                FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.incref(o));
                assertTrue(e.getMessage().contains(String.format("use of the freed object at 0x%x", o)), e.getMessage());
                assertEquals(e.getMessage(), assertThrows(FreedObjectException.class, () -> space.decref(o)).getMessage());
            }
            space.checkInvariants();
            long g = space.floats().newFloat(2.5);
            assertEquals(f, g, "revived from the free list");
            assertEquals(1, space.refcount(g));
            assertEquals(2.5, space.floats().value(g));
            space.decref(g);
            space.gc().collect(); // a full collection clears the free lists: the blocks are freed
            for (long o : parked) {
                FreedObjectException e = assertThrows(FreedObjectException.class, () -> space.refcount(o));
                assertTrue(e.getMessage().contains("0x" + Long.toHexString(o)), e.getMessage());
            }
            space.checkInvariants();
        }
    }

    @Test
    void theFloatFreeListKeepsAtMostAHundred() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long[] fs = new long[150];
            for (int i = 0; i < fs.length; i++) {
                fs[i] = space.floats().newFloat(i);
            }
            for (long f : fs) {
                space.decref(f);
            }
            assertTrue(space.debugMallocStats().contains("100 free PyFloatObjects * 24 bytes each"));
            space.checkInvariants();
        }
    }

    @Test
    void tuplesReuseBlocksBySizeAndTheEmptyTupleIsASingleton() {
        try (ObjectSpace space = ObjectSpace.create()) {
            assertEquals(space.tuples().newTuple(0), space.tuples().newTuple(0));
            long two = space.tuples().newTuple(2);
            space.decref(two);
            long three = space.tuples().newTuple(3);
            assertNotEquals(two, three);
            long twoAgain = space.tuples().newTuple(2);
            assertEquals(two, twoAgain);
            assertEquals(0, space.tuples().get(twoAgain, 0), "a reused tuple's items are NULL");
            space.decref(three);
            space.decref(twoAgain);
        }
    }

    /**
     * 3.11 parks a 20-item tuple (tupledealloc pushes {@code index < PyTuple_NFREELISTS}) but
     * never takes it back ({@code PyTuple_New} pops only {@code size < PyTuple_MAXSAVESIZE}): in
     * python3.11, 3 tuples of each size from 1 to 21 made and dropped leave 3 more free 20-sized
     * tuples in {@code sys._debugmallocstats()}, as for sizes 1 to 19, and none of 21. The next
     * 20-item tuple is a new block; a full collection frees the parked ones with the rest.
     */
    @Test
    void twentyItemTuplesAreParkedButNeverReusedUntilAFullCollection() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long twenty = space.tuples().newTuple(20);
            space.decref(twenty);
            assertTrue(space.debugMallocStats().contains(" 1 free 20-sized PyTupleObjects * 184 bytes each =                  184"),
                    space.debugMallocStats());
            long next = space.tuples().newTuple(20);
            assertNotEquals(twenty, next, "the parked one is not taken back");
            space.decref(next);
            long blocks = space.memory().obj().liveBlocks();
            space.gc().collect();
            assertTrue(space.debugMallocStats().contains(" 0 free 20-sized PyTupleObjects * 184 bytes each =                    0"));
            assertEquals(blocks - 2, space.memory().obj().liveBlocks(), "both parked tuples were freed");
            space.checkInvariants();
        }
    }

    @Test
    void aTupleOfEverySizeReleasesEachItemOnceLastFirst() {
        // tupledealloc: Py_XDECREF(op->ob_item[i]) for i from the last down; NULL items skipped
        for (boolean checked : new boolean[] {true, false}) {
            try (ObjectSpace space = ObjectSpace.builder().checked(checked).build()) {
                List<Long> deaths = new java.util.ArrayList<>();
                long cls = space.classes().newClass(ClassSpec.named("Item").slots(0).finalizer(deaths::add));
                for (int n = 1; n <= 25; n++) {
                    long t = space.tuples().newTuple(n);
                    long[] items = new long[n];
                    for (int i = 0; i < n; i++) {
                        if (i % 7 != 3) { // some items stay NULL
                            items[i] = space.classes().newInstance(cls);
                            space.tuples().set(t, i, items[i]); // steals: the tuple holds the only reference
                        }
                    }
                    long shared = space.floats().newFloat(n);
                    long before = space.liveObjectCount();
                    deaths.clear();
                    space.decref(t);
                    List<Long> expected = new java.util.ArrayList<>();
                    for (int i = n - 1; i >= 0; i--) {
                        if (items[i] != 0) {
                            expected.add(items[i]);
                        }
                    }
                    assertEquals(expected, deaths, n + " items, checked " + checked);
                    assertEquals(before - 1 - expected.size(), space.liveObjectCount(), n + " items");
                    assertEquals(1, space.refcount(shared), "an object the tuple never held is untouched");
                    space.decref(shared);
                    space.checkInvariants();
                }
                space.decref(cls);
                assertEquals(0, space.liveObjectCount());
            }
        }
    }

    @Test
    void equalInternedStringsAreOneObject() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long a = space.strs().intern("hello world");
            long b = space.strs().intern("hello world");
            assertEquals(a, b);
            assertEquals(2, space.refcount(a), "the intern table's reference is not counted");
            long c = space.strs().newStr("hello world");
            assertNotEquals(a, c);
            assertFalse(space.strs().isInterned(c));
            long d = space.strs().internInPlace(c); // steals c, which dies: a is the interned one
            assertEquals(a, d);
            assertEquals(3, space.refcount(a));
            space.decref(a);
            space.decref(b);
            space.decref(d);
            assertEquals(0, space.liveObjectCount(), "a mortal interned string dies with its last reference");
            long e = space.strs().intern("hello world");
            assertTrue(space.strs().isInterned(e));
            assertEquals(1, space.refcount(e));
            space.decref(e);
            assertEquals(space.strs().newStr("a"), space.strs().intern("a"), "one-character strings are static singletons");
        }
    }

    /**
     * 3.11's {@code PyBytes_FromStringAndSize} returns a static singleton for one byte
     * ({@code CHARACTER(*str & 255)}, {@code _Py_SINGLETON(bytes_characters)}): in CPython 3.11.7
     * {@code bytes([200]) is bytes([200])} holds and {@code sys.getrefcount(b'a')} is about 10^9.
     * Each one-byte bytes was a new heap object here.
     */
    @Test
    void oneByteBytesAreStaticSingletons() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            for (int v = 0; v < 256; v++) {
                long a = space.bytes().newBytes(new byte[] {(byte) v});
                long b = space.bytes().newBytes(new byte[] {(byte) v});
                assertEquals(a, b, "bytes([" + v + "]) is bytes([" + v + "])");
                assertEquals(999_999_999L + 2, space.refcount(a), "static, counted from 3.11's immortal start");
                assertEquals(0, space.liveObjectCount(), "no object made at run time");
                assertArrayEquals(new byte[] {(byte) v}, space.bytes().value(a));
                assertEquals(34, space.sizeOf(a), "sys.getsizeof(b'a')");
                space.decref(a);
                space.decref(b);
            }
            long a = space.bytes().newBytes(new byte[] {'a'});
            assertEquals(4644417185603328019L, space.hash(a), "hash(b'a') under PYTHONHASHSEED=0, as hash('a')");
            space.decref(a);
            long aa = space.bytes().newBytes(new byte[] {'a', 'a'});
            assertEquals(1, space.liveObjectCount(), "two bytes make an object");
            space.decref(aa);
            space.checkInvariants();
        }
    }

    @Test
    void strRoundTripsEveryForm() {
        try (ObjectSpace space = ObjectSpace.create()) {
            for (String s : new String[] {"", "x", "ascii", "caf\u00e9", "\u20ac uro", "emoji \uD83D\uDE00!"}) {
                long o = space.strs().newStr(s);
                assertEquals(s, space.strs().value(o));
                space.decref(o);
            }
            byte[] data = {1, 2, 0, -1};
            long bytes = space.bytes().newBytes(data);
            assertEquals(java.util.Arrays.toString(data), java.util.Arrays.toString(space.bytes().value(bytes)));
            space.decref(bytes);
        }
    }

    @Test
    void classesLiveAsLongAsTheirInstances() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long cls = space.classes().newClass("Point", 2);
            long p = space.classes().newInstance(cls);
            assertEquals(2, space.refcount(cls));
            space.decref(cls);
            assertEquals("Point", space.typeName(p));
            space.classes().setSlot(p, 0, space.none());
            assertEquals(space.none(), space.classes().getSlot(p, 0));
            assertEquals(0, space.classes().getSlot(p, 1));
            space.decref(p);
            assertEquals(0, space.liveObjectCount(), "the class went with its last instance");
            space.checkInvariants();
        }
    }

    /**
     * decref javadoc: "@throws FreedObjectException ... if o is not a live object (a decref of an
     * object already deallocated: below zero)". An object whose deallocation is under way (here a
     * list releasing its items, one of which has a finalizer) has refcount 0: a decref of it is
     * refused with the FreedObjectException of Refusals.refcountBelowOne.
     */
    @Test
    void aDecrefBelowZeroOfAnObjectBeingDeallocatedIsAFreedObjectException() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build()) {
            long[] list = new long[1];
            RuntimeException[] seen = new RuntimeException[1];
            long cls = space.classes().newClass(ClassSpec.named("Item").finalizer(self -> {
                try {
                    space.decref(list[0]);                // the dying list: one decref too many
                } catch (RuntimeException e) {
                    seen[0] = e;
                }
            }));
            list[0] = space.lists().newList();
            long item = space.classes().newInstance(cls);
            space.lists().append(list[0], item);
            space.decref(item);
            space.decref(list[0]);                        // list dies; releasing item runs its finalizer
            space.decref(cls);
            assertTrue(seen[0] != null, "the decref below zero was not refused at all");
            assertTrue(seen[0] instanceof FreedObjectException,
                    "refused with " + seen[0].getClass().getName() + ": " + seen[0].getMessage());
            assertTrue(seen[0].getMessage().matches("the list object at 0x[0-9a-f]+ has a negative or zero refcount \\(0\\)"),
                    seen[0].getMessage());
        }
    }
    /**
     * objects/README.md's checked mode: "a NULL object (address 0) where one is required
     * (NullPointerException: "NULL object (address 0)")", refused before anything changes.
     */
    @Test
    void aNullObjectWhereOneIsRequiredIsRefusedInCheckedMode() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long list = space.lists().newList();
            long d = space.dicts().newDict();
            long key = space.floats().newFloat(0.5);
            List<org.junit.jupiter.api.function.Executable> calls = List.of(
                    () -> space.incref(0), () -> space.decref(0), () -> space.refcount(0), () -> space.sizeOf(0),
                    () -> space.type(0), () -> space.hash(0), () -> space.valueEquals(list, 0),
                    () -> space.lists().append(list, 0), () -> space.lists().size(0), () -> space.tuples().of(key, 0),
                    () -> space.dicts().set(d, key, 0), () -> space.dicts().get(d, 0), () -> space.floats().value(0));
            for (org.junit.jupiter.api.function.Executable call : calls) {
                assertEquals("NULL object (address 0)", assertThrows(NullPointerException.class, call).getMessage());
            }
            assertEquals(0, space.lists().size(list), "nothing changed");
            assertEquals(0, space.dicts().size(d));
            assertEquals(1, space.refcount(key));
            for (long o : new long[] {list, d, key}) {
                space.decref(o);
            }
        }
    }
}
