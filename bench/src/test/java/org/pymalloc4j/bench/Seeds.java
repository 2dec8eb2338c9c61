package org.pymalloc4j.bench;

import java.util.SplittableRandom;

/** The seed of a randomized test of the bench module, given as the allocator's tests give theirs. */
public final class Seeds {
    private Seeds() {
    }

    /**
     * {@code -Dpymalloc4j.seed} if set, else a fresh one; printed with the calling test's name so
     * that a failing run can be replayed.
     */
    public static long seed() {
        String property = System.getProperty("pymalloc4j.seed");
        long seed = property == null || property.isBlank()
                ? new SplittableRandom().nextLong()
                : Long.decode(property.trim());
        StackWalker.StackFrame caller = StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow();
        System.out.println(caller.getClassName().substring(caller.getClassName().lastIndexOf('.') + 1)
                + "." + caller.getMethodName() + ": replay with -Dpymalloc4j.seed=" + seed);
        return seed;
    }
}
