package dev.retrace.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.retrace.pack.PackException;
import dev.retrace.pack.Packer;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "record",
        description = {
            "Runs a Java program under the agent and records it.",
            "",
            "Runs <java> -agentpath:<retrace>/lib/libretrace.so=record,tape=FILE[,...] <java arguments> with this "
                    + "terminal's stdin, stdout and stderr, and exits with the program's exit status. FILE is "
                    + "executable: ./FILE replays it.",
            "",
            "The whole process tree is recorded: a JVM the program starts, directly or through a shell, records "
                    + "into FILE too, as a process of its own (--list_pids lists them, --extract writes one file "
                    + "each). --no-children records the first JVM only.",
        },
        customSynopsis = {
            "retrace record [-o FILE] [--save-on always|failure] [--stacktraces] [--escape-after MS]",
            "               [--preempt] [--preempt-fields] [--chaos] [--keep-references] [--redact PATTERN]... [--no-default-redact]",
            "               [--no-children] [--pack] [--verbose] [--java PATH] [--force] [--] <java arguments>",
        },
        sortOptions = false,
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " retrace record -o run.retrace -- -jar app.jar --port 0",
            "",
            " retrace record --save-on failure -o failed.retrace -- -cp app.jar demo.Main",
            "",
            " retrace record --pack --save-on failure -o failed.retrace -- -jar app.jar",
            "",
            " retrace record --java /usr/lib/jvm/temurin-25-jdk-amd64 -- -version",
            "",
            " retrace record --redact 'ACME_*' --redact db.url -o run.retrace -- -Ddb.url=... -jar app.jar",
        })
final class RecordCommand implements Callable<Integer> {
    enum SaveOn {
        always,
        failure
    }

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "The recording to write (default: retrace-<yyyyMMdd-HHmmss>.retrace here).")
    Path output;

    @Option(names = "--save-on", paramLabel = "WHEN",
            description = "always (default), or failure: keep the recording only when the program exits non-zero.")
    SaveOn saveOn;

    @Option(names = "--stacktraces", description = "Record the Java stack of every event (bigger; divergence reports show it).")
    boolean stacktraces;

    @Option(names = "--escape-after", paramLabel = "MS",
            description = "How long a thread may run without a scheduling point while another waits before the "
                    + "waiter is let run beside it (default 200; 0: never, a spin-wait then hangs). See docs/threads.md.")
    Integer escapeAfter;

    @Option(names = "--preempt",
            description = "Preempt a thread between scheduling points, at a method entry, after a 2 ms time slice "
                    + "while another thread waits (the agent adds a tick to each method of the program's classes), "
                    + "so that recordings of racy programs vary as plain runs do. See docs/threads.md.")
    boolean preempt;

    @Option(names = "--preempt-fields",
            description = "Like --preempt, and also preempt before the field and array accesses of the program's "
                    + "classes, so that a race inside one count++ (between its read and its write) can show. "
                    + "Costs more than --preempt: a tick before every access. See docs/threads.md.")
    boolean preemptFields;

    @Option(names = "--chaos",
            description = "Chaos mode (implies --preempt): random time slices, down to a single method entry, and "
                    + "random thread priorities, so that a loop of recordings meets rare interleavings sooner "
                    + "(with --save-on failure: record until a race shows, keep that run). The recording replays "
                    + "as any other. See docs/threads.md#chaos-mode.")
    boolean chaos;

    @Option(names = "--keep-references",
            description = "Weak and soft references hold their referents strongly, in the recorded run and its "
                    + "replays: the collector clears none, so what a program does with them replays (weak caches "
                    + "and WeakHashMap keep every entry: more memory). See docs/limitations.md.")
    boolean keepReferences;

    @Option(names = "--redact", paramLabel = "PATTERN",
            description = "Also redact environment variables and system properties whose names match PATTERN "
                    + "(glob: * and ?, case-insensitive; repeatable). The program, the recording and its replays "
                    + "see " + SecretMatcher.PLACEHOLDER + " instead of the value. Default list: "
                    + "docs/cli.md#redaction.")
    List<String> redact = new ArrayList<>();

    @Option(names = "--no-default-redact",
            description = "Do not redact the default list of secret names (*PASSWORD*, *SECRET*, *TOKEN*, ...): "
                    + "only the --redact patterns.")
    boolean noDefaultRedact;

    @Option(names = "--no-children",
            description = "Record the first JVM only: JVMs it starts are not recorded as processes of their own "
                    + "(what it saw of them is, as of any child process).")
    boolean noChildren;

    @Option(names = "--verbose", description = "Print the java command, and make the agent verbose.")
    boolean verbose;

    @Option(names = "--java", paramLabel = "PATH",
            description = "The java to run, or a JDK directory (default: the first java on PATH).")
    Path java;

    @Option(names = "--force", description = "Overwrite FILE if it exists.")
    boolean force;

    @Option(names = "--pack", description = "When the program (and the JVMs it started) ended, pack the recording: "
            + "add the code its replay needs that is not the JDK, as retrace pack does. Nothing is packed when "
            + "nothing was kept (--save-on failure after a success).")
    boolean pack;

    @Parameters(paramLabel = "<java arguments>", arity = "0..*",
            description = "What you would give to java: options, then -jar JAR, a main class or a source file, and its arguments.")
    List<String> javaArguments = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (javaArguments.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                    "missing the java arguments to run, e.g. retrace record -- -jar app.jar");
        }
        List<String> patterns = checkedPatterns();
        Path agent = ((RetraceCommand) spec.parent().userObject()).dist.builtAgent();
        Path shown = output != null ? output : Path.of(defaultName(LocalDateTime.now()));
        Path tape = shown.toAbsolutePath().normalize();
        checkOutput(shown, tape);
        Path javaPath = findJava();

        StringBuilder options = new StringBuilder("record,tape=").append(tape);
        if (saveOn != null) {
            options.append(",save_on=").append(saveOn);
        }
        if (stacktraces) {
            options.append(",stacktraces");
        }
        if (escapeAfter != null) {
            if (escapeAfter < 0) {
                throw new ParameterException(spec.commandLine(), "--escape-after takes milliseconds, 0 or more");
            }
            options.append(",escape_after=").append(escapeAfter);
        }
        if (chaos) {
            options.append(",chaos");
        }
        if (preemptFields) {
            options.append(",preempt=fields");
        } else if (preempt && !chaos) {
            options.append(",preempt=on");
        }
        if (keepReferences) {
            options.append(",keep_references");
        }
        if (!redact.isEmpty()) {
            options.append(",redact=").append(String.join(":", patterns));
        }
        if (noDefaultRedact) {
            options.append(",no_default_redact");
        }
        if (noChildren) {
            options.append(",no_children");
        }
        if (verbose) {
            options.append(",verbose");
        }
        List<String> command = new ArrayList<>();
        command.add(javaPath.toString());
        command.add("-agentpath:" + agent.toAbsolutePath() + "=" + options);
        command.addAll(javaArguments);

        PrintWriter err = spec.commandLine().getErr();
        if (verbose) {
            err.println("retrace record: " + Recordings.commandLine(command));
        }
        int status = ChildProcess.run(command, spec.commandLine().getOut(), err);
        if (Files.exists(tape)) {
            err.println("retrace record: saved " + shown + " (replay with: " + runnable(shown) + ")");
            warnOutsideGuarantee(tape, err);
            if (pack && !packSaved(shown, tape, err)) {
                return status != 0 ? status : Main.EXIT_DATA;
            }
        } else if (saveOn == SaveOn.failure && status == 0) {
            err.println("retrace record: no recording kept (save-on failure and the run succeeded)");
        } else {
            err.println("retrace record: no recording was written to " + shown
                    + " (did the agent load? try --verbose)");
        }
        return status;
    }

    /** How long --pack waits for JVMs of the tree that outlive the first one to end their recording. */
    static final Duration TREE_END_WAIT = Duration.ofSeconds(30);

    /**
     * Packs the saved recording once every process that is still alive has written its end frame
     * (a child JVM may outlive the first: what it writes after the pack replaced the file would be
     * lost), then says how big the pack is. One line and false when it cannot be packed: the
     * recording is kept as it was.
     */
    private static boolean packSaved(Path shown, Path tape, PrintWriter err) {
        try {
            Optional<Long> running = waitForTheTree(tape, TREE_END_WAIT);
            if (running.isPresent()) {
                err.println("retrace record: not packed: process " + running.get() + " is still recording into "
                        + shown + " after " + TREE_END_WAIT.toSeconds() + " s; pack it when it ends: retrace pack " + shown);
                return false;
            }
            // What a killed process of the tree names is packed as it is: its replay stops where its recording does.
            Packer.Result packed = Packer.pack(tape, null, true);
            err.println("retrace record: packed " + shown + ": " + packed.stats().line());
            return true;
        } catch (PackException | RecordingException e) {
            err.println("retrace record: not packed: " + Messages.oneLine(e.getMessage()));
        } catch (IOException | UncheckedIOException e) {
            err.println("retrace record: not packed: " + Messages.of(e instanceof UncheckedIOException u ? u.getCause() : e));
        }
        return false;
    }

    /** The pid of a process of the recording that has no end frame and is alive after {@code patience}, if any. */
    private static Optional<Long> waitForTheTree(Path tape, Duration patience) throws RecordingException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Optional<Long> running;
            try (Recording recording = Recording.open(tape)) {
                running = recording.summary().processes().stream()
                        .filter(p -> p.end() == null)
                        .map(RecordingSummary.Process::pid)
                        .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .findFirst();
            }
            if (running.isEmpty() || System.nanoTime() > deadline) {
                return running;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return running;
            }
        }
    }

    /**
     * Says at record time what would otherwise surface only on replay: hand-overs the determinism
     * guarantee does not cover (forced, escape), after which a replay may follow another interleaving,
     * and references the collector cleared, which the recording cannot hold.
     */
    private static void warnOutsideGuarantee(Path tape, PrintWriter err) {
        long outside = 0;
        List<String> collector = new ArrayList<>();
        try (Recording recording = Recording.open(tape)) {
            RecordingSummary summary = recording.summary();
            for (long pid : summary.pids()) {
                Optional<RecordingSummary.Process> process = summary.process(pid);
                outside += process.map(RecordingSummary.Process::handoversOutsideGuarantee).orElse(0L);
                process.flatMap(SummaryCommand::collectorWarning)
                        .ifPresent(w -> collector.add(summary.pids().size() > 1 ? "process " + pid + ": " + w : w));
            }
        } catch (RecordingException | RuntimeException e) {
            return;  // the recording is the user's; summary and replay say what is wrong with it
        }
        if (outside > 0) {
            err.println("retrace record: warning: " + SummaryCommand.plural(outside, "hand-over")
                    + SummaryCommand.GUARANTEE_WARNING + "; the replay may take another interleaving there");
        }
        collector.forEach(w -> err.println("retrace record: warning: " + w));
    }

    /** The agent options separate options by commas and patterns by colons: neither can be in a pattern. */
    private List<String> checkedPatterns() {
        for (String pattern : redact) {
            if (pattern.isEmpty() || !pattern.chars().allMatch(c -> c > ' ' && c < 0x7f && c != ',' && c != ':')) {
                throw new ParameterException(spec.commandLine(), "--redact '" + pattern
                        + "' is not a name pattern (letters, digits, punctuation, * and ?; no comma, colon or space)");
            }
        }
        return redact;
    }

    static String defaultName(LocalDateTime now) {
        return "retrace-" + now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".retrace";
    }

    /** How to run the recording from here: ./FILE for a relative FILE. */
    static String runnable(Path file) {
        String s = file.toString();
        return file.isAbsolute() || s.startsWith("./") || s.startsWith("../") ? s : "./" + s;
    }

    /** Never lose user data: an existing FILE needs --force; a missing directory is an error. */
    private void checkOutput(Path shown, Path tape) throws IOException {
        if (tape.toString().contains(",")) {
            throw new DataException("the path " + tape + " contains a comma, which the agent options cannot carry");
        }
        Path directory = tape.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new DataException("the directory of " + shown + " does not exist");
        }
        if (Files.isDirectory(tape)) {
            throw new DataException(shown + " is a directory");
        }
        if (Files.exists(tape)) {
            if (!force) {
                throw new DataException(shown + " already exists (use --force to overwrite it)");
            }
            Files.delete(tape);  // with save-on failure, an old file must not pass for this run's
        }
    }

    private Path findJava() {
        if (java != null) {
            Path candidate = Files.isDirectory(java) ? java.resolve("bin/java") : java;
            if (!Files.isRegularFile(candidate) || !Files.isExecutable(candidate)) {
                throw new DataException("--java " + java + " is not a java executable or a JDK directory");
            }
            return candidate;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String directory : path.split(File.pathSeparator)) {
                if (directory.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(directory, "java");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new DataException("no java on PATH (use --java PATH)");
    }
}
