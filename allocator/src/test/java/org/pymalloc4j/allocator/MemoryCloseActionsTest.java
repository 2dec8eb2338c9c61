package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Memory#onClose}: what a layer built on a memory hears before the memory goes; and
 * {@link Memory#close()} carrying on past a step that throws.
 */
class MemoryCloseActionsTest {

    @Test
    void actionsRunOnceInOrderWhileTheMemoryIsStillOpen() {
        Memory memory = Memory.create();
        long p = memory.obj().malloc(32);
        List<String> heard = new ArrayList<>();
        memory.onClose(() -> heard.add("first, open: " + !memory.isClosed() + ", block live: " + memory.pymalloc().isLive(p)));
        memory.onClose(() -> heard.add("second"));
        memory.close();
        memory.close();
        assertEquals(List.of("first, open: true, block live: true", "second"), heard);
    }

    @Test
    void aWithdrawnActionDoesNotRun() {
        Memory memory = Memory.create();
        List<String> heard = new ArrayList<>();
        Runnable action = () -> heard.add("ran");
        memory.onClose(action);
        memory.removeOnClose(action);
        memory.removeOnClose(() -> { }); // not there: nothing
        memory.close();
        assertEquals(List.of(), heard);
    }

    /** @throws RuntimeException the first exception an action threw (the memory is closed all the same) */
    @Test
    void aThrowingActionDoesNotStopTheClose() {
        Memory memory = Memory.create();
        List<String> heard = new ArrayList<>();
        IllegalStateException first = new IllegalStateException("first");
        memory.onClose(() -> {
            throw first;
        });
        memory.onClose(() -> {
            throw new IllegalArgumentException("second");
        });
        memory.onClose(() -> heard.add("third"));
        RuntimeException e = assertThrows(RuntimeException.class, memory::close);
        assertSame(first, e);
        assertEquals("second", e.getSuppressed()[0].getMessage());
        assertEquals(List.of("third"), heard);
        assertTrue(memory.isClosed());
        assertEquals("this Memory is closed", assertThrows(IllegalStateException.class, () -> memory.obj().malloc(8)).getMessage());
    }

    /** @throws NullPointerException if action is null; @throws IllegalStateException if the memory is closed */
    @Test
    void nullActionsAndClosedMemoriesAreRefused() {
        Memory memory = Memory.create();
        assertEquals("action", assertThrows(NullPointerException.class, () -> memory.onClose(null)).getMessage());
        memory.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.onClose(() -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    /**
     * close: "@throws RuntimeException the first exception an onClose action, the debug hooks ...
     * threw, the later ones suppressed: each is still closed". The hooks' close throws when the
     * allocator under a quarantined block was closed first; the heap and the libc blocks behind
     * the memory must go all the same.
     */
    @Test
    void aThrowingDebugHooksCloseStillClosesTheHeapAndLibc() {
        Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        PyMalloc heap = memory.pymalloc();
        LibcAllocator mine = LibcAllocator.create();
        memory.setAllocator(Domain.MEM, mine);
        DebugHooks hooks = memory.setupDebugHooks();
        memory.obj().malloc(100);  // an arena, until the heap closes
        memory.raw().malloc(1000); // a libc block, until the memory's libc allocator closes
        long p = memory.mem().malloc(10);
        memory.mem().free(p);      // quarantined, to go back to `mine`
        mine.close();              // which goes first
        IllegalStateException first = new IllegalStateException("first");
        memory.onClose(() -> {
            throw first;
        });
        assertTrue(memory.bytesFromOs() > 0);

        RuntimeException e = assertThrows(RuntimeException.class, memory::close);
        assertSame(first, e, "the first failure is thrown");
        assertEquals(1, e.getSuppressed().length, "the hooks' failure is suppressed");
        assertTrue(e.getSuppressed()[0].getMessage().contains("LibcAllocator is closed"), e.getSuppressed()[0].getMessage());
        assertTrue(memory.isClosed());
        assertTrue(hooks.isClosed());
        assertTrue(heap.isClosed(), "the heap was left open: every arena leaked");
        assertEquals(0, memory.bytesFromOs(), "arenas and libc blocks all went back");
    }

    /**
     * close: "@throws IllegalStateException if ... a domain's segment is held by a native call
     * running in another thread; the memory then stays open". A segment an action allocated
     * while the memory closed, held so, stops the close too: the memory stays open, its actions
     * run, and a close once the call returns finishes. The close went on, closing the heap and
     * libc under the call, which then read and wrote unmapped or freed memory.
     */
    @Test
    void aSegmentAnActionTookHeldByANativeCallKeepsTheMemoryOpen() throws Exception {
        Memory memory = Memory.create();
        PyMalloc heap = memory.pymalloc();
        HeldInNativeCall[] held = new HeldInNativeCall[1];
        java.lang.foreign.MemorySegment[] taken = new java.lang.foreign.MemorySegment[1];
        memory.onClose(() -> {
            taken[0] = memory.mem().allocate(16, 8);
            taken[0].set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 42);
            try {
                held[0] = new HeldInNativeCall(taken[0]);
            } catch (ReflectiveOperationException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        IllegalStateException e;
        try {
            e = assertThrows(IllegalStateException.class, memory::close);
            assertTrue(e.getMessage().contains("held by a native call"), e.getMessage());
            assertFalse(memory.isClosed(), "the memory stays open");
            assertFalse(heap.isClosed(), "and its heap, under the call");
            assertEquals(42, taken[0].get(java.lang.foreign.ValueLayout.JAVA_LONG, 0), "the segment still usable");
        } finally {
            held[0].close();
        }
        memory.close();
        assertTrue(memory.isClosed());
        assertTrue(heap.isClosed());
        assertEquals(0, memory.bytesFromOs());
        assertThrows(IllegalStateException.class, () -> taken[0].get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
    }

    /**
     * close: "@throws RuntimeException ... the heap ... threw ...: the memory is closed all the
     * same ...; the heap too, unless one of its own segments is held by a native call in another
     * thread: it then stays open, arenas and all, for a PyMalloc.close() once the call returns".
     * The memory's own segments are ended before anything (its close refused, the memory open);
     * the heap's, from PyMalloc.segment, only by the heap's close, late in the memory's. The
     * Javadoc said each step's object "is still closed".
     */
    @Test
    void aHeapWhoseOwnSegmentIsHeldStaysOpenForALaterCloseWhileTheMemoryCloses() throws Exception {
        Memory memory = Memory.create();
        PyMalloc heap = memory.pymalloc();
        long p = memory.obj().malloc(16);
        memory.raw().malloc(1000);
        IllegalStateException e;
        try (HeldInNativeCall held = new HeldInNativeCall(heap.segment(p))) {
            e = assertThrows(IllegalStateException.class, memory::close);
            assertTrue(e.getMessage().contains("held by a native call"), e.getMessage());
            assertTrue(memory.isClosed(), "the memory is closed all the same");
            assertFalse(heap.isClosed(), "the heap stays open");
            assertTrue(heap.isLive(p), "its blocks and arenas with it");
            assertTrue(memory.bytesFromOs() > 0);
        }
        heap.close();
        assertTrue(heap.isClosed());
        assertEquals(0, memory.bytesFromOs(), "the arenas went back with the heap's own close; libc's blocks with the memory's");
    }

    /**
     * A heap left open by a close refused under a native call can be closed by whoever did not
     * keep it: the memory's close again closes it once the call returns. pymalloc() refuses a
     * closed memory and a close again did nothing, so its arenas stayed mapped for good.
     */
    @Test
    void aCloseAgainClosesAHeapLeftOpenUnderANativeCall() throws Exception {
        Memory memory = Memory.create();
        long p = memory.obj().malloc(16);
        try (HeldInNativeCall held = new HeldInNativeCall(memory.pymalloc().segment(p))) {
            assertThrows(IllegalStateException.class, memory::close);
            assertTrue(memory.isClosed());
            assertTrue(memory.bytesFromOs() > 0, "the heap's arenas stay");
            IllegalStateException again = assertThrows(IllegalStateException.class, memory::close, "still held");
            assertTrue(again.getMessage().contains("held by a native call"), again.getMessage());
        }
        memory.close();
        assertEquals(0, memory.bytesFromOs(), "the heap closed, its arenas gone");
        memory.close(); // and a close again does nothing
    }

    /**
     * close: "@throws IllegalStateException if a guardClose check gives a reason ... the memory
     * then stays open, its actions not run". Once the check answers null, the close goes ahead.
     */
    @Test
    void aGuardWithAReasonRefusesTheCloseAndTheMemoryWorksOn() {
        Memory memory = Memory.create();
        List<String> heard = new ArrayList<>();
        memory.onClose(() -> heard.add("closing"));
        String[] busy = {"a collection is walking it"};
        memory.guardClose(() -> busy[0]);
        long p = memory.obj().malloc(32);
        IllegalStateException e = assertThrows(IllegalStateException.class, memory::close);
        assertEquals("this Memory cannot close now: a collection is walking it; close it once that returns", e.getMessage());
        assertFalse(memory.isClosed());
        assertEquals(List.of(), heard, "no action ran");
        assertTrue(memory.pymalloc().isLive(p));
        memory.obj().free(p);
        busy[0] = null;
        memory.close();
        assertTrue(memory.isClosed());
        assertEquals(List.of("closing"), heard);
    }

    @Test
    void aWithdrawnGuardIsNotAsked() {
        Memory memory = Memory.create();
        java.util.function.Supplier<String> guard = () -> "busy";
        memory.guardClose(guard);
        memory.removeCloseGuard(guard);
        memory.removeCloseGuard(() -> "not there"); // nothing
        memory.close();
        assertTrue(memory.isClosed());
    }

    /** guardClose: @throws NullPointerException if busy is null; @throws IllegalStateException if the memory is closed */
    @Test
    void nullGuardsAndGuardsOnClosedMemoriesAreRefused() {
        Memory memory = Memory.create();
        assertEquals("busy", assertThrows(NullPointerException.class, () -> memory.guardClose(null)).getMessage());
        memory.close();
        assertEquals("this Memory is closed", assertThrows(IllegalStateException.class, () -> memory.guardClose(() -> null)).getMessage());
    }

    /**
     * onClose: "Actions run once". An action that closes the memory itself (two resources that
     * close each other) must not run the actions again: the inner close returns at once and the
     * close under way finishes. It recursed until a StackOverflowError.
     */
    @Test
    void anActionThatClosesTheMemoryRunsOnceAndTheCloseFinishes() {
        Memory memory = Memory.create();
        long p = memory.obj().malloc(32);
        List<String> heard = new ArrayList<>();
        memory.onClose(() -> {
            heard.add("first");
            memory.close();
            heard.add("first, after its close: still open " + !memory.isClosed());
        });
        memory.onClose(() -> heard.add("second, block live: " + memory.pymalloc().isLive(p)));
        memory.close();
        assertEquals(List.of("first", "first, after its close: still open true", "second, block live: true"), heard);
        assertTrue(memory.isClosed());
        assertEquals(0, memory.bytesFromOs(), "every arena and libc block went back");
    }

    /**
     * onClose: "Runs action when this memory closes ... Actions run once, in the order they were
     * added"; removeOnClose: "Withdraws an action". While the memory closes it is still open, so
     * an action may add another (a layer made as another goes) or withdraw one not yet run: the
     * added one was accepted and never run, the withdrawn one ran all the same.
     */
    @Test
    void actionsAddedOrWithdrawnByAnActionDuringTheCloseAreHonoured() {
        Memory memory = Memory.create();
        List<String> heard = new ArrayList<>();
        Runnable withdrawn = () -> heard.add("withdrawn, yet ran");
        memory.onClose(() -> {
            heard.add("first");
            memory.onClose(() -> heard.add("added by the first, open: " + !memory.isClosed()));
            memory.removeOnClose(withdrawn);
        });
        memory.onClose(withdrawn);
        memory.onClose(() -> heard.add("third"));
        memory.close();
        assertEquals(List.of("first", "third", "added by the first, open: true"), heard);
        assertTrue(memory.isClosed());
    }

    /**
     * An Error out of an action (an AssertionError, a StackOverflowError) is not one close goes
     * past: it leaves close with the memory open, as it was before actions ran once. A close
     * again must then finish the job, running only the actions not yet run.
     */
    @Test
    void anErrorOutOfAnActionLeavesTheMemoryOpenAndACloseAgainFinishesIt() {
        Memory memory = Memory.create();
        List<String> heard = new ArrayList<>();
        AssertionError error = new AssertionError("an action failed");
        memory.onClose(() -> heard.add("first"));
        memory.onClose(() -> {
            throw error;
        });
        memory.onClose(() -> heard.add("third"));
        assertSame(error, assertThrows(AssertionError.class, memory::close));
        assertFalse(memory.isClosed());
        assertEquals(List.of("first"), heard);
        memory.close();
        assertTrue(memory.isClosed(), "a close after the Error did nothing: the memory could never close");
        assertEquals(List.of("first", "third"), heard);
        assertEquals(0, memory.bytesFromOs());
    }

    /**
     * The same with segments handed out: close ends them first, so the Error leaves the memory
     * open with its segments' scope closed. The close again ended that scope again, which the
     * JDK refuses ("Already closed"), reported as a segment "held by a native call in another
     * thread", and the memory could never close; allocate, on the open memory, made its
     * segment in the closed scope and threw, the block it had allocated left live.
     */
    @Test
    void anErrorOutOfAnActionWithSegmentsOutLeavesTheMemoryUsableAndClosable() {
        Memory memory = Memory.create();
        java.lang.foreign.MemorySegment before = memory.mem().allocate(32, 16);
        AssertionError error = new AssertionError("an action failed");
        memory.onClose(() -> {
            throw error;
        });
        assertSame(error, assertThrows(AssertionError.class, memory::close));
        assertFalse(memory.isClosed());
        assertThrows(IllegalStateException.class, () -> before.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0),
                "the segments handed out are ended, as close says, before its actions");
        java.lang.foreign.MemorySegment after = memory.mem().allocate(32, 16);
        after.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 42L);
        assertEquals(42L, after.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
        memory.mem().free(after);
        memory.mem().free(before);
        memory.close();
        assertTrue(memory.isClosed());
        assertEquals(0, memory.bytesFromOs());
    }
    /**
     * An action may still allocate (the memory is open until the actions have run), and may take a
     * segment: its view is made after close ended the others, in a new scope since 201490b, which
     * must end with the memory too; else the segment outlived the unmapped arena it points into,
     * and a read through it killed the JVM.
     */
    @Test
    void aSegmentAnActionTakesEndsWithTheMemory() {
        Memory memory = Memory.create();
        java.lang.foreign.MemorySegment[] taken = new java.lang.foreign.MemorySegment[2];
        memory.onClose(() -> {
            taken[0] = memory.obj().allocate(32, 16);
            taken[1] = memory.obj().segment(memory.obj().malloc(64));
        });
        memory.close();
        assertTrue(memory.isClosed());
        for (java.lang.foreign.MemorySegment s : taken) {
            assertFalse(s.scope().isAlive(), "a segment taken by an action is ended by the close it ran in");
            assertThrows(IllegalStateException.class, () -> s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        }
    }
    /**
     * An Error out of an action stops the actions and leaves the memory open; an exception an
     * earlier action threw was dropped then: that action, taken off the list, never runs again,
     * so its failure was reported nowhere. It is now suppressed in the Error.
     */
    @Test
    void anExceptionBeforeAnErrorOutOfTheActionsIsSuppressedInTheError() {
        Memory memory = Memory.create();
        IllegalStateException first = new IllegalStateException("first");
        AssertionError error = new AssertionError("second");
        memory.onClose(() -> {
            throw first;
        });
        memory.onClose(() -> {
            throw error;
        });
        assertSame(error, assertThrows(AssertionError.class, memory::close));
        assertEquals(List.of(first), List.of(error.getSuppressed()));
        assertFalse(memory.isClosed());
        memory.close();
        assertTrue(memory.isClosed());
    }
}
