package org.pymalloc4j.bench.cli;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPython's figures from the runs before and after the JMH benchmarks. */
class CPythonTimesTest {

    @Test
    void eachFigureIsTheMeanOfTheTwoRunsOrTheOneThatHasIt() {
        CPythonTimes t = new CPythonTimes(Map.of("pair.64", 4.0, "float", 6.0),
                Map.of("pair.64", 6.0, "float", 6.6, "replay", 2.0e7));
        assertEquals(Map.of("pair.64", 5.0, "float", 6.3, "replay", 2.0e7), t.figures());
        assertEquals(List.of("float 6.3 6 6.6", "pair.64 5 4 6", "replay 20000000 - 20000000"), t.lines());
    }

    @Test
    void theLargestGapBetweenTheRunsIsNamedAsTheMachinesDrift() {
        CPythonTimes t = new CPythonTimes(Map.of("pair.64", 4.0, "float", 6.0),
                Map.of("pair.64", 6.0, "float", 6.6, "replay", 2.0e7));
        CPythonTimes.Drift d = t.largestDrift().orElseThrow();
        assertEquals("pair.64", d.key());
        assertEquals(0.4, d.fraction(), 1e-12, "|6 - 4| / 5");
        String note = t.note().orElseThrow();
        assertTrue(note.contains("40%") && note.contains("pair.64: 4.00 then 6.00"), note);
    }

    @Test
    void withoutTwoRunsOfAFigureThereIsNoDrift() {
        CPythonTimes t = new CPythonTimes(Map.of(), Map.of("replay", 2.0e7));
        assertTrue(t.largestDrift().isEmpty());
        assertTrue(t.note().isEmpty());
        assertEquals(Map.of("replay", 2.0e7), t.figures());
    }
}
