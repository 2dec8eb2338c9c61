package org.pymalloc4j.objects;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.pymalloc4j.allocator.squeeze.AddressSpaceSqueeze;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.objects.internal.Builtins;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ObjectSpace.create: "@throws OutOfMemoryError if the static objects cannot be allocated",
 * refused by the OS as the allocator's MetadataRefusalTest refuses a heap: in a child JVM with
 * its address space full ({@link AddressSpaceSqueeze}), each allocation of the space's own
 * memory and then its static area is refused in turn, and each refusal must give back all
 * that came before it.
 */
@EnabledOnOs(OS.LINUX)
class SpaceRefusalTest {

    @Test
    void aSpaceRefusedItsMetadataOrStaticObjectsGivesBackItsOwnMemory() throws Exception {
        String classPath = String.join(File.pathSeparator, codeSource(PyMalloc.class),
                codeSource(AddressSpaceSqueeze.class), codeSource(ObjectSpace.class), codeSource(Child.class));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("/bin/sh", "-c", "ulimit -v " + (16L << 30) + " && exec \"$0\" \"$@\"", java,
                "-Xint", "-Xmx32m", "-XX:ReservedCodeCacheSize=32m", "-XX:CompressedClassSpaceSize=32m",
                "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "-Dpymalloc4j.checks=" + PyMalloc.isChecked(), "-cp", classPath, Child.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        System.out.println("SpaceRefusalTest:\n" + out);
        AddressSpaceSqueeze.checkSweeps(out, Map.of("space", List.of("the raw block table", "the raw block records",
                "the arena map root", "the used-pool sentinels", "the object space's static objects (" + Builtins.STATIC_BYTES + " bytes)")));
    }

    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Sweeps ObjectSpace.create once it has run unsqueezed. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            ObjectSpace.create().close();
            ObjectSpace.create().close();
            AddressSpaceSqueeze.warm();
            AddressSpaceSqueeze.sweep("space", ObjectSpace::create);
        }
    }
}
