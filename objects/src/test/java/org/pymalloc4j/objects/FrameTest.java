package org.pymalloc4j.objects;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frames own their locals, release them on every exit path, and return values with ownership. */
class FrameTest {
    /** The seed's {@code def hello(): s = 'hi'; print(s)}: the local dies with the frame. */
    @Test
    void aFrameReleasesItsLocalsWhenItCloses() {
        try (ObjectSpace space = ObjectSpace.create()) {
            try (Frame f = space.frame()) {
                long s = f.local(space.strs().newStr("hi there"));
                assertEquals(1, space.refcount(s));
                assertEquals(1, space.liveObjectCount());
            }
            assertEquals(0, space.liveObjectCount());
        }
    }

    /** The seed's {@code foo = (a, b)}: BUILD_TUPLE's new reference passes to the local foo. */
    @Test
    void aValueReturnedFromAFrameKeepsItsOwnership() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            long foo = makePair(space);
            assertEquals(1, space.refcount(foo), "the caller owns the only reference");
            assertEquals(3, space.liveObjectCount());
            assertEquals(1, space.refcount(space.tuples().get(foo, 0)), "the tuple owns its items");
            space.decref(foo);
            assertEquals(0, space.liveObjectCount());
        }
    }

    private static long makePair(ObjectSpace space) {
        try (Frame f = space.frame()) {
            long a = f.local(space.floats().newFloat(1.5));
            long b = f.local(space.strs().newStr("bee"));
            long foo = f.local(space.tuples().of(a, b));
            return f.returning(foo);
        }
    }

    @Test
    void localsAreReleasedInSlotOrderEvenWhenTheBodyThrows() {
        try (ObjectSpace space = ObjectSpace.builder().traceRefs(true).build()) {
            assertThrows(ArithmeticException.class, () -> {
                try (Frame f = space.frame()) {
                    long l = f.local(space.lists().newList());
                    f.hold(l);
                    f.local(0); // a NULL slot is allowed
                    space.ints().value(f.local(space.ints().newInt(java.math.BigInteger.TWO.pow(100))));
                }
            });
            assertEquals(0, space.liveObjectCount());
        }
    }

    @Test
    void setReplacesALocalAndReleasesTheOldValue() {
        try (ObjectSpace space = ObjectSpace.create()) {
            try (Frame f = space.frame()) {
                f.local(space.floats().newFloat(1));
                f.set(0, space.floats().newFloat(2)); // x = 2.0: the first float dies
                assertEquals(1, space.liveObjectCount());
                assertEquals(2.0, space.floats().value(f.get(0)));
            }
        }
    }

    @Test
    void framesNestAndOnlyTheInnermostTakesLocals() {
        try (ObjectSpace space = ObjectSpace.create()) {
            try (Frame outer = space.frame()) {
                outer.local(space.floats().newFloat(1));
                try (Frame inner = space.frame()) {
                    inner.local(space.floats().newFloat(2));
                    // @throws IllegalStateException if this frame is closed or not the innermost open frame
                    assertEquals("frame 1 cannot take locals while frame 2 inside it is open",
                            assertThrows(IllegalStateException.class, () -> outer.local(space.tuples().newTuple(0))).getMessage());
                    // @throws IllegalStateException if an inner frame is still open
                    assertEquals("frame 1 closed while frame 2 inside it is open: frames close innermost first",
                            assertThrows(IllegalStateException.class, outer::close).getMessage());
                    assertEquals(2, space.liveObjectCount());
                }
                assertEquals(1, space.liveObjectCount());
                assertEquals(1, outer.size());
            }
            assertEquals(0, space.liveObjectCount());
        }
    }

    @Test
    void closingTheSpaceReleasesOpenFrames() {
        ObjectSpace space = ObjectSpace.create();
        Frame f = space.frame();
        f.local(space.floats().newFloat(3));
        space.close();
        assertTrue(space.leakReport().isClean(), space.leakReport().toString());
        f.close(); // does nothing after the space closed
    }

    @Test
    void aClosedFrameRefusesUse() {
        try (ObjectSpace space = ObjectSpace.create()) {
            Frame f = space.frame();
            f.close();
            for (Executable call : List.<Executable>of(() -> f.local(space.tuples().newTuple(0)), () -> f.returning(space.none()),
                    () -> f.get(0))) {
                assertEquals("this frame is closed", assertThrows(IllegalStateException.class, call).getMessage());
            }
            assertEquals("local 0 of a frame with 0 locals", assertThrows(IndexOutOfBoundsException.class, () -> {
                try (Frame g = space.frame()) {
                    g.get(0);
                }
            }).getMessage());
        }
    }

    /**
     * README "Ownership": Frame.local and Frame.set are stolen arguments, taken over "even when it
     * throws". A frame that is not the innermost refuses local() without releasing the reference.
     */
    @Test
    void frameLocalStealsItsReferenceEvenWhenItThrows() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build()) {
            try (Frame outer = space.frame(); Frame inner = space.frame()) {
                long x = space.floats().newFloat(1.5);
                assertEquals("frame 1 cannot take locals while frame 2 inside it is open",
                        assertThrows(IllegalStateException.class, () -> outer.local(x)).getMessage());
                assertEquals(0, space.liveObjectCount(),
                        "outer.local(x) threw but did not take over (release) the reference it steals");
            }
        }
    }

    @Test
    void frameSetStealsItsReferenceEvenWhenTheIndexIsBad() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build()) {
            try (Frame f = space.frame()) {
                long x = space.floats().newFloat(2.5);
                assertEquals("local 3 of a frame with 0 locals",
                        assertThrows(IndexOutOfBoundsException.class, () -> f.set(3, x)).getMessage());
                assertEquals(0, space.liveObjectCount(),
                        "f.set(3, x) threw but did not take over (release) the reference it steals");
            }
        }
    }

    /**
     * DataStack.close lowers top to the frame's base before releasing the slots: a finalizer run by
     * one release that opens a frame of its own pushes over the slots not yet released.
     */
    @Test
    void aFinalizerThatUsesAFrameWhileAFrameClosesLeaksNothing() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build()) {
            long cls = space.classes().newClass(ClassSpec.named("D").finalizer(self -> {
                try (Frame g = space.frame()) {
                    g.local(space.floats().newFloat(1));
                    g.local(space.floats().newFloat(2));
                }
            }));
            try (Frame f = space.frame()) {
                f.local(space.classes().newInstance(cls));
                f.local(space.floats().newFloat(3));      // slot 1, still owned when slot 0 is released
            }
            space.decref(cls);
            assertEquals(0, space.liveObjectCount(), () -> "leaked: " + space.liveObjects());
            space.checkInvariants();
        }
    }

    /** After the space closes, closeAll has reset the stack's top to 0: an inner frame's size() goes negative. */
    @Test
    void aFrameSizeIsNeverNegative() {
        ObjectSpace space = ObjectSpace.builder().checked(true).build();
        Frame outer = space.frame();
        outer.local(space.floats().newFloat(1));
        outer.local(space.floats().newFloat(2));
        Frame inner = space.frame();
        space.close();
        assertTrue(inner.size() >= 0, "inner.size() after the space closed: " + inner.size());
    }

    /** An outer frame's locals stop where an inner frame's start: size and get see only its own. */
    @Test
    void anOuterFrameCountsOnlyItsOwnLocalsWhileAnInnerOneIsOpen() {
        try (ObjectSpace space = ObjectSpace.create()) {
            try (Frame outer = space.frame()) {
                long a = outer.local(space.floats().newFloat(1));
                try (Frame inner = space.frame()) {
                    long b = inner.local(space.floats().newFloat(2));
                    assertEquals(1, outer.size());
                    assertEquals(a, outer.get(0));
                    // @throws IndexOutOfBoundsException if i is not in [0, size())
                    assertEquals("local 1 of a frame with 1 local",
                            assertThrows(IndexOutOfBoundsException.class, () -> outer.get(1)).getMessage());
                    assertEquals(1, inner.size());
                    assertEquals(b, inner.get(0));
                }
                assertEquals(1, outer.size());
            }
            assertEquals(0, space.liveObjectCount());
        }
    }

    /**
     * hold and set: "@throws IllegalStateException if this frame is closed or not the innermost
     * open frame", saying which; hold takes no reference then, and set releases the reference it
     * steals.
     */
    @Test
    void holdAndSetRefuseAnOuterFrameAndAClosedOne() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build()) {
            long kept = space.floats().newFloat(4.5);
            try (Frame outer = space.frame()) {
                outer.local(space.floats().newFloat(1));
                try (Frame inner = space.frame()) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> outer.hold(kept));
                    assertEquals("frame 1 cannot take locals while frame 2 inside it is open", e.getMessage());
                    long x = space.floats().newFloat(2);
                    e = assertThrows(IllegalStateException.class, () -> outer.set(0, x));
                    assertEquals("frame 1 cannot take locals while frame 2 inside it is open", e.getMessage());
                    assertEquals(0, inner.size());
                }
                assertEquals(1, outer.size(), "the refused calls stored nothing");
            }
            Frame closed = space.frame();
            closed.close();
            assertEquals("this frame is closed", assertThrows(IllegalStateException.class, () -> closed.hold(kept)).getMessage());
            long y = space.floats().newFloat(3);
            assertEquals("this frame is closed", assertThrows(IllegalStateException.class, () -> closed.set(0, y)).getMessage());
            assertEquals("this frame is closed", assertThrows(IllegalStateException.class, () -> closed.get(0)).getMessage());
            assertEquals(1, space.refcount(kept), "hold took no reference");
            assertEquals(1, space.liveObjectCount(), () -> "set released what it stole: " + space.liveObjects());
            space.decref(kept);
            space.checkInvariants();
        }
    }

    /**
     * get and set: "@throws IndexOutOfBoundsException if i is not in [0, size())", worded the
     * same, naming the index and the frame's size; the frame stays usable.
     */
    @Test
    void getAndSetNameTheIndexOutOfRange() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build()) {
            try (Frame f = space.frame()) {
                long one = f.local(space.floats().newFloat(1));
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> f.get(1));
                assertEquals("local 1 of a frame with 1 local", e.getMessage());
                e = assertThrows(IndexOutOfBoundsException.class, () -> f.get(-1));
                assertEquals("local -1 of a frame with 1 local", e.getMessage());
                e = assertThrows(IndexOutOfBoundsException.class, () -> f.get(Integer.MIN_VALUE));
                assertEquals("local -2147483648 of a frame with 1 local", e.getMessage());
                assertEquals(one, f.get(0));
                long x = space.floats().newFloat(2);
                e = assertThrows(IndexOutOfBoundsException.class, () -> f.set(-1, x));
                assertEquals("local -1 of a frame with 1 local", e.getMessage());
                assertEquals(1, space.liveObjectCount(), "set released what it stole");
            }
            assertEquals(0, space.liveObjectCount());
        }
    }

    /** hold() increfs what it stores, so NULL, which local() takes, is refused. */
    @Test
    void holdRefusesNullAndStoresNothing() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            try (Frame f = space.frame()) {
                // @throws NullPointerException in checked mode, if borrowed is 0 (NULL, which only
                //                              local takes); nothing is stored
                assertEquals("NULL object (address 0)", assertThrows(NullPointerException.class, () -> f.hold(0)).getMessage());
                assertEquals(0, f.size());
            }
        }
    }

    /**
     * Close over two locals freed behind the frame's back (checked mode): every live local is
     * still released and the frame closed, then the first refusal is thrown in slot order with
     * the second suppressed, as a tuple's deallocation reports two dangling items.
     */
    @Test
    void aFrameClosedOverTwoFreedLocalsReleasesTheRestAndReportsBoth() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            long before = space.liveObjectCount();
            Frame f = space.frame();
            long a = f.local(space.floats().newFloat(1.0));
            long kept = space.floats().newFloat(2.0);
            f.hold(kept);
            long b = f.local(space.floats().newFloat(3.0));
            space.decref(a); // the frame's references, dropped by mistake: a and b are freed
            space.decref(b);
            FreedObjectException e = assertThrows(FreedObjectException.class, f::close);
            assertEquals(a, e.address(), "slot order: " + e.getMessage());
            assertEquals(1, e.getSuppressed().length, "the second dangling local is reported too");
            assertEquals(b, ((FreedObjectException) e.getSuppressed()[0]).address());
            assertEquals(1, space.refcount(kept), "the live local was released");
            assertEquals(0, f.size(), "the frame is closed");
            space.decref(kept);
            assertEquals(before, space.liveObjectCount(), "nothing leaked");
            space.checkInvariants();
        }
    }

    /**
     * Closing the space closes every open frame, and a finalizer that closing runs (the space
     * still open) may still hold one of those frames: it must be closed to it, not a window over
     * the frames the finalizer opens at the same depths. Before, the stale inner frame took a
     * local into the finalizer's own frame at its depth, read that frame's slot as its local 0,
     * and its close() popped the finalizer's frame (whose own close then threw).
     */
    @Test
    void aFrameClosedByTheSpacesCloseStaysClosedToTheFinalizersItRuns() {
        ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build();
        Frame[] stale = new Frame[1];
        List<String> seen = new java.util.ArrayList<>();
        long cls = space.classes().newClass(ClassSpec.named("D").finalizer(self -> {
            try (Frame g = space.frame()) {
                g.local(space.floats().newFloat(1));
                try (Frame h = space.frame()) { // at the stale frame's depth, 2
                    h.local(space.floats().newFloat(2));
                    h.local(space.floats().newFloat(3));
                    seen.add("size " + stale[0].size());
                    for (Executable call : List.<Executable>of(() -> stale[0].local(space.floats().newFloat(4)),
                            () -> stale[0].get(0), () -> stale[0].returning(space.none()))) {
                        try {
                            call.execute();
                            seen.add("accepted");
                        } catch (Throwable e) {
                            seen.add(e.getMessage());
                        }
                    }
                    stale[0].close(); // does nothing: closed already
                    seen.add("h has " + h.size());
                }
            } catch (RuntimeException e) {
                seen.add("threw " + e.getMessage());
            }
        }));
        Frame outer = space.frame();
        outer.local(space.classes().newInstance(cls));
        outer.local(space.floats().newFloat(5));
        space.decref(cls);
        stale[0] = space.frame();
        stale[0].local(space.floats().newFloat(6));
        space.close();
        assertEquals(List.of("size 0", "this frame is closed", "this frame is closed", "this frame is closed", "h has 2"), seen);
        assertTrue(space.leakReport().isClean(), space.leakReport().toString());
    }

    /**
     * checkInvariants() "validates the whole space": in trace-refs mode a frame's locals are
     * references like a container's items, so a local freed behind the frame's back, and an object
     * whose refcount is below the references frames and objects hold, are broken invariants. The
     * validator walked only objects, and passed both.
     */
    @Test
    void checkInvariantsCountsFrameLocalsAsReferences() {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build()) {
            Frame f = space.frame();
            long x = f.local(space.floats().newFloat(1.5));
            long list = f.local(space.lists().newList());
            space.lists().append(list, x);
            space.checkInvariants();
            space.decref(x); // the frame's reference, dropped by mistake: x is live, held by the list alone
            IllegalStateException e = assertThrows(IllegalStateException.class, space::checkInvariants);
            assertEquals(String.format("float 0x%x: refcount 1 < 2 references from live objects and frames", x), e.getMessage());
            space.lists().clear(list); // and now freed, parked on the float free list
            e = assertThrows(IllegalStateException.class, space::checkInvariants);
            assertEquals(String.format("local 0 of frame 1 is 0x%x, which is not a live object", x), e.getMessage());
            assertThrows(FreedObjectException.class, () -> f.set(0, 0)); // NULL stored, the freed local named
            space.checkInvariants();
            f.close();
            assertEquals(0, space.liveObjectCount());
        }
    }

    /**
     * close(): "Closes open frames (releasing their locals)" as they would close themselves,
     * innermost first, each in slot order, as an exception unwinding them would. The stack was
     * released from its bottom up, the outermost frame's locals first.
     */
    @Test
    void closingTheSpaceClosesOpenFramesInnermostFirst() {
        ObjectSpace space = ObjectSpace.builder().checked(true).traceRefs(true).build();
        List<String> order = new java.util.ArrayList<>();
        long cls = space.classes().newClass(ClassSpec.named("D").slots(1).finalizer(self ->
                order.add(space.strs().value(space.classes().getSlot(self, 0)))));
        Frame outer = space.frame();
        for (String name : List.of("outer 0", "outer 1")) {
            long o = outer.local(space.classes().newInstance(cls));
            space.classes().setSlot(o, 0, space.strs().newStr(name));
            space.decref(space.classes().getSlot(o, 0)); // setSlot took its own reference
        }
        Frame inner = space.frame();
        for (String name : List.of("inner 0", "inner 1")) {
            long o = inner.local(space.classes().newInstance(cls));
            space.classes().setSlot(o, 0, space.strs().newStr(name));
            space.decref(space.classes().getSlot(o, 0));
        }
        space.decref(cls);
        space.close();
        assertEquals(List.of("inner 0", "inner 1", "outer 0", "outer 1"), order);
        assertTrue(space.leakReport().isClean(), space.leakReport().toString());
    }
}
