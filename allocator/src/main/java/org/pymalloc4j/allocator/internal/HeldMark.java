package org.pymalloc4j.allocator.internal;

import java.lang.ref.Cleaner;

/**
 * Gives a checked heap's {@link LiveMarks} mark back exactly once: when the heap is closed, or
 * when it becomes unreachable without being closed. Only 126 marks exist, and a heap past them
 * shares {@link LiveMarks#SHARED}, whose frees ask the owner map and whose raw blocks share
 * one raw mark (0xff), so a program that drops heaps without closing them would otherwise slow every
 * heap it opens later.
 *
 * <p>A dropped heap's arenas stay mapped and its raw blocks allocated, as they would without
 * this: the program may still use blocks through addresses it kept, and nothing can free them
 * any more. Only their marks and records are zeroed, first, so that no byte holds the mark when
 * another heap takes it.
 */
public final class HeldMark implements Runnable {
    /** One daemon thread for every heap of the process. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final Arenas arenas;
    private final RawBlocks raw;
    private final byte mark;

    private HeldMark(Arenas arenas, RawBlocks raw, byte mark) {
        this.arenas = arenas;
        this.raw = raw;
        this.mark = mark;
    }

    /**
     * Registers the return of {@code mark}, which {@code heap} holds and marks the blocks of
     * {@code arenas} and the records of {@code raw} with; run it through the returned handle
     * when the heap closes. The action holds the heap's bookkeeping, not the heap.
     */
    public static Cleaner.Cleanable register(Object heap, Arenas arenas, RawBlocks raw, byte mark) {
        return CLEANER.register(heap, new HeldMark(arenas, raw, mark));
    }

    @Override
    public void run() {
        arenas.clearLiveMarks();
        raw.clearRecords();
        LiveMarks.returnMark(mark);
    }
}
