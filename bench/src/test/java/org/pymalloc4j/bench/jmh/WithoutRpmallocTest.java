package org.pymalloc4j.bench.jmh;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.infra.Blackhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where LWJGL's rpmalloc natives cannot load (the jar carries Linux's only), the pair's and the
 * batch's pymalloc4j methods still run their set-ups and ops, as JMH would call them: rpmalloc is
 * readied by the rpmalloc methods' own state, not by the set-up every method of the class shares.
 */
class WithoutRpmallocTest {

    @Test
    void pymallocsPairAndBatchRunWhereRpmallocCannotLoad(@TempDir Path natives) throws Exception {
        List<String> path = Stream.of(System.getProperty("java.class.path", ""), System.getProperty("jdk.module.path", ""))
                .flatMap(p -> Arrays.stream(p.split(File.pathSeparator)))
                .filter(p -> !p.isEmpty())
                .filter(p -> !Path.of(p).getFileName().toString().matches("lwjgl-rpmalloc-.*-natives-.*\\.jar"))
                .toList();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED",
                // LWJGL loads what an earlier run extracted from the directory it extracts to: a fresh one
                "-Dorg.lwjgl.system.SharedLibraryExtractPath=" + natives, "-cp", String.join(File.pathSeparator, path),
                Child.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("rpmalloc unavailable: "), "the child could load rpmalloc after all:\n" + out);
        assertTrue(out.contains("pair and batch ran"), out);
    }

    /** The child JVM: rpmalloc's natives are not on its class path. */
    static final class Child {
        public static void main(String[] args) {
            try {
                LwjglAllocators.startRpmallocOnThisThread();
                System.out.println("rpmalloc started");
            } catch (Throwable e) { // UnsatisfiedLinkError, then NoClassDefFoundError on a second try
                System.out.println("rpmalloc unavailable: " + e);
            }
            Blackhole bh = new Blackhole(
                    "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
            PairBenchmark pair = new PairBenchmark();
            pair.size = 64;
            pair.setUp();
            pair.pymalloc();
            pair.pymallocLoop();
            pair.tearDown();
            BatchBenchmark batch = new BatchBenchmark();
            batch.size = 64;
            batch.setUp();
            PyMallocHeap heap = new PyMallocHeap();
            heap.setUp(new NativeBytes());
            batch.pymalloc(heap, bh);
            heap.tearDown();
            System.out.println("pair and batch ran");
        }
    }
}
