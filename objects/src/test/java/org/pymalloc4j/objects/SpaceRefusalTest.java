package org.pymalloc4j.objects;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.pymalloc4j.allocator.squeeze.AddressSpaceSqueeze;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.allocator.testkit.LimitedJvm;
import org.pymalloc4j.objects.internal.Builtins;

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
        String out = LimitedJvm.run(16L << 30, String.valueOf(PyMalloc.CHECKS),
                List.of(PyMalloc.class, AddressSpaceSqueeze.class, ObjectSpace.class), Child.class, "-Xint");
        System.out.println("SpaceRefusalTest:\n" + out);
        AddressSpaceSqueeze.checkSweeps(out, Map.of("space", List.of("the raw block table", "the raw block records",
                "the arena map root", "the used-pool sentinels", "the object space's static objects (" + Builtins.STATIC_BYTES + " bytes)")));
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
