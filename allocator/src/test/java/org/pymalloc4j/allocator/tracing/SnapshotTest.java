package org.pymalloc4j.allocator.tracing;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.Domain;
import org.pymalloc4j.allocator.GroupBy;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.Snapshot;
import org.pymalloc4j.allocator.Statistic;
import org.pymalloc4j.allocator.StatisticDiff;
import org.pymalloc4j.allocator.Trace;
import org.pymalloc4j.allocator.TraceFilter;
import org.pymalloc4j.allocator.TraceFrame;
import org.pymalloc4j.allocator.Traceback;
import org.pymalloc4j.allocator.Tracer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.tracing.TracingSupport.here;

/**
 * Statistics, comparisons, filters and reports of snapshots, on hand-made traces whose groups
 * are known, and once on a live tracer.
 */
class SnapshotTest {
    static final TraceFrame A = new TraceFrame("org.example.Foo", "bar", "Foo.java", 12);
    static final TraceFrame B = new TraceFrame("org.example.Foo", "baz", "Foo.java", 20);
    static final TraceFrame C = new TraceFrame("org.example.cache.Cache", "put", "Cache.java", 7);
    static final TraceFrame M = new TraceFrame("org.example.Main", "main", "Main.java", 5);
    static final TraceFrame GONE = new TraceFrame("org.example.Gone", "x", "Gone.java", 1);

    static Traceback tb(int total, TraceFrame... frames) {
        return new Traceback(List.of(frames), total);
    }

    static final Traceback T1 = tb(2, A, M);
    static final Traceback T2 = tb(2, B, M);
    static final Traceback T3 = tb(3, C, A, M);
    static final Traceback T4 = tb(5, A, M); // the frames of T1 from a deeper stack

    /** OBJ 100 + 200 + 30 at A, MEM 50 at B, RAW 1000 at C (called from A). */
    static Snapshot snapshot() {
        return new Snapshot(List.of(
                new Trace(Domain.OBJ, 100, T1),
                new Trace(Domain.OBJ, 200, T1),
                new Trace(Domain.MEM, 50, T2),
                new Trace(Domain.RAW, 1000, T3),
                new Trace(Domain.OBJ, 30, T4)), 5);
    }

    static List<String> strings(List<?> items) {
        return items.stream().map(Object::toString).toList();
    }

    @Test
    void statisticsByLine() {
        List<Statistic> stats = snapshot().statistics(GroupBy.LINE);
        assertEquals(List.of(
                new Statistic(tb(1, C), 1000, 1),
                new Statistic(tb(1, A), 330, 3),
                new Statistic(tb(1, B), 50, 1)), stats);
        assertEquals(List.of(
                "Cache.java:7: size=1000 B, count=1, average=1000 B",
                "Foo.java:12: size=330 B, count=3, average=110 B",
                "Foo.java:20: size=50 B, count=1, average=50 B"), strings(stats));
    }

    @Test
    void statisticsByClassPrintTheClassName() {
        List<Statistic> stats = snapshot().statistics(GroupBy.CLASS);
        assertEquals(List.of(
                new Statistic(tb(1, C.classFrame()), 1000, 1),
                new Statistic(tb(1, A.classFrame()), 380, 4)), stats);
        assertEquals(List.of(
                "org.example.cache.Cache: size=1000 B, count=1, average=1000 B",
                "org.example.Foo: size=380 B, count=4, average=95 B"), strings(stats));
    }

    @Test
    void statisticsByTracebackMergeEqualFramesAndPrintTheOldestFrameAsCPython() {
        List<Statistic> stats = snapshot().statistics(GroupBy.TRACEBACK);
        assertEquals(List.of(
                new Statistic(tb(3, C, A, M), 1000, 1),
                new Statistic(tb(2, A, M), 330, 3),
                new Statistic(tb(2, B, M), 50, 1)), stats, "T1 and T4 differ only in total frames: one group");
        assertEquals("Main.java:5: size=330 B, count=3, average=110 B", stats.get(1).toString(),
                "str(Traceback) is its oldest frame's");
    }

    @Test
    void cumulativeStatisticsCountEveryFrame() {
        assertEquals(List.of(
                new Statistic(tb(1, M), 1380, 5),
                new Statistic(tb(1, A), 1330, 4),
                new Statistic(tb(1, C), 1000, 1),
                new Statistic(tb(1, B), 50, 1)), snapshot().statistics(GroupBy.LINE, true));
        assertEquals(List.of(
                new Statistic(tb(1, M.classFrame()), 1380, 5), // ties with Foo: the key breaks it, descending
                new Statistic(tb(1, A.classFrame()), 1380, 5),
                new Statistic(tb(1, C.classFrame()), 1000, 1)), snapshot().statistics(GroupBy.CLASS, true));
        Snapshot recursive = new Snapshot(List.of(new Trace(Domain.MEM, 10, tb(3, A, A, M))), 3);
        assertEquals(List.of(new Statistic(tb(1, A), 20, 2), new Statistic(tb(1, M), 10, 1)),
                recursive.statistics(GroupBy.LINE, true), "a frame met twice counts twice, as in tracemalloc");
    }

    @Test
    void tiesAreBrokenByTheKeyDescendingAsCPython() {
        TraceFrame low = new TraceFrame("org.example.Foo", "a", "Foo.java", 3);
        TraceFrame high = new TraceFrame("org.example.Foo", "b", "Foo.java", 9);
        Snapshot s = new Snapshot(List.of(new Trace(Domain.OBJ, 10, tb(1, low)), new Trace(Domain.OBJ, 10, tb(1, high)),
                new Trace(Domain.OBJ, 5, tb(1, GONE)), new Trace(Domain.OBJ, 5, tb(1, GONE))), 1);
        assertEquals(List.of("Gone.java:1: size=10 B, count=2, average=5 B",
                "Foo.java:9: size=10 B, count=1, average=10 B",
                "Foo.java:3: size=10 B, count=1, average=10 B"), strings(s.statistics(GroupBy.LINE)),
                "(size, count) descending, then the traceback descending");
    }

    /**
     * Python compares file names by code point; String.compareTo by UTF-16 unit, where a letter
     * beyond the BMP (a surrogate pair, 0xD835 here) sorts below U+FF41. python3.11:
     * Snapshot([(0, 16, (('\uff41.java', 1),), 1), (0, 16, (('\U0001d49c.java', 1),), 1)], 1)
     * .statistics('lineno') lists 𝒜.java:1 first, then ａ.java:1 (and so does 'traceback').
     */
    @Test
    void tiesAreBrokenByCodePointsAsPythonComparesStrings() {
        TraceFrame fullwidth = new TraceFrame("org.example.A", "a", "\uFF41.java", 1);
        TraceFrame script = new TraceFrame("org.example.A", "a", "\uD835\uDC9C.java", 1);
        Snapshot s = new Snapshot(List.of(new Trace(Domain.OBJ, 16, tb(1, fullwidth)), new Trace(Domain.OBJ, 16, tb(1, script))), 1);
        List<String> expected = List.of("\uD835\uDC9C.java:1: size=16 B, count=1, average=16 B", "\uFF41.java:1: size=16 B, count=1, average=16 B");
        assertEquals(expected, strings(s.statistics(GroupBy.LINE)));
        assertEquals(expected, strings(s.statistics(GroupBy.TRACEBACK)));
        assertTrue(script.compareTo(fullwidth) > 0 && fullwidth.compareTo(script) < 0, "U+1D49C after U+FF41");
    }

    @Test
    void compareToReportsNewGrownAndVanishedGroups() {
        Snapshot older = new Snapshot(List.of(
                new Trace(Domain.OBJ, 100, T1),
                new Trace(Domain.MEM, 50, T2),
                new Trace(Domain.RAW, 400, tb(1, GONE))), 5);
        List<StatisticDiff> diffs = snapshot().compareTo(older, GroupBy.LINE);
        assertEquals(List.of(
                new StatisticDiff(tb(1, C), 1000, 1000, 1, 1),
                new StatisticDiff(tb(1, GONE), 0, -400, 0, -1),
                new StatisticDiff(tb(1, A), 330, 230, 3, 2),
                new StatisticDiff(tb(1, B), 50, 0, 1, 0)), diffs);
        assertEquals(List.of(
                "Cache.java:7: size=1000 B (+1000 B), count=1 (+1), average=1000 B",
                "Gone.java:1: size=0 B (-400 B), count=0 (-1)",
                "Foo.java:12: size=330 B (+230 B), count=3 (+2), average=110 B",
                "Foo.java:20: size=50 B (+0 B), count=1 (+0), average=50 B"), strings(diffs));
        List<StatisticDiff> cumulative = snapshot().compareTo(older, GroupBy.CLASS, true);
        assertEquals(new StatisticDiff(tb(1, M.classFrame()), 1380, 1380 - 150, 5, 3), cumulative.getFirst());
    }

    @Test
    void compareToOrdersBySizeDiffThenSizeThenCountDiffThenCount() {
        TraceFrame e = new TraceFrame("x.E", "e", "E.java", 1);
        TraceFrame f = new TraceFrame("x.F", "f", "F.java", 1);
        TraceFrame g = new TraceFrame("x.G", "g", "G.java", 1);
        TraceFrame h = new TraceFrame("x.H", "h", "H.java", 1);
        Snapshot older = new Snapshot(List.of(new Trace(Domain.OBJ, 100, tb(1, e)),
                new Trace(Domain.OBJ, 7, tb(1, g)), new Trace(Domain.OBJ, 7, tb(1, h))), 1);
        Snapshot newer = new Snapshot(List.of(new Trace(Domain.OBJ, 100, tb(1, f)),
                new Trace(Domain.OBJ, 3, tb(1, g)), new Trace(Domain.OBJ, 4, tb(1, g)),
                new Trace(Domain.OBJ, 7, tb(1, h))), 1);
        assertEquals(List.of("F.java:1", "E.java:1", "G.java:1", "H.java:1"),
                newer.compareTo(older, GroupBy.LINE).stream().map(d -> d.traceback().toString()).toList(),
                "F and E tie on |sizeDiff| 100: F has the size; G and H tie on 0 and 7: G has |countDiff| 1");
    }

    @Test
    void filtersFollowTracemallocRules() {
        Snapshot s = snapshot();
        assertEquals(5, count(s, TraceFilter.include("org.example.*")));
        assertEquals(4, count(s, TraceFilter.include("org.example.Foo")));
        assertEquals(4, count(s, TraceFilter.exclude("org.example.cache.*")));
        assertEquals(3, count(s, TraceFilter.include("org.example.Foo", 12)));
        assertEquals(4, count(s, TraceFilter.exclude("org.example.Foo", 20)));
        assertEquals(0, count(s, TraceFilter.include("*.Main")), "the most recent frame only");
        assertEquals(5, count(s, TraceFilter.include("*.Main").allFrames(true)));
        assertEquals(0, count(s, TraceFilter.exclude("*.Main").allFrames(true)));
        assertEquals(1, count(s, TraceFilter.exclude("*.Foo", 12).allFrames(true)), "drops T1 (twice), T3 and T4");
        assertEquals(3, count(s, TraceFilter.include("org.example.Foo").inDomain(Domain.OBJ)));
        assertEquals(2, count(s, TraceFilter.exclude("org.example.Foo").inDomain(Domain.OBJ)),
                "only the OBJ traces of Foo are dropped");
        assertEquals(1, count(s, TraceFilter.domain(Domain.RAW, true)));
        assertEquals(4, count(s, TraceFilter.domain(Domain.RAW, false)));
        assertEquals(5, count(s, TraceFilter.include("org.example.Foo"), TraceFilter.include("*Cache")),
                "a trace needs to match one inclusive filter");
        assertEquals(2, count(s, TraceFilter.include("org.example.Foo"), TraceFilter.include("*Cache"),
                TraceFilter.exclude("org.example.Foo", 12)), "and no exclusive one");
        Snapshot copy = s.filterTraces(List.of());
        assertEquals(s.traces(), copy.traces());
        assertEquals(5, copy.tracebackLimit());
    }

    private static int count(Snapshot s, TraceFilter... filters) {
        return s.filterTraces(List.of(filters)).traces().size();
    }

    @Test
    void classPatternsAreFnmatchGlobs() {
        TraceFrame dotted = new TraceFrame("orgXexample.Foo", "m", "Foo.java", 1);
        TraceFrame inner = new TraceFrame("org.example.Foo$Inner", "m", "Foo.java", 2);
        Snapshot s = new Snapshot(List.of(new Trace(Domain.OBJ, 1, tb(1, A)), new Trace(Domain.OBJ, 1, tb(1, C)),
                new Trace(Domain.OBJ, 1, tb(1, M)), new Trace(Domain.OBJ, 1, tb(1, dotted)),
                new Trace(Domain.OBJ, 1, tb(1, inner))), 1);
        assertEquals(1, count(s, TraceFilter.include("org.example.Foo")), "'.' is literal, not any character");
        assertEquals(2, count(s, TraceFilter.include("org?example.Foo")));
        assertEquals(1, count(s, TraceFilter.include("org.example.Fo?")));
        assertEquals(3, count(s, TraceFilter.include("org.example.[FM]*")), "Foo, Main and Foo$Inner");
        assertEquals(1, count(s, TraceFilter.include("org.example.[!FM]*")), "cache.Cache");
        assertEquals(1, count(s, TraceFilter.include("org.example.[a-c]*")));
        assertEquals(1, count(s, TraceFilter.include("org.example.Foo$Inner")), "'$' is literal");
        assertEquals(0, count(s, TraceFilter.include("org.example.[Foo")), "an unclosed '[' is literal");
        assertEquals(0, count(s, TraceFilter.include("ORG.EXAMPLE.*")), "case-sensitive");
        assertEquals("Filter(False, 'a.*', lineno=3, all_frames=True, domain=RAW)",
                TraceFilter.exclude("a.*", 3).allFrames(true).inDomain(Domain.RAW).toString());
        assertEquals("DomainFilter(True, MEM)", TraceFilter.domain(Domain.MEM, true).toString());
    }

    /**
     * Bracket expressions as Python 3.9+'s fnmatch reads them, every pattern accepted: a reversed
     * range is empty (include "org.[z-a]*" matches nothing where java.util.regex would refuse the
     * range), a hyphen first, last or right after a range is literal, and the characters Java's
     * classes give a meaning ("&&", "^", "[") are literal. Expectations from CPython 3.11's
     * fnmatch.fnmatchcase.
     */
    @Test
    void bracketExpressionsMatchAsFnmatchEvenReversedRanges() {
        Snapshot s = new Snapshot(List.of(new Trace(Domain.OBJ, 1, tb(1, A)), new Trace(Domain.OBJ, 1, tb(1, C))), 1);
        assertEquals(0, count(s, TraceFilter.include("org.[z-a]*")), "an empty range matches nothing");
        assertEquals(2, count(s, TraceFilter.exclude("org.[z-a]*")));
        Object[][] cases = {
            {"[!z-a]", "q", true}, {"[!z-a]", "-", true},
            {"[a-z-0]", "-", true}, {"[a-z-0]", "0", true}, {"[a-z-0]", "5", false},
            {"[b-a-c]", "-", true}, {"[b-a-c]", "c", true}, {"[b-a-c]", "a", false}, {"[b-a-c]", "b", false},
            {"[z-a-]", "-", true}, {"[z-a-]", "z", false},
            {"[]a]", "]", true}, {"[!]a]", "b", true}, {"[!]a]", "]", false}, {"[-]", "-", true}, {"[a-]", "-", true},
            {"[&&a]", "&", true}, {"[^a]", "^", true}, {"[^a]", "b", false}, {"[[]", "[", true},
            {"[\\-z]", "a", true}, {"[.-0]", "/", true}, {"a**b", "axxb", true}, {"[$]Inner", "$Inner", true},
        };
        for (Object[] c : cases) {
            TraceFrame frame = new TraceFrame((String) c[1], "m", "X.java", 1);
            Snapshot one = new Snapshot(List.of(new Trace(Domain.OBJ, 1, tb(1, frame))), 1);
            assertEquals((boolean) c[2] ? 1 : 0, count(one, TraceFilter.include((String) c[0])), c[0] + " vs " + c[1]);
        }
        // "Every pattern is accepted": each of up to four characters from those that mean something.
        String alphabet = "[]!-^&\\*?za.";
        List<String> globs = new ArrayList<>(List.of(""));
        for (int length = 1; length <= 4; length++) {
            List<String> longer = new ArrayList<>();
            for (String g : globs) {
                for (char c : alphabet.toCharArray()) {
                    longer.add(g + c);
                }
            }
            for (String glob : longer) {
                assertDoesNotThrow(() -> count(s, TraceFilter.include(glob)), glob);
            }
            globs = longer;
        }
    }

    /**
     * A letter beyond the BMP (two chars in Java, a legal class-name letter) is one character to
     * fnmatch, literal, in a bracket and as a range's end. From CPython 3.11:
     * <pre>
     * >>> import fnmatch; a, b, c = "\U0001d4b6", "\U0001d4b7", "\U0001d4b8"
     * >>> [fnmatch.fnmatchcase(n, p) for p, n in [("pkg."+a, "pkg."+a), ("pkg.?", "pkg."+a),
     * ...  ("pkg.??", "pkg."+a), ("pkg.["+a+"-"+c+"]", "pkg."+b), ("pkg.[!"+a+"-"+c+"]", "pkg."+b),
     * ...  ("pkg.["+c+"-"+a+"]", "pkg."+b), ("pkg.[!"+c+"-"+a+"]", "pkg."+b), ("pkg.["+a+"x]", "pkg."+a),
     * ...  ("pkg.[x"+a+"]", "pkg."+a), ("*"+b, "pkg."+a+b), ("[x-"+a+"-z]", "-"), ("[x-"+a+"-z]", "y"),
     * ...  ("[z-"+a+"-b]", "b")]]
     * [True, True, False, True, False, False, True, True, True, True, True, True, True]
     * </pre>
     * In the last three the second hyphen, right after a range ending in {@code a}, is literal:
     * fnmatch steps over the range's end, one code point, before it looks for the next range.
     */
    @Test
    void lettersBeyondTheBmpAreOneCharacterAsInFnmatch() {
        String a = Character.toString(0x1D4B6);
        String b = Character.toString(0x1D4B7);
        String c = Character.toString(0x1D4B8);
        Object[][] cases = {
            {"pkg." + a, "pkg." + a, true}, {"pkg.?", "pkg." + a, true}, {"pkg.??", "pkg." + a, false},
            {"pkg.[" + a + "-" + c + "]", "pkg." + b, true}, {"pkg.[!" + a + "-" + c + "]", "pkg." + b, false},
            {"pkg.[" + c + "-" + a + "]", "pkg." + b, false}, {"pkg.[!" + c + "-" + a + "]", "pkg." + b, true},
            {"pkg.[" + a + "x]", "pkg." + a, true}, {"pkg.[x" + a + "]", "pkg." + a, true},
            {"*" + b, "pkg." + a + b, true}, {"[x-" + a + "-z]", "-", true}, {"[x-" + a + "-z]", "y", true},
            {"[z-" + a + "-b]", "b", true},
        };
        List<String> wrong = new ArrayList<>();
        for (Object[] k : cases) {
            TraceFrame frame = new TraceFrame((String) k[1], "m", "X.java", 1);
            Snapshot one = new Snapshot(List.of(new Trace(Domain.OBJ, 1, tb(1, frame))), 1);
            if (count(one, TraceFilter.include((String) k[0])) != ((boolean) k[2] ? 1 : 0)) {
                wrong.add(k[0] + " vs " + k[1]);
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void statisticStringsFollowFormatSize() {
        // Expected strings printed by CPython 3.11's tracemalloc for the same numbers.
        Traceback foo = tb(1, new TraceFrame("Foo", "m", "Foo.java", 4));
        long[][] cases = {
            {142212, 1001}, {141312, 1001}, {0, 0}, {2304, 1}, {10239, 1}, {10240, 3}, {102400, 7},
            {1023L << 20, 2}, {5L << 40, 1}, {5L << 50, 1}, {99 * 1024 + 512, 2}, {1025, 2}, {3, 2},
        };
        String[] expected = {
            "size=139 KiB, count=1001, average=142 B",
            "size=138 KiB, count=1001, average=141 B",
            "size=0 B, count=0",
            "size=2304 B, count=1, average=2304 B",
            "size=10239 B, count=1, average=10239 B",
            "size=10.0 KiB, count=3, average=3413 B",
            "size=100 KiB, count=7, average=14.3 KiB",
            "size=1023 MiB, count=2, average=512 MiB",
            "size=5120 GiB, count=1, average=5120 GiB",
            "size=5120 TiB, count=1, average=5120 TiB",
            "size=99.5 KiB, count=2, average=49.8 KiB",
            "size=1025 B, count=2, average=512 B",
            "size=3 B, count=2, average=2 B",
        };
        for (int i = 0; i < cases.length; i++) {
            assertEquals("Foo.java:4: " + expected[i], new Statistic(foo, cases[i][0], cases[i][1]).toString());
        }
        assertEquals("Foo.java:4: size=138 KiB (+138 KiB), count=1001 (+1001), average=141 B",
                new StatisticDiff(foo, 141312, 141312, 1001, 1001).toString());
        assertEquals("Foo.java:4: size=0 B (-2304 B), count=0 (-3)", new StatisticDiff(foo, 0, -2304, 0, -3).toString());
        assertEquals("Foo.java:4: size=10.0 KiB (-10.0 KiB), count=1 (-1), average=10.0 KiB",
                new StatisticDiff(foo, 10240, -10240, 1, -1).toString());
        assertEquals("Foo.java:4: size=100 KiB (-50.0 KiB), count=7 (-3), average=14.3 KiB",
                new StatisticDiff(foo, 102400, -51200, 7, -3).toString());
        assertEquals("Main.java:5: 1000 B", new Trace(Domain.RAW, 1000, T3).toString());
    }

    @Test
    void tracebackFormatSlicesAsCPython() {
        String c = "  File \"Cache.java\", line 7, in org.example.cache.Cache.put";
        String a = "  File \"Foo.java\", line 12, in org.example.Foo.bar";
        String m = "  File \"Main.java\", line 5, in org.example.Main.main";
        assertEquals(List.of(m, a, c), T3.format());
        assertEquals(List.of(c), T3.format(1, false), "the most recent frame");
        assertEquals(List.of(a, c), T3.format(2, false));
        assertEquals(List.of(c, a), T3.format(2, true));
        // CPython 3.11, tracemalloc.Traceback((('Cache.java', 7), ('Foo.java', 12), ('Main.java', 5)))
        // .format(limit, most_recent_first) printed: -1, True: ['  File "Foo.java", line 12',
        // '  File "Main.java", line 5']; -1, False: the same two, Main first; -2, False:
        // ['  File "Main.java", line 5']; -9, True: []. Its slice is frames[:limit], all but the
        // -limit most recent frames, not the documented "abs(limit) oldest".
        assertEquals(List.of(a, m), T3.format(-1, true), "all but the most recent frame");
        assertEquals(List.of(m, a), T3.format(-1, false));
        assertEquals(List.of(m), T3.format(-2, false));
        assertEquals(List.of(), T3.format(-9, true), "frames[:-9] of three frames");
        assertEquals(List.of(), T3.format(Integer.MIN_VALUE, true));
        assertEquals(List.of(), T3.format(0, true), "frames[:0]");
        assertEquals("  File \"<unknown>\", line 0, in <unknown>", tb(1, TraceFrame.UNKNOWN).format().getFirst());
        assertEquals("<unknown>:0", tb(1, TraceFrame.UNKNOWN).toString());
        assertEquals("File \"Foo.java\", in org.example.Foo", A.classFrame().toString());
        assertEquals(T1, tb(2, A, M));
        assertNotEquals(T1, T4, "total frames count");
        assertTrue(T1.compareTo(T4) < 0 && T2.compareTo(T1) > 0 && T1.compareTo(tb(2, A, M)) == 0);
    }

    /**
     * The library's own string: CPython 3.11's Snapshot has none, and its traces' repr is another,
     * {@code repr(tracemalloc.Snapshot([(0, 10, (("a.py", 1),), 1)] * 3, 1).traces)} giving
     * {@code <Traces len=3>}.
     */
    @Test
    void aSnapshotPrintsItsTraceCountAndLimit() {
        assertEquals("<Snapshot traces=5 traceback_limit=5>", snapshot().toString());
        assertEquals("<Snapshot traces=0 traceback_limit=1>", new Snapshot(List.of(), 1).toString());
    }

    @Test
    void topPrintsTheDocumentedReport() {
        Snapshot s = snapshot();
        assertEquals("""
                Top 2 lines
                #1: Cache.java:7: 1.0 KiB
                    in org.example.cache.Cache.put
                #2: Foo.java:12: 0.3 KiB
                    in org.example.Foo.bar
                1 other: 0.0 KiB
                Total allocated size: 1.3 KiB
                """, s.top(GroupBy.LINE, 2));
        assertEquals("""
                Top 5 classes
                #1: org.example.cache.Cache: 1.0 KiB
                #2: org.example.Foo: 0.4 KiB
                Total allocated size: 1.3 KiB
                """, s.top(GroupBy.CLASS, 5));
        assertEquals("""
                Top 1 tracebacks
                #1: Main.java:5: 1.0 KiB
                    File "Cache.java", line 7, in org.example.cache.Cache.put
                    File "Foo.java", line 12, in org.example.Foo.bar
                    File "Main.java", line 5, in org.example.Main.main
                2 other: 0.4 KiB
                Total allocated size: 1.3 KiB
                """, s.top(GroupBy.TRACEBACK, 1));
        Snapshot half = new Snapshot(List.of(new Trace(Domain.MEM, 2304, T1)), 1);
        assertEquals("Top 0 lines\n1 other: 2.2 KiB\nTotal allocated size: 2.2 KiB\n", half.top(GroupBy.LINE, 0),
                "2.25 rounds half to even, as C's printf");
    }

    /**
     * Statistic: "size ... Long.MAX_VALUE if it would overflow a long"; top: "The other and total
     * sizes stop at Long.MAX_VALUE". Valid traces (sizes are never negative) add up past 2^63.
     */
    @Test
    void sumsPastLongMaxValueStopThereInsteadOfTurningNegative() {
        long max = Long.MAX_VALUE;
        Snapshot s = new Snapshot(List.of(new Trace(Domain.MEM, max, T1), new Trace(Domain.MEM, 2, T1),
                new Trace(Domain.RAW, max, T3)), 5);
        List<Statistic> byLine = s.statistics(GroupBy.LINE);
        assertEquals(List.of(new Statistic(tb(1, A), max, 2), new Statistic(tb(1, C), max, 1)), byLine);
        for (Statistic c : s.statistics(GroupBy.LINE, true)) {
            assertEquals(max, c.size(), c.toString());
        }
        String exabytes = "9007199254740992.0 KiB"; // 2^63 / 1024, as %.1f prints the double
        assertEquals("Top 1 lines\n#1: Foo.java:12: " + exabytes + "\n    in org.example.Foo.bar\n1 other: " + exabytes
                + "\nTotal allocated size: " + exabytes + "\n", s.top(GroupBy.LINE, 1));
        assertEquals(List.of(new StatisticDiff(tb(1, C), max, max, 1, 1), new StatisticDiff(tb(1, A), max, max - 1, 2, 1)),
                s.compareTo(new Snapshot(List.of(new Trace(Domain.MEM, 1, T1)), 5), GroupBy.LINE));
    }

    /** Allocates {@code n} blocks of {@code size} from one line and returns that line. */
    private static int allocateMany(Memory memory, List<Long> blocks, int n, long size) {
        int line = here() + 2;
        for (int i = 0; i < n; i++) {
            blocks.add(memory.obj().malloc(size));
        }
        return line;
    }

    @Test
    void aLiveSnapshotGroupsTheTestsOwnLines() {
        try (Memory memory = TracingSupport.pymalloc()) {
            Tracer tracer = memory.tracer();
            tracer.start(3);
            List<Long> blocks = new ArrayList<>();
            int first = allocateMany(memory, blocks, 10, 32);
            Snapshot before = tracer.takeSnapshot();
            int second = allocateMany(memory, blocks, 5, 200);
            Snapshot after = tracer.takeSnapshot();
            assertEquals(first, second, "the same line of allocateMany");
            assertEquals(3, after.tracebackLimit());
            Snapshot mine = after.filterTraces(List.of(TraceFilter.include(SnapshotTest.class.getName())));
            List<Statistic> lines = mine.statistics(GroupBy.LINE);
            assertEquals(1, lines.size(), lines::toString);
            assertEquals("SnapshotTest.java:" + first + ": size=1320 B, count=15, average=88 B", lines.getFirst().toString());
            List<Statistic> callers = mine.statistics(GroupBy.TRACEBACK);
            assertEquals(List.of(1000L, 320L), callers.stream().map(Statistic::size).toList(), "two call sites");
            StatisticDiff grown = after.compareTo(before, GroupBy.LINE).getFirst();
            assertEquals(new StatisticDiff(lines.getFirst().traceback(), 1320, 1000, 15, 5), grown);
            blocks.forEach(memory.obj()::free);
        }
    }
}
