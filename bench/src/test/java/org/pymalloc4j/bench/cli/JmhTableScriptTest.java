package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench/scripts/jmh_table.py}, which turns a JMH result file into Markdown tables "ns per
 * operation" with ratios "time / pymalloc time": every unit JMH wrote (the replays' ops/s, the
 * collector's ms/op) must come out in ns per operation, so that a throughput's ratio is not
 * turned upside down, and an error JMH could not compute ("NaN", one measured iteration) must
 * not stop the script.
 */
class JmhTableScriptTest {
    private static final Path SCRIPT = Path.of("scripts", "jmh_table.py");

    @TempDir
    Path dir;

    private static String result(String benchmark, String params, double score, String error, String unit) {
        return """
                {"benchmark": "org.pymalloc4j.bench.jmh.%s", %s
                 "primaryMetric": {"score": %s, "scoreError": %s, "scoreUnit": "%s"}}"""
                .formatted(benchmark, params, score, error, unit);
    }

    private String table(String... results) throws IOException {
        Assumptions.assumeTrue(BenchCommandTest.onPath("python3"), "needs python3");
        Path json = dir.resolve("jmh.json");
        Files.writeString(json, "[" + String.join(",\n", results) + "]");
        return String.join("\n", ChildProcess.output(List.of("python3", SCRIPT.toString(), json.toString())));
    }

    @Test
    void aThroughputIsShownAsNanosecondsPerOperationAndItsRatioIsOfTimes() throws IOException {
        // pymalloc replays 10^7 operations a second (100 ns each), libc 2.5 * 10^6 (400 ns): libc takes 4x the time
        String md = table(result("ProgramReplayBenchmark.pymalloc", "", 1.0e7, "1.0e5", "ops/s"),
                result("ProgramReplayBenchmark.libcMalloc", "", 2.5e6, "2.5e4", "ops/s"));
        assertTrue(md.contains("| - | 100 ± 1.00 (1.00×) | 400 ± 4.00 (4.00×) |"), md);
    }

    @Test
    void millisecondsAndMicrosecondsAreConvertedToNanoseconds() throws IOException {
        String md = table(result("CollectorBenchmark.collectLiveHeap", "\"params\": {\"liveObjects\": \"10000\"},",
                        0.25, "0.01", "ms/op"),
                result("DomainBenchmark.tracing1", "\"params\": {\"size\": \"16\"},", 2.5, "0.1", "us/op"));
        assertTrue(md.contains("| liveObjects=10000 | 250,000 ± 10,000 (1.00×) |"), md);
        assertTrue(md.contains("| size=16 | 2,500 ± 100 (1.00×) |"), md);
    }

    @Test
    void anErrorJmhCouldNotComputeIsLeftOutNotAFailure() throws IOException {
        String md = table(result("PairBenchmark.pymalloc", "\"params\": {\"size\": \"16\"},", 2.46, "\"NaN\"", "ns/op"),
                result("PairBenchmark.libcMalloc", "\"params\": {\"size\": \"16\"},", 7.63, "0.05", "ns/op"));
        assertTrue(md.contains("| size=16 | 2.46 (1.00×) | 7.63 ± 0.050 (3.10×) |"), md);
    }
}
