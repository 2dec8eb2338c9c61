package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Selects traces for {@link Snapshot#filterTraces}: tracemalloc's {@code Filter} (by class
 * name, optionally line, frames and domain) and {@code DomainFilter}. Immutable.
 *
 * <pre>
 *  snapshot.filterTraces(List.of(
 *          TraceFilter.include("org.example.*"),              // only blocks allocated by org.example
 *          TraceFilter.exclude("org.example.cache.*"),        // ...except its cache
 *          TraceFilter.domain(Domain.RAW, false)));           // and not raw blocks
 * </pre>
 *
 * <p>Class patterns are {@code fnmatch} globs over fully qualified class names: {@code *}
 * matches any run of characters (dots too, so {@code org.example.*} takes subpackages),
 * {@code ?} one character, {@code [seq]} and {@code [!seq]} a character in or not in
 * {@code seq}, where {@code a-z} is a range; a character is a code point, as in Python (a letter
 * beyond the BMP, two Java {@code char}s, is one). Matching is case-sensitive, as {@code fnmatch} on
 * POSIX. Every pattern is accepted, as by {@code fnmatch} since Python 3.9: a {@code [} with no
 * closing {@code ]} is literal, and a reversed range such as {@code [z-a]} is empty (matches no
 * character).
 *
 * <p>A class filter looks at the most recent frame, or at every recorded frame with
 * {@link #allFrames(boolean) allFrames(true)}; an inclusive one matches a trace when a frame it
 * looks at matches, an exclusive one matches (keeps) a trace when none does. A
 * {@linkplain #inDomain domain restriction} narrows an inclusive filter to the domain's traces
 * and an exclusive one to excluding only them.
 */
public final class TraceFilter {
    private final boolean inclusive;
    private final String classPattern; // null for a domain filter
    private final Pattern regex;
    private final int lineNumber; // -1: any line
    private final boolean allFrames;
    private final Domain domain; // null: any domain (class filter only)

    private TraceFilter(boolean inclusive, String classPattern, int lineNumber, boolean allFrames, Domain domain) {
        this.inclusive = inclusive;
        this.classPattern = classPattern;
        this.regex = classPattern == null ? null : Pattern.compile(translate(classPattern), Pattern.DOTALL);
        this.lineNumber = lineNumber;
        this.allFrames = allFrames;
        this.domain = domain;
    }

    /**
     * Keeps traces whose most recent frame's class matches {@code classPattern}
     * ({@code Filter(True, pattern)}).
     *
     * @throws NullPointerException if {@code classPattern} is null
     */
    public static TraceFilter include(String classPattern) {
        return new TraceFilter(true, Objects.requireNonNull(classPattern, "classPattern"), -1, false, null);
    }

    /**
     * Keeps traces whose most recent frame matches {@code classPattern} at line {@code lineNumber}.
     *
     * @throws NullPointerException     if {@code classPattern} is null
     * @throws IllegalArgumentException if {@code lineNumber} is negative
     */
    public static TraceFilter include(String classPattern, int lineNumber) {
        return new TraceFilter(true, Objects.requireNonNull(classPattern, "classPattern"), line(lineNumber), false,
                null);
    }

    /**
     * Drops traces whose most recent frame's class matches {@code classPattern}
     * ({@code Filter(False, pattern)}).
     *
     * @throws NullPointerException if {@code classPattern} is null
     */
    public static TraceFilter exclude(String classPattern) {
        return new TraceFilter(false, Objects.requireNonNull(classPattern, "classPattern"), -1, false, null);
    }

    /**
     * Drops traces whose most recent frame matches {@code classPattern} at line {@code lineNumber}.
     *
     * @throws NullPointerException     if {@code classPattern} is null
     * @throws IllegalArgumentException if {@code lineNumber} is negative
     */
    public static TraceFilter exclude(String classPattern, int lineNumber) {
        return new TraceFilter(false, Objects.requireNonNull(classPattern, "classPattern"), line(lineNumber), false,
                null);
    }

    /**
     * Keeps ({@code inclusive}) or drops the traces of one domain: tracemalloc's {@code DomainFilter}.
     *
     * @throws NullPointerException if {@code domain} is null
     */
    public static TraceFilter domain(Domain domain, boolean inclusive) {
        return new TraceFilter(inclusive, null, -1, false, Objects.requireNonNull(domain, "domain"));
    }

    private static int line(int lineNumber) {
        if (lineNumber < 0) {
            throw new IllegalArgumentException("line number must not be negative, was " + lineNumber);
        }
        return lineNumber;
    }

    /**
     * This class filter looking at every recorded frame ({@code all_frames=True}) or only at the
     * most recent one.
     *
     * @throws IllegalStateException if this is a domain filter, which looks at no frame
     */
    public TraceFilter allFrames(boolean all) {
        requireClassFilter("allFrames");
        return new TraceFilter(inclusive, classPattern, lineNumber, all, domain);
    }

    /**
     * This class filter restricted to one domain ({@code Filter(..., domain=d)}).
     *
     * @throws NullPointerException  if {@code domain} is null
     * @throws IllegalStateException if this is a domain filter; use {@link #domain(Domain, boolean)}
     */
    public TraceFilter inDomain(Domain domain) {
        Objects.requireNonNull(domain, "domain");
        requireClassFilter("inDomain");
        return new TraceFilter(inclusive, classPattern, lineNumber, allFrames, domain);
    }

    private void requireClassFilter(String what) {
        if (classPattern == null) {
            throw new IllegalStateException(what + " applies to class filters, not to the domain filter " + this);
        }
    }

    /** Whether the filter keeps what it matches (true) or drops it (false). */
    public boolean isInclusive() {
        return inclusive;
    }

    /** The class pattern; empty for a domain filter. */
    public Optional<String> classPattern() {
        return Optional.ofNullable(classPattern);
    }

    /** The line the frame must be at; empty for any line. */
    public OptionalInt lineNumber() {
        return lineNumber < 0 ? OptionalInt.empty() : OptionalInt.of(lineNumber);
    }

    /** Whether the filter looks at every recorded frame rather than the most recent one. */
    public boolean isAllFrames() {
        return allFrames;
    }

    /** The domain of a domain filter or of a class filter's restriction; empty for any domain. */
    public Optional<Domain> domain() {
        return Optional.ofNullable(domain);
    }

    /**
     * tracemalloc's {@code _match}: for an inclusive filter, whether it selects the trace; for an
     * exclusive one, whether it lets the trace through.
     */
    boolean passes(Trace trace) {
        if (classPattern == null) {
            return (trace.domain() == domain) == inclusive;
        }
        boolean result;
        if (allFrames) {
            boolean any = false;
            for (TraceFrame f : trace.traceback().frames()) {
                if (matchesFrame(f)) {
                    any = true;
                    break;
                }
            }
            result = any == inclusive;
        } else {
            result = matchesFrame(trace.traceback().mostRecent()) == inclusive;
        }
        if (domain != null) {
            return inclusive ? result && trace.domain() == domain : result || trace.domain() != domain;
        }
        return result;
    }

    private boolean matchesFrame(TraceFrame f) {
        return regex.matcher(f.className()).matches() && (lineNumber < 0 || f.lineNumber() == lineNumber);
    }

    /**
     * Python's {@code fnmatch.translate} (3.9 and later), for {@code *}, {@code ?}, {@code [seq]}
     * and {@code [!seq]}: never an invalid regex, whatever the glob.
     */
    static String translate(String glob) {
        StringBuilder re = new StringBuilder();
        int n = glob.length();
        for (int i = 0; i < n; i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i == 0 || glob.charAt(i - 1) != '*') { // a run of stars is one, as fnmatch makes it
                    re.append(".*");
                }
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i + 1;
                if (j < n && glob.charAt(j) == '!') {
                    j++;
                }
                if (j < n && glob.charAt(j) == ']') {
                    j++;
                }
                while (j < n && glob.charAt(j) != ']') {
                    j++;
                }
                if (j >= n) {
                    re.append("\\[");
                } else {
                    re.append(bracket(glob, i + 1, j));
                    i = j;
                }
            } else { // a whole code point: the halves of a surrogate pair quoted apart match nothing
                int cp = glob.codePointAt(i);
                re.append(Pattern.quote(Character.toString(cp)));
                i += Character.charCount(cp) - 1;
            }
        }
        return re.toString();
    }

    /**
     * The regex for the bracket expression {@code glob[start, end)}, without its brackets, as
     * fnmatch splits it: a hyphen between two characters makes a range (not one right after
     * the {@code [} or {@code !}, nor right after a range), any other hyphen is literal, and a
     * reversed range is dropped with its ends, so {@code [z-a]} matches nothing and
     * {@code [!z-a]} any character.
     */
    private static String bracket(String glob, int start, int end) {
        List<String> chunks = new ArrayList<>(); // the text between range hyphens
        int from = start;
        int k = glob.indexOf('-', glob.charAt(start) == '!' ? start + 2 : start + 1);
        while (k >= 0 && k < end) {
            chunks.add(glob.substring(from, k));
            from = k + 1;
            k = glob.indexOf('-', afterCodePoints(glob, from, 2, end)); // fnmatch's k + 3: past the range's end
        }
        if (from < end) {
            chunks.add(glob.substring(from, end));
        } else { // a hyphen just before the ']' is literal
            chunks.set(chunks.size() - 1, chunks.getLast() + "-");
        }
        for (int m = chunks.size() - 1; m > 0; m--) {
            String lo = chunks.get(m - 1);
            String hi = chunks.get(m);
            int last = lo.codePointBefore(lo.length()); // code points, as Python's str, not chars
            int first = hi.codePointAt(0);
            if (last > first) { // reversed: Pattern would refuse it
                chunks.set(m - 1, lo.substring(0, lo.length() - Character.charCount(last))
                        + hi.substring(Character.charCount(first)));
                chunks.remove(m);
            }
        }
        boolean negate = chunks.getFirst().startsWith("!");
        if (negate) {
            chunks.set(0, chunks.getFirst().substring(1));
        }
        StringJoiner set = new StringJoiner("-");
        for (String chunk : chunks) {
            StringBuilder escaped = new StringBuilder();
            chunk.codePoints().forEach(b -> {
                // every character that could mean something in a Java class ([, &&, ^, \, -) is escaped;
                // none is beyond the BMP, where a backslash would split a surrogate pair from its code point
                if (!Character.isLetterOrDigit(b) && Character.isBmpCodePoint(b)) {
                    escaped.append('\\');
                }
                escaped.appendCodePoint(b);
            });
            set.add(escaped);
        }
        String body = set.toString();
        if (body.isEmpty()) {
            return negate ? "." : "(?!)"; // the empty set, or its complement
        }
        return (negate ? "[^" : "[") + body + "]";
    }

    /** The index {@code n} code points after {@code from}, or {@code end} if that comes first. */
    private static int afterCodePoints(String s, int from, int n, int end) {
        int i = from;
        for (int step = 0; step < n && i < end; step++) {
            i += Character.charCount(s.codePointAt(i));
        }
        return Math.min(i, end);
    }

    /** As tracemalloc's constructor call, e.g. {@code Filter(True, 'org.example.*', lineno=12)}. */
    @Override
    public String toString() {
        String flag = inclusive ? "True" : "False";
        if (classPattern == null) {
            return "DomainFilter(" + flag + ", " + domain + ")";
        }
        return "Filter(" + flag + ", '" + classPattern + "'" + (lineNumber >= 0 ? ", lineno=" + lineNumber : "")
                + (allFrames ? ", all_frames=True" : "") + (domain != null ? ", domain=" + domain : "") + ")";
    }
}
