package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The library's switches this JVM was given (PYMALLOC4J_JAVA_OPTS), as the flags that pass them
 * on to the JVMs the tool starts to measure in: JMH's forks, versus's JVMs and the memory
 * workload. A switch set for the tool and not for those would measure a heap the report does not
 * describe: the checks, or arenas not prefaulted on this host of slow page faults.
 */
final class LibrarySwitches {
    /** Every {@code -Dpymalloc4j.*} switch the library reads (allocator.internal.SwitchProperty). */
    static final List<String> NAMES = List.of("pymalloc4j.checks", "pymalloc4j.prefault");

    private LibrarySwitches() {
    }

    /** {@code -Dname=value} for each switch set in {@code properties}, in {@link #NAMES}' order. */
    static List<String> flags(Properties properties) {
        List<String> flags = new ArrayList<>();
        for (String name : NAMES) {
            String value = properties.getProperty(name);
            if (value != null) {
                flags.add("-D" + name + "=" + value);
            }
        }
        return flags;
    }

    /** {@link #flags(Properties)} of this JVM's system properties. */
    static List<String> flags() {
        return flags(System.getProperties());
    }
}
