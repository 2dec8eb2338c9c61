package org.pymalloc4j.allocator.internal;

import java.lang.ref.Cleaner;

/**
 * Gives a checked heap's {@link LiveMarks} mark back exactly once: when the heap is closed, or
 * when it becomes unreachable without being closed. Only 254 marks exist, and a heap past them
 * shares {@link LiveMarks#SHARED}, whose frees ask the owner map, so a program that drops heaps
 * without closing them would otherwise slow every heap it opens later.
 *
 * <p>A dropped heap's arenas stay mapped, as they would without this: the program may still
 * use blocks through addresses it kept, and nothing can free them any more. Only their marks
 * are zeroed, first, so that no byte holds the mark when another heap takes it.
 */
public final class HeldMark implements Runnable {
    /** One daemon thread for every heap of the process. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final Arenas arenas;
    private final byte mark;

    private HeldMark(Arenas arenas, byte mark) {
        this.arenas = arenas;
        this.mark = mark;
    }

    /**
     * Registers the return of {@code mark}, which {@code heap} holds and marks the blocks of
     * {@code arenas} with; run it through the returned handle when the heap closes.
     * The action holds the arenas' bookkeeping, not the heap.
     */
    public static Cleaner.Cleanable register(Object heap, Arenas arenas, byte mark) {
        return CLEANER.register(heap, new HeldMark(arenas, mark));
    }

    @Override
    public void run() {
        arenas.clearLiveMarks();
        LiveMarks.returnMark(mark);
    }
}
