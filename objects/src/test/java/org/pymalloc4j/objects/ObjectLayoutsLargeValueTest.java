package org.pymalloc4j.objects;

import java.lang.reflect.Method;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A layout table shows the first 47 characters or bytes of a str or bytes value: it must read
 * those, not copy the whole value to the Java heap (a 100 MB bytes object copied 100 MB to show a
 * row). Measured as the Java heap the thread allocates while the table is made.
 */
class ObjectLayoutsLargeValueTest {
    private static final int LENGTH = 8 << 20;
    /** Far below one copy of the value, far above what a table of a few rows needs. */
    private static final long BUDGET = 1 << 20;

    /**
     * The Java heap this thread allocates running {@code r} (its second run: class loading and
     * first uses allocate once). Through reflection: the module under test reads no management module.
     */
    private static long allocatedBy(Runnable r) throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        long id = Thread.currentThread().threadId();
        r.run();
        long before = (long) allocated.invoke(bean, id);
        r.run();
        return (long) allocated.invoke(bean, id) - before;
    }

    @Test
    void aLargeBytesObjectIsNotCopiedToShowItsRow() throws ReflectiveOperationException {
        try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
            byte[] value = new byte[LENGTH];
            Arrays.fill(value, (byte) 'x');
            value[LENGTH - 1] = '\'';
            long b = space.bytes().newBytes(value);
            value = null;
            String[] shown = new String[1];
            long allocated = allocatedBy(() -> shown[0] = ObjectLayouts.of(space, b).row("ob_sval").orElseThrow().value());
            assertEquals("b'" + "x".repeat(47) + "…' + NUL", shown[0], "the quote is picked from what is shown");
            assertTrue(allocated < BUDGET, allocated + " bytes allocated to show a row of an 8 MiB bytes object");
            space.decref(b);
        }
    }

    @Test
    void aLargeStrIsNotCopiedToShowItsRow() throws ReflectiveOperationException {
        for (String c : new String[] {"a", "é", "€", "😀"}) { // kinds 1 (ASCII and not), 2, 4
            try (ObjectSpace space = ObjectSpace.builder().checked(true).build()) {
                long s = space.strs().newStr(c.repeat(LENGTH / 4));
                String[] shown = new String[1];
                long allocated = allocatedBy(() -> shown[0] = ObjectLayouts.of(space, s).row("data").orElseThrow().value());
                assertEquals("'" + c.repeat(47) + "…' + NUL", shown[0]);
                assertTrue(allocated < BUDGET, allocated + " bytes allocated to show a row of a str of " + LENGTH / 4 + " " + c);
                space.decref(s);
            }
        }
    }
}
