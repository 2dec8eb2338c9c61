package org.pymalloc4j.bench.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pymalloc4j.allocator.PyMalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The versus command's options and errors, and one tiny real run against CPython in this JVM. */
class VersusCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpListsThePatternsAndOptions() {
        for (MainTest.Result r : List.of(MainTest.run("versus", "--help"), MainTest.run("help", "versus"))) {
            assertEquals(0, r.status());
            assertTrue(r.out().startsWith("usage: pymalloc4j versus [PATTERN|GROUP...] [--forks N]"), r.out());
            assertTrue(r.out().contains("pair.16 pair.64 pair.256 pair.512") && r.out().contains("--round-ms MS"));
        }
        assertTrue(MainTest.run("help").out().contains("versus   time pymalloc4j and CPython's C"), "listed in the usage");
    }

    @Test
    void badPatternsAndNumbersAreUsageErrors() {
        String[][] cases = {
            {"tupel", "versus: unknown pattern 'tupel'"},
            {"--rounds", "0", "versus: --rounds must be a positive integer, not '0'"},
            {"--rounds", "1001", "versus: --rounds 1001 is more than 1000"},
            {"--round-ms", "x", "versus: --round-ms must be a positive integer, not 'x'"},
            {"--warmup", "-1", "versus: --warmup wants a whole number from 0 to 1000, not '-1'"},
            {"--fast", "versus: unknown option --fast"},
            {"--forks", "21", "versus: --forks 21 is more than 20"},
            {"--against", "/no/such.jar", "versus: --against '/no/such.jar' is not a jar file"},
            {"--geometry", "3.9", "versus: unknown geometry '3.9': expected 3.11, 3.8 or hugepages"},
            {"--geometry", "hugepages", "--against", "/no/such.jar", "versus: --geometry and --against cannot be combined"},
            {"--svg", "/no/such/dir/v.svg", "versus: cannot write --svg '/no/such/dir/v.svg': its directory does not exist"},
            // the root has no parent: its check threw a NullPointerException
            {"--svg", "/", "versus: cannot write --svg '/': it is a directory"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length];
            args[0] = "versus";
            System.arraycopy(c, 0, args, 1, c.length - 1);
            MainTest.Result r = MainTest.run(args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertTrue(r.err().contains(c[c.length - 1]), r.err());
            assertEquals("", r.out(), "nothing on stdout for " + String.join(" ", args));
        }
    }

    /**
     * --svg took '-' as a file named '-' (map's --out '-' is standard output, which here carries
     * the table), and a --svg that is a trace:FILE's file was written over the trace after the
     * run, as map's --out was (8fc4f9c): both are refused before any work, the trace untouched.
     * The patterns here are bad, so that an --svg let through would end on them, not run.
     */
    @Test
    void anSvgToStandardOutputOrOverATraceIsRefused() throws Exception {
        Path trace = java.nio.file.Files.writeString(dir.resolve("bad.trace"), "x\n");
        MainTest.Result r = MainTest.run("versus", "--svg", "-", "tupel");
        assertEquals(2, r.status(), r.err());
        assertEquals("pymalloc4j versus: --svg - (standard output) cannot take the picture: the table goes there;"
                + " give a file\n", r.err());
        r = MainTest.run("versus", "trace:" + trace, "--svg", trace.toString());
        assertEquals(2, r.status(), r.err());
        assertEquals("pymalloc4j versus: --svg " + trace + " is the file of trace:" + trace
                + ": the picture would overwrite it\n", r.err());
        assertEquals("x\n", java.nio.file.Files.readString(trace), "the trace is untouched");
        assertEquals("", r.out());
    }

    /**
     * The options are checked before any trace:FILE is read: a bad option after a big trace was
     * reported only once the trace had been read. Here the trace is a path that does not exist,
     * so a trace read first would report it instead of the option.
     */
    @Test
    void optionsAreCheckedBeforeTracesAreRead() {
        String missing = dir.resolve("big.trace").toString();
        String[][] cases = {
            {"--rounds", "0", "versus: --rounds must be a positive integer, not '0'"},
            {"--fast", "versus: unknown option --fast"},
            {"--svg", "/no/such/dir/v.svg", "versus: cannot write --svg '/no/such/dir/v.svg'"},
            {"--against", "/no/such.jar", "versus: --against '/no/such.jar' is not a jar file"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 1];
            args[0] = "versus";
            args[1] = "trace:" + missing;
            System.arraycopy(c, 0, args, 2, c.length - 1);
            MainTest.Result r = MainTest.run(args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertTrue(r.err().contains(c[c.length - 1]), c[c.length - 1] + " in: " + r.err());
        }
        MainTest.Result r = MainTest.run("versus", "trace:" + missing, "--quiet", "--rounds", "3");
        assertEquals(2, r.status());
        assertTrue(r.err().contains(missing), "with good options, the trace's own error: " + r.err());
    }

    /**
     * An exception in the child JVM comes back as one line with its message: the parent showed
     * the last 20 lines of the child's standard error, and a stack trace with a cause is longer,
     * so the message (here: the trace file gone since the parent checked it) was cut off and only
     * "at ..." lines were left.
     */
    @Test
    void anExceptionInTheChildJvmIsReportedByItsMessage() {
        Path gone = dir.resolve("gone.trace");
        VersusPatterns.Pattern p = VersusTrace.of(gone);
        CPythonLibrary.Build build = new CPythonLibrary.Build(List.of(dir.resolve("never-loaded.so")), List.of(0), "nothing", "");
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> VersusFork.run(build, p, 1, 1, 0, List.of(), org.pymalloc4j.allocator.Geometry.PY311, done -> { }));
        assertEquals("the JVM measuring " + p.name() + " failed: versus: cannot read the trace " + gone + ": " + gone
                + " (java.nio.file.NoSuchFileException)", e.getMessage());
    }

    /** The picture written after the rounds: a failure is status 1 and names the file and the reason. */
    @Test
    void aPictureThatCannotBeWrittenIsAFailureThatSaysWhy() {
        Assumptions.assumeTrue(java.nio.file.Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = VersusCommand.writeSvg(Path.of("/dev/full"), "<svg/>", new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        assertEquals("pymalloc4j versus: cannot write --svg /dev/full: No space left on device\n",
                err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(1, VersusCommand.writeSvg(dir, "<svg/>", new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("pymalloc4j versus: cannot write --svg " + dir + ": Is a directory\n", err.toString(StandardCharsets.UTF_8),
                "the reason, not the path again");
        Path svg = dir.resolve("v.svg");
        assertEquals(0, VersusCommand.writeSvg(svg, "<svg/>", new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("\npicture: " + svg + "\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theBuildsRowDividesThisBuildsRoundsByTheOthersFromTheSameFork() {
        double[] cpython = {20, 20, 20};
        List<AlternatingRounds.Result> mine = List.of(AlternatingRounds.Result.of(new double[] {10, 12, 9}, cpython, 0),
                AlternatingRounds.Result.of(new double[] {30, 30, 30}, cpython, 1));
        List<AlternatingRounds.Result> other = List.of(AlternatingRounds.Result.of(new double[] {20, 12, 18}, cpython, 0),
                AlternatingRounds.Result.of(new double[] {15, 30, 60}, cpython, 1));
        Object[] row = VersusCommand.buildsRow("float create+decref", mine, other);
        // ratios: fork 0 = 0.5, 1, 0.5; fork 1 = 2, 1, 0.5
        assertEquals(List.of("float create+decref", "21.0", "19.0", "0.75", "0.50 1.00", "0.50-2.00"),
                java.util.Arrays.stream(row).map(String::valueOf).toList());
    }

    @Test
    void againstJarsMustHoldBothModulesOfTheOtherBuild() throws Exception {
        Path notAJar = java.nio.file.Files.writeString(dir.resolve("notes.jar"), "not a zip");
        Path allocatorOnly = dir.resolve("allocator.jar");
        try (var zip = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(allocatorOnly))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("org/pymalloc4j/allocator/PyMalloc.class"));
            zip.closeEntry();
        }
        UsageException e = assertThrows(UsageException.class, () -> VersusCommand.againstJars(notAJar.toString()));
        assertTrue(e.getMessage().startsWith("versus: --against '" + notAJar + "' is not a jar file: "), e.getMessage());
        e = assertThrows(UsageException.class, () -> VersusCommand.againstJars(allocatorOnly.toString()));
        assertEquals("versus: --against holds no org.pymalloc4j.objects.ObjectSpace; give the other build's objects jar too",
                e.getMessage());
        MainTest.Result r = MainTest.run("versus", "--against", allocatorOnly.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("give the other build's objects jar too"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void aRowPoolsTheForksRoundsAndShowsEachForksMedianAndLayout() {
        AlternatingRounds.Result a = AlternatingRounds.Result.of(new double[] {10, 12, 11}, new double[] {20, 20, 20}, 0);
        AlternatingRounds.Result b = AlternatingRounds.Result.of(new double[] {30, 34, 32}, new double[] {20, 20, 20}, 3);
        Object[] row = VersusCommand.row(VersusPatterns.ALL.get(1).label(), List.of(a, b),
                AlternatingRounds.Result.pooled(List.of(a, b)), List.of(0, 64, 128, 192, 256));
        assertEquals(List.of("pair 64 B", "21.0", "20.0", "1.05", "0.55 1.60", "0.50-1.70", "+0 +192 B"),
                java.util.Arrays.stream(row).map(String::valueOf).toList());
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY); // a decimal comma would read as a list here
            Object[] again = VersusCommand.row(VersusPatterns.ALL.get(1).label(), List.of(a, b),
                    AlternatingRounds.Result.pooled(List.of(a, b)), List.of(0, 64, 128, 192, 256));
            assertEquals(java.util.Arrays.asList(row), java.util.Arrays.asList(again));
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @Test
    void againstAnotherBuildEachPatternGetsASecondRowAndTheBuildsTableFromTheSameRounds() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        List<Path> jars = OtherBuildTest.moduleJars(); // not the allocator's -tests.jar
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String against = String.join(java.io.File.pathSeparator, jars.stream().map(Path::toString).toList());
        int status = new VersusCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), dir)
                .run(new String[] {"float", "--forks", "1", "--rounds", "1", "--round-ms", "5", "--warmup", "0",
                    "--quiet", "--against", against});
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        Path allocatorJar = jars.stream().filter(j -> j.getFileName().toString().contains("allocator")).findFirst()
                .orElseThrow().toAbsolutePath().normalize();
        assertTrue(text.contains("Rows marked 'against': the build in " + jars.get(0).toAbsolutePath().normalize()), text);
        assertTrue(text.contains("(PyMalloc loaded from " + allocatorJar + ")"),
                "the other build's classes come from its jar, not from this JVM's class path: " + text);
        assertTrue(Pattern.compile("(?m)^float create\\+decref  +[0-9]").matcher(text).find(), text);
        assertTrue(Pattern.compile("(?m)^float create\\+decref, against +[0-9]").matcher(text).find(), text);
        String builds = text.substring(text.indexOf("This build against the other, round by round"));
        // one cold round of 5 ms: a figure may reach thousands, which the table writes 2,281
        assertTrue(Pattern.compile("(?m)^float create\\+decref +[0-9.,]+ +[0-9.,]+ +[0-9]+\\.[0-9]{2} ").matcher(builds).find(),
                builds);
    }

    @Test
    void theHugePageGeometryIsWhatTheChildMeasuresAndTheHeaderSays() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new VersusCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), dir)
                .run(new String[] {"batch.64", "tuple", "--forks", "1", "--rounds", "1", "--round-ms", "5", "--warmup", "0",
                    "--quiet", "--geometry", "hugepages"});
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.startsWith("pymalloc4j (" + (PyMalloc.CHECKS ? "checked" : "unchecked")
                + " mode, geometry hugepages) against CPython's C"), text);
        assertTrue(Pattern.compile("(?m)^batch 64 B +[0-9]").matcher(text).find(), text);
    }

    @Test
    void aStaticLibpythonGivesFiveLayoutsAndASharedOneOne() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc"), "needs cc");
        // pyenv's 3.11 ships a position-independent static libpython; Debian's python3.11 does not
        List<String> pythons = java.util.stream.Stream.of("python3", "/usr/bin/python3.11")
                .filter(p -> p.startsWith("/") ? java.nio.file.Files.isExecutable(Path.of(p)) : BenchCommandTest.onPath(p))
                .toList();
        Assumptions.assumeFalse(pythons.isEmpty(), "needs a python3 with libpython");
        int built = 0;
        for (String python : pythons) {
            java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
            env.put("PYTHON", python);
            CPythonLibrary.Build build;
            try {
                build = CPythonHarness.build(dir.resolve(python.replace('/', '_')), env).library();
            } catch (CPythonHarness.Unavailable e) {
                continue; // no development files for this one
            }
            built++;
            boolean staticLink = build.linkedWith().startsWith("static ");
            assertEquals(staticLink ? CPythonHarness.LAYOUT_PADS : List.of(0), build.pads(), python + ": " + build.linkedWith());
            assertEquals(build.pads().size(), build.layouts().size());
            for (Path layout : build.layouts()) {
                assertTrue(java.nio.file.Files.isRegularFile(layout), layout.toString());
            }
            java.nio.file.attribute.FileTime made = java.nio.file.Files.getLastModifiedTime(build.layouts().get(0));
            assertEquals(build, CPythonHarness.build(dir.resolve(python.replace('/', '_')), env).library());
            assertEquals(made, java.nio.file.Files.getLastModifiedTime(build.layouts().get(0)), "the second build reuses the first");
        }
        Assumptions.assumeTrue(built > 0, "no python3 here has libpython's development files: nothing was checked");
    }

    @Test
    void aTinyRunPrintsOneRowAPatternWithRatios() throws Exception {
        Assumptions.assumeTrue(BenchCommandTest.onPath("cc") && BenchCommandTest.onPath("python3"),
                "needs cc and python3 with libpython");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new VersusCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), dir)
                .run(new String[] {"pair.64", "tuple", "trace:" + java.nio.file.Files.writeString(dir.resolve("run.trace"),
                        "m 0 16\nm 1 700\nr 0 100\nf 0\nm 2 48\n"), "--forks", "2", "--rounds", "2", "--round-ms", "5",
                    "--warmup", "1", "--quiet", "--svg", dir.resolve("ratios.svg").toString()});
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(text.startsWith("pymalloc4j (checked mode) against CPython's C, linked with "), text);
        assertTrue(text.contains("2 JVMs a pattern, each 2 rounds of at least 5 ms a side after 1 warm-up round"), text);
        assertTrue(text.contains("the fastest of [0, 64, 128, 192, 256] in the warm-up"), text);
        String layout = "\\+(0|64|128|192|256)";
        // a 5-call trace in 5 ms rounds runs cold: its times may reach thousands (9,780)
        Pattern row = Pattern.compile("(?m)^(pair 64 B|2-tuple create\\+decref|trace run\\.trace) +[0-9.,]+ +[0-9.,]+ +[0-9]+\\.[0-9]{2} +"
                + "[0-9]+\\.[0-9]{2} [0-9]+\\.[0-9]{2} +[0-9]+\\.[0-9]{2}-[0-9]+\\.[0-9]{2} +" + layout + " " + layout + " B$");
        assertEquals(3, row.matcher(text).results().count(), text);
        assertEquals("", err.toString(StandardCharsets.UTF_8), "--quiet: no progress");
        String svg = java.nio.file.Files.readString(dir.resolve("ratios.svg"));
        assertTrue(text.endsWith("picture: " + dir.resolve("ratios.svg") + "\n"), text);
        assertEquals(6, svg.split("<circle ", -1).length - 1, "three patterns, two JVMs each");
        assertTrue(svg.contains(">trace run.trace<"), "the trace has its row in the picture");
    }
}
