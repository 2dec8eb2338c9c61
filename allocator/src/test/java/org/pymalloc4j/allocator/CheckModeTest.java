package org.pymalloc4j.allocator;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The suite runs twice, checked and unchecked; this pins which mode a run is in. */
class CheckModeTest {
    @Test
    void checksFollowTheSystemProperty() {
        boolean expected = !"false".equalsIgnoreCase(System.getProperty("pymalloc4j.checks"));
        System.out.println("pymalloc4j.checks=" + PyMalloc.CHECKS);
        assertEquals(expected, PyMalloc.CHECKS);
    }
}
