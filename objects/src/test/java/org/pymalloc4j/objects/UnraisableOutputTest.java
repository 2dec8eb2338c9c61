package org.pymalloc4j.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * An exception the space cannot hand back (here a finalizer's, run by a decref) goes to the
 * thread's uncaught-exception handler and the thread goes on. With no handler set anywhere,
 * the JDK's thread group printed it as "Exception in thread "main" ...", which says the thread
 * died; it is written instead as CPython's default unraisable hook writes one, "Exception
 * ignored", saying the thread goes on. A handler of the program's own still gets it as before.
 */
class UnraisableOutputTest {
    /** A decref that runs a finalizer which throws, in a space of its own. */
    private static void aFinalizerThrows() {
        try (ObjectSpace space = ObjectSpace.create()) {
            long cls = space.classes().newClass(ClassSpec.named("Node").slots(1).finalizer(self -> {
                throw new IllegalStateException("the finalizer failed");
            }));
            space.decref(space.classes().newInstance(cls));
            space.decref(cls);
        }
    }

    private static String runInAThreadWithNoHandler() throws Exception {
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        boolean[] wentOn = {false};
        Thread.setDefaultUncaughtExceptionHandler(null);
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Thread t = new Thread(() -> {
                aFinalizerThrows();
                wentOn[0] = true;
            }, "worker");
            t.start();
            t.join();
        } finally {
            System.setErr(err);
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
        assertTrue(wentOn[0], "the thread did not go on");
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withNoHandlerItIsWrittenAsIgnored() throws Exception {
        String out = runInAThreadWithNoHandler();
        assertFalse(out.contains("Exception in thread"), out);
        assertTrue(out.startsWith("Exception ignored (unraisable, as CPython's PyErr_WriteUnraisable; thread \"worker\""
                + " goes on): java.lang.IllegalStateException: the finalizer failed\n"), out);
    }

    @Test
    void aHandlerOfTheProgramsOwnStillGetsIt() throws Exception {
        Throwable[] got = new Throwable[1];
        Thread t = new Thread(UnraisableOutputTest::aFinalizerThrows);
        t.setUncaughtExceptionHandler((thread, e) -> got[0] = e);
        t.start();
        t.join();
        assertEquals("the finalizer failed", got[0].getMessage());
    }
}
