package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pymalloc4j.bench.FragmentationWorkload;

/**
 * The memory side of the comparison: the fragmenting workload of {@link FragmentationWorkload}
 * in three separate child processes, so that each one's resident memory is its own: pymalloc4j
 * in a small JVM, and CPython's pymalloc and libc malloc in the C harness. Each gives
 * {@code memory.rssStart}, {@code memory.peakRss}, {@code memory.rssAfter} and, for the pymalloc
 * heaps, {@code memory.arenas}.
 */
final class MemoryComparison {
    /** The name {@code --filter} finds this comparison by. */
    static final String NAME = "FragmentationMemory";
    static final String PYMALLOC4J = "pymalloc4j";
    static final String CPYTHON = "CPython pymalloc";
    static final String LIBC = "libc malloc";
    /**
     * The workload JVM: a small fixed heap and the serial collector, so the JVM's own share of
     * the resident memory is small and visible in {@code memory.rssStart}.
     */
    static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "-Xms16m", "-Xmx64m",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private MemoryComparison() {
    }

    /** Runs the workloads; CPython's and libc's only when the harness is there. */
    static Map<String, Map<String, Double>> run(CPythonHarness harness) throws IOException {
        Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
        List<String> flags = new java.util.ArrayList<>(JVM_FLAGS);
        flags.addAll(LibrarySwitches.flags()); // the mode the JMH forks run in
        List<String> java = ChildProcess.java(flags, FragmentationWorkload.class.getName());
        figures.put(PYMALLOC4J, ChildProcess.figures(ChildProcess.output(java)));
        if (harness != null) {
            figures.put(CPYTHON, harness.run("memory", "pymalloc"));
            figures.put(LIBC, harness.run("memory", "malloc"));
        }
        return figures;
    }
}
