package dev.retrace.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** {@code --java}, {@code --any-build} and {@code --trust}, for every verb that starts a replay (replay, why). */
final class ReplayJdkOptions {
    @Option(names = "--java", paramLabel = "DIR", description = "The JDK to replay with (its home). It must be the "
            + "recorded build; default: the first JDK on this machine that is (RETRACE_JDKS, JAVA_HOME, "
            + "/usr/lib/jvm/*, ...). The recorded java.home is never run as such: see docs/security-model.md.")
    String java;

    @Option(names = "--any-build", description = "When no JDK here is the recorded build, replay on another build of "
            + "the same feature release (JDK 17.0.x for 17.0.y) found the same way; the replay then stops at the first "
            + "difference that build makes (exit 120), and says so on stderr first.")
    boolean anyBuild;

    @Option(names = "--trust", description = "Pass the JVM options the recording carries even when they are not "
            + "known to be safe to replay (-XX:OnError, other agents, argument files, ...; exit 124 without it), and "
            + "run the recorded java.home when no JDK here is the recorded build. Only for recordings whose author "
            + "you trust.")
    boolean trust;

    /** Adds the launcher's options for these to {@code command}. */
    void addTo(List<String> command) {
        if (java != null) {
            command.addAll(List.of("--java", java));
        }
        if (anyBuild) {
            command.add("--any-build");
        }
        if (trust) {
            command.add("--trust");
        }
    }
}
