package org.pymalloc4j.objects;

import java.math.BigInteger;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ObjectLayouts}: the rows of each kind of object, their live values, the block and its
 * quantization loss, and the refusals its {@code @throws} clauses promise.
 */
class ObjectLayoutsTest {
    private static String value(LayoutTable t, String field) {
        return t.row(field).orElseThrow(() -> new AssertionError("no row " + field + " in\n" + t)).value();
    }

    /** Layouts need a checked space; checked whatever the default ({@code -Dpymalloc4j.checks}). */
    private static ObjectSpace checkedSpace() {
        return ObjectSpace.builder().checked(true).build();
    }

    private static long offset(LayoutTable t, String field) {
        return t.row(field).orElseThrow(() -> new AssertionError("no row " + field + " in\n" + t)).offset();
    }

    @Test
    void floatShowsRefcountTypeAndValueAndTheQuantizationLoss() {
        try (ObjectSpace space = checkedSpace()) {
            long f = space.floats().newFloat(1.5);
            space.incref(f);
            LayoutTable t = ObjectLayouts.of(space, f);
            System.out.print(t);
            assertEquals(List.of("ob_refcnt", "ob_type", "ob_fval"), t.rows().stream().map(LayoutTable.Row::description).toList());
            assertEquals("2", value(t, "ob_refcnt"));
            assertEquals(String.format("0x%x (float)", space.type(f)), value(t, "ob_type"));
            assertEquals("1.5 (0x3ff8000000000000)", value(t, "ob_fval"));
            assertEquals(16, offset(t, "ob_fval"));
            assertEquals("double", t.row("ob_fval").orElseThrow().type());
            // 24 bytes in the 32-byte block of class 1
            assertTrue(t.summary().contains("Space losses: 0 bytes internal + 8 bytes external = 8 bytes total"), t.render());
            assertTrue(t.summary().get(1).startsWith(String.format("Block: 32 bytes at 0x%x, size class 1 ", f)), t.render());
            space.decref(f);
            space.decref(f);
        }
    }

    @Test
    void intShowsItsThirtyBitDigits() {
        try (ObjectSpace space = checkedSpace()) {
            BigInteger v = BigInteger.ONE.shiftLeft(60).add(BigInteger.valueOf(5)).negate(); // -(2^60 + 5)
            long o = space.ints().newInt(v);
            LayoutTable t = ObjectLayouts.of(space, o);
            System.out.print(t);
            assertEquals("-3", value(t, "ob_size"));
            assertEquals("5 (× 2^0)", value(t, "ob_digit[0]"));
            assertEquals("0 (× 2^30)", value(t, "ob_digit[1]"));
            assertEquals("1 (× 2^60)", value(t, "ob_digit[2]"));
            assertEquals(32, offset(t, "ob_digit[2]"));
            assertEquals(space.sizeOf(o), 36);
            assertTrue(t.summary().getFirst().startsWith("Object size: 36 bytes"), t.render());
            assertTrue(t.summary().contains("Space losses: 0 bytes internal + 12 bytes external = 12 bytes total"), t.render());
            space.decref(o);
        }
    }

    /**
     * A one-digit int asks for sizeof(PyLongObject), 32 bytes, as 3.11's _PyLong_FromMedium
     * does: its 4 bytes after ob_digit[0] are the struct's tail padding, part of the request, not
     * bytes its size class adds. The table said "4 bytes lost to quantization" in the 32-byte
     * class it fills exactly (and 12 under the debug hooks, where its 32 + 24 bytes lose 8 in class 3).
     */
    @Test
    void aOneDigitIntShowsTheTailPaddingItAsksFor() {
        try (ObjectSpace space = checkedSpace()) {
            long o = space.ints().newInt(257);
            LayoutTable t = ObjectLayouts.of(space, o);
            assertEquals(28, offset(t, LayoutTable.PADDING), t.render());
            assertEquals(4, t.row(LayoutTable.PADDING).orElseThrow().size());
            assertEquals("Object size: 32 bytes in its block (sys.getsizeof: 28)", t.summary().getFirst(), t.render());
            assertEquals(String.format("Block: 32 bytes at 0x%x, size class 1 of the pymalloc heap: 0 bytes lost to "
                    + "quantization", o), t.summary().get(1), t.render());
            assertEquals("Space losses: 4 bytes internal + 0 bytes external = 4 bytes total", t.summary().get(2));
            space.decref(o);
            long two = space.ints().newInt(1L << 30); // two digits fill the 32 bytes: no padding
            assertTrue(ObjectLayouts.of(space, two).row(LayoutTable.PADDING).isEmpty());
            space.decref(two);
            long seven = space.ints().newInt(7); // static, in 32 bytes too
            assertEquals("Object size: 32 bytes in its block (sys.getsizeof: 28)",
                    ObjectLayouts.of(space, seven).summary().getFirst());
            space.decref(seven);
        }
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).build()) {
            long o = space.ints().newInt(-1000);
            LayoutTable t = ObjectLayouts.of(space, o);
            assertEquals(String.format("Block: 64 bytes at 0x%x, size class 3 of the pymalloc heap, holding the debug "
                    + "hooks' 16-byte header before the object and 8 bytes after it: 8 bytes lost to quantization", o - 16),
                    t.summary().get(1), t.render());
            space.decref(o);
        }
    }

    @Test
    void smallIntsAreStaticAndHaveNoBlockOfTheirOwn() {
        try (ObjectSpace space = checkedSpace()) {
            long seven = space.ints().newInt(7);
            LayoutTable t = ObjectLayouts.of(space, seven);
            assertTrue(value(t, "ob_refcnt").endsWith("(static object: immortal)"), t.render());
            assertTrue(t.summary().get(1).startsWith("Block: none of its own: a static object"), t.render());
            space.decref(seven);
        }
    }

    /**
     * A static object stays static when unbalanced decrefs took its refcount below its start
     * (999,999,999; it is put back only when it would reach 0): its block is still none of its
     * own, not "from the pymalloc allocator".
     */
    @Test
    void aStaticObjectDecrefedBelowItsStartIsStillStatic() {
        try (ObjectSpace space = checkedSpace()) {
            long none = space.none();
            space.decref(none);
            LayoutTable t = ObjectLayouts.of(space, none);
            assertEquals("999999998", value(t, "ob_refcnt"));
            assertTrue(t.summary().get(1).startsWith("Block: none of its own: a static object"), t.render());
            space.incref(none);
        }
    }

    @Test
    void tupleShowsItsGcHeadAndItsItemsWithTheirTypes() {
        try (ObjectSpace space = checkedSpace()) {
            long f = space.floats().newFloat(2.5);
            long s = space.strs().newStr("abc");
            long t0 = space.tuples().of(f, s, space.none());
            LayoutTable t = ObjectLayouts.of(space, t0);
            System.out.print(t);
            assertEquals(-16, t.rows().getFirst().offset());
            assertEquals("_gc_next", t.rows().getFirst().description());
            assertEquals(-8, offset(t, "_gc_prev"));
            assertTrue(value(t, "_gc_next").contains("(tracked"), t.render());
            assertEquals(String.format("0x%x (float)", f), value(t, "ob_item[0]"));
            assertEquals(String.format("0x%x (str)", s), value(t, "ob_item[1]"));
            assertEquals(String.format("0x%x (NoneType)", space.none()), value(t, "ob_item[2]"));
            assertTrue(t.title().contains(String.format("its block starts at 0x%x", t0 - 16)), t.title());
            assertTrue(t.summary().getFirst().startsWith("Object size: 64 bytes in its block (sys.getsizeof: 64)"), t.render());
            assertTrue(t.summary().contains("Space losses: 0 bytes internal + 0 bytes external = 0 bytes total"), t.render());
            space.decref(t0);
            space.decref(f);
            space.decref(s);
        }
    }

    @Test
    void weakReferenceableInstanceShowsItsWeaklistAndTheWeakrefItsFields() {
        try (ObjectSpace space = checkedSpace()) {
            long cls = space.classes().newClass(ClassSpec.named("Node").slots(1).weakReferenceable());
            long o = space.classes().newInstance(cls);
            long wr = space.weakrefs().newRef(o);
            LayoutTable instance = ObjectLayouts.of(space, o);
            assertTrue(instance.title().contains("an instance of a class with 1 slot and __weakref__: PyObject + PyObject*[1]"
                    + " + PyWeakReference*"), instance.title());
            assertEquals(24, instance.row("__weakref__").orElseThrow().offset()); // CPython: Node.__weakrefoffset__ == 24
            assertTrue(instance.row("__weakref__").orElseThrow().value().contains(String.format("0x%x", wr)), instance.toString());
            LayoutTable weakref = ObjectLayouts.of(space, wr);
            assertEquals(16, weakref.row("wr_object").orElseThrow().offset());
            assertTrue(weakref.row("wr_object").orElseThrow().value().contains("(Node)"), weakref.toString());
            assertTrue(weakref.toString().contains("sys.getsizeof: 80"), weakref.toString());
            space.decref(o);
            assertTrue(ObjectLayouts.of(space, wr).row("wr_object").orElseThrow().value().endsWith("dead, its referent is gone"));
            space.decref(wr);
            space.decref(cls);
        }
    }

    @Test
    void longTuplesAreSummedUpAfterFifteenItems() {
        try (ObjectSpace space = checkedSpace()) {
            long t0 = space.tuples().newTuple(100);
            for (int i = 0; i < 100; i++) {
                space.tuples().set(t0, i, space.floats().newFloat(i));
            }
            LayoutTable t = ObjectLayouts.of(space, t0);
            LayoutTable.Row rest = t.row("ob_item[15..99]").orElseThrow(() -> new AssertionError(t.render()));
            assertEquals(85 * 8, rest.size());
            assertEquals(24 + 15 * 8, rest.offset());
            assertTrue(t.summary().getFirst().startsWith("Object size: 840 bytes"), t.render());
            assertTrue(t.summary().get(1).startsWith("Block: 840 bytes at "), t.render());
            assertTrue(t.summary().get(1).contains("a raw block from malloc"), t.render());
            space.decref(t0);
        }
    }

    @Test
    void strShowsStateBitsAndCharacters() {
        try (ObjectSpace space = checkedSpace()) {
            long ascii = space.strs().newStr("hello");
            LayoutTable a = ObjectLayouts.of(space, ascii);
            System.out.print(a);
            assertEquals("0xe4 (not interned, kind 1, compact, ascii, ready)", value(a, "state"));
            assertEquals("'hello' + NUL", value(a, "data"));
            assertEquals(48, offset(a, "data"));
            assertEquals(LayoutTable.PADDING, a.rows().get(5).description());
            assertEquals(4, a.paddingBytes());
            long euro = space.strs().newStr("€uro");
            LayoutTable e = ObjectLayouts.of(space, euro);
            assertEquals("Py_UCS2[5]", e.row("data").orElseThrow().type());
            assertEquals(72, offset(e, "data"));
            assertTrue(e.summary().getFirst().startsWith("Object size: 82 bytes in its block (sys.getsizeof: 82)"), e.render());
            space.decref(ascii);
            space.decref(euro);
        }
    }

    @Test
    void bytesShowItsCharactersAndTheTrailingNul() {
        try (ObjectSpace space = checkedSpace()) {
            long b = space.bytes().newBytes(new byte[] {'a', 0, (byte) 0xff, '\''});
            LayoutTable t = ObjectLayouts.of(space, b);
            assertEquals("b\"a\\x00\\xff'\" + NUL", value(t, "ob_sval")); // repr(b"a\x00\xff'")
            assertEquals(5, t.row("ob_sval").orElseThrow().size());
            assertEquals("-1 (not computed yet)", value(t, "ob_shash"));
            space.decref(b);
        }
    }

    @Test
    void strAndBytesValuesAreShownAsPythonsReprShowsThem() {
        // Control characters went to the table raw (an ESC reached the terminal), and a cut after
        // 47 UTF-16 units split a surrogate pair.
        try (ObjectSpace space = checkedSpace()) {
            long s = space.strs().newStr("a\tb\u001b[31m\u00a0it's");
            assertEquals("\"a\\tb\\x1b[31m\\xa0it's\" + NUL", value(ObjectLayouts.of(space, s), "data")); // repr("a\tb\x1b[31m\xa0it's")
            long emoji = space.strs().newStr("😀".repeat(60));
            assertEquals("'" + "😀".repeat(47) + "…' + NUL", value(ObjectLayouts.of(space, emoji), "data"));
            long b = space.bytes().newBytes(new byte[] {'\n', '\r', '\t', 0x7f, '\\', '\'', '"'});
            assertEquals("b'\\n\\r\\t\\x7f\\\\\\'\"' + NUL", value(ObjectLayouts.of(space, b), "ob_sval"));
            space.decref(s);
            space.decref(emoji);
            space.decref(b);
        }
    }

    @Test
    void listAndItsItemArray() {
        try (ObjectSpace space = checkedSpace()) {
            long list = space.lists().newList();
            long f = space.floats().newFloat(1);
            space.lists().append(list, f);
            space.lists().append(list, space.none());
            LayoutTable t = ObjectLayouts.of(space, list);
            System.out.print(t);
            assertEquals("4", value(t, "allocated"));
            assertEquals("PyObject**", t.row("ob_item").orElseThrow().type());
            assertTrue(value(t, "ob_item").endsWith("(its item array, below)"), t.render());
            assertEquals(List.of(), ObjectLayouts.ownedBlocks(space, f));
            List<LayoutTable> owned = ObjectLayouts.ownedBlocks(space, list);
            assertEquals(1, owned.size());
            LayoutTable items = owned.getFirst();
            System.out.print(items);
            assertEquals(String.format("0x%x (float)", f), value(items, "ob_item[0]"));
            assertEquals(16, items.row("ob_item[2..3]").orElseThrow().size());
            assertTrue(items.summary().get(1).startsWith("Block: 32 bytes at "), items.render());
            space.decref(list);
            space.decref(f);
        }
    }

    @Test
    void dictAndItsKeysObject() {
        try (ObjectSpace space = checkedSpace()) {
            long d = space.dicts().newDict();
            long k = space.strs().newStr("key");
            long v = space.ints().newInt(1);
            space.dicts().set(d, k, v);
            LayoutTable t = ObjectLayouts.of(space, d);
            assertEquals("1", value(t, "ma_used"));
            LayoutTable keys = ObjectLayouts.ownedBlocks(space, d).getFirst();
            System.out.print(t);
            System.out.print(keys);
            assertEquals("1 (unicode: every key an exact str)", value(keys, "dk_kind"));
            assertEquals(String.format("0x%x (str)", k), value(keys, "me_key"));
            assertEquals(String.format("0x%x (int)", v), value(keys, "me_value"));
            assertTrue(value(keys, "dk_indices").startsWith("["), keys.render());
            assertEquals(8, keys.row("dk_indices").orElseThrow().size());
            long empty = space.dicts().newDict();
            assertTrue(ObjectLayouts.ownedBlocks(space, empty).getFirst().title().contains("static empty keys"));
            space.decref(d);
            space.decref(empty);
            space.decref(k);
            space.decref(v);
        }
    }

    @Test
    void instanceOfAClassWithSlotsAndItsTypeObject() {
        try (ObjectSpace space = checkedSpace()) {
            long cls = space.classes().newClass("Point", 2);
            long p = space.classes().newInstance(cls);
            long x = space.ints().newInt(1000);
            space.classes().setSlot(p, 0, x);
            LayoutTable t = ObjectLayouts.of(space, p);
            System.out.print(t);
            assertEquals(String.format("0x%x (int)", x), value(t, "slot[0]"));
            assertEquals("0 (NULL)", value(t, "slot[1]"));
            assertEquals(String.format("0x%x (Point)", cls), value(t, "ob_type"));
            LayoutTable type = ObjectLayouts.of(space, cls);
            System.out.print(type);
            assertTrue(value(type, "tp_name").endsWith("(\"Point\")"), type.render());
            assertEquals("2", value(type, "ob_size"));
            // CPython 3.11: class D: __slots__ = ('a',); after a use, hex(D.__flags__) == '0x85600'
            assertTrue(value(type, "tp_flags").contains("HEAPTYPE | BASETYPE | READY | HAVE_GC | VALID_VERSION_TAG"),
                    type.render());
            assertTrue(value(type, "tp_flags").contains("0x85600"), type.render());
            assertEquals("not used here: all 0", value(type, "(tp_dict … tp_subclasses)"));
            assertEquals(4, type.paddingBytes());
            assertEquals(408, type.rows().getLast().offset() + type.rows().getLast().size());
            // python3.11: sys.getsizeof of such a class is 920; here it is a plain type object
            assertEquals("Object size: 424 bytes in its block (sys.getsizeof: 424 here; 920 in CPython, "
                    + "where a class is a 904-byte PyHeapTypeObject)", type.summary().getFirst());
            space.decref(p);
            space.decref(x);
            space.decref(cls);
        }
    }

    /**
     * An instance of a class named "type" is not a type object: its table read no
     * {@code tp_flags} 168 bytes into a 32-byte object, where here a later int's digit 512 set
     * the HEAPTYPE bit and made the summary claim "a 16-byte PyHeapTypeObject".
     */
    @Test
    void anInstanceOfAClassNamedTypeIsNotReadAsATypeObject() {
        try (ObjectSpace space = checkedSpace()) {
            long cls = space.classes().newClass("type", 0);
            long o = space.classes().newInstance(cls); // 32 bytes with its GC head, class 1
            long[] neighbours = new long[5];
            for (int i = 0; i < 4; i++) {
                neighbours[i] = space.floats().newFloat(i); // class 1 too
            }
            neighbours[4] = space.ints().newInt(512 + (1L << 30)); // ob_digit[0] == 512 == HEAPTYPE
            assertEquals(o + TypeLayout.TP_FLAGS_OFFSET, neighbours[4] + BuiltinLayouts.OB_DIGIT_OFFSET,
                    "the int's digits lie where a type object's tp_flags would");
            LayoutTable t = ObjectLayouts.of(space, o);
            assertEquals("Object size: 32 bytes in its block (sys.getsizeof: 32)", t.summary().getFirst(), t.render());
            for (long n : neighbours) {
                space.decref(n);
            }
            space.decref(o);
            space.decref(cls);
        }
    }

    /**
     * Under the debug hooks (pymalloc_debug) an object's block is the data of a pymalloc block
     * 16 bytes before it, which has a size class: the 24-byte float and the hooks' 24 bytes fill
     * a 48-byte block of class 2; the 48-byte tuple (GC head included) and its 24, 72 bytes of
     * an 80-byte block of class 4. It said "from the pymalloc_debug allocator, which keeps no
     * size class here", and with the hooks set up on a pymalloc memory, "from the pymalloc allocator".
     */
    @Test
    void underTheDebugHooksTheBlockIsThePymallocBlockAroundTheObject() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build();
             ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).build()) {
            long f = space.floats().newFloat(1.5);
            LayoutTable t = ObjectLayouts.of(space, f);
            assertEquals(String.format("Block: 48 bytes at 0x%x, size class 2 of the pymalloc heap, holding the debug "
                    + "hooks' 16-byte header before the object and 8 bytes after it: 0 bytes lost to quantization", f - 16),
                    t.summary().get(1), t.render());
            long tuple = space.tuples().of(f);
            LayoutTable u = ObjectLayouts.of(space, tuple);
            assertEquals(String.format("Block: 80 bytes at 0x%x, size class 4 of the pymalloc heap, holding the debug "
                    + "hooks' 16-byte header before the object and 8 bytes after it: 8 bytes lost to quantization",
                    tuple - 32), u.summary().get(1), u.render());
            assertEquals("Space losses: 0 bytes internal + 8 bytes external = 8 bytes total", u.summary().get(2));
            long big = space.tuples().newTuple(70); // 600 bytes and the hooks' 24: a raw block
            assertEquals(String.format("Block: 624 bytes at 0x%x, a raw block from malloc, holding the debug hooks' 16-byte "
                    + "header before the object and 8 bytes after it (over 512 bytes: no size class, nothing lost to "
                    + "quantization)", big - 32), ObjectLayouts.of(space, big).summary().get(1));
            space.decref(big);
            space.decref(tuple);
            space.decref(f);
        }
        try (Memory memory = Memory.create()) {
            memory.setupDebugHooks(); // PyMem_SetupDebugHooks: configured pymalloc, served by pymalloc_debug
            ObjectSpace space = ObjectSpace.builder().memory(memory).checked(true).build();
            long f = space.floats().newFloat(2.5);
            assertTrue(ObjectLayouts.of(space, f).summary().get(1).startsWith(
                    String.format("Block: 48 bytes at 0x%x, size class 2 of the pymalloc heap, holding the debug", f - 16)));
            space.decref(f);
            space.close();
        }
    }

    /**
     * A tp_name is shown up to 200 bytes: one of exactly 200 bytes is whole (it had "…" added,
     * its NUL unread), and a longer one is cut between characters, not inside a UTF-8 sequence
     * (which showed U+FFFD).
     */
    @Test
    void longTypeNamesAreCutBetweenCharacters() {
        try (ObjectSpace space = checkedSpace()) {
            String exact = "N".repeat(200);
            long cls = space.classes().newClass(exact, 0);
            long o = space.classes().newInstance(cls);
            assertEquals(String.format("0x%x (%s)", cls, exact), value(ObjectLayouts.of(space, o), "ob_type"));
            long split = space.classes().newClass("N".repeat(199) + "é", 0); // é's two bytes at 199 and 200
            assertTrue(value(ObjectLayouts.of(space, split), "tp_name").endsWith("(\"" + "N".repeat(199) + "…\")"),
                    value(ObjectLayouts.of(space, split), "tp_name"));
            space.decref(o);
            space.decref(cls);
            space.decref(split);
        }
    }

    private static void assertNamesTheAddress(long o, FreedObjectException e) {
        assertEquals(o, e.address());
        assertTrue(e.getMessage().contains(String.format("0x%x", o)), e.getMessage());
    }

    @Test
    void refusesAFreedObject() {
        try (ObjectSpace space = checkedSpace()) {
            long keep = space.floats().newFloat(1);
            long f = space.strs().newStr("gone");
            space.decref(f);
            // @throws FreedObjectException if o is not a live object of space (freed, foreign, or not an object's start)
            assertNamesTheAddress(f, assertThrows(FreedObjectException.class, () -> ObjectLayouts.of(space, f)));
            assertNamesTheAddress(f, assertThrows(FreedObjectException.class, () -> ObjectLayouts.ownedBlocks(space, f)));
            space.decref(keep);
        }
    }

    @Test
    void refusesAForeignAddressAndTheMiddleOfAnObject() {
        try (ObjectSpace space = checkedSpace(); ObjectSpace other = checkedSpace()) {
            long mine = space.floats().newFloat(1);
            long theirs = other.floats().newFloat(2);
            assertNamesTheAddress(theirs, assertThrows(FreedObjectException.class, () -> ObjectLayouts.of(space, theirs)));
            long tuple = space.tuples().of(mine, mine);
            assertNamesTheAddress(tuple + 8, assertThrows(FreedObjectException.class, () -> ObjectLayouts.of(space, tuple + 8)));
            space.decref(tuple);
            space.decref(mine);
            other.decref(theirs);
        }
    }

    @Test
    void refusesNullAClosedSpaceAndAnUncheckedOne() {
        ObjectSpace space = checkedSpace();
        // @throws NullPointerException if o is 0
        assertEquals("NULL object (address 0)", assertThrows(NullPointerException.class, () -> ObjectLayouts.of(space, 0)).getMessage());
        long none = space.none();
        space.close();
        // @throws IllegalStateException if space is closed, or not checked
        assertEquals("this ObjectSpace is closed",
                assertThrows(IllegalStateException.class, () -> ObjectLayouts.of(space, none)).getMessage());
        try (ObjectSpace unchecked = ObjectSpace.builder().checked(false).build()) {
            Throwable t = assertThrows(IllegalStateException.class, () -> ObjectLayouts.of(unchecked, unchecked.none()));
            assertTrue(t.getMessage().contains("checked space"), t.getMessage());
        }
    }

    /** A space closed by its memory's close says so, as every other call of the space does. */
    @Test
    void aSpaceWhoseMemoryWasClosedUnderItSaysSo() {
        ObjectSpace space = checkedSpace();
        long f = space.floats().newFloat(1.5);
        space.memory().close();
        for (Runnable call : new Runnable[] {() -> ObjectLayouts.of(space, f), () -> ObjectLayouts.ownedBlocks(space, f)}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
            assertEquals("this ObjectSpace is closed: its Memory was closed under it", e.getMessage());
        }
        space.close();
    }

    /**
     * {@code type}'s own {@code tp_weaklistoffset} (classes can be weakly referenced) and a
     * class's {@code tp_weaklist} are fields of their own, not "unused" gaps. CPython 3.11:
     * {@code type.__weakrefoffset__ == 368}; {@code class N: __slots__ = ('a', '__weakref__')}:
     * {@code N.__weakrefoffset__ == 24}.
     */
    @Test
    void typeObjectsShowTheirWeaklistOffsetAndTheirOwnWeaklist() {
        try (ObjectSpace space = checkedSpace()) {
            long cls = space.classes().newClass(ClassSpec.named("Node").slots(1).weakReferenceable());
            long wr = space.weakrefs().newRef(cls);
            LayoutTable node = ObjectLayouts.of(space, cls);
            System.out.print(node);
            assertEquals(208, offset(node, "tp_weaklistoffset"));
            assertTrue(value(node, "tp_weaklistoffset").startsWith("24 "), node.render());
            assertEquals(368, offset(node, "tp_weaklist"));
            assertEquals(String.format("0x%x (a weakref)", wr), value(node, "tp_weaklist"));
            LayoutTable type = ObjectLayouts.of(space, space.type(cls));
            assertTrue(value(type, "tp_weaklistoffset").startsWith("368 "), type.render());
            for (LayoutTable t : List.of(node, type)) {
                assertTrue(!t.render().contains("not all 0"), t.render());
                assertEquals(408, t.rows().getLast().offset() + t.rows().getLast().size());
                assertEquals(4, t.paddingBytes());
            }
            space.decref(wr);
            space.decref(cls);
        }
    }

    /**
     * The keys of every empty dict: 3.11's static {@code empty_keys_struct}, of log2 size 0 with
     * one byte of indices and {@code dk_version} 1.
     */
    @Test
    void theEmptyDictsKeysAre311sEmptyKeysStruct() {
        try (ObjectSpace space = checkedSpace()) {
            long empty = space.dicts().newDict();
            LayoutTable keys = ObjectLayouts.ownedBlocks(space, empty).getFirst();
            System.out.print(keys);
            assertEquals("0 (1 index slots)", value(keys, "dk_log2_size"));
            assertEquals("0 (1 bytes of indices)", value(keys, "dk_log2_index_bytes"));
            assertEquals("1 (unicode: every key an exact str)", value(keys, "dk_kind"));
            assertEquals("1", value(keys, "dk_version"));
            assertEquals("0 (entries still free)", value(keys, "dk_usable"));
            assertEquals(0, space.dicts().get(empty, space.ints().newInt(7)), "a lookup in it finds nothing");
            assertTrue(!space.dicts().delete(empty, space.ints().newInt(7)));
            space.checkInvariants();
            space.decref(empty);
        }
    }

    /** insertdict: {@code d[k] = v} again with the same v stores nothing and keeps {@code ma_version_tag}. */
    @Test
    void storingTheValueAKeyAlreadyHasKeepsTheVersionTag() {
        try (ObjectSpace space = checkedSpace()) {
            long d = space.dicts().newDict();
            long k = space.ints().newInt(1000);
            long v = space.ints().newInt(2000);
            space.dicts().set(d, k, v);
            String version = value(ObjectLayouts.of(space, d), "ma_version_tag");
            space.dicts().set(d, k, v);
            assertEquals(version, value(ObjectLayouts.of(space, d), "ma_version_tag"));
            assertEquals(2, space.refcount(v), "the dict's reference, and ours");
            space.dicts().set(d, k, k);
            assertTrue(!version.equals(value(ObjectLayouts.of(space, d), "ma_version_tag")), "a new value: a new version");
            space.decref(d);
            space.decref(k);
            space.decref(v);
        }
    }

    /** delitem_common: a deleted entry of a general (non-str keys) table is zeroed, its me_hash too. */
    @Test
    void aDeletedGeneralEntryIsZeroedHashAndAll() {
        try (ObjectSpace space = checkedSpace()) {
            long d = space.dicts().newDict();
            long k = space.ints().newInt(1000);
            space.dicts().set(d, k, k);
            assertTrue(space.dicts().delete(d, k));
            LayoutTable keys = ObjectLayouts.ownedBlocks(space, d).getFirst();
            System.out.print(keys);
            assertEquals("0 (general: hash, key, value)", value(keys, "dk_kind"));
            assertEquals("0", value(keys, "me_hash"), keys.render());
            assertEquals("0 (NULL)", value(keys, "me_key"));
            assertEquals("0 (NULL)", value(keys, "me_value"));
            space.decref(d);
            space.decref(k);
        }
    }

    /**
     * ownedBlocks: "@throws FreedObjectException if o is not a live object of space",
     * "@throws NullPointerException if o is 0", "@throws IllegalStateException if space is closed,
     * or not checked", each naming what was wrong.
     */
    @Test
    void ownedBlocksRefusesWhatOfRefuses() {
        ObjectSpace space = checkedSpace();
        long list = space.lists().newList();
        long gone = space.lists().newList(4);
        space.decref(gone);
        FreedObjectException freed = assertThrows(FreedObjectException.class, () -> ObjectLayouts.ownedBlocks(space, gone));
        assertEquals(gone, freed.address());
        assertTrue(freed.getMessage().contains(String.format("0x%x", gone)), freed.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class, () -> ObjectLayouts.ownedBlocks(space, 0));
        assertEquals("NULL object (address 0)", npe.getMessage());
        assertEquals(List.of(), ObjectLayouts.ownedBlocks(space, list), "an empty list owns no array");
        space.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> ObjectLayouts.ownedBlocks(space, list));
        assertEquals("this ObjectSpace is closed", closed.getMessage());
        try (ObjectSpace unchecked = ObjectSpace.builder().checked(false).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ObjectLayouts.ownedBlocks(unchecked, unchecked.none()));
            assertTrue(e.getMessage().contains("needs a checked space"), e.getMessage());
        }
    }
}
