package org.pymalloc4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Maven command in the repository's Markdown runs as written from a fresh clone: the
 * modules are never installed, so a command that selects {@code objects} or {@code bench} with
 * {@code -pl} must build {@code allocator} too ({@code -am}, or by naming it), and a
 * {@code -Dtest} filter over several modules must let the modules without a matching test pass.
 */
class DocCommandsTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern MVN = Pattern.compile("\\bmvn [^`\\n]*");
    private static final Pattern SELECTED = Pattern.compile("(?:-pl|--projects)[ =](\\S+)");

    @Test
    void everyMavenCommandOfTheMarkdownBuildsWhatItNeeds() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(ROOT)) {
            files = walk.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
                    .toList();
        }
        List<String> wrong = new ArrayList<>();
        int commands = 0;
        for (Path file : files) {
            Matcher m = MVN.matcher(Files.readString(file));
            while (m.find()) {
                commands++;
                String problem = problem(m.group());
                if (problem != null) {
                    wrong.add(ROOT.relativize(file) + ": " + m.group() + ": " + problem);
                }
            }
        }
        assertTrue(commands >= 3, "the README shows at least 3 Maven commands; found " + commands);
        assertEquals(List.of(), wrong);
    }

    @Test
    void theRuleTellsTheCommandsApart() {
        assertEquals(null, problem("mvn -B verify"));
        assertEquals(null, problem("mvn -pl allocator,objects package"));
        assertEquals(null, problem("mvn -o -q test -pl objects -am -Dtest=X -Dsurefire.failIfNoSpecifiedTests=false"));
        assertTrue(problem("mvn -B -o -pl bench test -Dtest='*FootprintTest'").contains("-am"));
        assertTrue(problem("mvn -B -pl bench -am test -Dtest='*FootprintTest'").contains("failIfNoSpecifiedTests"));
    }

    /** What keeps the command from running from a fresh clone, or null. */
    private static String problem(String command) {
        Matcher pl = SELECTED.matcher(command);
        if (!pl.find()) {
            return null;
        }
        List<String> modules = List.of(pl.group(1).split(","));
        boolean alsoMake = command.matches(".*(?:\\s-am\\b|--also-make\\b).*");
        if (!modules.contains("allocator") && !alsoMake) {
            return "selects " + modules + " without -am, but allocator (and objects) are not installed";
        }
        boolean several = alsoMake || modules.size() > 1;
        if (several && command.contains("-Dtest=") && !command.contains("-Dsurefire.failIfNoSpecifiedTests=false")) {
            return "-Dtest over several modules needs -Dsurefire.failIfNoSpecifiedTests=false";
        }
        return null;
    }
}
