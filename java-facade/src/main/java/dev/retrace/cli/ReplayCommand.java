package dev.retrace.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "replay",
        description = {
            "Replays a recording, the same as running the file itself.",
            "",
            "Runs the recorded JVM again in the recorded working directory, with the agent in replay mode: "
                    + "every boundary call returns what was recorded, threads run in the recorded order, nothing "
                    + "outside is touched, and only stdout and stderr are written again. Exits with the program's "
                    + "own status, or 120 divergence, 121 the JVM, code or directory differs from the recording, "
                    + "122 the recording is unreadable, 123 replay ran past the end of an incomplete recording, 124 the "
                    + "recording carries a JVM option that is not run without --trust, 2 a --pid that names no process "
                    + "of the recording.",
        },
        sortOptions = false,
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " retrace replay run.retrace",
            "",
            " retrace replay run.retrace --pid 4243 --verbose",
            "",
            " retrace replay run.retrace --check-stacks",
            "",
            " retrace replay run.retrace --debug 5005",
            "",
            " ./run.retrace",
        })
final class ReplayCommand implements Callable<Integer> {
    static final int UNREADABLE = 122;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--pid", paramLabel = "PID", description = "Replay this process (default: the root; see --list_pids).")
    Long pid;

    @Option(names = "--check-stacks", description = "Also compare each event's Java stack with the recorded one "
            + "(a recording made with --stacktraces): a replay that reaches an event by another path stops there.")
    boolean checkStacks;

    @Option(names = "--debug", paramLabel = "[HOST:]PORT", description = "Start the replay suspended, with the "
            + "JVM's debugger agent (JDWP) listening at HOST:PORT (default host 127.0.0.1), and debug it forwards "
            + "in IntelliJ, VS Code or jdb. See docs/debugging.md.")
    String debug;

    @Mixin
    ReplayJdkOptions jdk;

    @Option(names = "--verbose", description = "Print the replay command, and make the agent verbose.")
    boolean verbose;

    @Parameters(paramLabel = "FILE", description = "The recording (or an extracted <PID>.bin).")
    Path file;

    @Override
    public Integer call() {
        Recordings.ToReplay toReplay = Recordings.toReplay(file, pid, "retrace replay", spec.commandLine().getErr());
        if (toReplay.refused()) {
            return toReplay.refusedWith();
        }
        Recordings.CodeMap codeMap = Recordings.codeMap(file, toReplay.summary(), "retrace replay",
                spec.commandLine().getErr());
        if (codeMap.refused()) {
            return codeMap.refusedWith();
        }
        Path launcher = ((RetraceCommand) spec.parent().userObject()).dist.builtLauncher();
        List<String> command = command(launcher, file, pid, checkStacks, debug, jdk, verbose, codeMap.map());
        return ChildProcess.run(command, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * The launcher's command line for a replay; retrace dap starts its replays with it too.
     * {@code codeMap}: a packed recording's code map (null for one without a pack), which tells the
     * launcher where the pack's copy of each recorded code path is.
     */
    static List<String> command(Path launcher, Path file, Long pid, boolean checkStacks, String debug,
            ReplayJdkOptions jdk, boolean verbose, Path codeMap) {
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "--recording", file.toString()));
        if (codeMap != null) {
            command.addAll(List.of("--code-map", codeMap.toString()));
        }
        if (pid != null) {
            command.addAll(List.of("--pid", pid.toString()));
        }
        if (checkStacks) {
            command.add("--check-stacks");
        }
        if (debug != null) {
            command.addAll(List.of("--debug", debug));
        }
        if (jdk != null) {
            jdk.addTo(command);
        }
        if (verbose) {
            command.add("--verbose");
        }
        return command;
    }
}
