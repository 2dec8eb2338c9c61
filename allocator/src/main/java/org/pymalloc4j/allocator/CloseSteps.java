package org.pymalloc4j.allocator;

/** The steps of a {@code close()} that must all run even when one throws. */
final class CloseSteps {
    private CloseSteps() {
    }

    /**
     * Runs {@code step}, so that a step that throws does not leave the later ones undone:
     * returns the first failure so far ({@code failure}, or this step's if it is the first),
     * a later one added to it as suppressed.
     */
    static RuntimeException run(Runnable step, RuntimeException failure) {
        try {
            step.run();
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
        }
        return failure;
    }

    /**
     * Runs the steps in {@code steps} as {@link #run} does, taking each off the list first, from
     * the front, so that a step may add steps (run after the rest) or withdraw ones not yet run.
     * An Error stops it, the steps not yet run left on the list, the failures so far suppressed
     * in it (their steps, taken off, do not run again to report them).
     *
     * @return the first failure, later ones suppressed in it; null if none
     */
    static RuntimeException runAll(java.util.List<Runnable> steps) {
        RuntimeException failure = null;
        try {
            while (!steps.isEmpty()) {
                failure = run(steps.removeFirst(), failure);
            }
        } catch (Error e) {
            if (failure != null) {
                e.addSuppressed(failure);
            }
            throw e;
        }
        return failure;
    }
}
