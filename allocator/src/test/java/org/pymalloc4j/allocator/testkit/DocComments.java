package org.pymalloc4j.allocator.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Javadoc comments of a module's sources as plain text, for tests of what the docs
 * promise: each comment's lines without their leading {@code *}, joined by single spaces, so
 * that a phrase wrapped across lines is found. Paths are relative to the module, as Maven runs
 * its tests.
 */
public final class DocComments {
    private DocComments() {
    }

    /**
     * The comment of the top-level type {@code simpleName}, declared in {@code sourceDir}
     * (e.g. {@code src/main/java/org/pymalloc4j/allocator}).
     */
    public static String ofType(String sourceDir, String simpleName) throws IOException {
        return before(sourceDir, simpleName, Pattern.compile("(?m)^public (?:(?:final|abstract|sealed) )*(?:class|interface|enum|record) "
                + Pattern.quote(simpleName) + "\\b"));
    }

    /** The comment of the member of {@code simpleName} whose declaration starts with {@code declaration} (after its indent). */
    public static String ofMember(String sourceDir, String simpleName, String declaration) throws IOException {
        return before(sourceDir, simpleName, Pattern.compile("(?m)^\\s+" + Pattern.quote(declaration)));
    }

    private static String before(String sourceDir, String simpleName, Pattern declaration) throws IOException {
        String source = Files.readString(Path.of(sourceDir, simpleName + ".java"));
        Matcher m = declaration.matcher(source);
        if (!m.find()) {
            throw new AssertionError(simpleName + ".java: no declaration matching " + declaration);
        }
        int end = source.lastIndexOf("*/", m.start());
        int start = source.lastIndexOf("/**", end);
        if (start < 0 || !source.substring(end + 2, m.start()).strip().replaceAll("@\\w+(\\([^)]*\\))?", "").isBlank()) {
            throw new AssertionError(simpleName + ".java: no Javadoc comment right before " + declaration);
        }
        return plain(source.substring(start + 3, end));
    }

    /** {@code comment}'s text: its lines without their leading {@code *}, whitespace runs made single spaces. */
    public static String plain(String comment) {
        return comment.replaceAll("(?m)^\\s*\\* ?", "").replaceAll("\\s+", " ").strip();
    }
}
