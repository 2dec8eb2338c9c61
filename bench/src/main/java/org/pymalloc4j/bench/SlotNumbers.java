package org.pymalloc4j.bench;

import java.util.Arrays;

/**
 * Numbers a trace's slots densely as the trace is read: a slot's number only names a block, and
 * the replay keeps one address per number, so a sparse trace ({@code m 67108863 16}) wanted a
 * table of 512 MiB for one line. A malloc takes the last number freed, else the next new one,
 * as {@code record}'s recorder and {@link TraceWriter} number theirs: a trace they wrote keeps its
 * numbers, and {@link #count()} is the most blocks the trace holds live at once.
 *
 * <p>The file's slot to its number: open addressing, linear probing, backward-shift deletion.
 */
final class SlotNumbers {
    private int[] keys = new int[64]; // the file's slot + 1; 0: empty
    private int[] numbers = new int[64];
    private int live;
    private int[] freed = new int[64];
    private int freedCount;
    private int count;

    /** The number for a malloc into {@code slot}, or -1 if the slot already holds a block. */
    int malloc(int slot) {
        int i = find(slot);
        if (keys[i] != 0) {
            return -1;
        }
        int number = freedCount > 0 ? freed[--freedCount] : count++;
        keys[i] = slot + 1;
        numbers[i] = number;
        if (++live * 2 > keys.length) {
            grow();
        }
        return number;
    }

    /** The number of the block in {@code slot}, or -1 if it holds none. */
    int of(int slot) {
        int i = find(slot);
        return keys[i] == 0 ? -1 : numbers[i];
    }

    /** Empties {@code slot} and returns its number, the next a malloc takes, or -1 if it held no block. */
    int free(int slot) {
        int i = find(slot);
        if (keys[i] == 0) {
            return -1;
        }
        int number = numbers[i];
        remove(i);
        if (freedCount == freed.length) {
            freed = Arrays.copyOf(freed, freedCount * 2);
        }
        freed[freedCount++] = number;
        return number;
    }

    /** How many numbers were given: one more than the largest, the most blocks live at once. */
    int count() {
        return count;
    }

    private int home(int key) {
        return home(key, keys.length);
    }

    /**
     * The bucket where {@code key} is looked for first in a table of {@code buckets}, a power of 2:
     * the top bits of the product (Fibonacci hashing), as many as the table needs. A fixed shift
     * kept 25 bits, and in the tables of 2^26 and 2^27 buckets only the lowest 2^25 were homes.
     */
    static int home(int key, int buckets) {
        return key * 0x9E3779B9 >>> 32 - Integer.numberOfTrailingZeros(buckets);
    }

    /** The bucket of {@code slot}, or the empty one where it would go. */
    private int find(int slot) {
        int key = slot + 1;
        int mask = keys.length - 1;
        int i = home(key);
        while (keys[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Empties bucket {@code i}, moving back the entries after it that would no longer be found. */
    private void remove(int i) {
        int mask = keys.length - 1;
        keys[i] = 0;
        live--;
        for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = home(keys[j]);
            // the entry at j stays if its home is cyclically in (i, j]
            boolean stays = i < j ? home > i && home <= j : home > i || home <= j;
            if (!stays) {
                keys[i] = keys[j];
                numbers[i] = numbers[j];
                keys[j] = 0;
                i = j;
            }
        }
    }

    private void grow() {
        int[] oldKeys = keys;
        int[] oldNumbers = numbers;
        keys = new int[oldKeys.length * 2];
        numbers = new int[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int j = find(oldKeys[i] - 1);
                keys[j] = oldKeys[i];
                numbers[j] = oldNumbers[i];
            }
        }
    }
}
