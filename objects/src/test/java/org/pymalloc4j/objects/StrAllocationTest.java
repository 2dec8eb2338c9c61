package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code strs().newStr} allocates as 3.11's {@code PyUnicode_FromKindAndData} (and
 * {@code PyUnicode_FromWideChar}): one block of the exact compact size. It is not
 * {@code PyUnicode_FromString}, whose UTF-8 decoder starts with an ASCII buffer of one
 * character per UTF-8 byte, widens it at the first character that does not fit and finally
 * reallocates it, so a non-ASCII str can end in a larger size class or in a raw block. In
 * python3.11 (gc disabled), 1000 of each through ctypes:
 * <pre>
 *  text                 sys.getsizeof  FromKindAndData(4, ...)  FromString(text.encode())
 *  '\u20ac' * 100                274            class 288               raw blocks (674-byte buffer)
 *  'a' * 100 + '\U0001F600'      480            class 480               class 496
 *  '\u00e9' + 'a' * 200          274            class 288               class 288
 * </pre>
 */
class StrAllocationTest {
    @Test
    void newStrTakesTheExactBlockAsPyUnicodeFromKindAndData() {
        String[] texts = {"\u20ac".repeat(100), "a".repeat(100) + "\uD83D\uDE00", "\u00e9" + "a".repeat(200)};
        long[][] expected = {{274, 288}, {480, 480}, {274, 288}}; // sys.getsizeof, block size
        try (Memory memory = Memory.create(); ObjectSpace space = ObjectSpace.builder().memory(memory).build()) {
            for (int i = 0; i < texts.length; i++) {
                long o = space.strs().newStr(texts[i]);
                assertEquals(expected[i][0], space.sizeOf(o), texts[i]);
                assertTrue(memory.pymalloc().isArenaAddress(o), "a pymalloc block");
                assertEquals(expected[i][1], memory.pymalloc().usableSize(o), "size class of " + texts[i]);
                space.decref(o);
            }
        }
    }
}
