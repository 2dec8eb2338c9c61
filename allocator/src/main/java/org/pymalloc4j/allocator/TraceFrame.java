package org.pymalloc4j.allocator;

import java.util.Objects;

/**
 * One frame of a {@link Traceback}: where a traced block was allocated, or a caller of that
 * place. tracemalloc's frame is {@code (filename, lineno)}; a Java frame also names its class
 * and method.
 *
 * <p>Two kinds of frame have conventional values:
 * <ul>
 * <li>{@link #UNKNOWN}, {@code <unknown>:0}, stands for a stack with no frame outside the
 *     allocator, as tracemalloc's empty traceback {@code ("<unknown>", 0)};
 * <li>a <em>class frame</em>, with an empty method name and line 0, is a statistic's key under
 *     {@link GroupBy#CLASS}, as tracemalloc's {@code (filename, 0)} under {@code 'filename'}.
 * </ul>
 *
 * @param className  the fully qualified class name, e.g. {@code org.example.Foo$Inner}
 * @param methodName the method name; empty for a class frame
 * @param fileName   the source file's name, e.g. {@code Foo.java}; {@code <unknown>} if the class
 *                   file does not say
 * @param lineNumber the line number; 0 if unknown
 */
public record TraceFrame(String className, String methodName, String fileName, int lineNumber)
        implements Comparable<TraceFrame> {

    /** The frame of a stack that has no frame outside the allocator: {@code <unknown>:0}. */
    public static final TraceFrame UNKNOWN = new TraceFrame("<unknown>", "<unknown>", "<unknown>", 0);

    /**
     * @throws NullPointerException     if a name is null
     * @throws IllegalArgumentException if {@code lineNumber} is negative
     */
    public TraceFrame {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(methodName, "methodName");
        Objects.requireNonNull(fileName, "fileName");
        if (lineNumber < 0) {
            throw new IllegalArgumentException("line number must not be negative, was " + lineNumber);
        }
    }

    /** The class frame of this frame's class: the same class and file, no method, line 0. */
    public TraceFrame classFrame() {
        return isClassFrame() ? this : new TraceFrame(className, "", fileName, 0);
    }

    /** Whether this is a class frame (an empty method name), a {@link GroupBy#CLASS} key. */
    public boolean isClassFrame() {
        return methodName.isEmpty();
    }

    /**
     * Where this frame is, as tracemalloc's {@code str(Frame)}: {@code Foo.java:12}; a class
     * frame gives its class name, {@code org.example.Foo}.
     */
    public String location() {
        return isClassFrame() ? className : fileName + ":" + lineNumber;
    }

    /** The frame's class and method, {@code org.example.Foo.bar}; the class alone for a class frame. */
    public String qualifiedMethod() {
        if (isClassFrame()) {
            return className;
        }
        return equals(UNKNOWN) ? methodName : className + "." + methodName;
    }

    /**
     * tracemalloc's order of frames, {@code (filename, lineno)}, then the class and method
     * names, so that the order agrees with {@code equals}. Names compare by code point, as
     * Python's {@code str}, not by {@code char}.
     */
    @Override
    public int compareTo(TraceFrame o) {
        int c = byCodePoint(fileName, o.fileName);
        if (c == 0) {
            c = Integer.compare(lineNumber, o.lineNumber);
        }
        if (c == 0) {
            c = byCodePoint(className, o.className);
        }
        return c != 0 ? c : byCodePoint(methodName, o.methodName);
    }

    /**
     * Code point order. {@link String#compareTo} orders UTF-16 units, which differs only where a
     * surrogate (half of a code point beyond the BMP) meets U+E000..U+FFFF: that unit sorts below
     * them, its code point above; so surrogates are moved above that range before comparing.
     */
    private static int byCodePoint(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return Integer.compare(codePointRank(x), codePointRank(y));
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    private static int codePointRank(char c) {
        if (c < Character.MIN_SURROGATE) {
            return c;
        }
        return Character.isSurrogate(c) ? c + 0x2000 : c - 0x800;
    }

    /**
     * The frame as a traceback line without its indentation: {@code File "Foo.java", line 12,
     * in org.example.Foo.bar}; {@code File "Foo.java", in org.example.Foo} for a class frame.
     */
    @Override
    public String toString() {
        if (isClassFrame()) {
            return "File \"" + fileName + "\", in " + className;
        }
        return "File \"" + fileName + "\", line " + lineNumber + ", in " + qualifiedMethod();
    }
}
