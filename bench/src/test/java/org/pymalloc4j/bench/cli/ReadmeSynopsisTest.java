package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The synopsis under "The command-line tool" in README.md (a command's lines, with their indented
 * continuations) names every option of each command's usage lines (its {@code --help}), so that
 * a reader of the README does not miss one the text goes on to use.
 */
class ReadmeSynopsisTest {
    private static final Pattern OPTION = Pattern.compile("--[a-z][a-z-]*");

    @Test
    void theReadmesSynopsisNamesEveryOptionOfEachCommandsUsage() throws IOException {
        List<String> readme = Files.readAllLines(Path.of("../README.md"));
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> command : Main.HELP_OF.entrySet()) {
            String usage = command.getValue().substring(0, command.getValue().indexOf("\n\n"));
            StringBuilder synopsis = new StringBuilder();
            boolean in = false;
            for (String line : readme) {
                in = line.startsWith("$ ./pymalloc4j " + command.getKey() + " ") || in && line.startsWith("  ");
                if (in) {
                    synopsis.append(line).append('\n');
                }
            }
            assertFalse(synopsis.isEmpty(), "README.md has no synopsis line for " + command.getKey());
            TreeSet<String> absent = new TreeSet<>();
            Matcher m = OPTION.matcher(usage);
            while (m.find()) {
                if (!Pattern.compile(Pattern.quote(m.group()) + "(?![a-z-])").matcher(synopsis).find()) {
                    absent.add(m.group());
                }
            }
            if (!absent.isEmpty()) {
                missing.add(command.getKey() + " " + absent);
            }
        }
        missing.sort(null);
        assertEquals(List.of(), missing, "options of the usage lines that README.md's synopsis leaves out");
    }
}
