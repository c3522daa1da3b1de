package dev.retrace.cli;

import dev.retrace.dap.ReplayLauncher;
import dev.retrace.dap.RetraceDebugServer;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "dap",
        description = {
            "Debugs a recording forwards and backwards over the Debug Adapter Protocol.",
            "",
            "A DAP server for editors (VS Code, or any DAP client): it speaks the protocol on stdin and stdout "
                    + "(nothing else is written there; diagnostics go to stderr), or with --port to one client on "
                    + "127.0.0.1. Its launch request takes \"recording\" (the file), \"pid\" (default: the root "
                    + "process) and \"sourcePaths\" (folders of .java files). It replays the recording under JDI: "
                    + "breakpoints (with conditions such as i == 3), exception breakpoints, steps, threads, stacks, "
                    + "variables, evaluate; and stepBack and reverseContinue, by running the deterministic replay "
                    + "again from the start (each step backwards costs two replays up to the current stop). "
                    + "Exits 0 when the client disconnects, 1 when --port cannot be listened on. "
                    + "See docs/debugging.md.",
        },
        sortOptions = false,
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " retrace dap",
            "",
            " retrace dap --port 4711",
        })
final class DapCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--port", paramLabel = "PORT", description = "Listen on 127.0.0.1:PORT for one DAP client "
            + "instead of speaking on stdin and stdout.")
    Integer port;

    @Override
    public Integer call() throws Exception {
        Dist dist = ((RetraceCommand) spec.parent().userObject()).dist;
        ReplayLauncher launcher = new ReplayLauncher() {
            /** A session's pack is extracted and checked when it starts; the replays of its steps back reuse the map. */
            private final Map<Path, Path> codeMaps = new ConcurrentHashMap<>();

            @Override
            public Optional<String> refusal(Path recording, Long pid) {
                StringWriter message = new StringWriter();
                PrintWriter to = new PrintWriter(message, true);
                Recordings.ToReplay toReplay = Recordings.toReplay(recording, pid, "retrace dap", to);
                if (toReplay.refused()) {
                    return Optional.of(message.toString().strip());
                }
                Recordings.CodeMap map = Recordings.codeMap(recording, toReplay.summary(), "retrace dap", to);
                if (map.refused()) {
                    return Optional.of(message.toString().strip());
                }
                if (map.map() != null) {
                    codeMaps.put(recording, map.map());
                }
                return Optional.empty();
            }

            @Override
            public List<String> command(Path recording, Long pid, String debugAddress) {
                return ReplayCommand.command(dist.builtLauncher(), recording, pid, false, debugAddress, null, false,
                        codeMaps.get(recording));
            }
        };
        // The protocol owns stdout: anything else printed there would corrupt it, so it goes to stderr.
        PrintStream log = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        if (port == null) {
            OutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
            System.setOut(log);
            InputStream protocolIn = System.in;
            RetraceDebugServer.serve(launcher, protocolIn, protocolOut, log);
            return Main.EXIT_OK;
        }
        try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            log.println("retrace dap: listening on 127.0.0.1:" + server.getLocalPort());
            try (Socket client = server.accept()) {
                RetraceDebugServer.serve(launcher, client.getInputStream(), client.getOutputStream(), log);
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("retrace dap: cannot listen on 127.0.0.1:" + port + ": " + Messages.of(e));
            return Main.EXIT_DATA;
        }
        return Main.EXIT_OK;
    }
}
