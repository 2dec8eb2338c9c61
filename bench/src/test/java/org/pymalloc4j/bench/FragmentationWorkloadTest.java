package org.pymalloc4j.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java side of the memory comparison draws what the C harness draws, and reports it. */
class FragmentationWorkloadTest {
    @Test
    void sizesComeFromSplitMix64AsInSplittableRandomAndTheCHarness() {
        SplittableRandom reference = new SplittableRandom(FragmentationWorkload.SEED);
        long state = FragmentationWorkload.SEED;
        for (int i = 0; i < 1000; i++) {
            state += FragmentationWorkload.SplitMix64.GOLDEN_GAMMA;
            assertEquals(reference.nextLong(), FragmentationWorkload.SplitMix64.mix(state), "draw " + i);
        }
    }

    @Test
    void aboutOneBlockInTenSurvivesScatteredOverTheRange() {
        int survivors = 0;
        int firstHalf = 0;
        for (int i = 0; i < FragmentationWorkload.BLOCKS; i++) {
            if (FragmentationWorkload.survives(i)) {
                survivors++;
                firstHalf += i < FragmentationWorkload.BLOCKS / 2 ? 1 : 0;
            }
        }
        assertTrue(Math.abs(survivors - 100_000) < 2_000, survivors + " survivors");
        assertTrue(Math.abs(firstHalf - survivors / 2) < 2_000, "scattered: " + firstHalf + " in the first half");
    }

    @Test
    void theWorkloadPrintsItsFiguresAndKeepsEveryArenaItTouched() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long arenas = FragmentationWorkload.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        for (String name : new String[] {"memory.rssStart ", "memory.peakRss ", "memory.rssAfter ", "memory.arenas "}) {
            assertTrue(out.contains(name), name + " in " + out);
        }
        // about 256 MB of blocks in 1 MiB arenas; with one block in ten surviving everywhere, none empties.
        assertTrue(arenas > 240 && arenas < 280, arenas + " arenas");
    }
}
