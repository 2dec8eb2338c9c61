package org.pymalloc4j.allocator.testkit;

import java.util.SplittableRandom;

/**
 * The seed of a randomized test, one helper for every module's tests. In a package of its own,
 * as AddressSpaceSqueeze is, so that the other modules' tests can use it from this module's
 * test-jar (the allocator module's own package cannot be split onto the class path).
 */
public final class Seeds {
    private Seeds() {
    }

    /**
     * {@code -Dpymalloc4j.seed} if set, else a fresh one; printed with the calling test's name so
     * that a failing run can be replayed.
     */
    public static long seed() {
        return seed(Seeds.class);
    }

    /**
     * As {@link #seed()}, for a helper that hands seeds out to its callers: the line printed
     * names the test that called {@code helper}, not the helper.
     */
    public static long seed(Class<?> helper) {
        String property = System.getProperty("pymalloc4j.seed");
        long seed = property == null || property.isBlank()
                ? new SplittableRandom().nextLong()
                : Long.decode(property.trim());
        StackWalker.StackFrame caller = StackWalker.getInstance().walk(s -> s
                .dropWhile(f -> f.getClassName().equals(Seeds.class.getName())
                        || f.getClassName().equals(helper.getName()))
                .findFirst()).orElseThrow();
        System.out.println(caller.getClassName().substring(caller.getClassName().lastIndexOf('.') + 1)
                + "." + caller.getMethodName() + ": replay with -Dpymalloc4j.seed=" + seed);
        return seed;
    }
}
