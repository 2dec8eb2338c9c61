package org.pymalloc4j.bench.jmh;

import org.lwjgl.system.rpmalloc.RPmalloc;
import org.lwjgl.system.rpmalloc.rpmalloc_interface_t;

/**
 * jemalloc and rpmalloc as a Java program gets them: the bindings of LWJGL 3.4.3
 * ({@code org.lwjgl:lwjgl-jemalloc}, {@code lwjgl-rpmalloc}), whose Linux natives (x64 and
 * arm64) the shaded jar carries and LWJGL extracts on first use. The benchmarks call the
 * address-level entry points ({@code nje_malloc}/{@code nje_free},
 * {@code nrpmalloc}/{@code nrpfree}), the cheapest LWJGL has: one JNI call each, no
 * {@code ByteBuffer}. LWJGL's own set-up touches {@code sun.misc.Unsafe}, so a fork that uses it
 * prints JDK 25's warning once. Neither library is built with statistics here
 * ({@code je_mallctl("stats.allocated")} answers ENOENT, rpmalloc's global statistics read 0),
 * so neither reports the native memory it holds.
 */
final class LwjglAllocators {
    private static boolean rpmallocStarted;

    private LwjglAllocators() {
    }

    /**
     * Starts rpmalloc for the process, once, and for the calling thread: rpmalloc keeps a heap
     * per thread, which it wants set up before the thread's first malloc.
     *
     * @throws IllegalStateException if rpmalloc cannot start
     */
    static synchronized void startRpmallocOnThisThread() {
        if (!rpmallocStarted) {
            // LWJGL returns rpmalloc_initialize's int as a boolean: true is a non-zero status, a failure.
            if (RPmalloc.rpmalloc_initialize((rpmalloc_interface_t) null)) {
                throw new IllegalStateException("rpmalloc_initialize failed");
            }
            rpmallocStarted = true;
        }
        if (!RPmalloc.rpmalloc_is_thread_initialized()) {
            RPmalloc.rpmalloc_thread_initialize();
        }
    }
}
