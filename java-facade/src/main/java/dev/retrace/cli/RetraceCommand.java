package dev.retrace.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top of the CLI: {@code retrace <verb> ...}. The verbs are one class each. */
@Command(
        name = "retrace",
        synopsisHeading = "Usage: ",
        customSynopsis = {
            "retrace <command> [<options>]",
            "       retrace --recording FILE [--pid PID] [--verbose]",
            "       retrace --recording FILE --list_pids | --extract [DIR]",
            "       retrace --recording FILE <command> [<options>]",
        },
        description = {"", "Records a Java process once and replays it exactly, offline."},
        optionListHeading = "%nOptions:%n",
        commandListHeading = "%nCommands:%n",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        footerHeading = "%n",
        footer = {
            "Run `retrace` without arguments for a short tutorial, and",
            "`retrace help <command>` for a command's options.",
            "",
            "Exit status: 0 success, 1 data error, 2 usage error, 70 internal error.",
            "record and replay exit with the program's own status; replay also with",
            "120 divergence, 121 JVM or code differs, 122 recording unreadable,",
            "123 replay ran past the end of an incomplete recording (docs/cli.md).",
        },
        subcommands = {
            RecordCommand.class,
            ReplayCommand.class,
            WhyCommand.class,
            DapCommand.class,
            PrintCommand.class,
            SummaryCommand.class,
            ListPidsCommand.class,
            ExtractCommand.class,
            PackCommand.class,
            ScanCommand.class,
            AgentPathCommand.class,
            InstallCommand.class,
            UninstallCommand.class,
            HelpCommand.class,
        })
public final class RetraceCommand implements Runnable {
    final Dist dist;

    @Spec
    CommandSpec spec;

    public RetraceCommand(Dist dist) {
        this.dist = dist;
    }

    @Override
    public void run() {
        spec.commandLine().getOut().print(Tutorial.text(spec.commandLine()));
    }
}
