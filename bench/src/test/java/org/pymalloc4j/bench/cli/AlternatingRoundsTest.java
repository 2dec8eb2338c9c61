package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Alternate rounds on a simulated clock: the figures, the order of the sides, slow spells. */
class AlternatingRoundsTest {
    /** A clock that only moves when a side runs: {@code cost} ns a run, times the spell's factor. */
    private static final class Machine {
        long now;
        double slowdown = 1;
        final StringBuilder log = new StringBuilder();

        LongSupplier side(char name, long costPerRun, long opsPerRun) {
            return () -> {
                log.append(name);
                now += Math.round(costPerRun * slowdown);
                return opsPerRun;
            };
        }
    }

    @Test
    void eachRoundIsTheTimeOverTheOperationsAndTheRatioComparesAdjacentRounds() {
        Machine m = new Machine();
        AlternatingRounds timing = new AlternatingRounds(() -> m.now, 1_000, 1, 3);
        AlternatingRounds.Result r = timing.measure(m.side('A', 100, 10), m.side('B', 250, 10), done -> { });
        assertArrayEquals(new double[] {10, 10, 10}, r.first(), 1e-9);
        assertArrayEquals(new double[] {25, 25, 25}, r.second(), 1e-9);
        assertEquals(0.4, r.ratioMedian(), 1e-9);
        assertEquals(0.4, r.ratioMin(), 1e-9);
        assertEquals(0.4, r.ratioMax(), 1e-9);
    }

    @Test
    void theSidesAlternateAbbaAfterTheWarmUp() {
        Machine m = new Machine();
        // 500 ns a run, rounds of 1000 ns: two runs a round
        new AlternatingRounds(() -> m.now, 1_000, 2, 4).measure(m.side('A', 500, 1), m.side('B', 500, 1), done -> { });
        assertEquals("AABB" + "AABB" + "AABB" + "BBAA" + "AABB" + "BBAA", m.log.toString());
    }

    @Test
    void twoFirstSidesRunEitherSideOfTheSecondAndShareItsRounds() {
        Machine m = new Machine();
        List<Integer> progress = new ArrayList<>();
        AlternatingRounds timing = new AlternatingRounds(() -> m.now, 1_000, 1, 3);
        List<AlternatingRounds.Result> r = timing.measure(List.of(m.side('A', 500, 10), m.side('C', 500, 20)),
                List.of(m.side('B', 500, 5)), progress::add);
        assertEquals("AACCBB" + "AABBCC" + "CCBBAA" + "AABBCC", m.log.toString(),
                "the warm-up, then A B C and C B A in turn: each first side next to the second");
        assertEquals(2, r.size());
        assertArrayEquals(new double[] {50, 50, 50}, r.get(0).first(), 1e-9);
        assertArrayEquals(new double[] {25, 25, 25}, r.get(1).first(), 1e-9);
        assertArrayEquals(new double[] {100, 100, 100}, r.get(0).second(), 1e-9);
        assertArrayEquals(r.get(0).second(), r.get(1).second(), 1e-12, "one set of second rounds for both");
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, r.get(0).ratios(), 1e-9);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25}, r.get(1).ratios(), 1e-9);
        assertEquals(List.of(1, 2, 3, 6, 9, 12), progress);
        assertEquals(AlternatingRounds.totalRounds(1, 3, 2, 1), progress.get(progress.size() - 1));
        assertEquals("0 first sides: one or two are measured", assertThrows(IllegalArgumentException.class,
                () -> timing.measure(List.<LongSupplier>of(), List.of(m.side('B', 500, 5)), done -> { })).getMessage());
    }

    @Test
    void aSlowSpellOverARoundPairMovesTheFiguresButNotTheRatio() {
        Machine m = new Machine();
        List<Integer> progress = new ArrayList<>();
        AlternatingRounds timing = new AlternatingRounds(() -> m.now, 1_000, 0, 5);
        LongSupplier a = m.side('A', 100, 10);
        LongSupplier b = m.side('B', 200, 10);
        AlternatingRounds.Result r = timing.measure(a, b, done -> {
            progress.add(done);
            m.slowdown = done == 2 ? 3 : 1; // rounds 1 (B then A) run three times slower
        });
        assertEquals(List.of(2, 4, 6, 8, 10), progress);
        assertEquals(30, r.first()[1], 1e-9, "the spell shows in the figures");
        assertEquals(60, r.second()[1], 1e-9);
        assertEquals(10, r.firstMedian(), 1e-9, "the median keeps out one slow round");
        for (double ratio : r.ratios()) {
            assertEquals(0.5, ratio, 1e-9, "each ratio compares rounds of the same spell");
        }
    }

    @Test
    void theFastestCandidateInTheWarmUpIsTheSecondSideOfTheMeasuredRounds() {
        Machine m = new Machine();
        List<Integer> progress = new ArrayList<>();
        AlternatingRounds timing = new AlternatingRounds(() -> m.now, 1_000, 2, 2);
        AlternatingRounds.Result r = timing.measure(m.side('A', 500, 10),
                List.of(m.side('B', 500, 5), m.side('C', 500, 20), m.side('D', 500, 10)), progress::add);
        assertEquals(1, r.chosen(), "C does twice B's operations in the same time");
        assertEquals("AABBCCDD" + "AABBCCDD" + "AACC" + "CCAA", m.log.toString(), "every candidate warms up, then C alone");
        assertArrayEquals(new double[] {25, 25}, r.second(), 1e-9);
        assertArrayEquals(new double[] {2, 2}, r.ratios(), 1e-9);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 10, 12), progress);
        assertEquals(timing.totalRounds(3), progress.get(progress.size() - 1));
    }

    @Test
    void withoutWarmUpTheFirstCandidateIsMeasured() {
        Machine m = new Machine();
        AlternatingRounds.Result r = new AlternatingRounds(() -> m.now, 1_000, 0, 1)
                .measure(m.side('A', 500, 10), List.of(m.side('B', 500, 5), m.side('C', 500, 20)), done -> { });
        assertEquals(0, r.chosen());
        assertEquals("AABB", m.log.toString());
    }

    @Test
    void aResultOfFiguresComputesTheRatiosAndRefusesMismatchedRounds() {
        AlternatingRounds.Result r = AlternatingRounds.Result.of(new double[] {2, 9}, new double[] {4, 3}, 2);
        assertArrayEquals(new double[] {0.5, 3}, r.ratios(), 1e-12);
        assertEquals(2, r.chosen());
        String why = " rounds: each side needs a figure for every round, and there must be one";
        assertEquals("1 and 0" + why, assertThrows(IllegalArgumentException.class,
                () -> AlternatingRounds.Result.of(new double[] {1}, new double[0], 0)).getMessage());
        assertEquals("0 and 0" + why, assertThrows(IllegalArgumentException.class,
                () -> AlternatingRounds.Result.of(new double[0], new double[0], 0)).getMessage());
    }

    @Test
    void aRoundRepeatsTheSideUntilItsTimeIsUp() {
        Machine m = new Machine();
        // 300 ns a run, rounds of at least 1000 ns: four runs (1200 ns) for 40 operations
        AlternatingRounds.Result r = new AlternatingRounds(() -> m.now, 1_000, 0, 1)
                .measure(m.side('A', 300, 10), m.side('B', 300, 10), done -> { });
        assertEquals("AAAABBBB", m.log.toString());
        assertEquals(30, r.first()[0], 1e-9);
    }

    @Test
    void aSideThatReportsNoOperationsIsAnError() {
        Machine m = new Machine();
        AlternatingRounds timing = new AlternatingRounds(() -> m.now, 1_000, 0, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> timing.measure(m.side('A', 100, 0), m.side('B', 100, 1), done -> { }));
        assertEquals("a pattern reported 0 operations", e.getMessage());
    }

    @Test
    void nonPositiveRoundsOrRoundTimesAndNegativeWarmUpsAreRefused() {
        for (int[] bad : new int[][] {{0, 1, 0}, {1, 0, 0}, {1, 1, -1}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new AlternatingRounds(System::nanoTime, bad[1], bad[2], bad[0]));
            assertTrue(e.getMessage().contains("must be positive"), e.getMessage());
        }
        assertEquals(2 * (3 + 4), new AlternatingRounds(System::nanoTime, 1, 3, 4).totalRounds(1));
        assertEquals(3 * (1 + 5) + 2 * 4, new AlternatingRounds(System::nanoTime, 1, 3, 4).totalRounds(5));
        Machine m = new Machine();
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> new AlternatingRounds(
                () -> m.now, 1, 1, 1).measure(m.side('A', 1, 1), List.<LongSupplier>of(), done -> { }));
        assertEquals("no candidate for the second side", none.getMessage());
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, AlternatingRounds.median(new double[] {4, 1, 3, 2}), 1e-12);
        assertEquals(3, AlternatingRounds.median(new double[] {5, 3, 1}), 1e-12);
    }
}
