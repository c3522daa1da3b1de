package dev.retrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.retrace.tape.Event;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "why",
        description = {
            "Replays a recording and says why it failed.",
            "",
            "Replays the process offline with the program's output discarded, and reports each failure: an "
                    + "exception nothing caught, an AssertionError (a failed test or assert), or System.exit with a "
                    + "non-zero status, with its stack, the local variables of every frame at the throw (values; objects with their fields, one "
                    + "level deep) and the boundary events that fed the failing thread before it (clocks, random "
                    + "seeds, bytes read, the environment), newest first, with their Java stacks when recorded "
                    + "with --stacktraces. Locals need classes compiled with -g (Maven and Gradle do). Exits with "
                    + "the program's own status, or the replay's 120-124 when it could not replay (docs/cli.md).",
        },
        sortOptions = false,
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " retrace why failed.retrace",
            "",
            " retrace why --json failed.retrace > why.json",
            "",
            " retrace why --pid 4243 --events 20 tree.retrace",
        })
final class WhyCommand implements Callable<Integer> {
    /** The replay's own statuses (docs/cli.md): then it did not replay the program to its end. */
    private static final int FIRST_REPLAY_STATUS = 120;
    private static final int LAST_REPLAY_STATUS = 124;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--json", description = "Print one JSON document (its schema: docs/debugging.md#retrace-why).")
    boolean json;

    @Option(names = "--pid", paramLabel = "PID", description = "Explain this process (default: the root; see --list_pids).")
    Long pid;

    @Option(names = "--events", paramLabel = "N", description = "How many of the events that fed the failing "
            + "thread to show (default: ${DEFAULT-VALUE}).", defaultValue = "12")
    int events;

    @Mixin
    ReplayJdkOptions jdk;

    @Parameters(paramLabel = "FILE", description = "The recording (or an extracted <PID>.bin).")
    Path file;

    /** A packed recording's code map, for the launcher (null without a pack). */
    private Path codeMap;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        if (events < 0) {
            err.println("retrace why: --events must be 0 or more, not " + events);
            return Main.EXIT_USAGE;
        }
        Recordings.ToReplay toReplay = Recordings.toReplay(file, pid, "retrace why", err);
        if (toReplay.refused()) {
            return toReplay.refusedWith();
        }
        RecordingSummary.Process process = toReplay.process();
        Recordings.CodeMap map = Recordings.codeMap(file, toReplay.summary(), "retrace why", err);
        if (map.refused()) {
            return map.refusedWith();
        }
        codeMap = map.map();

        Path work = Files.createTempDirectory("retrace-why");
        try {
            Path report = work.resolve("why.json");
            Path replayErr = work.resolve("replay.err");
            int status = replay(process.pid(), report, replayErr);
            if (status >= FIRST_REPLAY_STATUS && status <= LAST_REPLAY_STATUS) {
                err.println("retrace why: the replay stopped before the program's end: " + replayProblem(replayErr));
                return status;
            }
            if (!Files.isRegularFile(report)) {
                err.println("retrace why: the replay left no report (exit " + status + "): " + replayProblem(replayErr));
                return status == 0 ? Main.EXIT_DATA : status;
            }
            ObjectNode answer = answer(process, status, new ObjectMapper().readTree(report.toFile()));
            if (json) {
                spec.commandLine().getOut().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
            } else {
                WhyText.print(answer, spec.commandLine().getOut());
            }
            return status;
        } finally {
            try (var paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private int replay(long replayPid, Path report, Path replayErr) throws IOException {
        Path launcher = ((RetraceCommand) spec.parent().userObject()).dist.builtLauncher();
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "--recording", file.toString()));
        if (codeMap != null) {
            command.addAll(List.of("--code-map", codeMap.toString()));
        }
        command.addAll(List.of("--pid", Long.toString(replayPid), "--why", report.toString()));
        jdk.addTo(command);
        Process replay = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(replayErr.toFile())
                .start();
        while (true) {
            try {
                return replay.waitFor();
            } catch (InterruptedException e) {
                replay.destroy();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The replay's own line (the launcher's or the agent's), not the program's output. */
    private static String replayProblem(Path replayErr) throws IOException {
        List<String> lines = Files.isRegularFile(replayErr) ? Files.readAllLines(replayErr) : List.of();
        for (String line : lines) {
            if (line.startsWith("retrace") && line.contains(": ")) {
                return line.substring(line.indexOf(": ") + 2);
            }
        }
        return lines.isEmpty() ? "it printed nothing" : lines.getLast();
    }

    /** The agent's report, with the recorded events that fed each failing thread. */
    private ObjectNode answer(RecordingSummary.Process process, int status, JsonNode report) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode answer = mapper.createObjectNode();
        answer.put("recording", file.toString());
        answer.put("pid", process.pid());
        answer.set("argv", mapper.valueToTree(process.argv()));
        answer.put("exitStatus", status);
        ArrayNode failures = answer.putArray("failures");
        for (JsonNode failure : report.path("failures")) {
            ObjectNode copy = failure.deepCopy();
            long thread = failure.path("thread").asLong();
            long before = failure.path("eventIndex").asLong();
            ArrayDeque<Event> newest = new ArrayDeque<>();
            long[] inputs = {0};
            forEachEvent(process.pid(), e -> {
                if (e.thread() == thread && e.index() < before && WhyText.isInput(e.call())) {
                    inputs[0]++;
                    newest.addFirst(e);
                    if (newest.size() > events) {
                        newest.removeLast();
                    }
                }
            });
            ArrayNode list = copy.putArray("events");
            newest.forEach(e -> list.add(mapper.valueToTree(e)));
            copy.put("inputEventsBefore", inputs[0]);
            failures.add(copy);
        }
        answer.set("failedTests", report.path("failedTests").deepCopy());
        return answer;
    }

    private void forEachEvent(long eventsPid, Consumer<Event> action) {
        try (Recording recording = Recording.open(file); var stream = recording.events(eventsPid)) {
            stream.forEach(action);
        } catch (RecordingException e) {
            // The replay read it: a recording that stops early has fewer events to show, not none.
        }
    }
}
