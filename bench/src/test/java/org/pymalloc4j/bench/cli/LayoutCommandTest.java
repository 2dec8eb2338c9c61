package org.pymalloc4j.bench.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pymalloc4j layout}: every WHAT, {@code --compare}, and each usage error (exit 2, naming what was wrong). */
class LayoutCommandTest {
    private record Result(int status, String out, String err) {
        List<String> lines() {
            return Arrays.asList(out.split("\n"));
        }
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "layout";
        System.arraycopy(args, 0, all, 1, args.length);
        int status = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String line(Result r, String startsWith) {
        return r.lines().stream().filter(l -> l.startsWith(startsWith)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + startsWith + "' in\n" + r.out()));
    }

    @Test
    void everyKindOfObjectPrintsItsTableAndItsBlock() {
        for (String[] kind : SampleObjects.KINDS) {
            Result r = run(kind[0]);
            assertEquals(0, r.status(), kind[0] + ": " + r.err());
            assertTrue(r.out().contains("OFF  SZ "), r.out());
            assertTrue(r.out().contains(" ob_refcnt "), r.out());
            assertTrue(r.out().contains("\nSpace losses: "), r.out());
            assertTrue(r.out().contains("\nBlock: "), r.out());
        }
    }

    /** The help's bracketed defaults of --value are the values a WHAT without --value shows. */
    @Test
    void theHelpGivesEachKindsDefaultValue() {
        String help = LayoutCommand.HELP.replaceAll("\\s+", " ");
        for (String kind : List.of("float", "int", "bool", "bytes", "str", "type", "instance")) {
            String stated = kind + " [" + SampleObjects.defaultValue(kind) + "]";
            assertTrue(help.contains(stated), "the help does not say " + stated + ":\n" + LayoutCommand.HELP);
        }
        assertEquals(SampleObjects.defaultValue("tuple"), SampleObjects.defaultValue("list"));
        assertTrue(help.contains("tuple and list take items [" + SampleObjects.defaultValue("tuple") + "]"), help);
        assertTrue(help.contains("the built-in type --value names [" + SampleObjects.defaultValue("weakref") + "]"), help);
        assertTrue(help.contains("KEY=VALUE pairs [" + SampleObjects.defaultValue("dict") + "]"), help);
    }

    /** The row that sums up a long tuple's or list's items is an array of PyObject*, as each item's row is. */
    @Test
    void theTailOfALongItemArrayIsOfPyObjectPointers() {
        String items = String.join(",", java.util.stream.IntStream.range(0, 200).mapToObj(Integer::toString).toList());
        for (String kind : List.of("tuple", "list")) {
            Result r = run(kind, "--value", items);
            assertEquals(0, r.status(), r.err());
            String tail = r.lines().stream().filter(l -> l.endsWith(" more, not shown")).findFirst()
                    .orElseThrow(() -> new AssertionError("no summed-up tail in\n" + r.out()));
            assertTrue(tail.matches(" *\\d+ +\\d+ +PyObject\\*\\[\\d+] ob_item\\[\\d+\\.\\.199] .*"), kind + ": " + tail);
        }
    }

    /** Every bit of a built-in's tp_flags by its Include/object.h name, as python3.11's __flags__ has them. */
    @Test
    void typeFlagsAreNamedBitByBit() {
        String[][] types = {
                {"int", "0x1481500 (IMMUTABLETYPE | BASETYPE | READY | VALID_VERSION_TAG | MATCH_SELF | LONG_SUBCLASS)"},
                {"tuple", "0x4485520 (SEQUENCE | IMMUTABLETYPE | BASETYPE | READY | HAVE_GC | VALID_VERSION_TAG"
                        + " | MATCH_SELF | TUPLE_SUBCLASS)"},
                {"dict", "0x20485540 (MAPPING | IMMUTABLETYPE | BASETYPE | READY | HAVE_GC | VALID_VERSION_TAG"
                        + " | MATCH_SELF | DICT_SUBCLASS)"},
                {"type", "0x80085d00 (IMMUTABLETYPE | BASETYPE | HAVE_VECTORCALL | READY | HAVE_GC | VALID_VERSION_TAG"
                        + " | TYPE_SUBCLASS)"}};
        for (String[] t : types) {
            Result r = run("type", "--value", t[0]);
            assertEquals(0, r.status(), r.err());
            assertTrue(line(r, "168   8").endsWith("tp_flags                              " + t[1]), r.out());
        }
    }

    @Test
    void intShowsTheDigitsOfTheValueGiven() {
        Result r = run("int", "--value", "-1073741825"); // -(2^30 + 1): digits 1 and 1
        assertEquals(0, r.status(), r.err());
        assertTrue(line(r, " 16   8").endsWith("ob_size     -2"), r.out());
        assertTrue(line(r, " 24   4").endsWith("ob_digit[0] 1 (× 2^0)"), r.out());
        assertTrue(line(r, " 28   4").endsWith("ob_digit[1] 1 (× 2^30)"), r.out());
        assertTrue(r.out().contains("Object size: 32 bytes in its block (sys.getsizeof: 32)"), r.out());
    }

    @Test
    void containersShowTheirItemsWithTypesAndTheBlocksTheyOwn() {
        Result tuple = run("tuple", "--value", "7,2.5,x,None");
        assertTrue(line(tuple, "-16").contains("_gc_next"), tuple.out());
        assertTrue(line(tuple, " 48   8").endsWith("(NoneType)"), tuple.out());
        assertTrue(line(tuple, " 32   8").endsWith("(float)"), tuple.out());
        Result list = run("list");
        assertTrue(list.out().contains("\n\nob_item array of the list at "), list.out());
        Result dict = run("dict", "--value", "1=a,2.5=b");
        assertTrue(dict.out().contains("0 (general: hash, key, value)"), dict.out());
        assertTrue(dict.out().contains(" me_hash "), dict.out());
        Result instance = run("instance", "--value", "1,2,3");
        assertTrue(instance.out().startsWith("Point object at 0x"), instance.out());
        assertTrue(line(instance, " 32   8").contains("slot[2]"), instance.out());
    }

    @Test
    void typeObjectsByName() {
        Result r = run("type", "--value", "type");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("type object at 0x"), r.out());
        assertTrue(line(r, " 24   8").endsWith("(\"type\")"), r.out());
        assertTrue(run("type", "--value", "object").out().contains("tp_base                               0 (NULL)"));
    }

    @Test
    void weakrefShowsItsReferentAliveOrDead() {
        Result alive = run("weakref");
        assertEquals(0, alive.status());
        assertTrue(alive.out().contains("wr_object"), alive.out());
        assertTrue(alive.out().contains("(type)"), alive.out()); // weakref.ref(float): a type object
        Result dead = run("weakref", "--value", "dead");
        assertTrue(dead.out().contains("(NoneType): dead, its referent is gone"), dead.out());
        assertTrue(dead.out().contains("sys.getsizeof: 80"), dead.out());
    }

    @Test
    void arenaListsItsPoolsAndFoldsTheNeverCarvedTail() {
        Result r = run("arena", "--geometry", "3.8");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("class 0 (16 B): 253 of 253 blocks in use, full"), r.out());
        assertTrue(r.out().contains("free (on the arena's free-pool list, for any class)"), r.out());
        assertTrue(r.out().contains("never carved"), r.out());
        assertTrue(line(r, "Pools: ").contains(", 3 free, "), r.out()); // 40 blocks of 256 B: 15 per 4 KiB pool
        long poolRows = r.lines().stream().filter(l -> l.matches(" *\\d+ +4096 +pool pool \\d+ .*")).count();
        assertTrue(poolRows >= 10, r.out());
    }

    @Test
    void compareShowsBothSidesTheHeaderModeAndTheTotals() {
        Result r = run("--compare", "--items", "100");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.lines().get(1).matches("JVM: .*; compressed oops (on|off), compact object headers (on|off), "
                + "\\d+-byte object alignment .*"), r.lines().get(1));
        assertTrue(r.out().contains("java.lang.Double object internals:"), r.out());
        assertTrue(r.out().contains("java.util.HashMap object internals:"), r.out());
        assertTrue(r.out().contains("float object at 0x"), r.out());
        assertTrue(line(r, "float 1.5 / Double").matches("float 1\\.5 / Double +1 +32 +1 +\\d+ +\\d\\.\\d\\d"), r.out());
        assertTrue(line(r, "list of 100 floats / ArrayList<Double>").matches(".* +101 +\\S+ +102 +\\S+ +\\d\\.\\d\\d"), r.out());
        assertFalse(r.out().contains("WARNING"), "JOL printed a warning:\n" + r.out());
        assertEquals("[  0%] the built-ins, one of each\n"
                + "[ 20%] list of 100 floats / ArrayList<Double>\n"
                + "[ 40%] list of 100 ints ≥ 2^30 / ArrayList<Long>\n"
                + "[ 60%] tuple of 100 strs 'item-i' / Object[] of String\n"
                + "[ 80%] dict of 100 str → int / HashMap<String, Long>\n", r.err(), "a step a graph: a million items take seconds");
        Result quiet = run("--compare", "--items", "10", "--quiet");
        assertEquals(0, quiet.status(), quiet.err());
        assertEquals("", quiet.err());
    }

    @Test
    void aFloatIsReadAsPythonReadsOne() throws UsageException {
        for (String[] c : new String[][] {{"nan", "NaN"}, {"-inf", "-Infinity"}, {"INFINITY", "Infinity"}, {" +Inf ", "Infinity"},
                {"1e400", "Infinity"}, {"1_000.5", "1000.5"}, {".5", "0.5"}, {"2.", "2.0"}, {"-2e-3", "-0.002"}}) {
            assertEquals(Double.parseDouble(c[1]), SampleObjects.parseDouble(c[0]), c[0]);
        }
        for (String javaOnly : new String[] {"1.5f", "2d", "0x1p3", "1__0", "_1", "1_", "NaNa", "Infinityy", ""}) {
            assertUsage("--value of a float must be a number as Python writes one", "float", "--value", javaOnly);
        }
        Result r = run("float", "--value", "nan");
        assertEquals(0, r.status(), r.err());
    }

    /** As Python's int(str): single underscores between digits only, as the float's reading already required. */
    @Test
    void anIntIsReadAsPythonReadsOne() {
        for (String notPython : new String[] {"1__0", "_1", "1_", "+_1", "1_ 0"}) {
            assertUsage("--value of an int must be an integer, not '" + notPython + "'", "int", "--value", notPython);
        }
        Result r = run("int", "--value", " -1_000 ");
        assertEquals(0, r.status(), r.err());
        assertTrue(line(r, " 24   4").matches(".* ob_digit\\[0] +1000 \\(× 2\\^0\\)"), r.out()); // the column as wide as its rows
    }

    @Test
    void usageErrorsExitTwoAndNameTheProblem() {
        assertUsage("unknown WHAT 'floot'", "floot");
        assertUsage("one WHAT at a time", "int", "float");
        assertUsage("--value of an int must be an integer, not 'x'", "int", "--value", "x");
        assertUsage("--value of a float must be a number", "float", "--value", "one");
        assertUsage("--value of a bool must be True or False", "bool", "--value", "maybe");
        assertUsage("--value of a dict is KEY=VALUE", "dict", "--value", "a=1,b");
        assertUsage("type --value must name a type", "type", "--value", "Nope");
        assertUsage("cannot make that instance", "instance", "--value", "1,".repeat(80));
        assertUsage("--size applies to 'layout pool' only", "float", "--size", "32");
        assertUsage("--value applies to objects, not to a pool", "pool", "--value", "3");
        assertUsage("--value applies to objects, not to an arena", "arena", "--value", "3");
        assertUsage("--compare takes only --items N and --quiet", "--compare", "float");
        assertUsage("--items applies to --compare only", "--items", "5");
        // --quiet means nothing where no progress is shown: refused as --items is, not silently taken
        assertUsage("--quiet applies to --compare only", "--quiet");
        assertUsage("--quiet applies to --compare only", "pool", "--quiet");
        assertUsage("--items must be at most 1000000", "--compare", "--items", "2000000");
        assertUsage("unknown option --bogus", "--bogus");
        assertUsage("--value does not apply to none", "none", "--value", "3");
        assertUsage("weakref --value names a built-in type (float, int, bool, bytes, str, tuple, list, dict, NoneType, "
                + "type, object) or 'dead', not 'nosuch'", "weakref", "--value", "nosuch");
    }

    private static void assertUsage(String message, String... args) {
        Result r = run(args);
        assertEquals(2, r.status(), String.join(" ", args) + "\n" + r.out());
        assertTrue(r.err().contains(message), "expected '" + message + "' in: " + r.err());
        assertEquals("", r.out(), "nothing on stdout for a usage error");
    }
}
