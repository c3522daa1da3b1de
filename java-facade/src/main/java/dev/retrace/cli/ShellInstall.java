package dev.retrace.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The block `retrace install` keeps in a shell start-up file: JAVA_TOOL_OPTIONS with the agent and
 * no options, which records a JVM only when RETRACE_RECORDING names a recording (docs/cli.md).
 */
record ShellInstall(Path rcFile) {
    static final String BEGIN = "# >>> retrace install >>>";
    static final String END = "# <<< retrace install <<<";

    /** The start-up file of the user's shell: ~/.zshrc for zsh, ~/.bashrc otherwise. */
    static ShellInstall forCurrentUser() {
        String shell = System.getenv().getOrDefault("SHELL", "");
        String home = System.getProperty("user.home");
        return new ShellInstall(Path.of(home, shell.endsWith("zsh") ? ".zshrc" : ".bashrc"));
    }

    static List<String> block(Path agent) {
        return List.of(
                BEGIN,
                "# Every JVM loads the Retrace agent; it records only when RETRACE_RECORDING names a file.",
                "export JAVA_TOOL_OPTIONS=\"${JAVA_TOOL_OPTIONS:+$JAVA_TOOL_OPTIONS }-agentpath:"
                        + agent.toAbsolutePath() + "\"",
                END);
    }

    /** The file's lines, or none when it does not exist. */
    List<String> lines() throws IOException {
        return Files.exists(rcFile) ? Files.readAllLines(rcFile) : List.of();
    }

    /** The lines of the file without our block, and the block's lines that were there. */
    record Split(List<String> others, List<String> ours) {}

    Split split() throws IOException {
        List<String> others = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        boolean inside = false;
        for (String line : lines()) {
            if (line.equals(BEGIN)) inside = true;
            (inside ? ours : others).add(line);
            if (line.equals(END)) inside = false;
        }
        if (inside) throw new DataException(rcFile + " has '" + BEGIN + "' without '" + END + "': fix it by hand");
        return new Split(others, ours);
    }

    /** Writes the file through a temporary file beside it, so a failure leaves the old one whole. */
    void write(List<String> lines) throws IOException {
        Path parent = rcFile.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(parent, ".retrace-install", ".tmp");
        try {
            Files.write(temp, lines);
            if (Files.exists(rcFile)) Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(rcFile));
            Files.move(temp, rcFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
