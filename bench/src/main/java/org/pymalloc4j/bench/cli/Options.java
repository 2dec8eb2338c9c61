package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Geometry;

/**
 * Parses {@code --name value}, {@code --name=value} and {@code --flag} options plus positional
 * arguments; {@code --} ends the options, the arguments after it are all positional.
 */
final class Options {
    /** The {@code --geometry} line of the help of every command that takes it. */
    static final String GEOMETRY_HELP = """
              --geometry G          pool and arena sizes: 3.11 16 KiB/1 MiB (default),
                                    3.8 4 KiB/256 KiB, or hugepages 16 KiB/2 MiB with
                                    arenas on huge pages
            """;

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    /**
     * @param withValue options that take a value
     * @param flags     options that take none
     * @throws UsageException on an unknown option, a missing value, or an option with a value given twice
     */
    Options(String command, String[] args, Set<String> withValue, Set<String> flags) throws UsageException {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) { // the end of the options, as in getopt: a file may be named --x
                positional.addAll(java.util.Arrays.asList(args).subList(i + 1, args.length));
                break;
            }
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
            if (flags.contains(name)) {
                if (eq >= 0) { // known, so "unknown option" would send the user hunting for a typo
                    throw new UsageException(command + ": option --" + name + " takes no value, not '" + a + "'");
                }
                values.put(name, "true");
            } else if (withValue.contains(name)) {
                if (eq >= 0) {
                    putOnce(command, name, a.substring(eq + 1));
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    putOnce(command, name, args[++i]);
                } else { // the next is an option, or a typo'd value would silently become a file name
                    throw new UsageException(command + ": option --" + name + " needs a value"
                            + (i + 1 < args.length ? " (for one that starts with '--', write --" + name + "=VALUE)" : ""));
                }
            } else {
                throw new UsageException(command + ": unknown option " + a + " (see 'pymalloc4j " + command + " --help')");
            }
        }
    }

    /**
     * A second value was silently taken over the first ('--out a --out b' wrote b): which the
     * user meant is not for the tool to guess, so it asks (a flag twice is the same as once).
     */
    private void putOnce(String command, String name, String value) throws UsageException {
        String first = values.putIfAbsent(name, value);
        if (first != null) {
            throw new UsageException(command + ": option --" + name + " is given twice ('" + first + "', then '" + value
                    + "'); give it once");
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    List<String> positional() {
        return positional;
    }

    /** Throws unless there are no positional arguments: for commands that take options only. */
    void noPositional(String command) throws UsageException {
        if (!positional.isEmpty()) {
            throw new UsageException(command + ": unexpected argument '" + positional.get(0) + "'");
        }
    }

    /** {@code --seed S}, any {@code long}; 42 when not given. */
    long seed(String command) throws UsageException {
        String v = get("seed", "42");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --seed must be an integer, not '" + v + "'");
        }
    }

    long positiveLong(String command, String name, long fallback) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        String digits = v.replace("_", "").replace(",", "");
        try {
            long n = Long.parseLong(digits);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            if (digits.matches("\\+?[0-9]*[1-9][0-9]*")) { // a positive integer all the same: say what is wrong with it
                throw new UsageException(command + ": --" + name + " must be a positive integer up to " + Long.MAX_VALUE
                        + ", not '" + v + "'");
            }
        }
        throw new UsageException(command + ": --" + name + " must be a positive integer, not '" + v + "'");
    }

    Geometry geometry(String command) throws UsageException {
        try {
            return Geometry.of(get("geometry", "3.11"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(command + ": " + e.getMessage());
        }
    }

    AllocatorName allocator(String command) throws UsageException {
        try {
            return AllocatorName.parse(get("malloc", "pymalloc"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(command + ": --malloc: " + e.getMessage());
        }
    }
}
