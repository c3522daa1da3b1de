package dev.retrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.retrace.pack.PackException;
import dev.retrace.pack.PackFile;
import dev.retrace.pack.PackIndex;
import dev.retrace.pack.PackStats;
import dev.retrace.tape.Handover;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "summary",
        description = {
            "Prints what a recording holds, like jfr summary.",
            "",
            "The file (format version, size, frames, complete or not and why), then per process: pid, parent, "
                    + "command line, JVM, java home, working directory, start and end time, exit status, events, "
                    + "bytes, threads, hand-overs of the baton between threads by kind (with a warning when some "
                    + "happened outside the determinism guarantee), and a table of event counts per boundary call. "
                    + "A packed recording (retrace pack) also says what its pack holds and how big it is. "
                    + "A damaged or incomplete recording is summarised as far as it is readable, then the command "
                    + "exits 1.",
        },
        footerHeading = "%nExample usage:%n%n",
        footer = {" retrace summary run.retrace", "", " retrace summary --verbose run.retrace", "",
            " retrace summary --json run.retrace", "", " ./run.retrace summary"})
final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--verbose", description = "Also list the pack's entries: role, kind, recorded path, size, processes.")
    boolean verbose;

    @Option(names = "--json", description = "Print the summary as the tape library gives it (tape_c.h), "
            + "its pack object with the pack's figures and index.")
    boolean json;

    @Parameters(paramLabel = "FILE", description = "The recording.")
    Path file;

    @Override
    public Integer call() throws RecordingException, IOException {
        try (Recording recording = Recording.open(file)) {
            RecordingSummary summary = recording.summary();
            PackView pack = PackView.of(file, summary);
            if (json) {
                printJson(recording.summaryJson(), summary, pack, spec.commandLine().getOut());
            } else {
                print(summary, pack, spec.commandLine().getOut());
            }
            int status = Recordings.status(summary, spec, file);
            if (pack.problem() != null) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": " + file + ": " + pack.problem());
                return Main.EXIT_DATA;
            }
            return status;
        }
    }

    /** The pack as summary shows it: its index and figures, or why it cannot be read; nothing for a recording without one. */
    record PackView(RecordingSummary.PackLocation where, PackIndex index, PackStats stats, String problem) {
        static PackView of(Path file, RecordingSummary summary) throws IOException {
            if (summary.pack() == null) {
                return new PackView(null, null, null, null);
            }
            try (PackFile pack = PackFile.open(file, summary.pack())) {
                return new PackView(summary.pack(), pack.index(), pack.stats(summary.pack().bytes()), null);
            } catch (PackException e) {
                return new PackView(summary.pack(), null, null, e.getMessage());
            }
        }
    }

    void print(RecordingSummary s, PackView pack, PrintWriter out) {
        out.println();
        out.println(" Recording: " + file);
        out.println(" Format version: " + s.formatVersion());
        out.println(" Size: " + s.fileSize() + " bytes");
        out.println(" Frames: " + s.frames());
        String state = s.stop() != null && s.stop().tampered() ? "changed after it was recorded: " : "incomplete: ";
        out.println(" Status: " + s.incompleteReason().map(r -> state + r).orElse("complete"));
        if (pack.where() == null) {
            out.println(" Pack: none (the code is read where it was recorded; retrace pack adds it)");
        } else if (pack.index() == null) {
            out.println(" Pack: unreadable, " + PackStats.size(pack.where().bytes()) + " at offset " + pack.where().offset()
                    + " (" + pack.problem() + ")");
        } else {
            out.println(" Pack: " + pack.stats().line());
            if (verbose) {
                printPackEntries(pack.index(), out);
            }
        }
        for (long pid : s.pids()) {
            RecordingSummary.Process p = s.process(pid).orElseThrow();
            out.println();
            printProcess(s, p, out);
        }
        out.println();
    }

    private static void printPackEntries(PackIndex index, PrintWriter out) {
        int roleWidth = index.entries().stream().mapToInt(e -> e.role().name().length()).max().orElse(0);
        int kindWidth = index.entries().stream().mapToInt(e -> e.kind().name().length()).max().orElse(0);
        for (PackIndex.Entry e : index.entries()) {
            String content = switch (e.kind()) {
                case file -> PackStats.size(e.size()) + ", sha256 " + e.sha256().substring(0, 12);
                case directory -> plural(e.files().size(), "class file") + ", " + PackStats.size(e.size());
                case missing -> "recorded as missing";
            };
            String pids = e.pids().stream().map(String::valueOf).collect(Collectors.joining(", "));
            out.println(String.format("   %-" + roleWidth + "s  %-" + kindWidth + "s  %s (%s; process%s %s)",
                    e.role(), e.kind(), e.resolvedPath(), content, e.pids().size() == 1 ? "" : "es", pids));
        }
    }

    private static void printJson(String summaryJson, RecordingSummary summary, PackView pack, PrintWriter out)
            throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(summaryJson);
        if (pack.where() != null) {
            ObjectNode node = root.putObject("pack");
            node.put("offset", pack.where().offset());
            node.put("bytes", pack.where().bytes());
            if (pack.index() == null) {
                node.put("problem", pack.problem());
            } else {
                PackStats stats = pack.stats();
                node.put("entries", stats.entries());
                node.put("missing", stats.missing());
                node.put("files", stats.files());
                node.put("objects", stats.objects());
                node.put("contentBytes", stats.contentBytes());
                node.set("index", mapper.readTree(pack.index().toJson()));
            }
        }
        out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    private static void printProcess(RecordingSummary s, RecordingSummary.Process p, PrintWriter out) {
        boolean root = p.parentPid() == 0 || s.process(p.parentPid()).isEmpty();
        out.println(" Process " + p.pid() + (root ? " (root)" : ""));
        if (p.parentPid() != 0) {
            out.println(" Parent: " + p.parentPid() + " (at event " + p.parentEventIndex() + " of its thread "
                    + p.parentThread() + ")"
                    + (root ? ", not in this recording" : ""));
        }
        List<RecordingSummary.Process> children = s.children(p.pid());
        if (!children.isEmpty()) {
            out.println(" Children: " + children.stream().map(c -> String.valueOf(c.pid())).collect(Collectors.joining(", ")));
        }
        out.println(" Command line: " + Recordings.commandLine(p.argv()));
        // What the replay passes the JVM besides the command line (the launcher checks both): read it before replaying.
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH")) {
            p.env().stream().filter(e -> e.startsWith(variable + "=")).findFirst()
                    .ifPresent(e -> out.println(" Recorded " + variable + ": " + e.substring(variable.length() + 1)));
        }
        out.println(" JVM: " + nonEmpty(p.jvmVersion()));
        out.println(" Java home: " + nonEmpty(p.javaHome()));
        out.println(" Working directory: " + nonEmpty(p.cwd()));
        out.println(" Start: " + time(p.startTimeMillis()));
        RecordingSummary.End end = p.end();
        if (end == null) {
            out.println(" End: none (killed, or still running)");
            out.println(" Exit status: unknown");
        } else {
            out.println(" End: " + time(end.endTimeMillis()) + " (" + duration(end.endTimeMillis() - p.startTimeMillis()) + ")");
            String truncated = end.complete() ? "" : " (stopped recording early: " + nonEmpty(end.truncatedReason()) + ")";
            out.println(" Exit status: " + end.exitStatus() + truncated);
            RecordingSummary.Cleared cleared = end.cleared();
            out.println(cleared.counted()
                    ? " Collector: cleared " + cleared.weak() + " weak, " + cleared.soft() + " soft, " + cleared.phantom()
                            + " phantom references; queued " + cleared.finalized() + " for finalization"
                    : " Collector: not counted (recorded by an older agent)");
            collectorWarning(p).ifPresent(w -> out.println(" Warning: " + w));
        }
        out.println(" Events: " + p.events());
        out.println(" Bytes: " + p.bytes());
        out.println(" Threads: " + p.threads().size() + (p.threads().isEmpty() ? "" : " ("
                + p.threads().stream().map(t -> p.threadName(t.thread())).collect(Collectors.joining(", ")) + ")"));
        printHandovers(p, out);
        List<RecordingSummary.Call> calls = p.calls().stream()
                .filter(c -> c.count() > 0)
                .sorted(Comparator.comparingLong(RecordingSummary.Call::count).reversed()
                        .thenComparing(RecordingSummary.Call::name))
                .toList();
        if (!calls.isEmpty()) {
            int width = Math.max("Boundary call".length(), calls.stream().mapToInt(c -> c.name().length()).max().orElse(0));
            out.println();
            out.println(String.format(" %-" + width + "s  %10s", "Boundary call", "Count"));
            out.println(" " + "=".repeat(width + 12));
            for (RecordingSummary.Call c : calls) {
                out.println(String.format(" %-" + width + "s  %10d", c.name(), c.count()));
            }
        }
    }

    /**
     * Said when a process's collector cleared weak or soft references while it was recorded without
     * --keep-references: what it cleared is outside the recording, and a program that reads such
     * references back may take another course on replay.
     */
    static Optional<String> collectorWarning(RecordingSummary.Process p) {
        if (p.end() == null || p.end().cleared().readable() == 0 || keepsReferences(p)) {
            return Optional.empty();
        }
        RecordingSummary.Cleared cleared = p.end().cleared();
        return Optional.of("the collector cleared " + plural(cleared.readable(), "weak or soft reference")
                + " while recording; a replay diverges if the program's course depended on which"
                + " (record with --keep-references; see docs/limitations.md#garbage-collection-and-memory)");
    }

    private static boolean keepsReferences(RecordingSummary.Process p) {
        return p.agentOptions() != null && List.of(p.agentOptions().split(",")).contains("keep_references");
    }

    static final String GUARANTEE_WARNING = " happened outside the determinism guarantee (forced: the baton holder"
            + " blocked inside the VM; escape: a thread ran without a scheduling point for too long); see docs/threads.md";

    private static void printHandovers(RecordingSummary.Process p, PrintWriter out) {
        out.println(" Hand-overs: " + p.handovers() + " ("
                + Handover.KINDS.stream().map(k -> k + " " + p.handovers(k)).collect(Collectors.joining(", ")) + ")");
        long outside = p.handoversOutsideGuarantee();
        if (outside > 0) {
            out.println(" Warning: " + plural(outside, "hand-over") + GUARANTEE_WARNING);
        }
        // Without an end frame nobody knows how many there should be; the status line says why.
        if (p.end() != null && !p.handoversComplete()) {
            out.println(" Warning: only " + p.handovers() + " of the " + plural(p.end().handoverCount(), "recorded hand-over")
                    + " are readable (the thread schedule has a hole)");
        }
    }

    static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    static String time(long millis) {
        return millis == 0 ? "unknown" : Instant.ofEpochMilli(millis).toString();
    }

    static String duration(long millis) {
        return millis < 0 ? "unknown duration" : String.format("%d.%03d s", millis / 1000, millis % 1000);
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? "unknown" : s;
    }
}
