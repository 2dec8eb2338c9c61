package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The tool's child processes that are still running, ended when the tool's JVM shuts down. A
 * SIGTERM to the JVM ({@code kill}, a CI job's timeout) runs its shutdown hooks but reaches no
 * child, so record's python, a JMH fork or the C compiler went on running with no parent, python
 * still writing its trace. The hook sends each child and its descendants SIGTERM, waits for them
 * a short while, then kills those that remain. A SIGKILL to the JVM runs no hook: nothing can.
 */
final class LiveChildren {
    /** How long the children have, all together, to end on SIGTERM before they are killed. */
    static final long GRACE_MILLIS = 2_000;
    /** Guarded by itself, which a start holds until its process is in it, so the hook sees that one too. */
    private static final Set<Process> LIVE = new HashSet<>();
    /** Whether the hook has run: a start after it would leave its process behind, so it is refused. */
    private static boolean ending;

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("pymalloc4j-end-children")
                .unstarted(LiveChildren::endAll));
    }

    private LiveChildren() {
    }

    /** Starts {@code builder}'s process, to be ended with this JVM if it is still running then. */
    static Process start(ProcessBuilder builder) throws IOException {
        Process process;
        synchronized (LIVE) { // a SIGTERM between the child's start and its entry here left it behind
            if (ending) {
                throw new IOException("the tool is shutting down");
            }
            process = builder.start();
            LIVE.add(process);
        }
        process.onExit().thenRun(() -> {
            synchronized (LIVE) {
                LIVE.remove(process);
            }
        });
        return process;
    }

    private static void endAll() {
        List<ProcessHandle> all = new ArrayList<>();
        synchronized (LIVE) {
            ending = true;
            for (Process p : LIVE) {
                p.descendants().forEach(all::add); // a JMH fork is its runner's child
                all.add(p.toHandle());
            }
        }
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                h.destroyForcibly();
            } catch (InterruptedException e) {
                h.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
