package org.pymalloc4j.bench.cli;

import java.util.Locale;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;

/** The line demo and replay print instead of the statistics report under {@code --malloc malloc[_debug]}. */
final class LibcSummary {
    private LibcSummary() {
    }

    /**
     * The live blocks and the bytes taken from libc for them. Under the debug hooks those bytes
     * are more than the trace asked for: each block has the hooks' header and pads, and freed
     * blocks wait in their quarantine, still allocated.
     */
    static String line(Memory memory, AllocatorName allocator) {
        String debug = memory.debugHooks().map(h -> ", with the debug hooks' header and pads on each block and "
                + Plural.of(h.quarantinedBlocks(), "freed block") + " in their quarantine").orElse("");
        return String.format(Locale.ROOT, "%s from libc malloc, %,d bytes taken from it%s; no pymalloc heap under %s%n",
                Plural.of(memory.obj().liveBlocks(), "live block"), memory.bytesFromOs(), debug,
                allocator.resolved());
    }
}
