package dev.retrace.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Runs a program with this process's stdin, stdout and stderr and returns its exit status, the
 * way a shell would: Ctrl-C goes to the child (it is in the same process group) and this JVM
 * waits for it to finish; SIGTERM and SIGHUP are passed on. Exit status 128+N for signal N.
 */
final class ChildProcess {
    private ChildProcess() {}

    static int run(List<String> command, PrintWriter out, PrintWriter err) {
        out.flush();
        err.flush();
        Process process;
        try {
            process = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            throw new DataException("cannot run " + command.getFirst() + ": " + Messages.of(e));
        }
        Restorer restore = new Restorer();
        restore.handle("INT", signal -> {});
        restore.handle("TERM", signal -> process.destroy());
        restore.handle("HUP", signal -> process.destroy());
        try {
            while (true) {
                try {
                    return process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroy();
                }
            }
        } finally {
            restore.run();
        }
    }

    /** Installs handlers and puts the previous ones back; a signal the JVM reserves is skipped. */
    private static final class Restorer implements Runnable {
        private final java.util.Map<Signal, SignalHandler> previous = new java.util.LinkedHashMap<>();

        void handle(String name, SignalHandler handler) {
            try {
                Signal signal = new Signal(name);
                previous.put(signal, Signal.handle(signal, handler));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // e.g. -Xrs, or the signal is used by the JVM: keep the default
            }
        }

        @Override
        public void run() {
            previous.forEach(Signal::handle);
        }
    }
}
