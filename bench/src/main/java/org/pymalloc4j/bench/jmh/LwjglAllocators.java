package org.pymalloc4j.bench.jmh;

import org.lwjgl.system.Configuration;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.lwjgl.system.rpmalloc.RPmalloc;
import org.lwjgl.system.rpmalloc.rpmalloc_interface_t;

/**
 * jemalloc and rpmalloc as a Java program gets them: the bindings of LWJGL 3.4.3
 * ({@code org.lwjgl:lwjgl-jemalloc}, {@code lwjgl-rpmalloc}), whose Linux natives (x64 and
 * arm64) the shaded jar carries and LWJGL extracts on first use. The benchmarks call the
 * address-level entry points ({@code nje_malloc}/{@code nje_free},
 * {@code nrpmalloc}/{@code nrpfree}), the cheapest LWJGL has, with no {@code ByteBuffer}: on
 * JDK 25 jemalloc's go through LWJGL's FFM downcalls, rpmalloc's are JNI methods. Neither
 * library is built with statistics here ({@code je_mallctl("stats.allocated")} answers ENOENT,
 * rpmalloc's global statistics read 0), so neither reports the native memory it holds.
 *
 * <p>A benchmark method readies its LWJGL allocator through a state of its own ({@link Jemalloc},
 * {@link Rpmalloc}), never in a trial set-up its class's other methods share: where LWJGL's
 * natives cannot load (the jar carries Linux's only), only the LWJGL rows fail.
 */
public final class LwjglAllocators {
    /**
     * LWJGL's memory backend on the FFM API. LWJGL picks another by default, which reaches native
     * memory around the FFM API; the project uses FFM only, and so do its baselines. The class
     * exists in LWJGL's JDK 25 classes only, so the shaded jar is a multi-release jar.
     */
    static final String FFM_BACKEND = "org.lwjgl.system.MemoryBackendFFM";

    private static boolean configured;
    private static boolean rpmallocStarted;

    private LwjglAllocators() {
    }

    /** Points LWJGL at its FFM memory backend; call before LWJGL's first use (later calls do nothing). */
    static synchronized void configure() {
        if (!configured) {
            Configuration.MEMORY_BACKEND.set(FFM_BACKEND);
            configured = true;
        }
    }

    /**
     * {@link #configure}s LWJGL, then starts rpmalloc for the process, once, and for the calling
     * thread: rpmalloc keeps a heap per thread, which it wants set up before the thread's first
     * malloc.
     *
     * @throws IllegalStateException if rpmalloc cannot start
     */
    static synchronized void startRpmallocOnThisThread() {
        configure();
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

    /** LWJGL {@link #configure}d for a jemalloc benchmark method. */
    @State(Scope.Thread)
    public static class Jemalloc {
        @Setup(Level.Trial)
        public void setUp() {
            configure();
        }
    }

    /** rpmalloc started for the JMH thread ({@link #startRpmallocOnThisThread}) for an rpmalloc benchmark method. */
    @State(Scope.Thread)
    public static class Rpmalloc {
        @Setup(Level.Trial)
        public void setUp() {
            startRpmallocOnThisThread();
        }
    }
}
