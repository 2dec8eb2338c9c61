package org.pymalloc4j.objects;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.GcTestSupport.reportedDuring;

/**
 * A container holding the last counted reference to a static object (None after 999,999,998
 * decrefs too many: a stray decref of a borrowed None in a loop gets there in seconds) lets go of
 * it while it is deallocated. The static object is refused as a freed item is: its refcount put
 * back, the container and its other items released as usual, and the refusal thrown once the
 * deallocation is done, so nothing leaks.
 */
class StaticDeallocationRefusalTest {
    private static ObjectSpace space(boolean checked) {
        return ObjectSpace.builder().checked(checked).traceRefs(true).build();
    }

    @ParameterizedTest(name = "checked={0}")
    @ValueSource(booleans = {true, false})
    void aContainerLettingGoOfTheLastReferenceToNoneIsStillFreed(boolean checked) {
        try (ObjectSpace s = space(checked)) {
            long none = s.none();
            long x = s.floats().newFloat(1.5);
            long y = s.floats().newFloat(2.5);
            long list = s.lists().newList();
            s.lists().append(list, x);
            s.lists().append(list, none);
            s.lists().append(list, y);
            putLong(none, 1); // the list's reference is None's last: 999,999,998 decrefs too many ran
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.decref(list));
            assertTrue(e.getMessage().contains("deallocating the static NoneType object"), e.getMessage());
            assertEquals(999_999_999L, s.refcount(none));
            assertEquals(1, s.refcount(x), "the item before None released");
            assertEquals(1, s.refcount(y), "the item after None released");
            assertEquals(2, s.liveObjectCount(), () -> "the list freed: " + s.liveObjects());
            s.checkInvariants();
            s.decref(x);
            s.decref(y);
            assertEquals(0, s.liveObjectCount());
        }
    }

    @ParameterizedTest(name = "checked={0}")
    @ValueSource(booleans = {true, false})
    void aDeepChainEndingInNoneIsFreedWholeAndTheNextDeallocationIsClean(boolean checked) {
        try (ObjectSpace s = space(checked)) {
            long none = s.none();
            long inner = s.tuples().of(none);
            for (int i = 0; i < 500; i++) { // deeper than the trashcan's 50: deferred deallocations
                long outer = s.lists().newList();
                s.lists().append(outer, inner);
                s.decref(inner);
                inner = outer;
            }
            long chain = inner;
            putLong(none, 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.decref(chain));
            assertTrue(e.getMessage().contains("NoneType"), e.getMessage());
            assertEquals(999_999_999L, s.refcount(none));
            assertEquals(0, s.liveObjectCount(), () -> "the chain freed whole: " + s.liveObjects());
            s.checkInvariants();
            long l = s.lists().newList();
            s.lists().append(l, none);
            s.decref(l); // no refusal left over
            assertEquals(0, s.liveObjectCount());
        }
    }

    /**
     * close(): "runs a full collection ... Never throws for leaks". A frame still open at close
     * holding None's last counted reference: the refusal is reported as unraisable, as a dangling
     * local's is, and the close goes on to collect the garbage cycle. It was thrown out of
     * close(), which skipped the collection and left the cycle in the leak report.
     */
    @ParameterizedTest(name = "checked={0}")
    @ValueSource(booleans = {true, false})
    void closeWithAFrameHoldingNonesLastReferenceStillCollects(boolean checked) {
        ObjectSpace s = space(checked);
        long cycle = GcTestSupport.selfList(s);
        s.decref(cycle); // garbage: only close's collection frees it
        Frame f = s.frame();
        f.hold(s.none());
        putLong(s.none(), 1); // the frame's reference is None's last
        List<Throwable> reported = reportedDuring(s::close);
        assertTrue(s.isClosed());
        assertTrue(s.leakReport().isClean(), () -> "the cycle was not collected: " + s.leakReport());
        assertEquals(1, reported.size(), reported::toString);
        assertTrue(reported.get(0) instanceof IllegalStateException
                && reported.get(0).getMessage().contains("deallocating the static NoneType object"), reported::toString);
    }

    /**
     * Frame.close: "@throws IllegalStateException ... if a local held the last counted reference
     * to a static object": the other locals released and the frame closed first, as for a
     * dangling local; Frame.set: the same for the local it replaces, the new one stored.
     */
    @ParameterizedTest(name = "checked={0}")
    @ValueSource(booleans = {true, false})
    void aFrameLettingGoOfNonesLastReferenceIsRefusedAfterTheRest(boolean checked) {
        try (ObjectSpace s = space(checked)) {
            long none = s.none();
            Frame f = s.frame();
            f.local(s.floats().newFloat(1.5));
            f.hold(none);
            f.local(s.floats().newFloat(2.5));
            putLong(none, 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, f::close);
            assertTrue(e.getMessage().contains("deallocating the static NoneType object"), e.getMessage());
            assertEquals(999_999_999L, s.refcount(none));
            assertEquals(0, f.size(), "the frame is closed");
            assertEquals(0, s.liveObjectCount(), () -> "the other locals released: " + s.liveObjects());
            try (Frame g = s.frame()) {
                g.hold(none);
                putLong(none, 1);
                long x = s.floats().newFloat(3.5);
                e = assertThrows(IllegalStateException.class, () -> g.set(0, x));
                assertTrue(e.getMessage().contains("deallocating the static NoneType object"), e.getMessage());
                assertEquals(x, g.get(0), "the new local stored");
            }
            assertEquals(0, s.liveObjectCount());
            s.checkInvariants();
        }
    }

    /**
     * The setters and removers that release an item say so too: "@throws IllegalStateException
     * ... checked or not, if the item replaced (removed, released) held the last counted reference
     * to a static object", each having done its work first (the new item stored, the item
     * removed, the list emptied) and the static's refcount put back.
     */
    @ParameterizedTest(name = "checked={0}")
    @ValueSource(booleans = {true, false})
    void tupleAndListCallsReleasingNonesLastReferenceSaySoAfterTheirWork(boolean checked) {
        try (ObjectSpace s = space(checked)) {
            long none = s.none();
            long t = s.tuples().newTuple(1);
            s.incref(none);
            s.tuples().set(t, 0, none);
            putLong(none, 1);
            long x = s.floats().newFloat(1.5);
            assertStaticRefused(s, () -> s.tuples().set(t, 0, x));
            assertEquals(x, s.tuples().get(t, 0), "tuples().set stored the new item");

            long list = s.lists().newList();
            for (int i = 0; i < 3; i++) {
                s.lists().append(list, none);
            }
            putLong(none, 1);
            long y = s.floats().newFloat(2.5);
            assertStaticRefused(s, () -> s.lists().set(list, 0, y));
            assertEquals(y, s.lists().get(list, 0), "lists().set stored the new item");
            putLong(none, 2); // the list's two references are all None has
            s.lists().delete(list, 1);
            assertStaticRefused(s, () -> s.lists().delete(list, 1));
            assertEquals(1, s.lists().size(list), "lists().delete removed the item");
            s.lists().append(list, none);
            putLong(none, 1);
            assertStaticRefused(s, () -> s.lists().clear(list));
            assertEquals(0, s.lists().size(list), "lists().clear emptied the list");
            assertEquals(3, s.liveObjectCount(), () -> "and released its other item, y: " + s.liveObjects());
            s.decref(t);
            s.decref(list);
            assertEquals(0, s.liveObjectCount());
            s.checkInvariants();
        }
    }

    /**
     * The same for dicts().set (the value replaced), dicts().delete (the key and value released)
     * and classes().setSlot (the value replaced), each having done its work first.
     */
    @ParameterizedTest(name = "checked={0}")
    @ValueSource(booleans = {true, false})
    void dictAndSlotCallsReleasingNonesLastReferenceSaySoAfterTheirWork(boolean checked) {
        try (ObjectSpace s = space(checked)) {
            long none = s.none();
            long d = s.dicts().newDict();
            long k = s.strs().newStr("k");
            s.dicts().set(d, k, none);
            putLong(none, 1);
            long x = s.floats().newFloat(1.5);
            assertStaticRefused(s, () -> s.dicts().set(d, k, x));
            assertEquals(x, s.dicts().get(d, k), "dicts().set stored the new value");
            s.dicts().set(d, k, none);
            putLong(none, 1);
            assertStaticRefused(s, () -> s.dicts().delete(d, k));
            assertEquals(0, s.dicts().size(d), "dicts().delete removed the entry");

            long cls = s.classes().newClass("C", 1);
            long o = s.classes().newInstance(cls);
            s.classes().setSlot(o, 0, none);
            putLong(none, 1);
            assertStaticRefused(s, () -> s.classes().setSlot(o, 0, x));
            assertEquals(x, s.classes().getSlot(o, 0), "classes().setSlot stored the new value");
            for (long r : new long[] {o, cls, d, k, x}) {
                s.decref(r);
            }
            assertEquals(0, s.liveObjectCount(), () -> s.liveObjects().toString());
            s.checkInvariants();
        }
    }

    private static void assertStaticRefused(ObjectSpace s, org.junit.jupiter.api.function.Executable call) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call);
        assertTrue(e.getMessage().contains("deallocating the static NoneType object"), e.getMessage());
        assertEquals(999_999_999L, s.refcount(s.none()));
    }
}
