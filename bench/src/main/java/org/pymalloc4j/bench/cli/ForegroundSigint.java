package org.pymalloc4j.bench.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Leaves Ctrl-C to a program the tool runs in the foreground, as a shell leaves it to its
 * foreground job: the terminal sends SIGINT to the whole process group, the program and this JVM
 * alike, and the JVM's own answer (shut down, status 130) ended the tool at once, while python
 * still unwound its KeyboardInterrupt, its traceback then printed after the shell's prompt, and
 * nothing said of the recording. While one is open, a SIGINT to this JVM is only noted; closing
 * puts the previous handler back.
 *
 * <p>The handler is {@code sun.misc.Signal}'s (module jdk.unsupported), reached by reflection so
 * that the build stays free of its "internal proprietary API" warnings; where it is missing, or
 * the JVM keeps SIGINT to itself ({@code -Xrs}), SIGINT does what it did before. A caught
 * signal's handler is reset by {@code exec}, so a program started while one is open gets
 * SIGINT's default, and python its KeyboardInterrupt.
 */
final class ForegroundSigint implements AutoCloseable {
    private final Method handle;
    private final Object sigint;
    private final Object previous;

    private ForegroundSigint(Method handle, Object sigint, Object previous) {
        this.handle = handle;
        this.sigint = sigint;
        this.previous = previous;
    }

    /** Notes SIGINT instead of shutting down until {@link #close()}. */
    static ForegroundSigint open() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object sigint = signal.getConstructor(String.class).newInstance("INT");
            Method handle = signal.getMethod("handle", signal, handler);
            Object noted = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> null; // the program has it too, and its end says what it did
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "the tool's SIGINT handler while a program runs";
                    });
            return new ForegroundSigint(handle, sigint, handle.invoke(null, sigint, noted));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return new ForegroundSigint(null, null, null); // SIGINT as before
        }
    }

    @Override
    public void close() {
        if (handle == null) {
            return;
        }
        try {
            handle.invoke(null, sigint, previous);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot put SIGINT's handler back: " + e, e);
        }
    }
}
