package org.pymalloc4j.objects;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The programs a python3.11 recorder in {@code objects/scripts/} wrote into a test resource: each
 * is a line {@code program NAME}, the lines of its first part, a line naming the second part
 * ({@code expect}, {@code steps}), that part's lines, and {@code end}. Lines starting with
 * {@code #} are comments; the others are stripped.
 */
final class RecordedPrograms {
    /** One program: its {@code program ...} line and its two parts. */
    record Program(String name, List<String> first, List<String> second) {
        @Override
        public String toString() {
            return name;
        }
    }

    private RecordedPrograms() {
    }

    /** The programs of {@code resource}, whose second parts start with a line {@code divider}. */
    static List<Program> read(String resource, String divider) throws IOException {
        List<Program> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                RecordedPrograms.class.getResourceAsStream(resource), resource), StandardCharsets.UTF_8))) {
            String name = null;
            List<String> first = null;
            List<String> second = null;
            List<String> into = null;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("program ")) {
                    name = line;
                    first = new ArrayList<>();
                    second = new ArrayList<>();
                    into = first;
                } else if (line.equals(divider)) {
                    into = second;
                } else if (line.equals("end")) {
                    out.add(new Program(name, first, second));
                } else {
                    into.add(line.strip());
                }
            }
        }
        return out;
    }
}
