package dev.retrace.dap;

import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.Location;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.StackFrame;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.Value;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.lsp4j.debug.Breakpoint;
import org.eclipse.lsp4j.debug.Capabilities;
import org.eclipse.lsp4j.debug.ConfigurationDoneArguments;
import org.eclipse.lsp4j.debug.ContinueArguments;
import org.eclipse.lsp4j.debug.ContinueResponse;
import org.eclipse.lsp4j.debug.DisconnectArguments;
import org.eclipse.lsp4j.debug.EvaluateArguments;
import org.eclipse.lsp4j.debug.EvaluateResponse;
import org.eclipse.lsp4j.debug.ExceptionBreakpointsFilter;
import org.eclipse.lsp4j.debug.ExitedEventArguments;
import org.eclipse.lsp4j.debug.InitializeRequestArguments;
import org.eclipse.lsp4j.debug.NextArguments;
import org.eclipse.lsp4j.debug.OutputEventArguments;
import org.eclipse.lsp4j.debug.OutputEventArgumentsCategory;
import org.eclipse.lsp4j.debug.PauseArguments;
import org.eclipse.lsp4j.debug.ReverseContinueArguments;
import org.eclipse.lsp4j.debug.Scope;
import org.eclipse.lsp4j.debug.ScopesArguments;
import org.eclipse.lsp4j.debug.ScopesResponse;
import org.eclipse.lsp4j.debug.SetBreakpointsArguments;
import org.eclipse.lsp4j.debug.SetBreakpointsResponse;
import org.eclipse.lsp4j.debug.SetExceptionBreakpointsArguments;
import org.eclipse.lsp4j.debug.SetExceptionBreakpointsResponse;
import org.eclipse.lsp4j.debug.Source;
import org.eclipse.lsp4j.debug.SourceBreakpoint;
import org.eclipse.lsp4j.debug.StackTraceArguments;
import org.eclipse.lsp4j.debug.StackTraceResponse;
import org.eclipse.lsp4j.debug.StepBackArguments;
import org.eclipse.lsp4j.debug.StepInArguments;
import org.eclipse.lsp4j.debug.StepOutArguments;
import org.eclipse.lsp4j.debug.StoppedEventArguments;
import org.eclipse.lsp4j.debug.TerminateArguments;
import org.eclipse.lsp4j.debug.TerminatedEventArguments;
import org.eclipse.lsp4j.debug.ThreadsResponse;
import org.eclipse.lsp4j.debug.Variable;
import org.eclipse.lsp4j.debug.VariablesArguments;
import org.eclipse.lsp4j.debug.VariablesResponse;
import org.eclipse.lsp4j.debug.launch.DSPLauncher;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/**
 * {@code retrace dap}: the Debug Adapter Protocol side. It translates requests into the
 * {@link Timeline}'s actions and JDI reads; everything that lets the replay run happens on one
 * driver thread, so a request that reads values always sees a stopped replay.
 */
public final class RetraceDebugServer implements IDebugProtocolServer {
    private static final String CAUGHT = "caught";
    private static final String UNCAUGHT = "uncaught";
    /** Replay JVMs kept at earlier stops: two at the previous stop, one here, then log-spaced back. */
    static final int DEFAULT_PARKED_REPLAYS = 5;

    /** The replay agent's own threads (native/src/scheduler.cpp): not the program's, so not shown. */
    private static final java.util.Set<String> AGENT_THREADS = java.util.Set.of("retrace watchdog");
    private final ReplayLauncher launcher;
    private final PrintStream log;
    private final ExecutorService driver = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform()
            .daemon().name("retrace-dap driver").unstarted(r));
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final Variables variables = new Variables();
    private final Map<String, Integer> threadIds = new LinkedHashMap<>();
    private final Map<String, List<Requests.BreakpointSpec>> breakpointsByFile = new LinkedHashMap<>();
    private final AtomicInteger breakpointIds = new AtomicInteger();
    private volatile boolean caughtExceptions;
    private volatile boolean uncaughtExceptions;
    private volatile IDebugProtocolClient client;
    private volatile Timeline timeline;
    private volatile SourceMap sources = new SourceMap(List.of());
    private volatile boolean stopOnEntry;
    private volatile boolean running;
    private volatile boolean ended;

    public RetraceDebugServer(ReplayLauncher launcher, PrintStream log) {
        this.launcher = launcher;
        this.log = log;
    }

    /** Serves one client on {@code in}/{@code out} until it disconnects or closes the stream. */
    public static void serve(ReplayLauncher launcher, InputStream in, OutputStream out, PrintStream log)
            throws InterruptedException {
        RetraceDebugServer server = new RetraceDebugServer(launcher, log);
        Launcher<IDebugProtocolClient> protocol = DSPLauncher.createServerLauncher(server, in, out);
        server.client = protocol.getRemoteProxy();
        CompletableFuture<?> listening = CompletableFuture.runAsync(() -> {
            try {
                protocol.startListening().get();
            } catch (Exception e) {
                // the client closed the stream
            }
        });
        CompletableFuture.anyOf(listening, server.finished).join();
        Thread.sleep(200);  // lets the disconnect response and the last events out
        server.shutdown();
    }

    private void shutdown() {
        Timeline current = timeline;
        driver.shutdownNow();
        if (current != null) {
            current.close();
        }
        try {
            driver.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public CompletableFuture<Capabilities> initialize(InitializeRequestArguments args) {
        Capabilities capabilities = new Capabilities();
        capabilities.setSupportsConfigurationDoneRequest(true);
        capabilities.setSupportsStepBack(true);
        capabilities.setSupportsConditionalBreakpoints(true);
        capabilities.setSupportsEvaluateForHovers(true);
        capabilities.setSupportsTerminateRequest(true);
        capabilities.setSupportTerminateDebuggee(true);
        capabilities.setExceptionBreakpointFilters(new ExceptionBreakpointsFilter[] {
            filter(CAUGHT, "Caught exceptions"), filter(UNCAUGHT, "Uncaught exceptions"),
        });
        return CompletableFuture.completedFuture(capabilities);
    }

    private static ExceptionBreakpointsFilter filter(String id, String label) {
        ExceptionBreakpointsFilter filter = new ExceptionBreakpointsFilter();
        filter.setFilter(id);
        filter.setLabel(label);
        filter.setDefault_(false);
        return filter;
    }

    @Override
    public CompletableFuture<Void> launch(Map<String, Object> args) {
        Object recordingArgument = args.get("recording");
        if (!(recordingArgument instanceof String recordingText) || recordingText.isBlank()) {
            return failed("launch needs \"recording\": the path of a .retrace file");
        }
        Long pid;
        try {
            pid = args.get("pid") == null ? null : (long) Double.parseDouble(String.valueOf(args.get("pid")));
        } catch (NumberFormatException e) {
            return failed("\"pid\" is not a process id: " + args.get("pid"));
        }
        List<Path> sourcePaths = new ArrayList<>();
        if (args.get("sourcePaths") instanceof List<?> paths) {
            paths.forEach(p -> sourcePaths.add(Path.of(String.valueOf(p))));
        }
        int parkedReplays;
        try {
            parkedReplays = args.get("parkedReplays") == null ? DEFAULT_PARKED_REPLAYS
                    : (int) Double.parseDouble(String.valueOf(args.get("parkedReplays")));
        } catch (NumberFormatException e) {
            return failed("\"parkedReplays\" is not a number: " + args.get("parkedReplays"));
        }
        if (parkedReplays < 0) {
            return failed("\"parkedReplays\" cannot be negative: " + parkedReplays);
        }
        if (args.get("progressPoints") != null && !(args.get("progressPoints") instanceof Boolean)) {
            return failed("\"progressPoints\" is not true or false: " + args.get("progressPoints"));
        }
        boolean progressPoints = !Boolean.FALSE.equals(args.get("progressPoints"));
        stopOnEntry = Boolean.TRUE.equals(args.get("stopOnEntry"));
        Path recording = Path.of(recordingText);
        var refusal = launcher.refusal(recording, pid);
        if (refusal.isPresent()) {
            return failed(refusal.get());
        }
        sources = new SourceMap(sourcePaths);
        ProgramOutput output = new ProgramOutput(this::sendOutput);
        Timeline launched = new Timeline(launcher, recording, pid, output, parkedReplays, progressPoints, log);
        return CompletableFuture.supplyAsync(() -> {
            try {
                Runner.Outcome outcome = launched.launch();
                if (outcome instanceof Runner.Outcome.Ended end) {
                    throw error("the replay ended before the program's first method (exit status "
                            + end.exitStatus() + ")" + end.replayError());
                }
                timeline = launched;
                return null;
            } catch (IOException e) {
                launched.close();
                throw error("cannot start the replay of " + recording + ": " + e.getMessage());
            } catch (InterruptedException e) {
                throw error("interrupted");
            }
        }, driver).thenRun(() -> client.initialized());
    }

    @Override
    public CompletableFuture<SetBreakpointsResponse> setBreakpoints(SetBreakpointsArguments args) {
        String path = args.getSource().getPath();
        SourceBreakpoint[] wanted = args.getBreakpoints() == null ? new SourceBreakpoint[0] : args.getBreakpoints();
        List<Requests.BreakpointSpec> specs = new ArrayList<>();
        List<Breakpoint> answers = new ArrayList<>();
        String className;
        try {
            className = SourceMap.className(Path.of(path));
        } catch (RuntimeException e) {
            className = null;
        }
        for (SourceBreakpoint sourceBreakpoint : wanted) {
            Breakpoint answer = new Breakpoint();
            answer.setId(breakpointIds.incrementAndGet());
            answer.setLine(sourceBreakpoint.getLine());
            answer.setSource(args.getSource());
            answers.add(answer);
            if (className == null) {
                answer.setVerified(false);
                answer.setMessage("cannot read " + path);
                continue;
            }
            Condition condition = null;
            String conditionText = sourceBreakpoint.getCondition();
            if (conditionText != null && !conditionText.isBlank()) {
                try {
                    condition = Condition.parse(conditionText);
                } catch (IllegalArgumentException e) {
                    answer.setVerified(false);
                    answer.setMessage(e.getMessage());
                    continue;
                }
            }
            Requests.BreakpointSpec spec = new Requests.BreakpointSpec(className, sourceBreakpoint.getLine(), condition);
            specs.add(spec);
            Boolean hasCode = !running && timeline != null ? timeline.runner().hasCode(spec) : null;
            answer.setVerified(!Boolean.FALSE.equals(hasCode));
            if (Boolean.FALSE.equals(hasCode)) {
                answer.setMessage("no code at line " + spec.line() + " of " + className);
            }
        }
        synchronized (breakpointsByFile) {
            breakpointsByFile.put(path, specs);
        }
        SetBreakpointsResponse response = new SetBreakpointsResponse();
        response.setBreakpoints(answers.toArray(Breakpoint[]::new));
        return CompletableFuture.completedFuture(response);
    }

    @Override
    public CompletableFuture<SetExceptionBreakpointsResponse> setExceptionBreakpoints(SetExceptionBreakpointsArguments args) {
        List<String> filters = args.getFilters() == null ? List.of() : List.of(args.getFilters());
        caughtExceptions = filters.contains(CAUGHT);
        uncaughtExceptions = filters.contains(UNCAUGHT);
        return CompletableFuture.completedFuture(new SetExceptionBreakpointsResponse());
    }

    /** What is set now: a step or continue installs it when it starts. */
    private Requests currentRequests() {
        List<Requests.BreakpointSpec> all = new ArrayList<>();
        synchronized (breakpointsByFile) {
            breakpointsByFile.values().forEach(all::addAll);
        }
        return new Requests(all, caughtExceptions, uncaughtExceptions);
    }

    @Override
    public CompletableFuture<Void> configurationDone(ConfigurationDoneArguments args) {
        if (timeline == null) {
            return failed("launch a recording first");
        }
        if (stopOnEntry) {
            sendStopped(timeline.current(), Stop.Reason.ENTRY);
        } else {
            forward(new Action.Continue(currentRequests(), 0));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<ContinueResponse> continue_(ContinueArguments args) {
        CompletableFuture<Void> refused = refuseUnlessStopped();
        if (refused != null) {
            return refused.thenApply(v -> null);
        }
        forward(new Action.Continue(currentRequests(), 0));
        ContinueResponse response = new ContinueResponse();
        response.setAllThreadsContinued(true);
        return CompletableFuture.completedFuture(response);
    }

    @Override
    public CompletableFuture<Void> next(NextArguments args) {
        return step(args.getThreadId(), Action.StepKind.OVER);
    }

    @Override
    public CompletableFuture<Void> stepIn(StepInArguments args) {
        return step(args.getThreadId(), Action.StepKind.INTO);
    }

    @Override
    public CompletableFuture<Void> stepOut(StepOutArguments args) {
        return step(args.getThreadId(), Action.StepKind.OUT);
    }

    private CompletableFuture<Void> step(int threadId, Action.StepKind kind) {
        CompletableFuture<Void> refused = refuseUnlessStopped();
        if (refused != null) {
            return refused;
        }
        String thread = threadName(threadId);
        forward(new Action.Step(thread, kind, currentRequests()));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> pause(PauseArguments args) {
        Timeline current = timeline;
        if (current != null && running) {
            current.runner().requestPause();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> stepBack(StepBackArguments args) {
        String thread = threadName(args.getThreadId());
        return backwards(() -> timeline.stepBack(thread), Stop.Reason.STEP);
    }

    @Override
    public CompletableFuture<Void> reverseContinue(ReverseContinueArguments args) {
        Requests requests = currentRequests();
        return backwards(() -> timeline.reverseContinue(requests), null);
    }

    private interface Backwards {
        Stop go() throws Timeline.Refused, IOException, InterruptedException;
    }

    /** Answers once the replay has reached the earlier stop (that takes replays), then reports the stop. */
    private CompletableFuture<Void> backwards(Backwards move, Stop.Reason reason) {
        CompletableFuture<Void> refused = refuseUnlessStopped();
        if (refused != null) {
            return refused;
        }
        running = true;
        variables.clear();
        CompletableFuture<Stop> landed = CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                Stop stop = move.go();
                log.printf("retrace dap: went back to %s in %d ms%n", stop.at(), (System.nanoTime() - start) / 1_000_000);
                return stop;
            } catch (Timeline.Refused e) {
                throw error(e.getMessage());
            } catch (IOException | RuntimeException e) {
                // The live replay is replaced only by one that has landed: the session is still at this stop.
                log.println("retrace dap: going back failed: " + e);
                throw error("going back failed: " + e.getMessage());
            } catch (InterruptedException e) {
                throw error("interrupted");
            } finally {
                running = false;
            }
        }, driver);
        return landed.thenAccept(stop -> driver.execute(() -> sendStopped(stop, reason == null ? stop.reason() : reason)));
    }

    /** Lets the replay run on the driver thread, then reports where it stopped or that it ended. */
    private void forward(Action action) {
        running = true;
        variables.clear();
        driver.execute(() -> {
            try {
                Runner.Outcome outcome = timeline.perform(action);
                running = false;
                switch (outcome) {
                    case Runner.Outcome.Stopped(Stop stop) -> sendStopped(stop, stop.reason());
                    case Runner.Outcome.Ended end -> sendEnd(end);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                running = false;
                log.println("retrace dap: " + e);
                sendConsole("retrace dap: the replay cannot go on: " + e.getMessage() + "\n");
                sendEnd(new Runner.Outcome.Ended(-1, ""));
            }
        });
    }

    private void sendStopped(Stop stop, Stop.Reason reason) {
        StoppedEventArguments stopped = new StoppedEventArguments();
        stopped.setReason(reason.dap);
        stopped.setThreadId(threadId(stop.at().thread()));
        stopped.setAllThreadsStopped(true);
        if (!stop.description().isEmpty()) {
            stopped.setDescription(stop.description());
            stopped.setText(stop.description());
        }
        client.stopped(stopped);
    }

    private void sendEnd(Runner.Outcome.Ended end) {
        ended = true;
        if (!end.replayError().isEmpty()) {
            sendConsole("retrace dap: the replay reported" + end.replayError() + "\n");
        }
        ExitedEventArguments exited = new ExitedEventArguments();
        exited.setExitCode(end.exitStatus());
        client.exited(exited);
        client.terminated(new TerminatedEventArguments());
    }

    private void sendOutput(ProgramOutput.Stream stream, String text) {
        OutputEventArguments output = new OutputEventArguments();
        output.setCategory(stream == ProgramOutput.Stream.STDOUT ? OutputEventArgumentsCategory.STDOUT
                : OutputEventArgumentsCategory.STDERR);
        output.setOutput(text);
        client.output(output);
    }

    private void sendConsole(String text) {
        OutputEventArguments output = new OutputEventArguments();
        output.setCategory(OutputEventArgumentsCategory.CONSOLE);
        output.setOutput(text);
        client.output(output);
    }

    private CompletableFuture<Void> refuseUnlessStopped() {
        if (timeline == null) {
            return failed("launch a recording first");
        }
        if (ended) {
            return failed("the replay has ended");
        }
        if (running) {
            return failed("the replay is running: pause it first");
        }
        return null;
    }

    @Override
    public CompletableFuture<ThreadsResponse> threads() {
        ThreadsResponse response = new ThreadsResponse();
        List<org.eclipse.lsp4j.debug.Thread> threads = new ArrayList<>();
        if (timeline != null && !ended) {
            for (ThreadReference thread : timeline.session().vm.allThreads()) {
                if (AGENT_THREADS.contains(thread.name())) {
                    continue;
                }
                org.eclipse.lsp4j.debug.Thread t = new org.eclipse.lsp4j.debug.Thread();
                t.setId(threadId(thread.name()));
                t.setName(thread.name());
                threads.add(t);
            }
        }
        response.setThreads(threads.toArray(org.eclipse.lsp4j.debug.Thread[]::new));
        return CompletableFuture.completedFuture(response);
    }

    /** Thread ids are kept by name across replays, so an id the client holds stays valid after going back. */
    private synchronized int threadId(String name) {
        return threadIds.computeIfAbsent(name, n -> threadIds.size() + 1);
    }

    private synchronized String threadName(int id) {
        return threadIds.entrySet().stream().filter(e -> e.getValue() == id).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> error("no thread " + id));
    }

    private ThreadReference thread(int id) {
        String name = threadName(id);
        return timeline.session().thread(name).orElseThrow(() -> error("thread \"" + name + "\" is not running"));
    }

    @Override
    public CompletableFuture<StackTraceResponse> stackTrace(StackTraceArguments args) {
        return whenStopped(() -> {
            ThreadReference thread = thread(args.getThreadId());
            List<StackFrame> frames = thread.frames();
            int first = args.getStartFrame() == null ? 0 : args.getStartFrame();
            int count = args.getLevels() == null || args.getLevels() == 0 ? frames.size() - first
                    : Math.min(args.getLevels(), frames.size() - first);
            List<org.eclipse.lsp4j.debug.StackFrame> result = new ArrayList<>();
            for (int i = first; i < first + count; i++) {
                Location at = frames.get(i).location();
                org.eclipse.lsp4j.debug.StackFrame frame = new org.eclipse.lsp4j.debug.StackFrame();
                frame.setId(variables.frameId(thread, i));
                frame.setName(at.declaringType().name() + "." + at.method().name());
                frame.setLine(Math.max(at.lineNumber(), 0));
                frame.setColumn(1);
                sources.source(at).ifPresent(path -> {
                    Source source = new Source();
                    source.setPath(path.toString());
                    source.setName(path.getFileName().toString());
                    frame.setSource(source);
                });
                result.add(frame);
            }
            StackTraceResponse response = new StackTraceResponse();
            response.setStackFrames(result.toArray(org.eclipse.lsp4j.debug.StackFrame[]::new));
            response.setTotalFrames(frames.size());
            return response;
        });
    }

    @Override
    public CompletableFuture<ScopesResponse> scopes(ScopesArguments args) {
        return whenStopped(() -> {
            Variables.FrameRef ref = variables.frame(args.getFrameId());
            List<Scope> scopes = new ArrayList<>();
            scopes.add(scope("Locals", variables.reference(new Variables.Locals(ref))));
            ObjectReference self = ref.frame().thisObject();
            if (self != null) {
                scopes.add(scope("this", variables.reference(new Variables.Fields(self))));
            }
            ScopesResponse response = new ScopesResponse();
            response.setScopes(scopes.toArray(Scope[]::new));
            return response;
        });
    }

    private static Scope scope(String name, int reference) {
        Scope scope = new Scope();
        scope.setName(name);
        scope.setVariablesReference(reference);
        scope.setExpensive(false);
        return scope;
    }

    @Override
    public CompletableFuture<VariablesResponse> variables(VariablesArguments args) {
        return whenStopped(() -> {
            VariablesResponse response = new VariablesResponse();
            response.setVariables(variables.variables(args.getVariablesReference()).toArray(Variable[]::new));
            return response;
        });
    }

    /**
     * A Java expression over the frame (Expression: paths, literals, operators, calls of query
     * methods, which run in the replay on the frame's thread alone, outside the recording).
     */
    @Override
    public CompletableFuture<EvaluateResponse> evaluate(EvaluateArguments args) {
        return whenStopped(() -> {
            Variables.FrameRef ref = args.getFrameId() != null ? variables.frame(args.getFrameId())
                    : new Variables.FrameRef(thread(threadId(timeline.current().at().thread())), 0);
            Expression.Result result;
            try {
                result = Expression.evaluate(args.getExpression(), new Expression.Scope(ref.thread(), ref.index()));
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
            EvaluateResponse response = new EvaluateResponse();
            if (result.isLocal()) {
                response.setResult(Variables.displayLocal(result.local()));
                response.setType(Variables.typeOfLocal(result.local()));
                response.setVariablesReference(0);
            } else {
                Value value = result.remote();
                response.setResult(Variables.display(value));
                response.setType(value == null ? null : value.type().name());
                response.setVariablesReference(variables.expandable(value));
            }
            return response;
        });
    }

    private interface Read<T> {
        T get() throws IncompatibleThreadStateException;
    }

    private <T> CompletableFuture<T> whenStopped(Read<T> read) {
        if (timeline == null || ended) {
            return failed("the replay is not running");
        }
        if (running) {
            return failed("the replay is running: pause it first");
        }
        try {
            return CompletableFuture.completedFuture(read.get());
        } catch (IncompatibleThreadStateException e) {
            return failed("the thread is not stopped");
        } catch (IllegalArgumentException e) {
            return failed(e.getMessage());
        } catch (ResponseErrorException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            log.println("retrace dap: " + e);
            return failed(e.toString());
        }
    }

    @Override
    public CompletableFuture<Void> disconnect(DisconnectArguments args) {
        end();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> terminate(TerminateArguments args) {
        end();
        client.terminated(new TerminatedEventArguments());
        return CompletableFuture.completedFuture(null);
    }

    private void end() {
        ended = true;
        Timeline current = timeline;
        if (current != null) {
            current.close();
        }
        finished.complete(null);
    }

    private static ResponseErrorException error(String message) {
        return new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidRequest, message, null));
    }

    private static <T> CompletableFuture<T> failed(String message) {
        return CompletableFuture.failedFuture(error(message));
    }
}
