package org.pymalloc4j.bench.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Another build of pymalloc4j in the same JVM, for {@code versus --against}: its allocator and
 * objects jars ahead of this JVM's class path in a class loader of their own, whose parent is
 * the platform loader, so its {@code PyMalloc} and {@code ObjectSpace} (and this build's
 * pattern code, linked against them) are classes apart from this build's, with a JIT profile
 * of their own. Its side then runs in rounds alternated with this build's and CPython's, so a
 * slow spell of the host falls on all three. This build is loaded the same way, from
 * {@link #thisBuild()}, in a second instance: with this build's side on the class path and the
 * other's in a loader of its own, A/A runs came out 0.96 (random mix) and 1.06 (2-tuple) in
 * every JVM; loaded alike, 0.99 and 0.99.
 *
 * <pre>
 *  loader URLs = the other build's jars, then java.class.path      parent = the platform loader
 *  a class is found in the first URL that has it: the other build's allocator and objects
 * </pre>
 */
final class OtherBuild implements AutoCloseable {
    private final URLClassLoader loader;

    /**
     * @throws IllegalArgumentException if a jar path cannot be made a URL
     */
    OtherBuild(List<Path> jars) {
        List<URL> urls = new ArrayList<>();
        try {
            for (Path jar : jars) {
                urls.add(jar.toUri().toURL());
            }
            for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    urls.add(Path.of(entry).toUri().toURL());
                }
            }
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("cannot load the build in " + jars + ": " + e.getMessage(), e);
        }
        loader = new URLClassLoader("against", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    /** Where this build's allocator and objects classes come from (jars or class directories). */
    static List<Path> thisBuild() {
        List<Path> paths = new ArrayList<>();
        for (Class<?> c : List.of(org.pymalloc4j.allocator.PyMalloc.class, org.pymalloc4j.objects.ObjectSpace.class)) {
            try {
                Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (!paths.contains(p)) {
                    paths.add(p);
                }
            } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException("cannot tell where " + c.getName() + " came from: " + e, e);
            }
        }
        return paths;
    }

    /** The class loader of the other build's classes. */
    ClassLoader classLoader() {
        return loader;
    }

    /** Where the other build's {@code PyMalloc} came from: one of its jars, if they hold it. */
    String allocatorSource() {
        try {
            Class<?> c = Class.forName("org.pymalloc4j.allocator.PyMalloc", false, loader);
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (ReflectiveOperationException | java.net.URISyntaxException e) {
            throw new IllegalStateException("the other build has no PyMalloc: " + e, e);
        }
    }

    /** The other build's side of the pattern {@code name} ({@link VersusPatterns#isolatedSide}). */
    VersusPatterns.Side side(String name) {
        Object side;
        try {
            Method m = Class.forName(VersusPatterns.class.getName(), true, loader)
                    .getDeclaredMethod("isolatedSide", String.class);
            m.setAccessible(true); // a package-private class of another loader's package
            side = m.invoke(null, name);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the other build cannot set up " + name + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the other build cannot set up " + name + ": " + e, e);
        }
        return adapted(side, name);
    }

    /**
     * {@code side} (a {@code Side} of any loader: its {@code LongSupplier} and
     * {@code AutoCloseable} are the platform's) behind this loader's {@code Side}. With
     * {@code --against} this build's side goes through the same two layers (this adapter over
     * {@link VersusPatterns#isolatedSide}'s), because the layers change how C2 compiles a
     * pattern's loop: with this build's side called directly, an A/A run gave the pairs 0.87-0.92
     * in every JVM; with both sides layered alike, 0.99-1.01.
     */
    static VersusPatterns.Side adapted(Object side, String name) {
        LongSupplier run = (LongSupplier) side;
        AutoCloseable close = (AutoCloseable) side;
        return new VersusPatterns.Side() {
            @Override
            public long getAsLong() {
                return run.getAsLong();
            }

            @Override
            public void close() {
                try {
                    close.close();
                } catch (Exception e) {
                    throw new IllegalStateException("the " + name + " side failed to close: " + e, e);
                }
            }
        };
    }

    @Override
    public void close() {
        try {
            loader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
