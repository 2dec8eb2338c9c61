package org.pymalloc4j.bench.cli;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.bench.cli.MainTest.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A pymalloc4j switch set to neither true nor false ({@code PYMALLOC4J_JAVA_OPTS=-Dpymalloc4j.checks=no})
 * is refused in one line before any command runs, not with the stack trace of the library class
 * that reads it, nor after a JMH or versus run has started forks that each fail the same way.
 */
class SwitchPropertyTest {
    @Test
    void aSwitchNeitherTrueNorFalseIsRefusedFirst() {
        for (String name : new String[] {"pymalloc4j.checks", "pymalloc4j.prefault"}) {
            String before = System.getProperty(name);
            System.setProperty(name, "no");
            try {
                Result r = MainTest.run("layout", "float");
                assertEquals(2, r.status(), r.out() + r.err());
                assertEquals("pymalloc4j: -D" + name + "=no: expected true or false\n", r.err());
                assertEquals("", r.out());
            } finally {
                if (before == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, before);
                }
            }
        }
    }
}
