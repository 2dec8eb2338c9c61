package org.pymalloc4j.allocator.testkit;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A child JVM of this build whose address space is limited ({@code ulimit -v}), for the tests of
 * what the OS's refusals leave: small reservations of its own so that it starts under 1 GiB, the
 * serial collector, native access on.
 */
public final class LimitedJvm {
    private static final Pattern CRASH_LOG = Pattern.compile("# (\\S*hs_err_pid\\d+\\.log)");

    private LimitedJvm() {
    }

    /**
     * Runs {@code main} with its address space limited to {@code kib} KiB and
     * {@code -Dpymalloc4j.checks=checks}, on a class path of the code sources of
     * {@code classPath}'s classes and {@code main}'s; {@code options} go to the JVM before the
     * main class. Asserts that it exits with 0 and returns what it printed. A child the JVM
     * itself stops for want of memory (its "insufficient memory" exit) runs again, up to three
     * times in all: the JVM's own allocations (a compiler's arena, a thread's stack) can meet the
     * squeeze too, more often on a loaded machine, and that is the JVM's refusal, not the library's.
     */
    public static String run(long kib, String checks, List<Class<?>> classPath, Class<?> main, String... options)
            throws Exception {
        List<String> paths = new ArrayList<>();
        for (Class<?> c : classPath) {
            paths.add(codeSource(c));
        }
        paths.add(codeSource(main));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "ulimit -v " + kib + " && exec \"$0\" \"$@\"",
                java, "-Xmx32m", "-XX:ReservedCodeCacheSize=32m", "-XX:CompressedClassSpaceSize=32m",
                "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED", "-Dpymalloc4j.checks=" + checks,
                "-cp", String.join(File.pathSeparator, paths)));
        command.addAll(List.of(options));
        command.add(main.getName());
        for (int attempt = 1; ; attempt++) {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            if (status != 0 && attempt < 3 && out.contains("insufficient memory for the Java Runtime Environment")) {
                System.out.println("LimitedJvm: the child JVM itself ran out of memory (attempt " + attempt
                        + "), running it again:\n" + out);
                Matcher crashLog = CRASH_LOG.matcher(out);
                if (crashLog.find()) {
                    Files.deleteIfExists(Path.of(crashLog.group(1)));
                }
                continue;
            }
            assertEquals(0, status, out);
            return out;
        }
    }

    private static String codeSource(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
