package dev.retrace.tape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code rt_tape_summary_json} says about a recording (tape_c.h): the file, where reading
 * stopped, and per process its start message, end message, threads, counts of events per call and
 * of hand-overs per kind.
 */
public record RecordingSummary(
        String path,
        long fileSize,
        String shebang,
        int formatVersion,
        boolean complete,
        Stop stop,
        long frames,
        PackLocation pack,
        List<Process> processes) {

    public RecordingSummary {
        processes = processes == null ? List.of() : List.copyOf(processes);
    }

    /**
     * Where the pack begins (its magic, {@code RETRACE-PACK-v1\n}) and how many bytes it has,
     * magic included; null in a recording that has none. The frames end at {@code offset}.
     */
    public record PackLocation(long offset, long bytes) {
        /** Where the pack's zip archive begins: after the magic. */
        public long archiveOffset() {
            return offset + PACK_MAGIC.length();
        }
    }

    /** tape-format/include/retrace/tape/frame.h kPackMagic: what separates the frames from the pack. */
    public static final String PACK_MAGIC = "RETRACE-PACK-v1\n";

    /** The offset where the frames end: the pack's, or the file's size in a recording without one. */
    public long framesEnd() {
        return pack != null ? pack.offset() : fileSize;
    }

    /**
     * Where reading ended; {@code clean} when the file ended exactly after a whole frame;
     * {@code tampered} when it ended at a frame that does not belong (appended, copied, another
     * recording's): the file was changed after it was recorded.
     */
    public record Stop(boolean clean, long offset, String reason, boolean tampered) {}

    public record Process(
            long pid,
            long parentPid,
            long parentEventIndex,
            long parentThread,
            List<String> argv,
            String javaHome,
            String jvmVersion,
            String cwd,
            long startTimeMillis,
            String agentOptions,
            List<String> env,
            Map<String, String> systemProperties,
            List<Code> code,
            End end,
            List<ThreadName> threads,
            long events,
            boolean eventsComplete,
            long bytes,
            long firstOffset,
            long lastOffset,
            List<Call> calls,
            long handovers,
            Map<String, Long> handoverKinds,
            boolean handoversComplete) {

        public Process {
            argv = argv == null ? List.of() : argv;
            env = env == null ? List.of() : env;
            systemProperties = systemProperties == null ? Map.of() : systemProperties;
            code = code == null ? List.of() : code;
            threads = threads == null ? List.of() : threads;
            calls = calls == null ? List.of() : calls;
            handoverKinds = handoverKinds == null ? Map.of() : handoverKinds;
        }

        /** How many of the hand-overs read are of {@code kind} (one of {@link Handover#KINDS}). */
        public long handovers(String kind) {
            return handoverKinds.getOrDefault(kind, 0L);
        }

        /** Forced and escape hand-overs: those outside the determinism guarantee. */
        public long handoversOutsideGuarantee() {
            return Handover.KINDS.stream().filter(Handover::outsideGuarantee).mapToLong(this::handovers).sum();
        }

        /** Whether this process's part of the recording is whole: its end frame says complete, its schedule has no hole. */
        public boolean complete() {
            return incompleteReason().isEmpty();
        }

        /**
         * Why this process's part is not whole, to follow "process N ": "has no end frame (killed, or
         * still running)", "stopped recording early: REASON", "has E of its M events (...)", "has K of
         * its M hand-overs (its thread schedule has a hole)"; empty when it is whole.
         */
        public Optional<String> incompleteReason() {
            if (end == null) {
                return Optional.of("has no end frame (killed, or still running)");
            }
            if (!end.complete()) {
                String why = end.truncatedReason();
                return Optional.of("stopped recording early" + (why == null || why.isEmpty() ? "" : ": " + why));
            }
            if (!eventsComplete) {
                return Optional.of("has " + events + " readable events where its end frame counts "
                        + end.eventCount() + " (a chunk of them is missing or does not match its count)");
            }
            if (!handoversComplete) {
                return Optional.of("has " + handovers + " of its " + end.handoverCount()
                        + " hand-overs (its thread schedule has a hole)");
            }
            return Optional.empty();
        }

        /** The name of a logical thread, or {@code thread-N} when no thread start named it. */
        public String threadName(long thread) {
            for (ThreadName t : threads) {
                if (t.thread() == thread && t.name() != null && !t.name().isEmpty()) {
                    return t.name();
                }
            }
            return "thread-" + thread;
        }
    }

    /**
     * The process end message; absent when the process was killed or is still running.
     * {@code handoverCount} is how many hand-overs the process made, read or not; {@code cleared}
     * what the collector cleared while it ran; {@code code} the code its class loaders found as it
     * ran (role {@code loaded}).
     */
    public record End(
            int exitStatus, boolean complete, long eventCount, long endTimeMillis, String truncatedReason,
            long handoverCount, Cleared cleared, List<Code> code) {
        public End {
            cleared = cleared == null ? new Cleared(false, 0, 0, 0, 0) : cleared;
            code = code == null ? List.of() : code;
        }
    }

    /**
     * References the collector cleared while the process ran, by kind, and objects it queued for
     * finalisation: outside the recording, so a program that reads weak or soft references may take
     * another course on replay unless it was recorded with --keep-references. Not {@code counted}
     * by agents older than the counts.
     */
    public record Cleared(boolean counted, long weak, long soft, long phantom, long finalized) {
        /** Weak and soft references: those a program reads back with {@code get()}. */
        public long readable() {
            return weak + soft;
        }
    }

    public record ThreadName(long thread, String name) {}

    /** A file that identifies the recorded code; {@code size} is null when it did not exist then. */
    public record Code(String path, String role, long crc32c, Long size) {}

    /** A boundary call of the recording agent's table and how many events answer it. */
    public record Call(int id, String name, long count) {}

    public Optional<Process> process(long pid) {
        return processes.stream().filter(p -> p.pid() == pid).findFirst();
    }

    /** The pids, the root first, then the others in the order of their start frames. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        Process root = root().orElse(null);
        if (root != null) {
            pids.add(root.pid());
        }
        for (Process p : processes) {
            if (p != root) {
                pids.add(p.pid());
            }
        }
        return pids;
    }

    /** The first process whose parent is not in the recording (normally the first one). */
    public Optional<Process> root() {
        for (Process p : processes) {
            if (p.parentPid() == 0 || process(p.parentPid()).isEmpty()) {
                return Optional.of(p);
            }
        }
        return processes.stream().findFirst();
    }

    /** The processes whose parent is {@code pid}, in start order. */
    public List<Process> children(long pid) {
        return processes.stream().filter(p -> p.parentPid() == pid && p.pid() != pid).toList();
    }

    /**
     * Why the recording is not whole, in one line, or empty when it is: a damaged or cut tail, a
     * process without its end frame (killed, or still running), a process that stopped recording
     * early (disk full), a process whose thread schedule misses hand-overs its end frame counts.
     */
    public Optional<String> incompleteReason() {
        List<String> reasons = new ArrayList<>();
        if (stop != null && !stop.clean()) {
            reasons.add(stop.reason() == null || stop.reason().isEmpty()
                    ? "damaged at offset " + stop.offset()
                    : stop.reason());
        }
        if (processes.isEmpty()) {
            reasons.add("it holds no whole process start");
        }
        for (Process p : processes) {
            p.incompleteReason().ifPresent(why -> reasons.add("process " + p.pid() + " " + why));
        }
        if (reasons.isEmpty() && !complete) {
            reasons.add("the recording is not complete");
        }
        return reasons.isEmpty()
                ? Optional.empty()
                : Optional.of(RecordingException.oneLine(String.join("; ", reasons)));
    }
}
