package dev.retrace.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.retrace.tape.Event;
import dev.retrace.tape.Handover;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "print",
        description = {
            "Prints the recorded events, like jfr print.",
            "",
            "A header per process, then one line per event in file order: thread, index within the thread, "
                    + "boundary call, value, data length and an escaped preview, items, fields, the exception "
                    + "thrown, and the Java stack when the recording was made with stacktraces. Then one line "
                    + "per hand-over of the baton between threads, in schedule order: the thread that gave it "
                    + "up, at which of its scheduling points, the thread that got it, and why (yield, block, "
                    + "forced, escape). A damaged or incomplete recording is printed as far as it is readable, "
                    + "then the command exits 1.",
        },
        sortOptions = false,
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " retrace print run.retrace",
            "",
            " retrace print --pid 4242 run.retrace | grep FileInputStream",
            "",
            " retrace print --json run.retrace > run.json",
        })
final class PrintCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--json", description = "Print one JSON document: "
            + "{\"recording\":FILE,\"processes\":[{\"pid\":N,\"events\":[...],\"handovers\":[...]}]}.")
    boolean json;

    @Option(names = "--pid", paramLabel = "PID", description = "Only this process (see --list_pids).")
    Long pid;

    @Parameters(paramLabel = "FILE", description = "The recording.")
    Path file;

    @Override
    public Integer call() throws RecordingException, IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (Recording recording = Recording.open(file)) {
            RecordingSummary summary = recording.summary();
            List<RecordingSummary.Process> processes = Recordings.select(summary, pid, file);
            if (json) {
                printJson(recording, processes, out);
            } else {
                printText(recording, processes, summary, out);
            }
            return Recordings.status(summary, spec, file);
        }
    }

    private void printText(Recording recording, List<RecordingSummary.Process> processes,
            RecordingSummary summary, PrintWriter out) throws RecordingException {
        boolean first = true;
        for (RecordingSummary.Process process : processes) {
            if (!first) {
                out.println();
            }
            first = false;
            out.println(header(process, summary));
            int width = process.threads().stream().mapToInt(t -> process.threadName(t.thread()).length()).max().orElse(4);
            try (Stream<Event> events = recording.events(process.pid())) {
                Iterator<Event> it = events.iterator();
                while (it.hasNext() && !out.checkError()) {
                    Event e = it.next();
                    String thread = process.threadName(e.thread());
                    out.println("  " + EventFormat.line(e, thread, Math.max(width, thread.length())));
                    if (e.stack() != null) {
                        for (String frame : e.stack()) {
                            out.println("  " + " ".repeat(Math.max(width, thread.length())) + "     at " + frame);
                        }
                    }
                }
            }
            try (Stream<Handover> handovers = recording.handovers(process.pid())) {
                Iterator<Handover> it = handovers.iterator();
                while (it.hasNext() && !out.checkError()) {
                    out.println("  " + handoverLine(it.next()));
                }
            }
        }
    }

    /** {@code hand-over #12: thread 0 at point 57 -> thread 3 (yield)}; a preemption also names its tick. */
    static String handoverLine(Handover h) {
        String tick = "preempt".equals(h.kind()) ? " tick " + h.fromTick() : "";
        return "hand-over #" + h.index() + ": thread " + h.from() + " at point " + h.fromPoint() + tick + " -> thread "
                + h.to() + " (" + h.kind() + ")";
    }

    static String header(RecordingSummary.Process process, RecordingSummary summary) {
        String role = process.parentPid() == 0 || summary.process(process.parentPid()).isEmpty()
                ? "root"
                : "child of " + process.parentPid() + " at event " + process.parentEventIndex() + " of its thread "
                        + process.parentThread();
        String exit = process.end() == null ? "no end (killed, or still running)" : "exit " + process.end().exitStatus();
        return "Process " + process.pid() + " (" + role + ", " + process.events() + " events, " + exit + "): "
                + Recordings.commandLine(process.argv());
    }

    /**
     * Streams the document: events and hand-overs are copied as the tape library writes them, never
     * all in memory.
     */
    private void printJson(Recording recording, List<RecordingSummary.Process> processes, PrintWriter out)
            throws RecordingException, IOException {
        JsonGenerator json = new JsonFactory()
                .createGenerator(out)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .setPrettyPrinter(new DefaultPrettyPrinter());
        json.writeStartObject();
        json.writeStringField("recording", file.toString());
        json.writeArrayFieldStart("processes");
        for (RecordingSummary.Process process : processes) {
            json.writeStartObject();
            json.writeNumberField("pid", process.pid());
            json.writeArrayFieldStart("events");
            try (Stream<String> events = recording.eventsJson(process.pid())) {
                Iterator<String> it = events.iterator();
                while (it.hasNext() && !out.checkError()) {
                    json.writeRawValue(it.next());
                }
            }
            json.writeEndArray();
            json.writeArrayFieldStart("handovers");
            try (Stream<String> handovers = recording.handoversJson(process.pid())) {
                Iterator<String> it = handovers.iterator();
                while (it.hasNext() && !out.checkError()) {
                    json.writeRawValue(it.next());
                }
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
        json.flush();
        out.println();
    }
}
