package dev.retrace.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What `retrace install` and `retrace uninstall` share: the shell start-up file they change. */
abstract class StartUpFileCommand {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--rc", paramLabel = "FILE", description = "the start-up file (default: ~/.zshrc for zsh, else ~/.bashrc)")
    Path rcFile;

    ShellInstall target() {
        return rcFile != null ? new ShellInstall(rcFile) : ShellInstall.forCurrentUser();
    }
}
