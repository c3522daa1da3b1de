package dev.retrace.cli;

import dev.retrace.tape.Event;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "scan",
        description = {
            "Lists what a recording holds that looks like a secret, to check before sharing it.",
            "",
            "Looks at each process's command line, environment and system properties, and at every recorded "
                    + "event: the strings the program was given (the environment it read, names, properties) and "
                    + "the start (first 64 bytes) of each read and write of files, sockets and pipes. A finding is "
                    + "a value under a secret-looking name (the default list of retrace record --redact, and "
                    + "--name), or a value of a known shape: AWS access key ids, PEM private keys, GitHub and "
                    + "Slack tokens, JSON web tokens, bearer and basic credentials, passwords in URLs, "
                    + "password=... and token=... in text, long random-looking strings.",
            "",
            "One line per finding on stdout: pid, where (start argv[N], start env NAME, start property NAME, "
                    + "or event THREAD#INDEX CALL and the part of the event), what it looks like, and a masked "
                    + "preview. Values redacted when recording (" + SecretMatcher.PLACEHOLDER + ") are not "
                    + "findings; a last line on stderr counts both.",
            "",
            "Exit status: 0 nothing found, 1 findings, 2 usage error, 122 the file is not a readable recording. "
                    + "A damaged recording is scanned as far as it is readable (stderr says so).",
        },
        sortOptions = false,
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " retrace scan run.retrace",
            "",
            " retrace scan --name 'ACME_*' --pid 4242 tree.retrace",
            "",
            " retrace scan run.retrace > /dev/null && upload run.retrace",
        })
final class ScanCommand implements Callable<Integer> {
    static final int EXIT_NOTHING = 0;
    static final int EXIT_FINDINGS = 1;
    static final int EXIT_UNREADABLE = 122;

    /** ProcessEnvironment.environ()[[B (boundary_calls.inc, id 10): its items are NAME, VALUE, NAME, ... */
    private static final int ENVIRON_CALL = 10;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--name", paramLabel = "PATTERN",
            description = "Also take values under names matching PATTERN for secrets (glob, case-insensitive; "
                    + "repeatable).")
    List<String> names = new ArrayList<>();

    @Option(names = "--no-default-names",
            description = "Do not use the default list of secret names (value shapes are still looked for).")
    boolean noDefaultNames;

    @Option(names = "--pid", paramLabel = "PID", description = "Only this process (see --list_pids).")
    Long pid;

    @Parameters(paramLabel = "FILE", description = "The recording (or an extracted <PID>.bin).")
    Path file;

    private long findings;
    private long redacted;

    @Override
    public Integer call() throws RecordingException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String prefix = spec.qualifiedName() + ": ";
        SecretMatcher matcher = new SecretMatcher(names, !noDefaultNames);
        Recording recording;
        RecordingSummary summary;
        try {
            recording = Recording.open(file);
            summary = recording.summary();
        } catch (RecordingException e) {
            err.println(prefix + Messages.oneLine(e.getMessage()));
            return EXIT_UNREADABLE;
        }
        try (recording) {
            for (RecordingSummary.Process process : Recordings.select(summary, pid, file)) {
                scanStart(process, matcher, out);
                scanEvents(recording, process, matcher, out);
            }
        }
        out.flush();
        summary.incompleteReason().ifPresent(reason ->
                err.println(prefix + file + " is incomplete (scanned as far as it is readable): " + reason));
        err.println(prefix + (findings == 0 ? "nothing that looks like a secret" : findings + " finding" + (findings == 1 ? "" : "s"))
                + " in " + file + (redacted > 0 ? " (" + redacted + " redacted value" + (redacted == 1 ? "" : "s") + ")" : ""));
        return findings == 0 ? EXIT_NOTHING : EXIT_FINDINGS;
    }

    private void scanStart(RecordingSummary.Process process, SecretMatcher matcher, PrintWriter out) {
        long p = process.pid();
        List<String> argv = process.argv();
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            List<SecretMatcher.Finding> found;
            int eq = arg.indexOf('=');
            if (arg.startsWith("-D") && eq > 2) {
                found = named(matcher, arg.substring(2, eq), arg.substring(eq + 1));
            } else {
                found = matcher.inText(arg);
            }
            report(out, p, "start argv[" + i + "]", found);
        }
        for (String entry : process.env()) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            String value = eq < 0 ? "" : entry.substring(eq + 1);
            report(out, p, "start env " + name, named(matcher, name, value));
        }
        for (Map.Entry<String, String> property : process.systemProperties().entrySet()) {
            report(out, p, "start property " + property.getKey(),
                    named(matcher, property.getKey(), property.getValue()));
        }
    }

    private void scanEvents(Recording recording, RecordingSummary.Process process, SecretMatcher matcher,
            PrintWriter out) throws RecordingException {
        try (Stream<Event> events = recording.events(process.pid())) {
            Iterator<Event> it = events.iterator();
            while (it.hasNext()) {
                Event e = it.next();
                String where = "event " + process.threadName(e.thread()) + "#" + e.index() + " " + e.call();
                if (e.data() != null && e.data().text() != null) {
                    report(out, process.pid(), where + " data", matcher.inText(e.data().text()));
                }
                if (e.items() != null && e.callId() == ENVIRON_CALL) {
                    for (int i = 0; i + 1 < e.items().size(); i += 2) {
                        String name = e.items().get(i);
                        String value = e.items().get(i + 1);
                        if (name != null && value != null) {
                            report(out, process.pid(), where + " variable " + name, named(matcher, name, value));
                        }
                    }
                } else if (e.items() != null) {
                    for (int i = 0; i < e.items().size(); i++) {
                        String item = e.items().get(i);
                        if (item != null) {
                            report(out, process.pid(), where + " item " + i, matcher.inText(item));
                        }
                    }
                }
                if (e.thrown() != null && e.thrown().message() != null) {
                    report(out, process.pid(), where + " exception message", matcher.inText(e.thrown().message()));
                }
            }
        }
    }

    private List<SecretMatcher.Finding> named(SecretMatcher matcher, String name, String value) {
        if (value.equals(SecretMatcher.PLACEHOLDER) || value.contains(SecretMatcher.PLACEHOLDER)) {
            redacted++;
        }
        return matcher.named(name, value);
    }

    private void report(PrintWriter out, long pid, String where, List<SecretMatcher.Finding> found) {
        for (SecretMatcher.Finding f : found) {
            findings++;
            out.println(pid + " " + where + ": " + f.kind() + ": " + f.preview());
        }
    }
}
