package dev.retrace.cli;

import dev.retrace.tape.RecordingSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;

/** What the verbs that read a recording share: choosing processes, reporting damage. */
final class Recordings {
    private Recordings() {}

    /** All processes, the root first, or just {@code pid} (a data error when it is not there). */
    static List<RecordingSummary.Process> select(RecordingSummary summary, Long pid, Path file) {
        if (pid == null) {
            return summary.pids().stream().map(p -> summary.process(p).orElseThrow()).toList();
        }
        return List.of(summary.process(pid).orElseThrow(() -> unknownPid(summary, pid, file)));
    }

    /**
     * {@code no process 9 in FILE (its processes: 4242, 4243)}, and when the file stops early,
     * {@code ; FILE stops early, at offset N: a process that started after that is not in it}.
     */
    static DataException unknownPid(RecordingSummary summary, long pid, Path file) {
        String message = "no process " + pid + " in " + file + " (its processes: "
                + summary.pids().stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")";
        if (summary.stop() != null && !summary.stop().clean()) {
            message += "; " + file + " stops early, at offset " + summary.stop().offset()
                    + ": a process that started after that is not in it";
        }
        return new DataException(message);
    }

    /**
     * Exit status after the readable part was shown: 0 when the recording is whole, else 1 after
     * one line {@code retrace <verb>: FILE is incomplete: <reason>} (or {@code was changed after it
     * was recorded: <reason>} when frames were added to it).
     */
    static int status(RecordingSummary summary, CommandSpec spec, Path file) {
        spec.commandLine().getOut().flush();
        var reason = summary.incompleteReason();
        if (reason.isEmpty()) {
            return Main.EXIT_OK;
        }
        String state = summary.stop() != null && summary.stop().tampered()
                ? " was changed after it was recorded: "
                : " is incomplete: ";
        spec.commandLine().getErr().println(spec.qualifiedName() + ": " + file + state + reason.get());
        return Main.EXIT_DATA;
    }

    /** A command line as a shell would show it. */
    static String commandLine(List<String> argv) {
        return argv.stream().map(Recordings::shellQuote).collect(Collectors.joining(" "));
    }

    static String shellQuote(String s) {
        if (!s.isEmpty() && s.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,+@%".indexOf(c) >= 0)) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
