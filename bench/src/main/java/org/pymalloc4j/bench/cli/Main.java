package org.pymalloc4j.bench.cli;

import java.io.PrintStream;

/** Entry point of the {@code pymalloc4j} command-line tool. */
public final class Main {
    static final String USAGE = """
            pymalloc4j: CPython's memory manager (pymalloc) on native memory, in Java

            usage: pymalloc4j <command> [options]

            commands:
              demo     run a realistic allocation workload and print the heap statistics
              replay   replay an allocation trace and print the heap statistics
              record   record a Python program's pymalloc calls under CPython as a trace,
                       replay it here and compare the heaps
              map      draw the arenas and pools of a heap as an SVG picture
              layout   print a live object, type, pool header or arena in JOL's table form,
                       or compare built-ins with their Java counterparts (--compare)
              bench    benchmark against the baselines and CPython; tables, charts, raw JSON
              versus   time pymalloc4j and CPython's C in alternate rounds in one process
              help     show the help of a command

            Run 'pymalloc4j <command> --help' for the options of a command. An option that
            takes a value is given once (a second is refused, not taken over the first);
            --name=VALUE is --name VALUE; '--' ends the options (what follows is a file, a
            pattern, python's).
            Exit status: 0 on success, 2 on bad input (options, trace files), 1 on failure,
            130 when record's python was interrupted (Ctrl-C), 141 (128 + SIGPIPE, as for
            'yes | head -1') when the reader of standard output has gone.
            """;

    /** Each command's help text, by its name. */
    static final java.util.Map<String, String> HELP_OF = java.util.Map.of(
            "demo", DemoCommand.HELP,
            "replay", ReplayCommand.HELP,
            "map", MapCommand.HELP,
            "layout", LayoutCommand.HELP,
            "bench", BenchCommand.HELP,
            "versus", VersusCommand.HELP,
            "record", RecordCommand.HELP);

    private Main() {
    }

    public static void main(String[] args) {
        PrintStream out = StandardOutput.open();
        System.setOut(out); // the same stream: record hands python this process's own when out is System.out
        System.exit(run(args, out, System.err));
    }

    /** Runs the tool and returns its exit status; {@code out} gets results, {@code err} messages. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return runCommand(args, out, err);
        } catch (StandardOutput.ReaderGone e) { // as SIGPIPE ends a C tool: no more work, nothing said
            return StandardOutput.READER_GONE;
        }
    }

    private static int runCommand(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String command = args[0];
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        // record's --help is only among its own arguments: the program's may have one too
        if (HELP_OF.containsKey(command) && wantsHelp(command.equals("record") ? RecordCommand.ownArguments(rest) : rest)) {
            out.print(HELP_OF.get(command)); // a command's --help anywhere among its arguments
            return written(0, out, err);
        }
        if (!HELP_OF.containsKey(command) && !java.util.List.of("help", "--help", "-h").contains(command)) {
            err.print("pymalloc4j: unknown command '" + command + "'\n\n" + USAGE);
            return 2;
        }
        try { // the library would refuse these when its classes load, with a stack trace, in every fork
            org.pymalloc4j.allocator.internal.SwitchProperty.isOn("pymalloc4j.checks");
            org.pymalloc4j.allocator.internal.SwitchProperty.isOn("pymalloc4j.prefault");
        } catch (IllegalArgumentException e) {
            err.println("pymalloc4j: " + e.getMessage());
            return 2;
        }
        try {
            return written(switch (command) {
                case "demo" -> new DemoCommand(out, err).run(rest);
                case "replay" -> new ReplayCommand(out, err).run(rest);
                case "map" -> new MapCommand(out, err).run(rest);
                case "layout" -> new LayoutCommand(out, err).run(rest);
                case "bench" -> new BenchCommand(out, err).run(rest);
                case "versus" -> new VersusCommand(out, err).run(rest);
                case "record" -> new RecordCommand(out, err).run(rest);
                case "help", "--help", "-h" -> help(rest, out);
                default -> throw new IllegalStateException("no case for the command " + command);
            }, out, err);
        } catch (UsageException e) { // its message starts with the command's name: "replay: ..."
            err.println("pymalloc4j " + e.getMessage());
            return 2;
        }
    }

    /**
     * {@code status}, unless some of {@code out} was lost: a PrintStream keeps its write errors to
     * itself, so {@code demo > /dev/full} would otherwise succeed with its report gone.
     */
    private static int written(int status, PrintStream out, PrintStream err) {
        out.flush();
        if (out.checkError()) {
            err.println("pymalloc4j: cannot write standard output (a full disk, or a reader that has gone?)");
            return 1;
        }
        return status;
    }

    /** {@code help [COMMAND]}; help's own help ({@code help help}, {@code help --help}) is the usage. */
    private static int help(String[] rest, PrintStream out) throws UsageException {
        java.util.List<String> topics = java.util.Arrays.stream(rest).filter(a -> !a.equals("--help") && !a.equals("-h"))
                .toList();
        if (topics.size() > 1) {
            throw new UsageException("help: one command at a time, not '" + String.join(" ", topics) + "'");
        }
        String topic = topics.isEmpty() || topics.getFirst().equals("help") ? null : topics.getFirst();
        if (topic != null && !HELP_OF.containsKey(topic)) {
            throw new UsageException("help: unknown command '" + topic + "'");
        }
        out.print(topic == null ? USAGE : HELP_OF.get(topic));
        return 0;
    }

    private static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--")) { // the end of the options: what follows is a file's name, a pattern
                return false;
            }
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }
}
