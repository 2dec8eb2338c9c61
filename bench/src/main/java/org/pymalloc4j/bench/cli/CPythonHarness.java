package org.pymalloc4j.bench.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * CPython's side of the comparison: {@code bench/cpython/pymalloc_bench.c} (a resource of the
 * tool's jar), compiled on first use with the system's C compiler against the libpython3 of
 * the {@code python3} on the {@code PATH}, or of the interpreter {@code $PYTHON} names (paths
 * from its {@code sysconfig}), cached under {@code ~/.cache/pymalloc4j} by a hash of the source
 * and the interpreter, and run as a child process.
 *
 * <p>It links the static {@code libpythonX.Y.a} of the interpreter's {@code LIBPL} when there is
 * one, as distributions link their own {@code python3} (Debian's is PGO- and LTO-built that
 * way), so that each {@code PyObject_Malloc} is a direct call, not one through a shared
 * library's PLT; otherwise, or if that link fails, the shared library with an rpath.
 */
final class CPythonHarness {
    static final String SOURCE = "/cpython/pymalloc_bench.c";
    static final String LIBRARY_SOURCE = "/cpython/pymalloc_versus.c";
    static final String RECORDER_SOURCE = "/cpython/pymalloc_record.c";
    /** The arena allocator the recorder includes (and the fidelity recordings' replayer). */
    static final String ARENAS_HEADER = "/cpython/aligned_arenas.h";
    /** The data layouts of {@link #library()}: bytes of padding before libpython's static data. */
    static final List<Integer> LAYOUT_PADS = List.of(0, 64, 128, 192, 256);
    /** The harness executable's compiler flags (-no-pie: distributions' static libpython is not always position-independent). */
    private static final List<String> HARNESS_FLAGS = List.of("-O2", "-no-pie");
    /** The versus library's compiler flags, and the link flag each way of linking gets for it. */
    private static final List<String> LIBRARY_FLAGS = List.of("-O2", "-shared", "-fPIC");
    private static final String LIBRARY_LINK_FLAG = "-Wl,-Bsymbolic";
    /**
     * How the harness and the library are built, beyond their sources: part of the cache
     * directory's name, so that a change to a flag or to the layouts rebuilds a cached build.
     */
    static final String RECIPE = HARNESS_FLAGS + " " + LIBRARY_FLAGS + " " + LIBRARY_LINK_FLAG + " pads " + LAYOUT_PADS;
    static final String INSTALL_HINT = "install a C compiler and CPython's development files, "
            + "e.g. 'apt-get install python3-dev gcc' (Debian/Ubuntu) or 'dnf install python3-devel gcc' (Fedora)";

    /** Why the harness cannot be built here, with what to install. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    private static final String PROBE = String.join(";",
            "import sys, sysconfig as s",
            "v = s.get_config_var",
            "print(s.get_paths()['include'])",
            "print(v('LIBDIR') or '')",
            "print(v('LDVERSION') or v('VERSION'))",
            "print(' '.join(x for x in (v('LIBS'), v('SYSLIBS')) if x))",
            "print(sys.version.split()[0])",
            "print(v('CONFIG_ARGS') or '')",
            "print(v('LIBPL') or '')",
            "print(v('MODLIBS') or '')",
            "print(sys.prefix)",
            "print(sys.executable)");

    /** How to link against libpython: the flags after the sources, what they name, and whether it is the static library. */
    private record Link(List<String> flags, String how, boolean staticLibpython) {
    }

    private final Path binary;
    private final String description;
    /** The compiler command: $CC's words (or cc), the first found on the PATH. */
    private final List<String> cc;
    private final Path include;
    private final List<Link> links;
    private final String prefix;
    private final String executable;
    /** The python found ({@code $PYTHON} or {@code python3} on the PATH), and its version, e.g. 3.11.7. */
    private final String python;
    private final String version;

    private CPythonHarness(Path binary, String description, List<String> cc, Path include, List<Link> links, String prefix,
                           String executable, String python, String version) {
        this.binary = binary;
        this.description = description;
        this.cc = cc;
        this.include = include;
        this.links = links;
        this.prefix = prefix;
        this.executable = executable;
        this.python = python;
        this.version = version;
    }

    /** The python found, as the PATH gave it ({@code $PYTHON} or {@code python3}). */
    String python() {
        return python;
    }

    /** The python's version, {@code sys.version}'s first word: 3.11.7. */
    String version() {
        return version;
    }

    /** The interpreter's own {@code sys.executable}: the program name the recorder runs python as. */
    String executable() {
        return executable;
    }

    /** Python, its build options and the compiler, for the report's machine section. */
    String description() {
        return description;
    }

    /**
     * Finds {@code python3} and a C compiler and builds the harness, or reuses the cached build.
     *
     * @param env the environment to look in: {@code PATH}, and {@code CC} for the compiler (a command:
     *            its words, split at white space as make's shell splits it, e.g. {@code ccache gcc})
     * @throws Unavailable saying what is missing and how to install it
     */
    static CPythonHarness build(Path cacheRoot, Map<String, String> env) throws Unavailable {
        String path = env.getOrDefault("PATH", "");
        // $CC is a command, as make runs it ('gcc -m64', 'ccache gcc'): its first word is the program
        String ccVariable = Optional.ofNullable(env.get("CC")).filter(s -> !s.isBlank()).orElse("cc");
        List<String> cc = new ArrayList<>(List.of(ccVariable.trim().split("\\s+")));
        String wantedCc = cc.getFirst();
        String ofVariable = cc.size() > 1 ? ", of $CC '" + ccVariable + "'" : "";
        cc.set(0, onPath(wantedCc, path).orElseThrow(() -> new Unavailable((isPath(wantedCc)
                ? "no C compiler: " + notRunnable(wantedCc) + (ofVariable.isEmpty() ? "" : " (" + ofVariable.substring(2) + ")")
                : "no C compiler (" + wantedCc + ofVariable + ") on the PATH") + "; " + INSTALL_HINT)).toString());
        String wanted = Optional.ofNullable(env.get("PYTHON")).filter(s -> !s.isBlank()).orElse("python3");
        String python = onPath(wanted, path).orElseThrow(() -> new Unavailable((isPath(wanted)
                ? notRunnable(wanted) : "no " + wanted + " on the PATH") + "; " + INSTALL_HINT)).toString();
        List<String> probe;
        try {
            probe = ChildProcess.output(List.of(python, "-c", PROBE));
        } catch (IOException e) {
            throw new Unavailable("cannot ask " + python + " for its build paths (" + e.getMessage() + "); " + INSTALL_HINT);
        }
        if (probe.size() < 10) {
            throw new Unavailable(python + " printed " + probe.size() + " lines for its build paths, not 10");
        }
        Path include = Path.of(probe.get(0));
        String libDir = probe.get(1);
        String ldVersion = probe.get(2);
        if (!Files.isRegularFile(include.resolve("Python.h"))) {
            throw new Unavailable("Python.h is not in " + include + " (python3's development files are missing); "
                    + INSTALL_HINT);
        }
        if (libDir.isEmpty() || !hasLibpython(Path.of(libDir), ldVersion)) {
            throw new Unavailable("libpython" + ldVersion + " is not in '" + libDir
                    + "' (CPython built without --enable-shared, or no development files); " + INSTALL_HINT);
        }
        List<String> version = new ArrayList<>(cc);
        version.add("--version");
        String compiler = firstLine(version);
        Path staticLib = probe.get(6).isEmpty() ? null : Path.of(probe.get(6), "libpython" + ldVersion + ".a");
        List<Link> links = new ArrayList<>();
        if (staticLib != null && Files.isRegularFile(staticLib)) {
            List<String> flags = new ArrayList<>(List.of(staticLib.toString()));
            addLibs(flags, probe.get(3) + " " + probe.get(7));
            links.add(new Link(flags, "static " + staticLib.getFileName() + " from " + staticLib.getParent(), true));
        }
        List<String> shared = new ArrayList<>(List.of("-L" + libDir, "-lpython" + ldVersion, "-Wl,-rpath," + libDir));
        addLibs(shared, probe.get(3));
        links.add(new Link(shared, "libpython" + ldVersion + " in " + libDir, false));
        try {
            byte[] source = resource(SOURCE);
            // The library's source is in the hash too: a change to it rebuilds the cached library
            Path dir = cacheRoot.resolve("cpython-" + hash(source, resource(LIBRARY_SOURCE), String.join("\n", probe),
                    compiler + "\n" + cc + "\n" + RECIPE));
            Path binary = dir.resolve("pymalloc_bench");
            Path linked = dir.resolve("linked");
            if (!Files.isExecutable(binary) || !Files.isRegularFile(linked)) {
                Files.createDirectories(dir);
                Path c = dir.resolve("pymalloc_bench.c");
                Files.write(c, source);
                List<String> command = new ArrayList<>(cc);
                command.addAll(HARNESS_FLAGS);
                command.addAll(List.of("-I" + include, c.toString(), "-o", binary.toString()));
                String how = link(command, links).how();
                Files.writeString(linked, how);
            }
            String description = "CPython " + probe.get(4) + " (" + python + ", linked with " + Files.readString(linked).trim()
                    + "; " + buildOptions(probe.get(5)) + "), harness built with " + compiler + " " + HARNESS_FLAGS.get(0)
                    + (ofVariable.isEmpty() ? "" : " ($CC '" + ccVariable.trim() + "')"); // its words go into every build
            return new CPythonHarness(binary, description, cc, include, links, probe.get(8), probe.get(9), python,
                    probe.get(4));
        } catch (IOException e) {
            throw new Unavailable("building the CPython harness failed: " + e.getMessage() + "; " + INSTALL_HINT);
        }
    }

    /**
     * CPython's patterns as shared libraries for {@code versus} ({@code pymalloc_versus.c},
     * which includes the harness's source), one for each of {@link #LAYOUT_PADS}, built beside
     * the harness on first use: linked with the static libpython when it is position-independent
     * (CPython built with {@code --enable-shared} compiles it so), with {@code -Bsymbolic} so
     * that calls inside it bind directly, as in the harness's executable; else with the shared
     * library, whose static data the padding does not move: then in one layout only.
     *
     * @throws Unavailable if neither link works
     */
    CPythonLibrary.Build library() throws Unavailable {
        Path dir = binary.getParent();
        Path linked = dir.resolve("library-linked"); // what it was linked with, then the pads built
        try {
            List<String> built = Files.isRegularFile(linked) ? Files.readAllLines(linked) : List.of();
            if (built.size() != 2 || !layouts(dir, pads(built.get(1))).stream().allMatch(Files::isRegularFile)) {
                Path c = dir.resolve("pymalloc_versus.c");
                Files.write(c, resource(LIBRARY_SOURCE));
                List<Link> symbolic = links.stream().map(l -> {
                    List<String> flags = new ArrayList<>(l.flags());
                    flags.add(LIBRARY_LINK_FLAG);
                    return new Link(flags, l.how(), l.staticLibpython());
                }).toList();
                Link used = link(compileLayout(dir, c, 0), symbolic);
                // The padding moves only this library's data, not a shared libpython's: then one layout
                List<Integer> pads = used.staticLibpython() ? LAYOUT_PADS : List.of(0);
                for (int pad : pads.subList(1, pads.size())) {
                    link(compileLayout(dir, c, pad), List.of(used));
                }
                built = List.of(used.how(), String.join(" ", pads.stream().map(String::valueOf).toList()));
                Files.write(linked, built);
            }
            List<Integer> pads = pads(built.get(1));
            return new CPythonLibrary.Build(layouts(dir, pads), pads, built.get(0), prefix);
        } catch (IOException | NumberFormatException e) {
            throw new Unavailable("building CPython's patterns as a library failed: " + e.getMessage() + "; " + INSTALL_HINT);
        }
    }

    /**
     * The recorder of {@code pymalloc4j record} ({@code pymalloc_record.c}): an executable that
     * runs CPython's own main with its pymalloc calls hooked, built beside the harness on first
     * use (and again when its source changes), linked as the harness is.
     *
     * @param building told once, before a build, so that the caller can say why it waits
     * @throws Unavailable if it cannot be built
     */
    Path recorder(Runnable building) throws Unavailable {
        Path dir = binary.getParent();
        Path recorder = dir.resolve("pymalloc_record");
        Path built = dir.resolve("recorder-source"); // the hash of the source and command it was built from
        try {
            byte[] source = resource(RECORDER_SOURCE);
            byte[] header = resource(ARENAS_HEADER);
            Path c = dir.resolve("pymalloc_record.c");
            // --export-dynamic, as python3's own link (LINKFORSHARED): the extension modules a
            // program imports find the C API in the executable
            List<String> command = new ArrayList<>(cc);
            command.addAll(List.of("-O2", "-no-pie", "-Wl,--export-dynamic", "-I" + include, c.toString(),
                    "-o", recorder.toString()));
            String hash = hash(source, header, String.join(" ", command), "");
            if (!Files.isExecutable(recorder) || !Files.isRegularFile(built) || !Files.readString(built).equals(hash)) {
                building.run();
                Files.write(c, source);
                Files.write(dir.resolve("aligned_arenas.h"), header); // found beside the source
                link(command, links);
                Files.writeString(built, hash);
            }
            return recorder;
        } catch (IOException e) {
            throw new Unavailable("building CPython's recorder failed: " + e.getMessage() + "; " + INSTALL_HINT);
        }
    }

    /** The compiler command for the layout with {@code pad} bytes of padding, without its link flags. */
    private List<String> compileLayout(Path dir, Path source, int pad) {
        List<String> command = new ArrayList<>(cc);
        command.addAll(LIBRARY_FLAGS);
        command.addAll(List.of("-DPMV_PAD=" + pad, "-I" + include, "-I" + dir, source.toString(),
                "-o", layouts(dir, List.of(pad)).get(0).toString()));
        return command;
    }

    private static List<Integer> pads(String line) {
        return java.util.Arrays.stream(line.trim().split(" ")).map(Integer::valueOf).toList();
    }

    private static List<Path> layouts(Path dir, List<Integer> pads) {
        return pads.stream().map(pad -> dir.resolve("libpymalloc_versus-" + pad + ".so")).toList();
    }

    /** Runs {@code command} followed by each way of linking until one works; returns the one that did. */
    private static Link link(List<String> command, List<Link> links) throws IOException {
        IOException last = null;
        for (Link l : links) {
            List<String> full = new ArrayList<>(command);
            full.addAll(l.flags());
            try {
                ChildProcess.output(full);
                return l;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private static byte[] resource(String name) throws IOException, Unavailable {
        try (InputStream in = CPythonHarness.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new Unavailable("the source " + name + " is missing from the tool's jar");
            }
            return in.readAllBytes();
        }
    }

    /** Runs the harness with {@code args} and returns its figures ({@code name -> value}). */
    Map<String, Double> run(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        return ChildProcess.figures(ChildProcess.output(command));
    }

    static Path defaultCacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("pymalloc4j");
    }

    /** The configure options that change CPython's speed, from its CONFIG_ARGS. */
    static String buildOptions(String configArgs) {
        boolean pgo = configArgs.contains("--enable-optimizations");
        boolean lto = configArgs.contains("--with-lto");
        // Distributions often build PGO and LTO in their own rules (Debian does), not with these flags
        return "configured " + (pgo ? "with" : "without") + " --enable-optimizations, "
                + (lto ? "with" : "without") + " --with-lto";
    }

    private static void addLibs(List<String> command, String libs) {
        for (String lib : libs.trim().split("\\s+")) {
            if (!lib.isEmpty()) {
                command.add(lib);
            }
        }
    }

    private static boolean hasLibpython(Path dir, String ldVersion) {
        String name = "libpython" + ldVersion;
        return Files.exists(dir.resolve(name + ".so")) || Files.exists(dir.resolve(name + ".a"))
                || Files.exists(dir.resolve(name + ".dylib"));
    }

    /** A program named with a directory, as the shell runs it: not looked for on the PATH. */
    private static boolean isPath(String program) {
        return program.contains(File.separator);
    }

    /** Why the program at path {@code program} cannot be run. */
    private static String notRunnable(String program) {
        return program + (Files.exists(Path.of(program)) ? " is not an executable file" : " does not exist");
    }

    /** A directory has the execute bit too, and the shell passes it over. */
    private static boolean runnable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    private static Optional<Path> onPath(String program, String path) {
        if (isPath(program)) {
            return Optional.of(Path.of(program)).filter(CPythonHarness::runnable);
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (runnable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String firstLine(List<String> command) {
        try {
            List<String> lines = ChildProcess.output(command);
            return lines.isEmpty() ? command.get(0) : lines.get(0);
        } catch (IOException e) {
            return command.get(0);
        }
    }

    private static String hash(byte[] source, byte[] librarySource, String python, String compiler) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update(librarySource);
            sha.update(python.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update(compiler.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
