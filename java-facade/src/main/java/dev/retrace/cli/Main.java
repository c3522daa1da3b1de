package dev.retrace.cli;

import dev.retrace.tape.RecordingException;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code retrace} command. Errors are typed like the JDK's {@code jfr}: a usage error prints
 * {@code retrace <verb>: <message>} and the verb's usage (exit 2); a data error prints only the
 * message line (exit 1); anything else is an unexpected internal error (exit 70, stack trace only
 * with RETRACE_DEBUG=1).
 */
public final class Main {
    public static final int EXIT_OK = 0;
    public static final int EXIT_DATA = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INTERNAL = 70;

    /** Verbs that take the recording as their first parameter, for the --recording FILE form. */
    private static final Set<String> RECORDING_VERBS = Set.of("replay", "print", "summary", "list-pids", "extract", "scan", "pack");

    private Main() {}

    public static void main(String[] args) {
        Dist dist = Dist.locate();
        if (System.getProperty(Dist.PROPERTY) == null && dist.root() != null) {
            System.setProperty(Dist.PROPERTY, dist.root().toString());  // for the tape library
        }
        // UTF-8 whatever the locale: recordings hold UTF-8 text, and --json output must be UTF-8.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        boolean debug = "1".equals(System.getenv("RETRACE_DEBUG"));
        int status = run(dist, args, out, err, debug);
        System.exit(status);
    }

    /** Runs the CLI with the given streams and returns the exit status (tests call this). */
    public static int run(Dist dist, String[] args, PrintWriter out, PrintWriter err, boolean debug) {
        try {
            CommandLine retrace = commandLine(dist, out, err, debug);
            if (args.length == 0) {
                out.print(Tutorial.text(retrace));
                return EXIT_OK;
            }
            if (args[0].equals("--recording") || args[0].startsWith("--recording=")) {
                String[] translated;
                try {
                    translated = recordingForm(retrace, args);
                } catch (ParameterException e) {
                    err.println("retrace: " + Messages.oneLine(e.getMessage()));
                    err.print(RECORDING_FORM_HELP);
                    return EXIT_USAGE;
                }
                if (translated == null) {
                    out.print(RECORDING_FORM_HELP);
                    return EXIT_OK;
                }
                args = translated;
            }
            return retrace.execute(args);
        } catch (Exception | LinkageError | AssertionError e) {
            return internalError(e, err, debug);
        } finally {
            out.flush();
            err.flush();
        }
    }

    static CommandLine commandLine(Dist dist, PrintWriter out, PrintWriter err, boolean debug) {
        CommandLine retrace = new CommandLine(new RetraceCommand(dist));
        retrace.setOut(out);
        retrace.setErr(err);
        retrace.getSubcommands().get("record").setStopAtPositional(true);
        // jfr-like help: syntax, description, then the parameter and option tables.
        for (CommandLine verb : retrace.getSubcommands().values()) {
            verb.getCommandSpec().usageMessage()
                    .descriptionHeading("%n")
                    .parameterListHeading("%nParameters:%n")
                    .optionListHeading("%nOptions:%n");
        }
        retrace.setParameterExceptionHandler((e, args) -> usageError(e, err));
        retrace.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String prefix = commandLine.getCommandSpec().qualifiedName();
            if (e instanceof DataException || e instanceof RecordingException) {
                err.println(prefix + ": " + Messages.oneLine(e.getMessage()));
                return EXIT_DATA;
            }
            if (e instanceof IOException || e instanceof UncheckedIOException) {
                Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
                err.println(prefix + ": " + Messages.of(cause));
                return EXIT_DATA;
            }
            return internalError(e, err, debug);
        });
        return retrace;
    }

    private static int usageError(ParameterException e, PrintWriter err) {
        CommandLine where = e.getCommandLine();
        String message = Messages.oneLine(e.getMessage());
        if (e instanceof UnmatchedArgumentException unmatched) {
            List<String> arguments = unmatched.getUnmatched();
            String first = arguments.isEmpty() ? "" : arguments.getFirst();
            if (where.getParent() == null && !first.startsWith("-")) {
                message = "unknown command '" + first + "'";
                List<String> near = where.getSubcommands().keySet().stream()
                        .filter(verb -> distance(verb, first) <= 2)
                        .toList();
                if (!near.isEmpty()) {
                    message += "; did you mean " + String.join(" or ", near) + "?";
                }
            } else if (first.startsWith("-")) {
                message = "unknown option '" + first + "'";
                if (where.getCommandName().equals("record")) {
                    message += " (put the java arguments after --, e.g. retrace record -- -jar app.jar)";
                }
            } else {
                message = "unexpected argument '" + first + "'";
            }
        } else if (!message.isEmpty()) {
            message = message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
        }
        err.println(where.getCommandSpec().qualifiedName() + ": " + message);
        where.usage(err);
        return EXIT_USAGE;
    }

    /** Levenshtein distance, for suggesting a verb. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static int internalError(Throwable e, PrintWriter err, boolean debug) {
        err.println("retrace: unexpected internal error: " + Messages.oneLine(e.toString()));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_INTERNAL;
    }

    static final String RECORDING_FORM_HELP = """
            Usage: retrace --recording FILE [--pid PID] [--verbose]   replay it (what ./FILE does)
                   retrace --recording FILE --list_pids               its processes, the root first
                   retrace --recording FILE --extract [DIR]           FILE.d/index.json and one <PID>.bin each
                   retrace --recording FILE <command> [<options>]     print, summary, replay, list-pids, extract, pack

            A recording runs retrace-replay (its first line), which hands these arguments here:
              ./run.retrace --list_pids
              ./run.retrace summary
              ./run.retrace print --json
            """;

    /**
     * Turns {@code --recording FILE [args]} into a verb's arguments; null for {@code --help}.
     * The launcher hands every argument it does not handle itself to this form.
     */
    static String[] recordingForm(CommandLine retrace, String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        String file;
        if (rest.getFirst().startsWith("--recording=")) {
            file = rest.removeFirst().substring("--recording=".length());
        } else {
            rest.removeFirst();
            if (rest.isEmpty()) {
                throw new ParameterException(retrace, "--recording needs a file");
            }
            file = rest.removeFirst();
        }
        String verb;
        if (rest.isEmpty()) {
            verb = "replay";
        } else {
            String first = rest.getFirst();
            switch (first) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--list_pids", "--list-pids" -> {
                    rest.removeFirst();
                    verb = "list-pids";
                }
                case "--extract" -> {
                    rest.removeFirst();
                    verb = "extract";
                }
                case "--pid", "--verbose" -> verb = "replay";
                default -> {
                    if (first.startsWith("--pid=")) {
                        verb = "replay";
                    } else if (RECORDING_VERBS.contains(first)) {
                        verb = rest.removeFirst();
                    } else {
                        throw new ParameterException(retrace, "unknown argument '" + first + "' after --recording "
                                + file + " (try --list_pids, --extract, print, summary, replay)");
                    }
                }
            }
        }
        List<String> translated = new ArrayList<>();
        translated.add(verb);
        translated.add(file);
        translated.addAll(rest);
        return translated.toArray(String[]::new);
    }
}
