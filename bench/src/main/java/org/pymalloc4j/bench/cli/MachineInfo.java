package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.netty.util.Version;
import org.lwjgl.system.jemalloc.JEmalloc;

/** What a benchmark figure depends on besides the code: the machine, the JDK, the versions and flags. */
final class MachineInfo {
    private MachineInfo() {
    }

    /** Label -> description, in report order. */
    static Map<String, String> describe(JmhResults jmh, String cpython) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("CPU", cpu());
        info.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        info.put("JDK", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.name") + ")");
        if (jmh != null && !jmh.isEmpty()) {
            info.put("JMH", jmh.jmhVersion() + ", fork flags " + String.join(" ", jmh.jvmArgs()) + ", -prof gc");
        }
        info.put("pymalloc4j", mode());
        info.put("Netty", netty() + " PooledByteBufAllocator(preferDirect=true) and, 4.2's default,"
                + " AdaptiveByteBufAllocator(preferDirect=true), each also with a thread cache of its own"
                + " (+cache); leak detection disabled; no --sun-misc-unsafe-memory-access=allow, so no Unsafe:"
                + " chunks from libc malloc downcalls");
        info.put("LWJGL", lwjgl() + "'s bindings of jemalloc " + JEmalloc.JEMALLOC_VERSION_MAJOR + "."
                + JEmalloc.JEMALLOC_VERSION_MINOR + "." + JEmalloc.JEMALLOC_VERSION_BUGFIX + " and rpmalloc, their"
                + " Linux natives from Maven Central, called through nje_malloc/nje_free (LWJGL's FFM downcalls) and"
                + " nrpmalloc/nrpfree (JNI); LWJGL's memory backend set to its FFM one");
        info.put("CPython", cpython);
        return info;
    }

    /** The mode the benchmark forks ran pymalloc4j in: this JVM's, which they are given. */
    static String mode() {
        String checks = System.getProperty("pymalloc4j.checks");
        String mode = org.pymalloc4j.allocator.PyMalloc.CHECKS ? "checked mode" : "unchecked mode";
        return mode + (checks == null ? " (the default; -Dpymalloc4j.checks unset)" : " (-Dpymalloc4j.checks=" + checks + ")");
    }

    static String netty() {
        Version v = Version.identify().get("netty-buffer");
        return v == null ? "Netty (version unknown)" : "Netty " + v.artifactVersion();
    }

    /** LWJGL's version from its constants (the shaded jar has no manifest of LWJGL's to read it from). */
    static String lwjgl() {
        return "LWJGL " + org.lwjgl.Version.VERSION_MAJOR + "." + org.lwjgl.Version.VERSION_MINOR + "."
                + org.lwjgl.Version.VERSION_REVISION;
    }

    /** "model name" of /proc/cpuinfo and the number of logical CPUs. */
    static String cpu() {
        int cpus = Runtime.getRuntime().availableProcessors();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            String model = lines.stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown model");
            String mhz = lines.stream().filter(l -> l.startsWith("cpu MHz")).findFirst()
                    .map(l -> ", " + Math.round(Double.parseDouble(l.substring(l.indexOf(':') + 1).strip())) + " MHz")
                    .orElse("");
            boolean avx512 = lines.stream().anyMatch(l -> l.startsWith("flags") && l.contains(" avx512f"));
            return model + mhz + (avx512 ? ", AVX-512" : "") + ", " + cpus + " logical CPUs";
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch") + ", " + cpus + " logical CPUs (no /proc/cpuinfo)";
        }
    }
}
