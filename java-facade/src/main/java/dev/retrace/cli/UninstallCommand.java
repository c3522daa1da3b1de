package dev.retrace.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(
        name = "uninstall",
        description = {
            "Removes the lines `retrace install` added to your shell's start-up file, and prints them.",
        })
final class UninstallCommand extends StartUpFileCommand implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
        ShellInstall install = target();
        ShellInstall.Split split = install.split();
        PrintWriter out = spec.commandLine().getOut();
        if (split.ours().isEmpty()) {
            out.println("retrace uninstall: " + install.rcFile() + " has no lines of `retrace install`; nothing changed");
            return Main.EXIT_OK;
        }
        install.write(split.others());
        out.println("retrace uninstall: removed from " + install.rcFile() + ":");
        split.ours().forEach(line -> out.println("  " + line));
        out.println("New shells no longer load the agent; unset JAVA_TOOL_OPTIONS in this one, or open a new one.");
        return Main.EXIT_OK;
    }
}
