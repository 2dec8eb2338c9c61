package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ./pymalloc4j} launcher, run on a checkout of its own: a copy of the script beside
 * an up-to-date jar, and a "JDK 25" whose {@code java} prints the arguments it is given, so
 * that nothing is built and no JVM starts.
 */
class LauncherTest {
    @TempDir
    Path dir;

    /** A checkout at {@code root}: the launcher, a jar newer than its (empty) sources, and a fake JDK. */
    private Path checkout(Path root) throws IOException {
        Files.createDirectories(root.resolve("bench/target"));
        for (String module : List.of("allocator", "objects")) {
            Files.createDirectories(root.resolve(module));
        }
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Path launcher = Files.copy(Path.of("../pymalloc4j"), root.resolve("pymalloc4j"));
        Path jar = Files.writeString(root.resolve("bench/target/pymalloc4j.jar"), "not read: the java below only prints");
        FileTime later = FileTime.fromMillis(System.currentTimeMillis() + 60_000);
        Files.setLastModifiedTime(jar, later);
        Path jdk = Files.createDirectories(dir.resolve("jdk 25"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
        Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        assertTrue(java.toFile().setExecutable(true) && launcher.toFile().setExecutable(true));
        return launcher;
    }

    /** Runs {@code command} in {@code cwd} with the fake JDK; its output, which must be status 0. */
    private String run(Path cwd, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("PYMALLOC4J_JAVA_HOME", dir.resolve("jdk 25").toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not end");
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    /**
     * The jar holds CPython's sources that bench, versus and record compile (bench/pom.xml's
     * resources): an edit to any of them must rebuild it, as an edit to a .java file does. Only
     * two were looked at, so a fix to the recorder ran the jar's stale copy. Without Maven on the
     * PATH, a rebuild shows as the launcher asking for it.
     */
    @Test
    void anEditedCPythonSourceOfTheJarRebuildsIt() throws Exception {
        for (String source : List.of("pymalloc_bench.c", "pymalloc_versus.c", "pymalloc_record.c", "aligned_arenas.h")) {
            assertAnEditRebuilds("bench/cpython/" + source);
        }
    }

    /**
     * The jar also holds two of the fidelity suite's traces, which versus and TraceReplayBenchmark
     * replay (bench/pom.xml's other resource): record-fidelity.sh rewrites sizes-churn.trace, and
     * a newer recording replaces python-startup.trace. The launcher looked only at the C sources,
     * so versus went on replaying the jar's old copy of a trace the checkout had changed.
     */
    @Test
    void anEditedTraceOfTheJarRebuildsIt() throws Exception {
        for (String trace : List.of("sizes-churn.trace", "python-startup.trace")) {
            assertAnEditRebuilds("allocator/src/test/resources/fidelity/" + trace);
        }
    }

    /** In a checkout of its own, {@code file} made newer than the jar: the launcher must ask for Maven to rebuild it. */
    private void assertAnEditRebuilds(String file) throws Exception {
        Path tools = dir.resolve("tools");
        if (!Files.isDirectory(tools)) {
            Files.createDirectories(tools);
            for (String tool : List.of("dirname", "readlink", "sed", "find", "tail")) {
                Path real = Path.of("/usr/bin", tool);
                Files.createSymbolicLink(tools.resolve(tool), Files.exists(real) ? real : Path.of("/bin", tool));
            }
        }
        Path root = dir.resolve("checkout-" + Path.of(file).getFileName());
        Path launcher = checkout(root);
        Path edited = root.resolve(file);
        Files.writeString(Files.createDirectories(edited.getParent()).resolve(edited.getFileName()), "# edited\n");
        Files.setLastModifiedTime(edited, FileTime.fromMillis(System.currentTimeMillis() + 120_000));
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", launcher.toString(), "help").redirectErrorStream(true);
        pb.environment().put("PYMALLOC4J_JAVA_HOME", dir.resolve("jdk 25").toString());
        pb.environment().put("PATH", tools.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not end");
        assertEquals(1, p.exitValue(), file + ": " + output);
        assertTrue(output.contains("pymalloc4j: Maven (mvn) is needed to build the tool"), file + ": " + output);
    }

    /**
     * The build's toolchains plugin looks for JDK 25 in the usual directories and in JAVA*_HOME
     * variables, not in PYMALLOC4J_JAVA_HOME or JDK_HOME, where the launcher also looks (and which
     * its own error message tells a user to set). A JDK found only there ran the tool but failed
     * its build; the launcher now names it to Maven. Here Maven is a script that prints what it
     * was given and fails, so its output is the build log's tail the launcher shows.
     */
    @Test
    void theBuildIsGivenTheJdkTheLauncherFound() throws Exception {
        Path root = dir.resolve("checkout");
        Path launcher = checkout(root);
        Files.delete(root.resolve("bench/target/pymalloc4j.jar")); // first use: the launcher builds
        Path tools = Files.createDirectories(dir.resolve("build-tools"));
        for (String tool : List.of("dirname", "readlink", "sed", "tail", "env", "grep", "sort")) {
            Path real = Path.of("/usr/bin", tool);
            Files.createSymbolicLink(tools.resolve(tool), Files.exists(real) ? real : Path.of("/bin", tool));
        }
        Path mvn = Files.writeString(tools.resolve("mvn"), "#!/bin/sh\nenv | grep '^JAVA.*_HOME=' | sort\nexit 1\n");
        assertTrue(mvn.toFile().setExecutable(true));
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", launcher.toString(), "help").redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("JAVA") || k.equals("JDK_HOME"));
        pb.environment().put("PYMALLOC4J_JAVA_HOME", dir.resolve("jdk 25").toString());
        pb.environment().put("PATH", tools.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not end");
        assertEquals(1, p.exitValue(), output);
        assertTrue(output.contains("pymalloc4j: build failed"), output);
        String named = "JAVA\\w*_HOME=" + Pattern.quote(dir.resolve("jdk 25").toString());
        assertTrue(output.lines().anyMatch(l -> l.matches(named)), "Maven was not told where the JDK is: " + output);
    }

    /**
     * A first build on a fresh machine spends minutes downloading Maven's plugins and libraries,
     * and the launcher, which ran Maven with -q, said nothing meanwhile. It now names each module
     * Maven builds and says once that it downloads; the whole output still goes to
     * bench/build.log. Here Maven is a script that prints a build's kinds of line.
     */
    @Test
    void theFirstBuildShowsItsProgressAndKeepsTheWholeLog() throws Exception {
        Path root = dir.resolve("checkout");
        Path launcher = checkout(root);
        Files.delete(root.resolve("bench/target/pymalloc4j.jar"));
        Path tools = Files.createDirectories(dir.resolve("build-tools"));
        for (String tool : List.of("dirname", "readlink", "sed", "tail", "env", "cat")) {
            Path real = Path.of("/usr/bin", tool);
            Files.createSymbolicLink(tools.resolve(tool), Files.exists(real) ? real : Path.of("/bin", tool));
        }
        String mavenOutput = """
                [INFO] Scanning for projects...
                [INFO] Downloading from central: https://repo.example/a.pom
                [INFO] Downloaded from central: https://repo.example/a.pom (1.2 kB at 3.4 kB/s)
                Downloaded from central: https://repo.example/b.jar (5 kB at 6 kB/s)
                [INFO] Building pymalloc4j allocator 0.1.0-SNAPSHOT                       [1/2]
                [INFO] Building jar: /somewhere/allocator.jar
                [INFO] Building pymalloc4j bench 0.1.0-SNAPSHOT                           [2/2]
                [INFO] BUILD SUCCESS
                \033[0m\033[0m"""; // Maven's colour reset at exit, with no newline after it
        Files.writeString(dir.resolve("maven-output"), mavenOutput);
        Path mvn = Files.writeString(tools.resolve("mvn"), "#!/bin/sh\ncat '" + dir.resolve("maven-output") + "'\n");
        assertTrue(mvn.toFile().setExecutable(true));
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", launcher.toString(), "help");
        pb.environment().put("PYMALLOC4J_JAVA_HOME", dir.resolve("jdk 25").toString());
        pb.environment().put("PATH", tools.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not end");
        assertEquals(0, p.exitValue(), err);
        List<String> progress = err.lines().filter(l -> l.startsWith("pymalloc4j:   ")).toList();
        assertEquals(List.of(
                "pymalloc4j:   downloading the build's plugins and libraries from Maven's repository (first use)",
                "pymalloc4j:   building 1/2 pymalloc4j allocator 0.1.0-SNAPSHOT",
                "pymalloc4j:   building 2/2 pymalloc4j bench 0.1.0-SNAPSHOT"), progress, err);
        assertTrue(err.lines().anyMatch(l -> l.matches("pymalloc4j: built in \\d+ s")), err);
        assertEquals(mavenOutput, Files.readString(root.resolve("bench/build.log")));
        assertTrue(out.endsWith("-jar\n" + root.resolve("bench/target/pymalloc4j.jar") + "\nhelp\n"), out);
    }

    /**
     * Java decodes file names in the locale's charset: under the C locale (LANG unset, as in
     * containers and cron) 'replay café.trace' could not open the file ("Malformed input or input
     * contains unmappable characters"). The launcher gives the JVM C.UTF-8's character type then;
     * here the real JVM says which charset it names files in.
     */
    @Test
    void underTheCLocaleFileNamesAreUtf8() throws Exception {
        Path launcher = checkout(dir.resolve("checkout"));
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(dir.resolve("jdk 25/bin/java"), "#!/bin/sh\nexec '" + realJava
                + "' -XshowSettings:properties -version 2>&1 | grep 'sun.jnu.encoding'\n");
        for (String[] locale : new String[][] {{"LANG", "C"}, {"LC_ALL", "POSIX"}, {"LANG", ""}, {"LC_CTYPE", "C"}}) {
            ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "help").redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG"));
            pb.environment().put(locale[0], locale[1]);
            pb.environment().put("PYMALLOC4J_JAVA_HOME", dir.resolve("jdk 25").toString());
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not end");
            assertEquals("sun.jnu.encoding = UTF-8", output.strip(), String.join("=", locale));
        }
    }

    @Test
    void runsTheJarOfItsCheckoutFromAnotherDirectoryAndAPathWithSpaces() throws Exception {
        Path root = dir.resolve("a checkout");
        Path launcher = checkout(root);
        String output = run(dir, launcher.toString(), "help", "an argument");
        assertTrue(output.endsWith("-jar\n" + root.resolve("bench/target/pymalloc4j.jar") + "\nhelp\nan argument\n"), output);
    }

    /** A link to the launcher on the PATH (~/bin/pymalloc4j) runs the checkout's jar, not one beside the link. */
    @Test
    void aSymbolicLinkToTheLauncherRunsItsCheckoutsJar() throws Exception {
        Path root = dir.resolve("checkout");
        Path launcher = checkout(root);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path link = Files.createSymbolicLink(bin.resolve("pymalloc4j"), bin.relativize(launcher));
        Path linkToLink = Files.createSymbolicLink(dir.resolve("pm4j"), link);
        for (Path l : List.of(link, linkToLink)) {
            String output = run(dir, l.toString(), "demo");
            assertTrue(output.endsWith("-jar\n" + root.resolve("bench/target/pymalloc4j.jar") + "\ndemo\n"), output);
        }
    }

    /**
     * A closed standard input ('pymalloc4j replay - <&-') was a free descriptor for the JVM's own
     * files: 'replay -' read the JDK's lib/modules as a trace, record's python had it as its input.
     * The launcher opens /dev/null there and tells the tool; an open one is left as it is.
     */
    @Test
    void aClosedStandardInputBecomesDevNullAndTheToolIsTold() throws Exception {
        Path launcher = checkout(dir.resolve("checkout"));
        Files.writeString(dir.resolve("jdk 25/bin/java"), "#!/bin/sh\nreadlink /proc/self/fd/0\nfor a in \"$@\"; do echo \"$a\"; done\n");
        String closed = run(dir, "/bin/sh", "-c", "exec \"$0\" replay - <&-", launcher.toString());
        assertTrue(closed.startsWith("/dev/null\n"), closed);
        assertTrue(closed.contains("\n-Dpymalloc4j.stdin.closed=true\n-jar\n"), closed);
        Path input = Files.writeString(dir.resolve("input.trace"), "m 0 16\n");
        String open = run(dir, "/bin/sh", "-c", "exec \"$0\" replay - <\"$1\"", launcher.toString(), input.toString());
        assertTrue(open.startsWith(input + "\n"), open);
        assertFalse(open.contains("stdin.closed"), open);
    }

    /** The launcher's look at standard input must leave the caller's other descriptors as they are (it borrowed 3). */
    @Test
    void theCallersOtherDescriptorsReachTheTool() throws Exception {
        Path launcher = checkout(dir.resolve("checkout"));
        Files.writeString(dir.resolve("jdk 25/bin/java"), "#!/bin/sh\ncat <&3\n");
        Path passed = Files.writeString(dir.resolve("passed"), "descriptor 3\n");
        String output = run(dir, "/bin/sh", "-c", "exec \"$0\" help 3<\"$1\"", launcher.toString(), passed.toString());
        assertEquals("descriptor 3\n", output);
    }
}
