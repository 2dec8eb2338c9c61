package org.pymalloc4j.bench.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * CPython's patterns loaded into this JVM ({@code bench/cpython/pymalloc_versus.c}, built by
 * {@link CPythonHarness#library()}), called through FFM downcalls: one data layout of them. A library cannot be unloaded
 * from a JVM, so one is loaded once per process; the interpreter it starts belongs to the
 * thread that started it, so every call must come from that thread.
 */
final class CPythonLibrary {
    /**
     * A built library in several data layouts (one file each, its static data moved by
     * {@code pads[i]} bytes), what it was linked with, and its interpreter's {@code sys.prefix}.
     */
    record Build(List<Path> layouts, List<Integer> pads, String linkedWith, String prefix) {
    }

    private static final Linker LINKER = Linker.nativeLinker();

    private final MethodHandle start;
    private final MethodHandle begin;
    private final MethodHandle run;
    private final MethodHandle end;
    private final String prefix;
    private final Thread owner = Thread.currentThread();
    private boolean interpreterStarted;

    private CPythonLibrary(SymbolLookup lookup, String prefix) {
        this.start = handle(lookup, "pmv_start", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        this.begin = handle(lookup, "pmv_begin", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
        this.run = handle(lookup, "pmv_run", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG));
        this.end = handle(lookup, "pmv_end", FunctionDescriptor.ofVoid(JAVA_INT));
        this.prefix = prefix;
    }

    /**
     * Loads {@code library} into this process for good. Each layout's file holds its own copy of
     * libpython, with its own heap and interpreter.
     */
    static CPythonLibrary load(Path library, String prefix) {
        return new CPythonLibrary(SymbolLookup.libraryLookup(library, Arena.global()), prefix);
    }

    private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lookup.find(name).orElseThrow(
                () -> new IllegalStateException("CPython's pattern library has no symbol " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    /**
     * Starts the interpreter, which the object patterns need, once.
     *
     * @throws IllegalStateException if it does not start (CPython printed why on standard error)
     */
    void startInterpreter() {
        checkThread();
        if (interpreterStarted) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment home = prefix == null || prefix.isEmpty() ? MemorySegment.NULL : arena.allocateFrom(prefix);
            if ((int) start.invokeExact(home) != 0) {
                throw new IllegalStateException("CPython's interpreter did not start in this JVM (home " + prefix + ")");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        interpreterStarted = true;
    }

    /**
     * Sets pattern {@code pattern} up; the three arrays (native ints, or NULL) are the random
     * mix's initial sizes, slots and sizes, read until {@link #end}.
     *
     * @throws IllegalStateException if the library refuses: out of memory (it printed what for on
     *                               standard error), or an object pattern before the interpreter
     */
    void begin(int pattern, long param, MemorySegment initial, MemorySegment slots, MemorySegment sizes) {
        checkThread();
        int status;
        try {
            status = (int) begin.invokeExact(pattern, param, initial, slots, sizes);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (status != 0) {
            boolean objects = pattern == VersusPatterns.FLOAT || pattern == VersusPatterns.TUPLE || pattern == VersusPatterns.LIST;
            String name = switch (pattern) {
                case VersusPatterns.PAIR -> "pair";
                case VersusPatterns.BATCH -> "batch";
                case VersusPatterns.MIX -> "random mix";
                case VersusPatterns.TRACE -> "trace";
                default -> objects ? "an object pattern" : "unknown";
            };
            throw new IllegalStateException("CPython's pattern " + pattern + " (" + name + ") could not be set up: "
                    + (objects && !interpreterStarted ? "its interpreter is not started" : "out of memory"));
        }
    }

    /** Runs the pattern once; returns the operations done. */
    long run(int pattern, long param) {
        checkThread();
        try {
            return (long) run.invokeExact(pattern, param);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void end(int pattern) {
        checkThread();
        try {
            end.invokeExact(pattern);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("CPython's pattern library is used from " + Thread.currentThread().getName()
                    + ", not from " + owner.getName() + ", the thread that loaded it (the interpreter is that thread's)");
        }
    }
}
