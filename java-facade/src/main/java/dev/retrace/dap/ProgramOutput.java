package dev.retrace.dap;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/**
 * The program's stdout and stderr, sent to the client once. A re-execution prints the same bytes
 * again (the replay is deterministic), so each stream only passes on what goes beyond the most
 * the client has already been sent: going back and forwards again shows no output twice.
 */
final class ProgramOutput {
    enum Stream { STDOUT, STDERR }

    private final BiConsumer<Stream, String> client;
    private final long[] sent = new long[2];

    ProgramOutput(BiConsumer<Stream, String> client) {
        this.client = client;
    }

    /** The counting side of one replay: its own position in each stream. */
    final class Replay {
        private final long[] position = new long[2];
        private volatile boolean detached;

        void write(Stream stream, byte[] bytes, int length) {
            if (detached) {
                return;
            }
            int i = stream.ordinal();
            synchronized (ProgramOutput.this) {
                long start = position[i];
                position[i] += length;
                if (position[i] <= sent[i]) {
                    return;
                }
                int skip = (int) Math.max(0, sent[i] - start);
                sent[i] = position[i];
                client.accept(stream, new String(bytes, skip, length - skip, StandardCharsets.UTF_8));
            }
        }

        /** Stops passing on output, before the replay is killed (it then reports a divergence). */
        void detach() {
            detached = true;
        }
    }

    Replay newReplay() {
        return new Replay();
    }
}
