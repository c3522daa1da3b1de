package dev.retrace.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.debug.Capabilities;
import org.eclipse.lsp4j.debug.ConfigurationDoneArguments;
import org.eclipse.lsp4j.debug.ContinueArguments;
import org.eclipse.lsp4j.debug.DisconnectArguments;
import org.eclipse.lsp4j.debug.EvaluateArguments;
import org.eclipse.lsp4j.debug.ExitedEventArguments;
import org.eclipse.lsp4j.debug.InitializeRequestArguments;
import org.eclipse.lsp4j.debug.NextArguments;
import org.eclipse.lsp4j.debug.OutputEventArguments;
import org.eclipse.lsp4j.debug.ReverseContinueArguments;
import org.eclipse.lsp4j.debug.ScopesArguments;
import org.eclipse.lsp4j.debug.SetBreakpointsArguments;
import org.eclipse.lsp4j.debug.SetBreakpointsResponse;
import org.eclipse.lsp4j.debug.Source;
import org.eclipse.lsp4j.debug.SourceBreakpoint;
import org.eclipse.lsp4j.debug.StackFrame;
import org.eclipse.lsp4j.debug.StackTraceArguments;
import org.eclipse.lsp4j.debug.StepBackArguments;
import org.eclipse.lsp4j.debug.StoppedEventArguments;
import org.eclipse.lsp4j.debug.TerminatedEventArguments;
import org.eclipse.lsp4j.debug.Variable;
import org.eclipse.lsp4j.debug.VariablesArguments;
import org.eclipse.lsp4j.debug.launch.DSPLauncher;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.Launcher;

/**
 * A scripted DAP client, as an editor is: runs the dist's {@code retrace dap} as a child process and
 * talks to it over its stdin and stdout with LSP4J's client side; events are queued in arrival order.
 */
final class DapClient implements IDebugProtocolClient, AutoCloseable {
    private static final long TIMEOUT_S = 120;

    private final Process adapter;
    final IDebugProtocolServer server;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final StringBuilder stdout = new StringBuilder();
    private final CompletableFuture<Void> initialized = new CompletableFuture<>();
    private final int[] parkedAnnouncements = {0};
    private int tracedFromEvents;  // guarded by parkedAnnouncements

    DapClient(Path dist) throws IOException {
        adapter = new ProcessBuilder(dist.resolve("bin/retrace").toString(), "dap").start();
        Thread.ofPlatform().daemon().name("retrace dap stderr").start(this::readLog);
        Launcher<IDebugProtocolServer> launcher =
                DSPLauncher.createClientLauncher(this, adapter.getInputStream(), adapter.getOutputStream());
        server = launcher.getRemoteProxy();
        launcher.startListening();
    }

    /** Passes the adapter's log on to stderr, counting its "parked replays at stops" lines. */
    private void readLog() {
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(adapter.getErrorStream()))) {
            for (String line; (line = in.readLine()) != null; ) {
                System.err.println(line);
                if (line.contains("stepBack traces from event")) {
                    synchronized (parkedAnnouncements) {
                        tracedFromEvents++;
                    }
                }
                if (line.contains("parked replays at stops")) {
                    synchronized (parkedAnnouncements) {
                        parkedAnnouncements[0]++;
                        parkedAnnouncements.notifyAll();
                    }
                }
            }
        } catch (IOException e) {
            // the adapter ended
        }
    }

    /** How many step backs the adapter traced from a thread's last recorded event (progress points). */
    int tracedFromEvents() {
        synchronized (parkedAnnouncements) {
            return tracedFromEvents;
        }
    }

    /** How often the adapter has said its parked replays are in place. */
    int parkedAnnouncements() {
        synchronized (parkedAnnouncements) {
            return parkedAnnouncements[0];
        }
    }

    /** Waits until the adapter says so once more than {@code before} times. */
    void awaitParked(int before) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_S * 1000;
        synchronized (parkedAnnouncements) {
            while (parkedAnnouncements[0] <= before) {
                long left = deadline - System.currentTimeMillis();
                assertTrue(left > 0, "the parked replays were not in place within " + TIMEOUT_S + " s");
                parkedAnnouncements.wait(left);
            }
        }
    }

    @Override
    public void initialized() {
        initialized.complete(null);
    }

    @Override
    public void stopped(StoppedEventArguments args) {
        events.add(args);
    }

    @Override
    public void exited(ExitedEventArguments args) {
        events.add(args);
    }

    @Override
    public void terminated(TerminatedEventArguments args) {
        events.add(args);
    }

    @Override
    public void output(OutputEventArguments args) {
        if ("stdout".equals(args.getCategory())) {
            synchronized (stdout) {
                stdout.append(args.getOutput());
            }
        }
    }

    String stdout() {
        synchronized (stdout) {
            return stdout.toString();
        }
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    Capabilities initialize() throws Exception {
        InitializeRequestArguments args = new InitializeRequestArguments();
        args.setAdapterID("retrace");
        args.setLinesStartAt1(true);
        args.setColumnsStartAt1(true);
        return await(server.initialize(args));
    }

    void launch(Map<String, Object> args) throws Exception {
        await(server.launch(args));
        await(initialized);
    }

    SetBreakpointsResponse setBreakpoints(Path source, int line, String condition) throws Exception {
        SetBreakpointsArguments args = new SetBreakpointsArguments();
        Source s = new Source();
        s.setPath(source.toString());
        args.setSource(s);
        if (line > 0) {
            SourceBreakpoint breakpoint = new SourceBreakpoint();
            breakpoint.setLine(line);
            breakpoint.setCondition(condition);
            args.setBreakpoints(new SourceBreakpoint[] {breakpoint});
        } else {
            args.setBreakpoints(new SourceBreakpoint[0]);
        }
        return await(server.setBreakpoints(args));
    }

    void setExceptionBreakpoints(String... filters) throws Exception {
        org.eclipse.lsp4j.debug.SetExceptionBreakpointsArguments args = new org.eclipse.lsp4j.debug.SetExceptionBreakpointsArguments();
        args.setFilters(filters);
        await(server.setExceptionBreakpoints(args));
    }

    void configurationDone() throws Exception {
        await(server.configurationDone(new ConfigurationDoneArguments()));
    }

    void continue_(int thread) throws Exception {
        ContinueArguments args = new ContinueArguments();
        args.setThreadId(thread);
        await(server.continue_(args));
    }

    void next(int thread) throws Exception {
        NextArguments args = new NextArguments();
        args.setThreadId(thread);
        await(server.next(args));
    }

    void stepIn(int thread) throws Exception {
        org.eclipse.lsp4j.debug.StepInArguments args = new org.eclipse.lsp4j.debug.StepInArguments();
        args.setThreadId(thread);
        await(server.stepIn(args));
    }

    void stepOut(int thread) throws Exception {
        org.eclipse.lsp4j.debug.StepOutArguments args = new org.eclipse.lsp4j.debug.StepOutArguments();
        args.setThreadId(thread);
        await(server.stepOut(args));
    }

    void pause(int thread) throws Exception {
        org.eclipse.lsp4j.debug.PauseArguments args = new org.eclipse.lsp4j.debug.PauseArguments();
        args.setThreadId(thread);
        await(server.pause(args));
    }

    void stepBack(int thread) throws Exception {
        StepBackArguments args = new StepBackArguments();
        args.setThreadId(thread);
        await(server.stepBack(args));
    }

    void reverseContinue(int thread) throws Exception {
        ReverseContinueArguments args = new ReverseContinueArguments();
        args.setThreadId(thread);
        await(server.reverseContinue(args));
    }

    <T> T nextEvent(Class<T> type) throws Exception {
        Object event = events.poll(TIMEOUT_S, TimeUnit.SECONDS);
        assertNotNull(event, "no event within " + TIMEOUT_S + " s (expected " + type.getSimpleName() + ")");
        if (!type.isInstance(event)) {
            fail("expected " + type.getSimpleName() + ", got " + event);
        }
        return type.cast(event);
    }

    StoppedEventArguments stopped(String reason) throws Exception {
        StoppedEventArguments stopped = nextEvent(StoppedEventArguments.class);
        assertEquals(reason, stopped.getReason(), () -> "stop reason of " + stopped);
        return stopped;
    }

    List<String> threadNames() throws Exception {
        return Arrays.stream(await(server.threads()).getThreads()).map(org.eclipse.lsp4j.debug.Thread::getName).toList();
    }

    String threadName(int thread) throws Exception {
        return Arrays.stream(await(server.threads()).getThreads()).filter(t -> t.getId() == thread)
                .map(org.eclipse.lsp4j.debug.Thread::getName).findFirst().orElseThrow();
    }

    StackFrame topFrame(int thread) throws Exception {
        StackTraceArguments args = new StackTraceArguments();
        args.setThreadId(thread);
        return await(server.stackTrace(args)).getStackFrames()[0];
    }

    /** The top frame's locals, by name, with their displayed values. */
    Map<String, String> locals(int thread) throws Exception {
        ScopesArguments scopes = new ScopesArguments();
        scopes.setFrameId(topFrame(thread).getId());
        var locals = Arrays.stream(await(server.scopes(scopes)).getScopes())
                .filter(s -> s.getName().equals("Locals")).findFirst().orElseThrow();
        VariablesArguments args = new VariablesArguments();
        args.setVariablesReference(locals.getVariablesReference());
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (Variable v : await(server.variables(args)).getVariables()) {
            values.put(v.getName(), v.getValue());
        }
        return values;
    }

    String evaluate(int thread, String expression) throws Exception {
        EvaluateArguments args = new EvaluateArguments();
        args.setExpression(expression);
        args.setFrameId(topFrame(thread).getId());
        return await(server.evaluate(args)).getResult();
    }

    List<Object> remainingEvents() {
        List<Object> rest = new ArrayList<>();
        events.drainTo(rest);
        return rest;
    }

    @Override
    public void close() throws Exception {
        try {
            server.disconnect(new DisconnectArguments()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already gone
        }
        adapter.getOutputStream().close();
        if (!adapter.waitFor(20, TimeUnit.SECONDS)) {
            adapter.destroyForcibly();
            fail("retrace dap did not end after disconnect");
        }
    }

    int exitStatus() {
        return adapter.exitValue();
    }
}
