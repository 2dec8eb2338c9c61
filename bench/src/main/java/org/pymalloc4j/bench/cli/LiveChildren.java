package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("pymalloc4j-end-children")
                .unstarted(LiveChildren::endAll));
    }

    private LiveChildren() {
    }

    /** Starts {@code builder}'s process, to be ended with this JVM if it is still running then. */
    static Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        return process;
    }

    private static void endAll() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process p : LIVE) {
            p.descendants().forEach(all::add); // a JMH fork is its runner's child
            all.add(p.toHandle());
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
