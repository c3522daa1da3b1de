package dev.retrace.cli;

import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "list-pids",
        description = {
            "Prints the processes of a recording, one pid a line.",
            "",
            "The root process first, then the others in the order they started (their start frames in the file). "
                    + "Also: retrace --recording FILE --list_pids, and ./FILE --list_pids.",
        },
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " retrace list-pids run.retrace",
            "",
            " for pid in $(./run.retrace --list_pids); do retrace replay run.retrace --pid $pid; done",
        })
final class ListPidsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(paramLabel = "FILE", description = "The recording.")
    Path file;

    @Override
    public Integer call() throws RecordingException {
        try (Recording recording = Recording.open(file)) {
            RecordingSummary summary = recording.summary();
            summary.pids().forEach(spec.commandLine().getOut()::println);
            return Recordings.status(summary, spec, file);
        }
    }
}
