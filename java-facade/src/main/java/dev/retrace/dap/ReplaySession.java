package dev.retrace.dap;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.IllegalConnectorArgumentsException;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMStartEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One replay JVM, started suspended with JDWP on a free loopback port, and the JDI connection to
 * it. Several are started in a debug session: the live one, parked ones, and re-runs.
 */
final class ReplaySession implements AutoCloseable {
    /** Starts replays of one recording, all alike. */
    interface Factory {
        ReplaySession start() throws IOException;
    }

    private static final String WAITING = "waits for a debugger at ";
    private static final long ATTACH_TIMEOUT_MS = 30_000;

    final VirtualMachine vm;
    /** The thread that runs main, suspended at the JVM's start. */
    final ThreadReference mainThread;
    private final Process process;
    private final ProgramOutput.Replay output;
    private final List<String> replayErrors;

    private ReplaySession(VirtualMachine vm, ThreadReference mainThread, Process process, ProgramOutput.Replay output,
            List<String> replayErrors) {
        this.vm = vm;
        this.mainThread = mainThread;
        this.process = process;
        this.output = output;
        this.replayErrors = replayErrors;
    }

    static ReplaySession start(ReplayLauncher launcher, Path recording, Long pid, ProgramOutput programOutput)
            throws IOException {
        String address = "127.0.0.1:" + freePort();
        Process process = new ProcessBuilder(launcher.command(recording, pid, address)).start();
        ProgramOutput.Replay output = programOutput.newReplay();
        CompletableFuture<Void> waiting = new CompletableFuture<>();
        List<String> replayErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        pump("replay stdout", process.getInputStream(), (bytes, n) -> output.write(ProgramOutput.Stream.STDOUT, bytes, n));
        Thread.ofPlatform().daemon().name("replay stderr").start(() -> readErrors(process, output, waiting, replayErrors));
        try {
            waiting.get(ATTACH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IOException("the replay did not wait for a debugger" + lastError(replayErrors));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while starting the replay");
        }
        VirtualMachine vm = attach(address, process, replayErrors);
        ThreadReference main = awaitStart(vm);
        return new ReplaySession(vm, main, process, output, replayErrors);
    }

    /** The replay JVM's process id (the launcher becomes the JVM). */
    long pid() {
        return process.pid();
    }

    /** The replay's exit status, once its JVM has ended. */
    int exitStatus() throws InterruptedException {
        return process.waitFor();
    }

    /** The last line the launcher or the agent printed (a divergence report, a refusal). */
    String lastReplayError() {
        return lastError(replayErrors);
    }

    @Override
    public void close() {
        output.detach();
        try {
            vm.dispose();
        } catch (RuntimeException e) {
            // already disconnected
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private interface Chunks {
        void accept(byte[] bytes, int length);
    }

    private static void pump(String name, InputStream in, Chunks sink) {
        Thread.ofPlatform().daemon().name(name).start(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sink.accept(buffer, n);
                }
            } catch (IOException e) {
                // the replay ended
            }
        });
    }

    /**
     * The replay's stderr: the launcher's "waits for a debugger" line (its port differs in every
     * replay, so it is not program output), the program's stderr, and the replay's own reports.
     */
    private static void readErrors(Process process, ProgramOutput.Replay output, CompletableFuture<Void> waiting,
            List<String> replayErrors) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!waiting.isDone() && line.contains(WAITING)) {
                    waiting.complete(null);
                    continue;
                }
                if (line.startsWith("retrace-replay: ") || line.startsWith("retrace: ")) {
                    replayErrors.add(line);
                }
                byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
                output.write(ProgramOutput.Stream.STDERR, bytes, bytes.length);
            }
        } catch (IOException e) {
            // the replay ended
        }
        waiting.completeExceptionally(new IOException("the replay ended"));
    }

    private static VirtualMachine attach(String address, Process process, List<String> replayErrors) throws IOException {
        AttachingConnector connector = Bootstrap.virtualMachineManager().attachingConnectors().stream()
                .filter(c -> c.name().equals("com.sun.jdi.SocketAttach"))
                .findFirst()
                .orElseThrow(() -> new IOException("this JDK has no JDI socket attach connector"));
        Map<String, Connector.Argument> arguments = connector.defaultArguments();
        arguments.get("hostname").setValue(address.substring(0, address.lastIndexOf(':')));
        arguments.get("port").setValue(address.substring(address.lastIndexOf(':') + 1));
        long deadline = System.currentTimeMillis() + ATTACH_TIMEOUT_MS;
        // The launcher announces the port before the JVM it starts listens on it: retry briefly.
        while (true) {
            try {
                return connector.attach(arguments);
            } catch (IOException e) {
                if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                    throw new IOException("cannot attach to the replay at " + address + ": " + e.getMessage()
                            + lastError(replayErrors));
                }
                sleep(50);
            } catch (IllegalConnectorArgumentsException e) {
                throw new IOException("cannot attach to the replay at " + address + ": " + e.getMessage());
            }
        }
    }

    /** Waits for the JVM's start event; the JVM stays suspended (suspend=y). */
    private static ThreadReference awaitStart(VirtualMachine vm) throws IOException {
        try {
            while (true) {
                EventSet events = vm.eventQueue().remove(ATTACH_TIMEOUT_MS);
                if (events == null) {
                    throw new IOException("the replay's JVM did not start within " + ATTACH_TIMEOUT_MS / 1000 + " s");
                }
                for (Event event : events) {
                    if (event instanceof VMStartEvent start) {
                        return start.thread();
                    }
                }
                events.resume();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while attaching");
        }
    }

    private static String lastError(List<String> errors) {
        synchronized (errors) {
            return errors.isEmpty() ? "" : ": " + errors.getLast();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Optional<ThreadReference> thread(String name) {
        return vm.allThreads().stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
