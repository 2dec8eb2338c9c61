package org.pymalloc4j.bench.jmh;

/**
 * The JVM flags every benchmark fork gets, as compile-time constants so that annotations can
 * name them one by one ({@code @Fork(jvmArgsAppend = {JvmArgs.NATIVE_ACCESS, ...})}): Java
 * annotations accept an array literal of constants but not a reference to an array field.
 * {@link #ALL} holds the same list for programmatic runs ({@code OptionsBuilder.jvmArgsAppend}).
 *
 * <p>Why each flag:
 * <ul>
 *   <li>{@link #NATIVE_ACCESS}: the FFM downcalls (libc {@code malloc}/{@code free},
 *       {@code mmap}) and {@code MemorySegment.reinterpret} are restricted; without it JDK 25
 *       prints a warning per module. It also selects Netty's direct-memory backend: with it
 *       (and no {@code --sun-misc-unsafe-memory-access=allow}) Netty 4.2.20 on JDK 25 takes
 *       chunk memory from libc {@code malloc}/{@code free} downcalls
 *       ({@code CleanerJava24Linker}) and uses ByteBuffer-based accessors
 *       ({@code PooledDirectByteBuf}, no Unsafe).</li>
 *   <li>{@link #NO_ASSERTIONS}: JMH forks run without {@code -ea} anyway; stated so that an
 *       inherited {@code JAVA_TOOL_OPTIONS} cannot turn asserts on.</li>
 *   <li>{@link #HEAP_MIN}/{@link #HEAP_MAX}: a fixed 1 GiB heap, so heap resizing does not
 *       add variance.</li>
 *   <li>{@link #PARALLEL_GC}: a fixed, low-overhead collector with no concurrent refinement
 *       threads competing for this 2-core box's second CPU.</li>
 *   <li>{@link #NETTY_NO_LEAK_DETECTION}: Netty's default SIMPLE leak detector samples
 *       allocations and records them; a baseline must not pay for that.</li>
 * </ul>
 */
public final class JvmArgs {
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    public static final String NO_ASSERTIONS = "-da";
    public static final String HEAP_MIN = "-Xms1g";
    public static final String HEAP_MAX = "-Xmx1g";
    public static final String PARALLEL_GC = "-XX:+UseParallelGC";
    public static final String NETTY_NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";

    /** All of the above, in the order the annotations use. */
    public static final String[] ALL = {
        NATIVE_ACCESS, NO_ASSERTIONS, HEAP_MIN, HEAP_MAX, PARALLEL_GC, NETTY_NO_LEAK_DETECTION,
    };

    /** Forks per benchmark: at least 3 on a 2-core box, where run-to-run variance is high. */
    public static final int FORKS = 3;
    public static final int WARMUP_ITERATIONS = 5;
    public static final int MEASUREMENT_ITERATIONS = 5;
    /** Seconds per warmup and per measurement iteration. */
    public static final int ITERATION_SECONDS = 1;

    private JvmArgs() {
    }

    /** A copy of {@link #ALL}: the array itself is mutable. */
    public static String[] all() {
        return ALL.clone();
    }
}
