package dev.retrace.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(
        name = "install",
        description = {
            "Puts the agent into JAVA_TOOL_OPTIONS in your shell's start-up file, and prints the lines it added.",
            "",
            "Every JVM started from a new shell then loads the agent, which does nothing unless RETRACE_RECORDING "
                    + "names a recording: RETRACE_RECORDING=/abs/run.retrace java ... records that JVM and every JVM "
                    + "it starts, into the one file (RETRACE_SAVE_ON=failure keeps it only when a JVM fails). "
                    + "Running it again replaces the lines; `retrace uninstall` removes them.",
        },
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " retrace install",
            " RETRACE_RECORDING=$PWD/build.retrace mvn test",
        })
final class InstallCommand extends StartUpFileCommand implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
        Path agent = ((RetraceCommand) spec.parent().userObject()).dist.builtAgent();
        ShellInstall install = target();
        ShellInstall.Split split = install.split();
        List<String> block = ShellInstall.block(agent);
        PrintWriter out = spec.commandLine().getOut();
        if (split.ours().equals(block)) {
            out.println("retrace install: " + install.rcFile() + " already has these lines; nothing changed:");
            block.forEach(line -> out.println("  " + line));
            return Main.EXIT_OK;
        }
        List<String> lines = new ArrayList<>(split.others());
        lines.addAll(block);
        install.write(lines);
        if (!split.ours().isEmpty()) {
            out.println("retrace install: removed from " + install.rcFile() + ":");
            split.ours().forEach(line -> out.println("  " + line));
        }
        out.println("retrace install: added to " + install.rcFile() + ":");
        block.forEach(line -> out.println("  " + line));
        out.println("Open a new shell; then RETRACE_RECORDING=/abs/path/run.retrace java ... records. "
                + "`retrace uninstall` removes these lines.");
        return Main.EXIT_OK;
    }
}
