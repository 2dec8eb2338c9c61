package org.pymalloc4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link in the repository's Markdown files reaches a file that exists, and every
 * {@code #anchor} a heading of that file, as GitHub names headings: the README's speed sections
 * moved to docs/speed.md, and a link left pointing at the old place would fail silently.
 */
class DocLinksTest {
    /** The repository's root: the tests run in the bench module's directory. */
    private static final Path ROOT = Path.of("..");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*)$");

    @TempDir
    Path dir;

    @Test
    void everyRelativeLinkOfTheRepositorysMarkdownResolves() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(ROOT)) {
            files = walk.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
                    .toList();
        }
        assertTrue(files.contains(ROOT.resolve("README.md")), "found the repository's root at " + ROOT.toAbsolutePath());
        assertTrue(files.contains(ROOT.resolve("docs/speed.md")), "docs/speed.md exists");
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path file : files) {
            links += brokenLinks(file, broken);
        }
        assertEquals(List.of(), broken, "broken links among " + links + " in " + files.size() + " files");
        assertTrue(links > 50, "the README alone links more than 50 times; found " + links);
    }

    @Test
    void aMissingFileAMissingAnchorAndALinkInACodeBlockAreToldApart() throws IOException {
        Files.writeString(dir.resolve("b.md"), "# Why it is `fast`, mostly\n## Why it is fast, mostly\n");
        Files.writeString(dir.resolve("a.md"), String.join("\n",
                "[ok](b.md#why-it-is-fast-mostly) [second](b.md#why-it-is-fast-mostly-1) [self](#title)",
                "# Title",
                "[gone](c.md) [no such heading](b.md#why-it-is-slow) [web](https://example.org/x#y)",
                "```",
                "[in code](nowhere.md)",
                "```"));
        List<String> broken = new ArrayList<>();
        int links = brokenLinks(dir.resolve("a.md"), broken);
        assertEquals(5, links);
        assertEquals(2, broken.size(), broken.toString());
        assertTrue(broken.get(0).endsWith("a.md:3: c.md: no such file"), broken.get(0));
        assertTrue(broken.get(1).endsWith("a.md:3: b.md#why-it-is-slow: no such heading"), broken.get(1));
    }

    /** Adds {@code file}'s broken relative links to {@code broken}; returns how many relative links it has. */
    private static int brokenLinks(Path file, List<String> broken) {
        int count = 0;
        int lineNumber = 0;
        boolean inCode = false;
        for (String line : lines(file)) {
            lineNumber++;
            if (line.startsWith("```")) {
                inCode = !inCode;
            }
            if (inCode || line.startsWith("```")) {
                continue;
            }
            Matcher m = LINK.matcher(line);
            while (m.find()) {
                String link = m.group(1);
                if (link.matches("[a-z]+:.*")) {
                    continue; // https:, mailto:
                }
                count++;
                int hash = link.indexOf('#');
                String path = hash < 0 ? link : link.substring(0, hash);
                Path target = path.isEmpty() ? file : base(file).resolve(path).normalize();
                String where = file + ":" + lineNumber + ": " + link;
                if (!Files.exists(target)) {
                    broken.add(where + ": no such file");
                } else if (hash >= 0 && target.toString().endsWith(".md")
                        && !anchors(target).contains(link.substring(hash + 1))) {
                    broken.add(where + ": no such heading");
                }
            }
        }
        return count;
    }

    /**
     * What {@code file}'s links are relative to: its directory, except for a results.md that
     * {@code pymalloc4j bench} wrote under bench/results, whose links are relative to the
     * repository's root because it is written to be pasted into the README.
     */
    private static Path base(Path file) {
        Path dir = file.getParent();
        return file.endsWith("results.md") && dir.getParent() != null && dir.getParent().endsWith(Path.of("bench", "results"))
                ? dir.getParent().getParent().getParent() : dir;
    }

    /** GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
    private static Set<String> anchors(Path file) {
        Set<String> ids = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean inCode = false;
        for (String line : lines(file)) {
            if (line.startsWith("```")) {
                inCode = !inCode;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (!inCode && m.matches()) {
                String id = m.group(1).strip().toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-');
                int n = seen.merge(id, 1, Integer::sum) - 1;
                ids.add(n == 0 ? id : id + "-" + n);
            }
        }
        return ids;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
