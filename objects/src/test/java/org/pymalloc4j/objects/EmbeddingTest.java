package org.pymalloc4j.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's "In your own program", done as a user does it: the module descriptor it shows is
 * compiled with a main class against the two modules as built, and the program run each of the
 * three ways its table names, with the grant of native access the table gives: it must run and
 * the JVM must print no warning. Run without the grant, the JVM's warning must ask for that very
 * grant, so the table names the right module.
 */
class EmbeddingTest {
    private static final String MAIN = """
            package com.example.app;

            import org.pymalloc4j.allocator.MallocStats;
            import org.pymalloc4j.objects.ObjectSpace;

            public class Main {
                public static void main(String[] args) {
                    try (ObjectSpace space = ObjectSpace.create()) {
                        long s = space.strs().newStr("embedded");
                        MallocStats stats = space.memory().pymalloc().stats();   // read through requires transitive
                        System.out.println(space.strs().value(s) + " " + space.sizeOf(s) + " " + stats.geometry().name());
                        space.decref(s);
                    }
                }
            }
            """;
    private static final String OUTPUT = "embedded 57 3.11";   // sys.getsizeof('embedded') in CPython 3.11
    private static final String WARNING = "WARNING: A restricted method in java.lang.foreign.Linker has been called";

    @TempDir
    Path dir;

    private static String section() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("\n### In your own program\n");
        assertTrue(start >= 0, "README.md has no \"In your own program\"");
        int end = readme.indexOf("\n#", start + 1);
        return readme.substring(start, end);
    }

    /** The grant the README's table gives for the row that starts with {@code row}. */
    private static String grant(String section, String row) {
        Matcher m = Pattern.compile("\\| " + Pattern.quote(row) + "[^|]*\\| `([^`]*)`").matcher(section);
        assertTrue(m.find(), "no row '" + row + "' in the README's table");
        return m.group(1);
    }

    private static String flag(String command) {
        Matcher m = Pattern.compile("--enable-native-access=\\S+").matcher(command);
        assertTrue(m.find(), command);
        return m.group();
    }

    @Test
    void theReadmesProgramRunsEachWayWithoutAWarning() throws Exception {
        String section = section();
        // the jars and coordinates it names are the build's
        String version = "0.1.0-SNAPSHOT";
        assertTrue(Files.readString(Path.of("pom.xml")).contains("<version>" + version + "</version>"));
        for (String artifact : List.of("allocator", "objects")) {
            assertTrue(section.contains("`" + artifact + "/target/pymalloc4j-" + artifact + "-" + version + ".jar`"), artifact);
            assertTrue(section.contains("org.pymalloc4j:pymalloc4j-" + artifact + "`"), artifact);
            assertTrue(Files.readString(Path.of("../" + artifact + "/pom.xml"))
                    .contains("<artifactId>pymalloc4j-" + artifact + "</artifactId>"), artifact);
        }
        assertTrue(section.contains("version `" + version + "`"));

        Matcher block = Pattern.compile("```\n(module com\\.example\\.app \\{.*?\\})\n```", Pattern.DOTALL).matcher(section);
        assertTrue(block.find(), "no module descriptor in the section");
        Path src = dir.resolve("src/com.example.app");
        Files.createDirectories(src.resolve("com/example/app"));
        Files.writeString(src.resolve("module-info.java"), block.group(1));
        Files.writeString(src.resolve("com/example/app/Main.java"), MAIN);
        Path allocator = Path.of("../allocator/target/classes").toAbsolutePath().normalize();
        Path objects = Path.of("target/classes").toAbsolutePath();
        Path out = dir.resolve("out");
        String modulePath = allocator + File.pathSeparator + objects;
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d", out.toString(), "--module-path", modulePath, "--module-source-path", dir.resolve("src").toString(),
                "-m", "com.example.app").redirectErrorStream(true).start();
        String diagnostics = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, javac.waitFor(), "the README's module descriptor does not compile:\n" + diagnostics);
        Path app = out.resolve("com.example.app");

        String onModulePath = flag(grant(section, "on the module path"));
        assertEquals("--enable-native-access=org.pymalloc4j.allocator", onModulePath);
        List<String> modular = List.of("-p", modulePath + File.pathSeparator + app, "-m", "com.example.app/com.example.app.Main");
        assertRunsQuietly(run(onModulePath, modular));
        assertWarnsAskingFor(onModulePath, run(null, modular));

        String onClassPath = flag(grant(section, "on the class path"));
        List<String> classPath = List.of("-cp", String.join(File.pathSeparator, allocator.toString(), objects.toString(),
                app.toString()), "com.example.app.Main");
        assertRunsQuietly(run(onClassPath, classPath));
        assertWarnsAskingFor(onClassPath, run(null, classPath));

        String manifestLine = grant(section, "as an executable jar");
        assertEquals("Enable-Native-Access: ALL-UNNAMED", manifestLine);
        Path jar = executableJar(app, allocator, objects, manifestLine);
        assertRunsQuietly(run(null, List.of("-jar", jar.toString())));
    }

    /** app.jar with the README's manifest line, the modules' classes on its Class-Path as the jars would be. */
    private Path executableJar(Path app, Path allocator, Path objects, String manifestLine) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("exe/lib"));
        Files.createSymbolicLink(lib.resolve("allocator"), allocator);
        Files.createSymbolicLink(lib.resolve("objects"), objects);
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, "com.example.app.Main");
        main.put(Attributes.Name.CLASS_PATH, "lib/allocator/ lib/objects/");
        String[] nameValue = manifestLine.split(": ");
        main.putValue(nameValue[0], nameValue[1]);
        Path jar = dir.resolve("exe/app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            String entry = "com/example/app/Main.class";
            out.putNextEntry(new JarEntry(entry));
            Files.copy(app.resolve(entry), (OutputStream) out);
            out.closeEntry();
        }
        return jar;
    }

    /** Runs a child JVM of this JDK with {@code grant} (none if null) and {@code args}: its standard output, a line, then its standard error. */
    private static String[] run(String grant, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1"));
        if (grant != null) {
            command.add(grant);
        }
        command.addAll(args);
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), command + "\n" + stdout + stderr);
        return new String[] {stdout, stderr};
    }

    private static void assertRunsQuietly(String[] result) {
        assertEquals(OUTPUT, result[0].strip());
        assertEquals("", result[1], "the JVM printed a warning");
    }

    private static void assertWarnsAskingFor(String grant, String[] result) {
        assertEquals(OUTPUT, result[0].strip());
        assertTrue(result[1].startsWith(WARNING), result[1]);
        assertTrue(result[1].contains("WARNING: Use " + grant + " to avoid a warning"), result[1]);
        assertFalse(result[1].contains("org.pymalloc4j.objects"), "the objects module calls no restricted method");
    }
}
