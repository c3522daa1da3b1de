package dev.retrace.cli;

import dev.retrace.pack.PackException;
import dev.retrace.pack.PackedCode;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;

/** What the verbs that read a recording share: choosing processes, reporting damage. */
final class Recordings {
    private Recordings() {}

    /** The process a replay runs and the recording's summary, or (process null) the exit status it was refused with. */
    record ToReplay(RecordingSummary.Process process, RecordingSummary summary, int refusedWith) {
        boolean refused() {
            return process == null;
        }
    }

    /**
     * The process a replay of {@code file} runs ({@code pid}, or the root), or a refusal after one
     * line {@code <verb>: <message>} on {@code err}: 122 (as the launcher and the agent give it) for
     * a file that is unreadable, holds no whole process or was changed after it was recorded; 2 (as
     * {@code ./FILE --pid N}) for a pid it does not hold.
     */
    static ToReplay toReplay(Path file, Long pid, String verb, PrintWriter err) {
        try (Recording recording = Recording.open(file)) {
            RecordingSummary summary = recording.summary();
            if (summary.processes().isEmpty()) {
                throw new DataException(file + " holds no whole process (" + summary.stop().reason() + ")");
            }
            if (summary.stop().tampered()) {
                // As the launcher and the agent refuse it: frames were added to it or copied in it.
                throw new DataException("refusing to replay " + file + ": it was changed after it was recorded ("
                        + summary.stop().reason() + ")");
            }
            if (pid != null && summary.process(pid).isEmpty()) {
                err.println(verb + ": " + Messages.oneLine(unknownPid(summary, pid, file).getMessage()));
                return new ToReplay(null, null, Main.EXIT_USAGE);
            }
            RecordingSummary.Process process = pid != null ? summary.process(pid).orElseThrow() : summary.processes().getFirst();
            return new ToReplay(process, summary, 0);
        } catch (RecordingException | DataException e) {
            err.println(verb + ": " + Messages.oneLine(e.getMessage()));
            return new ToReplay(null, null, ReplayCommand.UNREADABLE);
        }
    }

    /** The code map a replay passes the launcher (null: the recording has no pack), or the status it was refused with. */
    record CodeMap(Path map, int refusedWith) {
        boolean refused() {
            return refusedWith != 0;
        }
    }

    /**
     * Extracts a packed recording's code into the cache (docs/cli.md#the-pack-cache) for a replay,
     * or refuses after one line {@code <verb>: <message>}: 122 when the pack does not match its
     * checksums (the recording was changed after it was packed), 1 when the cache cannot be written.
     */
    static CodeMap codeMap(Path file, RecordingSummary summary, String verb, PrintWriter err) {
        if (summary.pack() == null) {
            return new CodeMap(null, 0);
        }
        Path cache = null;
        try {
            cache = PackedCode.cacheRoot(System.getenv());
            return new CodeMap(PackedCode.extract(file, summary, cache), 0);
        } catch (PackException e) {
            err.println(verb + ": " + Messages.oneLine(e.getMessage()));
            return new CodeMap(null, e.changedAfterPacking() ? ReplayCommand.UNREADABLE : Main.EXIT_DATA);
        } catch (IOException | UncheckedIOException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            err.println(verb + ": cannot extract the pack of " + file + " into " + cache + ": " + Messages.of(cause));
            return new CodeMap(null, Main.EXIT_DATA);
        }
    }

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
