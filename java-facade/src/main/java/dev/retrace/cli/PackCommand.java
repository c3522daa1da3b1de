package dev.retrace.cli;

import dev.retrace.pack.PackException;
import dev.retrace.pack.Packer;
import dev.retrace.tape.RecordingException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "pack",
        description = {
            "Makes a recording self-contained, like rr pack.",
            "",
            "Adds to the recording the code its replay reads that is not the JDK: the class path and module path "
                    + "entries (jars, the class files of directories), the jars and class files its class loaders "
                    + "opened, -javaagent jars and @argfiles, of every process. Each file is first checked against the "
                    + "recorded checksum, and each distinct content is stored once, compressed where that pays. The "
                    + "frames stay as they are: every command reads a packed recording as before, and a replay takes "
                    + "the code from the pack. A recording packed already gets a new pack. The file is written beside "
                    + "FILE (or OUT) and renamed over it, mode 0700: on any error it is left as it was.",
        },
        sortOptions = false,
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " retrace pack run.retrace",
            "",
            " retrace pack failed.retrace -o failed-packed.retrace",
            "",
            " retrace record --pack -o run.retrace -- -jar app.jar",
        })
final class PackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT",
            description = "Write the packed recording to OUT and leave FILE as it is (default: FILE itself).")
    Path output;

    @Option(names = "--force", description = "Pack a recording some of whose processes have no end frame (killed, "
            + "or still recording), and replace OUT if it exists.")
    boolean force;

    @Parameters(paramLabel = "FILE", description = "The recording.")
    Path file;

    @Override
    public Integer call() throws IOException, RecordingException {
        Packer.Result result;
        try {
            result = Packer.pack(file, output, force);
        } catch (PackException e) {
            throw new DataException(e.getMessage());
        }
        spec.commandLine().getOut().println("packed " + (output != null ? output : file) + ": " + result.stats().line());
        return Main.EXIT_OK;
    }
}
