package org.pymalloc4j.objects.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data stack's slot array gives back what a large frame took once the frame closes, as
 * 3.11's {@code _PyThreadState_PopFrame} frees the chunk a frame started (pystate.c), so one
 * deep or wide call does not keep its memory for the space's life. NULL slots only: the stack
 * then never calls its space.
 */
class DataStackTest {
    @Test
    void aLargeFramesSlotsAreGivenBackWhenItCloses() {
        DataStack stack = new DataStack(null);
        int initial = stack.capacity();
        stack.open();
        stack.push(0);
        int base = stack.top();
        stack.open();
        for (int i = 0; i < 1_000_000; i++) {
            stack.push(0);
        }
        assertTrue(stack.capacity() >= 1_000_001);
        stack.close(base);
        assertTrue(stack.capacity() <= 4 * Math.max(initial, stack.top()), "kept " + stack.capacity() + " slots for " + stack.top());
        assertNull(stack.check());
        stack.close(0);
        assertEquals(initial, stack.capacity());
    }

    /** Growing at full and shrinking at a quarter: a frame opened and closed at a boundary does not copy each time. */
    @Test
    void aFrameAtTheGrowthBoundaryDoesNotResizeEachTime() {
        DataStack stack = new DataStack(null);
        stack.open();
        while (stack.top() < stack.capacity()) {
            stack.push(0);
        }
        int full = stack.capacity();
        for (int round = 0; round < 3; round++) {
            int base = stack.top();
            stack.open();
            stack.push(0);
            int grown = stack.capacity();
            stack.close(base);
            assertEquals(grown, stack.capacity(), "round " + round + ": shrunk straight after growing");
        }
        assertTrue(stack.capacity() > full);
        assertNull(stack.check());
    }
}
