package org.pymalloc4j.allocator;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The on/off properties, {@code pymalloc4j.checks} and {@code pymalloc4j.prefault}: true or false
 * in any case, unset or empty is on, and any other value is refused with the property and the
 * value named. A value such as {@code no} or {@code 0} used to leave the switch on in silence.
 * Each case runs in a JVM of its own, since the properties are read once, into static finals.
 */
class SwitchPropertiesTest {

    @Test
    void checksTakeTrueOrFalseInAnyCase() throws Exception {
        assertEquals("checked=false\n", child("-Dpymalloc4j.checks=False").output());
        assertEquals("checked=true\n", child("-Dpymalloc4j.checks=TRUE").output());
        assertEquals("checked=true\n", child("-Dpymalloc4j.checks=").output());
        assertEquals("checked=true\n", child().output());
    }

    @Test
    void checksRefuseAnyOtherValue() throws Exception {
        for (String value : List.of("no", "0", "off")) {
            Result r = child("-Dpymalloc4j.checks=" + value);
            assertTrue(r.status() != 0, r.output());
            assertTrue(r.output().contains("-Dpymalloc4j.checks=" + value + ": expected true or false"), r.output());
        }
    }

    @Test
    void prefaultRefusesAnyOtherValue() throws Exception {
        assertEquals("checked=true\nheap created\n", child("-Dpymalloc4j.prefault=FALSE", "create").output());
        Result r = child("-Dpymalloc4j.prefault=off", "create");
        assertTrue(r.status() != 0, r.output());
        assertTrue(r.output().contains("-Dpymalloc4j.prefault=off: expected true or false"), r.output());
    }

    private record Result(int status, String output) {
    }

    /** Runs {@link Child} with {@code options}; a last argument {@code create} makes it create a heap. */
    private static Result child(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "--enable-native-access=ALL-UNNAMED"));
        List<String> args = new ArrayList<>(List.of(options));
        boolean create = !args.isEmpty() && args.getLast().equals("create");
        if (create) {
            args.removeLast();
        }
        command.addAll(args);
        String path = String.join(File.pathSeparator, List.of(System.getProperty("java.class.path", ""),
                System.getProperty("jdk.module.path", "")).stream().filter(p -> !p.isEmpty()).toList());
        command.addAll(List.of("-cp", path, Child.class.getName()));
        if (create) {
            command.add("create");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    /** Prints the mode, and with {@code create} creates and closes a heap (which reads the prefault switch). */
    static final class Child {
        public static void main(String[] args) {
            System.out.print("checked=" + PyMalloc.CHECKS + "\n");
            if (args.length > 0) {
                PyMalloc.create().close();
                System.out.print("heap created\n");
            }
        }
    }
}
