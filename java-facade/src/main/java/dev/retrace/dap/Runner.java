package dev.retrace.dap;

import com.sun.jdi.BooleanValue;
import com.sun.jdi.ClassType;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.LongValue;
import com.sun.jdi.Method;
import com.sun.jdi.Location;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StackFrame;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.Value;
import com.sun.jdi.VMDisconnectedException;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.ExceptionEvent;
import com.sun.jdi.event.MethodEntryEvent;
import com.sun.jdi.event.StepEvent;
import com.sun.jdi.event.ThreadStartEvent;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;
import com.sun.jdi.request.EventRequestManager;
import com.sun.jdi.request.ExceptionRequest;
import com.sun.jdi.request.MethodEntryRequest;
import com.sun.jdi.request.StepRequest;
import com.sun.jdi.request.ThreadStartRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs actions on one replay: installs the requests an action had, lets the JVM run and decides
 * from JDI's events where the action stops. The same code runs an action live and re-runs it
 * silently, so both stop at the same event. While it runs, it can also observe what a step
 * backwards needs: hits of breakpoints that do not stop (probes) and every line step of a thread.
 */
final class Runner {
    /** The JDK's own code: steps into it and exceptions caught in it are not the program's. */
    static final List<String> JDK_CLASSES = List.of("java.*", "javax.*", "jdk.*", "sun.*", "com.sun.*");

    sealed interface Outcome {
        record Stopped(Stop stop) implements Outcome {}

        record Ended(int exitStatus, String replayError) implements Outcome {}
    }

    /** Something seen while running: in which action of the history, in which event set, where. */
    record Observed(int action, long eventSet, Stop.Position at) {}

    private record Line(String className, int line) {}

    private final ReplaySession session;
    private final EventRequestManager manager;
    private long eventSets;
    private Set<Line> breakpointLines = Set.of();
    private final Set<String> watchedClasses = new HashSet<>();
    private final Set<String> installedTypes = new HashSet<>();
    private final List<BreakpointRequest> breakpointRequests = new ArrayList<>();
    private final List<ExceptionRequest> exceptionRequests = new ArrayList<>();
    private boolean caughtInstalled;
    private boolean uncaughtInstalled;

    private Requests probes = Requests.NONE;
    private final List<Observed> probeHits = new ArrayList<>();
    private String tracedThread;
    private final List<Observed> traced = new ArrayList<>();
    private int actionIndex;
    private volatile boolean pauseRequested;
    /** progress_points.h: SIGRTMIN + 4, the signal that asks the agent to pause at a progress point. */
    private static final String PAUSE_SIGNAL = "RTMIN+4";
    /** How long a pause waits for a thread to come to a recorded event before it suspends them all where they are. */
    private static final long PAUSE_AT_PROGRESS_NS = 1_000_000_000L;
    private long pauseDeadline;
    private PauseAt pauseAt;                 // how the pause stop is reached again
    private ThreadReference stoppedThread;       // the thread whose event made the current stop
    private final Map<Stop, ThreadReference> stopThreads = new IdentityHashMap<>();  // this run's candidates
    private BreakpointRequest reachedRequest;    // in System.retrace$reached, once a progress is sought
    private final Map<String, Long> traceFrom = new HashMap<>();  // thread: the progress its tracing begins at

    Runner(ReplaySession session) {
        this.session = session;
        this.manager = session.vm.eventRequestManager();
    }

    /** Counts, without stopping, the events that would stop under {@code probes} from now on. */
    void observeHits(Requests probes) {
        this.probes = probes;
    }

    List<Observed> probeHits() {
        return probeHits;
    }

    /** Records every line step of {@code thread} into program code from now on. */
    void traceLines(String thread) {
        this.tracedThread = thread;
    }

    List<Observed> tracedLines() {
        return traced;
    }

    /**
     * The progress of {@code thread} through the recording at this stop (progress_points.h), or -1
     * when it cannot be read: a stop no event made (a pause), a thread the recording does not
     * have, a replay without the agent's progress points.
     */
    long progressOf(String thread) {
        return progressOf(thread, false);
    }

    /** With {@code previous}: the progress {@code thread} had at the progress point before its last one. */
    long progressOf(String thread, boolean previous) {
        Optional<ThreadReference> of = session.thread(thread);
        return of.isEmpty() || stoppedThread == null ? -1 : progressOf(of.get(), previous, stoppedThread);
    }

    /** Asked through {@code caller}, a thread that an event suspended. */
    private long progressOf(ThreadReference thread, boolean previous, ThreadReference caller) {
        try {
            Value progress = invokeSystem(caller, previous ? "retrace$previousProgress" : "retrace$progress",
                    List.of(thread));
            return progress instanceof LongValue value ? value.value() : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Records every line step of {@code thread} into program code once its progress is {@code
     * progress}, which must lie ahead; false when that cannot be asked of this replay.
     */
    boolean traceLinesFrom(String thread, long progress) {
        try {
            seek(thread, progress);
        } catch (Exception e) {
            return false;
        }
        traceFrom.put(thread, progress);
        return true;
    }

    /** Asks the agent to call System.retrace$reached() when {@code thread}'s progress is {@code progress}. */
    private void seek(String thread, long progress) throws Exception {
        ThreadReference of = session.thread(thread)
                .orElseThrow(() -> new IllegalStateException("no thread \"" + thread + "\" in the replay"));
        watchReached();
        if (!(invokeSystem(stoppedThread, "retrace$seek", List.of(of, session.vm.mirrorOf(progress)))
                        instanceof BooleanValue asked)
                || !asked.value()) {
            throw new IllegalStateException("the agent takes no more progresses to seek for \"" + thread + "\"");
        }
    }

    /** The one breakpoint in System.retrace$reached, for every thread and every reason the agent calls it. */
    private void watchReached() {
        if (reachedRequest == null) {
            List<Method> reached = system().methodsByName("retrace$reached");
            if (reached.isEmpty()) {
                throw new IllegalStateException("this replay has no progress points");
            }
            reachedRequest = manager.createBreakpointRequest(reached.getFirst().location());
            reachedRequest.setSuspendPolicy(EventRequest.SUSPEND_ALL);
            reachedRequest.enable();
        }
    }

    private ClassType system() {
        return (ClassType) session.vm.classesByName("java.lang.System").getFirst();
    }

    /** Calls a method the agent added to System (progress_points.h) on {@code caller} alone. */
    private Value invokeSystem(ThreadReference caller, String name, List<? extends Value> arguments) throws Exception {
        ClassType system = system();
        List<Method> methods = system.methodsByName(name);
        if (methods.isEmpty()) {
            throw new IllegalStateException("this replay has no progress points");
        }
        return system.invokeMethod(caller, methods.getFirst(), arguments, ClassType.INVOKE_SINGLE_THREADED);
    }

    /** Tags what is observed with the history's action index. */
    void atAction(int index) {
        this.actionIndex = index;
    }

    void requestPause() {
        pauseRequested = true;
    }

    /**
     * Runs {@code action} from the current stop. {@code expected} is where it stopped before, when
     * it is re-run: a step of the traced thread is then followed by the tracer, which sees every
     * line, and it ends where it ended before.
     */
    Outcome run(Action action, Stop.Position expected) throws InterruptedException {
        pauseRequested = false;
        pauseDeadline = 0;
        pauseAt = null;
        stopThreads.clear();
        Requests own = switch (action) {
            case Action.Continue c -> c.requests();
            case Action.Step s -> s.requests();
            case Action.Pause p -> p.requests();
            default -> Requests.NONE;
        };
        install(own);
        List<EventRequest> temporary = new ArrayList<>();
        boolean stepFollowedByTracer = false;
        switch (action) {
            case Action.ToEntry e -> {
                MethodEntryRequest entry = manager.createMethodEntryRequest();
                entry.addThreadFilter(session.mainThread);
                JDK_CLASSES.forEach(entry::addClassExclusionFilter);
                entry.setSuspendPolicy(EventRequest.SUSPEND_ALL);
                entry.enable();
                temporary.add(entry);
            }
            case Action.Seek k -> {
                try {
                    seek(k.thread(), k.progress());
                } catch (Exception e) {
                    throw new IllegalStateException("cannot seek the progress " + k.progress() + " of \"" + k.thread()
                            + "\" in this replay: " + e.getMessage(), e);
                }
            }
            case Action.Step s when s.thread().equals(tracedThread) && expected != null -> stepFollowedByTracer = true;
            case Action.Step s -> temporary.add(step(s.thread(), s.kind()));
            default -> {}
        }
        // Line steppers of a thread that has not started yet begin when it starts, so that they see all its lines.
        Set<String> lineSteppers = new HashSet<>();
        if (action instanceof Action.LineSteps l) {
            lineSteppers.add(l.thread());
        }
        if (tracedThread != null) {
            lineSteppers.add(tracedThread);
        }
        Set<String> notStarted = new HashSet<>();
        Set<String> stepping = new HashSet<>();  // one step request a thread
        if (action instanceof Action.Step s && !stepFollowedByTracer) {
            stepping.add(s.thread());
        }
        for (String thread : lineSteppers) {
            if (session.thread(thread).isPresent()) {
                stepping.add(thread);
                temporary.add(step(thread, Action.StepKind.INTO));
            } else {
                notStarted.add(thread);
            }
        }
        if (!notStarted.isEmpty()) {
            ThreadStartRequest starts = manager.createThreadStartRequest();
            starts.setSuspendPolicy(EventRequest.SUSPEND_ALL);
            starts.enable();
            temporary.add(starts);
        }
        int ownHits = 0;
        int lineSteps = 0;
        session.vm.resume();
        try {
            while (true) {
                // Checked between event sets too: a program busy loading classes may never leave the queue empty.
                if (pauseRequested) {
                    pauseRequested = false;
                    if (action instanceof Action.Continue && pauseAtProgressPoint()) {
                        pauseDeadline = System.nanoTime() + PAUSE_AT_PROGRESS_NS;
                    } else {
                        return new Outcome.Stopped(suspendedPause());
                    }
                }
                if (pauseDeadline != 0 && System.nanoTime() > pauseDeadline) {
                    // No thread came to a recorded event: one is busy without boundary calls.
                    return new Outcome.Stopped(suspendedPause());
                }
                EventSet events = session.vm.eventQueue().remove(100);
                if (events == null) {
                    continue;
                }
                long ordinal = ++eventSets;
                Stop stop = null;
                Stop ownStop = null;
                for (Event event : events) {
                    switch (event) {
                        case VMDeathEvent d -> {
                            return ended();
                        }
                        case VMDisconnectEvent d -> {
                            return ended();
                        }
                        case ClassPrepareEvent prepared -> installIn(prepared.referenceType());
                        case ThreadStartEvent started when notStarted.remove(started.thread().name()) -> {
                            stepping.add(started.thread().name());
                            temporary.add(step(started.thread(), Action.StepKind.INTO));
                        }
                        case MethodEntryEvent entered when action instanceof Action.ToEntry ->
                                stop = stopAt(Stop.Reason.ENTRY, entered.thread(), ordinal, "");
                        case BreakpointEvent hit when hit.request().equals(reachedRequest) -> {
                            ThreadReference thread = hit.thread();
                            String name = thread.name();
                            long progress = progressOf(thread, false, thread);
                            if (action instanceof Action.Seek k && k.thread().equals(name) && k.progress() == progress) {
                                stop = stopAt(Stop.Reason.WAYPOINT, thread, ordinal, "");
                            }
                            if (Long.valueOf(progress).equals(traceFrom.get(name))) {
                                traceFrom.remove(name);
                                tracedThread = name;
                                // Step events come from the next line of program code on: the call's return first.
                                if (stepping.add(name)) {
                                    temporary.add(step(thread, Action.StepKind.INTO));
                                }
                            }
                            if (pauseDeadline != 0 && stop == null) {
                                pauseDeadline = 0;
                                if (progress <= 0) {
                                    stop = stopAt(Stop.Reason.PAUSE, thread, ordinal, "");
                                } else {
                                    pauseAt = new PauseAt(new Action.Seek(name, progress),
                                            new Stop(Stop.Reason.WAYPOINT, position(thread), ordinal, ""));
                                    if (stepping.add(name)) {
                                        temporary.add(step(thread, Action.StepKind.INTO));
                                    }
                                }
                            }
                        }
                        case BreakpointEvent hit -> {
                            StackFrame frame = hit.thread().frame(0);
                            if (stopsAt(own, hit.location(), frame)) {
                                ownStop = stopAt(Stop.Reason.BREAKPOINT, hit.thread(), ordinal, "");
                            }
                            if (stopsAt(probes, hit.location(), frame)) {
                                probeHits.add(new Observed(actionIndex, ordinal, position(hit.thread())));
                            }
                        }
                        case ExceptionEvent thrown -> {
                            boolean caught = thrown.catchLocation() != null;
                            String what = thrown.exception().referenceType().name();
                            if (stopsFor(own, caught)) {
                                ownStop = stopAt(Stop.Reason.EXCEPTION, thrown.thread(), ordinal, what);
                            }
                            if (stopsFor(probes, caught)) {
                                probeHits.add(new Observed(actionIndex, ordinal, position(thrown.thread())));
                            }
                        }
                        case StepEvent stepped when pauseAt != null && stepped.thread().name().equals(pauseAt.seek().thread()) -> {
                            stop = stopAt(Stop.Reason.PAUSE, stepped.thread(), ordinal, "");
                            if (stepped.thread().name().equals(tracedThread)) {
                                traced.add(new Observed(actionIndex, ordinal, position(stepped.thread())));
                            }
                        }
                        case StepEvent stepped -> {
                            String thread = stepped.thread().name();
                            if (thread.equals(tracedThread)) {
                                traced.add(new Observed(actionIndex, ordinal, position(stepped.thread())));
                            }
                            if (action instanceof Action.Step s && thread.equals(s.thread())
                                    && (!stepFollowedByTracer || position(stepped.thread()).equals(expected))) {
                                stop = stopAt(Stop.Reason.STEP, stepped.thread(), ordinal, "");
                            }
                            if (action instanceof Action.LineSteps l && thread.equals(l.thread()) && ++lineSteps == l.count()) {
                                stop = stopAt(Stop.Reason.STEP, stepped.thread(), ordinal, "");
                            }
                        }
                        default -> {}
                    }
                }
                if (ownStop != null) {
                    // A breakpoint ends a step too, as in every Java debugger; a continue counts its stops.
                    if (!(action instanceof Action.Continue c) || ownHits++ == c.skip()) {
                        stop = ownStop;
                    }
                }
                if (stop != null) {
                    if (stop.reason() != Stop.Reason.PAUSE) {
                        pauseAt = null;  // a breakpoint came first: the action ended as without the pause
                    }
                    stoppedThread = stopThreads.get(stop);
                    return new Outcome.Stopped(stop);
                }
                events.resume();
            }
        } catch (VMDisconnectedException e) {
            return ended();
        } catch (IncompatibleThreadStateException e) {
            throw new IllegalStateException("a thread that stopped is not suspended: " + e, e);
        } finally {
            try {
                temporary.forEach(manager::deleteEventRequest);
            } catch (VMDisconnectedException e) {
                // ended
            }
        }
    }

    private Outcome ended() throws InterruptedException {
        return new Outcome.Ended(session.exitStatus(), session.lastReplayError());
    }

    private StepRequest step(String threadName, Action.StepKind kind) {
        return step(session.thread(threadName)
                .orElseThrow(() -> new IllegalStateException("no thread \"" + threadName + "\" in the replay")), kind);
    }

    private StepRequest step(ThreadReference thread, Action.StepKind kind) {
        int depth = switch (kind) {
            case OVER -> StepRequest.STEP_OVER;
            case INTO -> StepRequest.STEP_INTO;
            case OUT -> StepRequest.STEP_OUT;
        };
        StepRequest step = manager.createStepRequest(thread, StepRequest.STEP_LINE, depth);
        JDK_CLASSES.forEach(step::addClassExclusionFilter);
        step.setSuspendPolicy(EventRequest.SUSPEND_ALL);
        step.enable();
        return step;
    }

    private Stop stopAt(Stop.Reason reason, ThreadReference thread, long ordinal, String description) {
        Stop stop = new Stop(reason, position(thread), ordinal, description);
        stopThreads.put(stop, thread);
        return stop;
    }

    /** A pause that stopped a thread at a progress point: the seek and its waypoint, then one line step of the thread. */
    record PauseAt(Action.Seek seek, Stop waypoint) {}

    /**
     * How the last stop, a pause, is reached again, when it stopped at a progress point; empty
     * after a pause that suspended the threads wherever they were, and after any other stop.
     */
    Optional<PauseAt> pauseAt() {
        return Optional.ofNullable(pauseAt);
    }

    /**
     * Asks the agent to stop the next recorded thread that comes to a progress point
     * (progress_points.h: the pause signal); false when this replay has none.
     */
    private boolean pauseAtProgressPoint() {
        try {
            watchReached();
            Process kill = new ProcessBuilder("kill", "-s", PAUSE_SIGNAL, String.valueOf(session.pid()))
                    .redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            if (kill.waitFor() == 0) {
                return true;
            }
        } catch (IOException | RuntimeException e) {
            // no pause signal: the threads are suspended where they are
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private Stop suspendedPause() {
        stoppedThread = null;
        pauseAt = null;
        session.vm.suspend();
        return pauseStop();
    }

    private Stop pauseStop() {
        ThreadReference thread = session.mainThread.isCollected() || !session.vm.allThreads().contains(session.mainThread)
                ? session.vm.allThreads().getFirst()
                : session.mainThread;
        return new Stop(Stop.Reason.PAUSE, position(thread), eventSets, "");
    }

    static Stop.Position position(ThreadReference thread) {
        try {
            int frames = thread.frameCount();
            if (frames == 0) {
                return new Stop.Position(thread.name(), "", 0, 0);
            }
            Location at = thread.frame(0).location();
            return new Stop.Position(thread.name(), at.declaringType().name() + "." + at.method().name(), at.lineNumber(),
                    frames);
        } catch (IncompatibleThreadStateException e) {
            return new Stop.Position(thread.name(), "", 0, 0);
        }
    }

    private static boolean stopsAt(Requests requests, Location location, StackFrame frame) {
        String type = location.declaringType().name();
        for (Requests.BreakpointSpec spec : requests.breakpoints()) {
            if (spec.matches(type, location.lineNumber())) {
                if (spec.condition() == null) {
                    return true;
                }
                try {
                    if (spec.condition().holds(frame)) {
                        return true;
                    }
                } catch (RuntimeException e) {
                    // A condition that cannot be read here (a local out of scope) does not hold.
                }
            }
        }
        return false;
    }

    private static boolean stopsFor(Requests requests, boolean caught) {
        return caught ? requests.caughtExceptions() : requests.uncaughtExceptions();
    }

    /** The requests of {@code own} and of the probes, and nothing else. */
    private void install(Requests own) {
        Set<Line> lines = new HashSet<>();
        Stream.concat(own.breakpoints().stream(), probes.breakpoints().stream())
                .forEach(b -> lines.add(new Line(b.className(), b.line())));
        if (!lines.equals(breakpointLines)) {
            breakpointRequests.forEach(manager::deleteEventRequest);
            breakpointRequests.clear();
            installedTypes.clear();
            breakpointLines = Set.copyOf(lines);
            for (Line line : lines) {
                watch(line.className());
            }
            Set<String> classes = new HashSet<>();
            lines.forEach(l -> classes.add(l.className()));
            for (ReferenceType type : session.vm.allClasses()) {
                if (type.isPrepared() && classes.stream().anyMatch(c -> type.name().equals(c) || type.name().startsWith(c + "$"))) {
                    installIn(type);
                }
            }
        }
        boolean caught = own.caughtExceptions() || probes.caughtExceptions();
        boolean uncaught = own.uncaughtExceptions() || probes.uncaughtExceptions();
        if (caught != caughtInstalled || uncaught != uncaughtInstalled) {
            exceptionRequests.forEach(manager::deleteEventRequest);
            exceptionRequests.clear();
            if (uncaught) {
                exceptionRequests.add(exceptionRequest(false, true));
            }
            if (caught) {
                // Caught exceptions thrown inside the JDK (class loading throws and catches many) are not the program's.
                ExceptionRequest request = exceptionRequest(true, false);
                JDK_CLASSES.forEach(request::addClassExclusionFilter);
                exceptionRequests.add(request);
            }
            caughtInstalled = caught;
            uncaughtInstalled = uncaught;
        }
    }

    private ExceptionRequest exceptionRequest(boolean caught, boolean uncaught) {
        ExceptionRequest request = manager.createExceptionRequest(null, caught, uncaught);
        request.setSuspendPolicy(EventRequest.SUSPEND_ALL);
        request.enable();
        return request;
    }

    private void watch(String className) {
        if (watchedClasses.add(className)) {
            for (String filter : List.of(className, className + "$*")) {
                ClassPrepareRequest prepare = manager.createClassPrepareRequest();
                prepare.addClassFilter(filter);
                prepare.setSuspendPolicy(EventRequest.SUSPEND_ALL);
                prepare.enable();
            }
        }
    }

    private void installIn(ReferenceType type) {
        if (!installedTypes.add(type.name())) {
            return;
        }
        for (Line line : breakpointLines) {
            if (!type.name().equals(line.className()) && !type.name().startsWith(line.className() + "$")) {
                continue;
            }
            try {
                for (Location location : type.locationsOfLine(line.line())) {
                    if (!location.declaringType().equals(type)) {
                        continue;
                    }
                    BreakpointRequest request = manager.createBreakpointRequest(location);
                    request.setSuspendPolicy(EventRequest.SUSPEND_ALL);
                    request.enable();
                    breakpointRequests.add(request);
                }
            } catch (com.sun.jdi.AbsentInformationException e) {
                // compiled without line numbers: no breakpoint can be set in it
            }
        }
    }

    /** Whether {@code spec}'s line holds code in a loaded class: null when its class is not loaded yet. */
    Boolean hasCode(Requests.BreakpointSpec spec) {
        boolean loaded = false;
        for (ReferenceType type : session.vm.allClasses()) {
            if (type.isPrepared() && (type.name().equals(spec.className()) || type.name().startsWith(spec.className() + "$"))) {
                loaded = true;
                try {
                    if (!type.locationsOfLine(spec.line()).isEmpty()) {
                        return true;
                    }
                } catch (com.sun.jdi.AbsentInformationException e) {
                    // no line table
                }
            }
        }
        return loaded ? Boolean.FALSE : null;
    }
}
