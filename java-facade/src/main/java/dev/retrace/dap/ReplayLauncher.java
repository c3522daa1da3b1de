package dev.retrace.dap;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How the adapter starts a replay, provided by the CLI so that {@code retrace dap} checks a
 * recording and builds the replay's command line exactly as {@code retrace replay} does.
 */
public interface ReplayLauncher {
    /** Why {@code recording} (and {@code pid}, null for the root) cannot be replayed, in one line; empty when it can. */
    Optional<String> refusal(Path recording, Long pid);

    /** The command line of a replay that waits for a debugger at {@code host:port}. */
    List<String> command(Path recording, Long pid, String debugAddress);
}
