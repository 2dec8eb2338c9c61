package org.pymalloc4j.objects;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * objects/README.md's table under "The API" names every public method of each API object and
 * nothing else, so that a method added or dropped shows up there.
 */
class ReadmeApiTableTest {
    private static final Set<String> OBJECT_METHODS = Set.of("toString", "equals", "hashCode");
    private static final Pattern NAME = Pattern.compile("`(\\w+)(?:\\([^`]*\\))?`");

    @Test
    void theApiTableListsEveryPublicMethod() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf("## The API");
        assertTrue(start >= 0, "README.md has no '## The API' section");
        int rows = 0;
        for (String line : lines.subList(start, lines.size())) {
            if (line.startsWith("## ") && !line.equals("## The API")) {
                break;
            }
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split(" \\| ");
            Matcher inFirst = NAME.matcher(cells[0]);
            String className = null;
            while (inFirst.find()) {
                className = inFirst.group(1); // the last one: `space.ints()` → `IntApi`
            }
            Class<?> type = classOf(className);
            Set<String> listed = new TreeSet<>();
            Matcher name = NAME.matcher(cells[1]);
            while (name.find()) {
                listed.add(name.group(1));
            }
            Set<String> declared = Arrays.stream(type.getDeclaredMethods())
                    .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !OBJECT_METHODS.contains(m.getName()))
                    .filter(m -> type != ObjectSpace.class || !isFamilyAccessor(m))
                    .map(Method::getName)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(declared, listed, "the README's row for " + className);
            rows++;
        }
        assertEquals(11, rows, "rows read from the API table");
    }

    /** {@code space.ints()} and the like: the API table's rows, not the ObjectSpace row's names. */
    private static boolean isFamilyAccessor(Method m) {
        return m.getParameterCount() == 0 && m.getReturnType().getPackage() == ObjectSpace.class.getPackage()
                && m.getReturnType().getSimpleName().matches("\\w+Api|Collector");
    }

    private static Class<?> classOf(String simpleName) {
        try {
            return Class.forName("org.pymalloc4j.objects." + simpleName);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("the README's API table names " + simpleName + ", which is no class of the package", e);
        }
    }
}
