package org.pymalloc4j.bench.cli;

import java.util.SplittableRandom;

import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.internal.NativeMemory;

/**
 * An allocation workload shaped like a Python program's: mostly small objects (ints and floats
 * of 24-32 bytes, tuples and short strings up to 64, lists and dicts up to a few hundred),
 * a few large buffers, every block initialised when allocated.
 *
 * <pre>
 *  build     allocate N blocks
 *  churn     4N times: free a random block and allocate another in its place (10% realloc)
 *  free most free 90% of the blocks, in random order, as a program does when a phase ends
 *  rebuild   allocate N/2 blocks into the freed places, reusing pools and arenas
 * </pre>
 */
final class DemoWorkload {
    /** Cumulative weights (out of 1000) and size ranges of the demo's size mix. */
    private static final int[] WEIGHT = {250, 550, 750, 960, 1000};
    private static final int[] LOW = {1, 33, 65, 129, 513};
    private static final int[] HIGH = {32, 64, 128, 512, 4096};

    private final BlockAllocator heap;
    private final SplittableRandom random;
    private final long[] slots;

    DemoWorkload(BlockAllocator heap, int blocks, long seed) {
        this.heap = heap;
        this.random = new SplittableRandom(seed);
        this.slots = new long[blocks];
    }

    int blocks() {
        return slots.length;
    }

    long nextSize() {
        int w = random.nextInt(1000);
        int r = 0;
        while (w >= WEIGHT[r]) {
            r++;
        }
        return random.nextInt(LOW[r], HIGH[r] + 1);
    }

    private long allocate() {
        long size = nextSize();
        long p = heap.malloc(size);
        // Initialise the header as an object constructor would, within the block: blocks under
        // 8 bytes get one byte (the debug hooks caught the 8-byte store overflowing them).
        if (size >= Long.BYTES) {
            NativeMemory.putLong(p, size);
        } else {
            NativeMemory.putByte(p, (byte) size);
        }
        return p;
    }

    /** Steps between progress updates. */
    private static final int STEP = 50_000;

    /** Told after each phase: its name, its operations and the nanoseconds it took. */
    interface PhaseListener {
        void phaseDone(String phase, long operations, long nanos);
    }

    /** A range of work, [from, to). */
    private interface Work {
        void run(int from, int to);
    }

    /** Runs the four phases in steps, with a progress bar, telling {@code listener} after each. */
    void run(Progress progress, PhaseListener listener) {
        int n = slots.length;
        phase(progress, listener, "build", n, this::build);
        phase(progress, listener, "churn", 4L * n, (from, to) -> churn(to - from));
        int[] order = shuffledSlots();
        phase(progress, listener, "free most", n * 9L / 10, (from, to) -> free(order, from, to));
        phase(progress, listener, "rebuild", n / 2, (from, to) -> refill(order, from, to));
    }

    private static void phase(Progress progress, PhaseListener listener, String name, long ops, Work work) {
        progress.start(name, ops);
        long start = System.nanoTime();
        for (long done = 0; done < ops; ) {
            int step = (int) Math.min(STEP, ops - done);
            work.run((int) done, (int) (done + step));
            done += step;
            progress.update(done);
        }
        long elapsed = System.nanoTime() - start;
        progress.finish();
        listener.phaseDone(name, ops, elapsed);
    }

    void build(int from, int to) {
        for (int i = from; i < to; i++) {
            slots[i] = allocate();
        }
    }

    void churn(long operations) {
        for (long k = 0; k < operations; k++) {
            int i = random.nextInt(slots.length);
            if (slots[i] != 0 && random.nextInt(10) == 0) {
                slots[i] = heap.realloc(slots[i], nextSize());
                continue;
            }
            if (slots[i] != 0) {
                heap.free(slots[i]);
            }
            slots[i] = allocate();
        }
    }

    /** A random permutation of the slots, so frees come in no particular order. */
    int[] shuffledSlots() {
        int[] order = new int[slots.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    void free(int[] order, int from, int to) {
        for (int k = from; k < to; k++) {
            int i = order[k];
            heap.free(slots[i]);
            slots[i] = 0;
        }
    }

    void refill(int[] order, int from, int to) {
        for (int k = from; k < to; k++) {
            slots[order[k]] = allocate();
        }
    }
}
