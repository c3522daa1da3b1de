package dev.retrace.dap;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The session's history, and going backwards by re-execution. Every stop is reached by the list
 * of actions since launch ({@code actions.get(k)} leads to {@code stops.get(k)}); a replay that
 * runs the same actions stops at the same places, because the replay is deterministic. To go
 * back, a replay runs the history again up to the current stop while it observes what the step
 * back needs, the target is chosen among what it observed, and a second replay runs to the
 * target. Both start from the nearest {@link ParkedReplays parked replay} at or before where they
 * need to begin, else from the program's start. The live replay is replaced only once the second
 * one has landed, so a step back that fails leaves the session where it was.
 */
final class Timeline {
    /** Going backwards is not possible from here; the message says why. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final ReplaySession.Factory factory;
    private final ParkedReplays parked;
    private final boolean progressPoints;
    private final PrintStream log;
    private List<Action> actions = List.of();
    private List<Stop> stops = List.of();
    private Replay live;

    /**
     * {@code parkedReplays}: how many replay JVMs may be kept parked at earlier stops (0: none);
     * {@code progressPoints}: whether stepBack may trace from a thread's last recorded event.
     */
    Timeline(ReplayLauncher launcher, Path recording, Long pid, ProgramOutput output, int parkedReplays,
            boolean progressPoints, PrintStream log) {
        this.factory = () -> ReplaySession.start(launcher, recording, pid, output);
        this.parked = new ParkedReplays(factory, parkedReplays, log);
        this.progressPoints = progressPoints;
        this.log = log;
    }

    /** Starts the replay and runs it to the program's first method. */
    Runner.Outcome launch() throws IOException, InterruptedException {
        live = Replay.start(factory);
        return perform(new Action.ToEntry());
    }

    ReplaySession session() {
        return live.session;
    }

    Runner runner() {
        return live.runner;
    }

    Stop current() {
        return stops.getLast();
    }

    /** Runs forwards, live, and remembers how the stop was reached. */
    Runner.Outcome perform(Action action) throws InterruptedException {
        Runner.Outcome outcome = live.perform(action);
        if (outcome instanceof Runner.Outcome.Stopped) {
            adoptHistoryOf(live);
        }
        return outcome;
    }

    /** Back to the last event before this stop that stops under {@code requests}, else to the program's start. */
    Stop reverseContinue(Requests requests) throws Refused, IOException, InterruptedException {
        refuseAfterPause();
        int here = stops.size() - 1;
        // Hits are counted segment by segment backwards, each from the nearest replay before it,
        // until one holds a hit: usually the first, from the replay parked at the previous stop.
        for (int end = here; ; ) {
            int from;
            List<Runner.Observed> hits;
            List<Stop> seen;
            try (Replay counting = replayAt(actions, end - 1)) {
                // Hits before the program's first method (in the JDK's start-up) are not counted: a landing counts from there.
                from = Math.max(counting.position(), 0);
                counting.runTo(actions, stops, end, Replay.Watch.hits(requests));
                seen = List.copyOf(counting.seen());
                long endEventSet = seen.get(end).eventSet();
                int after = from;
                boolean atCurrentStop = end == here;
                hits = counting.runner.probeHits().stream()
                        .filter(hit -> hit.action() > after && !(atCurrentStop && hit.eventSet() == endEventSet))
                        .toList();
            }
            if (!hits.isEmpty()) {
                Runner.Observed target = hits.getLast();
                for (int k = from + 1; k <= end; k++) {
                    if (seen.get(k).eventSet() == target.eventSet()) {
                        // The target is a stop of the history: reach it the way the history did.
                        return land(actions.subList(0, k + 1), stops.subList(0, k + 1), target.at());
                    }
                }
                List<Action> path = new ArrayList<>(actions.subList(0, from + 1));
                path.add(new Action.Continue(requests, hits.size() - 1));
                List<Stop> expected = new ArrayList<>(stops.subList(0, from + 1));
                expected.add(null);
                return land(path, expected, target.at());
            }
            if (from == 0) {
                return land(actions.subList(0, 1), stops.subList(0, 1), stops.getFirst().at());
            }
            end = from;
        }
    }

    /**
     * Back to the line {@code thread} was at before this stop, in this frame or a caller: the last
     * line step of that thread, before this stop, whose stack was no deeper than it is here. The
     * lines are traced from the thread's last recorded event before this stop when it has one since
     * the previous stop (a few lines, however long the run), else from the previous stop, else from
     * the program's start.
     */
    Stop stepBack(String thread) throws Refused, IOException, InterruptedException {
        refuseAfterPause();
        int here = stops.size() - 1;
        if (here == 0) {
            throw new Refused("this is the program's start: there is no earlier line");
        }
        Stop.Position now = Runner.position(live.session.thread(thread)
                .orElseThrow(() -> new Refused("no thread \"" + thread + "\" here")));
        // Line steps after a waypoint of this thread: its lines since its last recorded event are
        // traced from the waypoint, where replays are parked.
        boolean afterWaypoint = here >= 2 && actions.get(here) instanceof Action.LineSteps steps
                && steps.thread().equals(thread) && actions.get(here - 1) instanceof Action.Seek seek
                && seek.thread().equals(thread);
        if (afterWaypoint) {
            Optional<Stop> landed = stepBackTracedFrom(here - 1, thread, now);
            if (landed.isPresent()) {
                return landed.get();
            }
        }
        // From the thread's last progress point before this stop, else from the one before that.
        for (boolean previous : progressPoints ? new boolean[] {false, true} : new boolean[0]) {
            long progress = afterWaypoint && !previous ? -1 : live.runner.progressOf(thread, previous);
            if (progress > 0) {
                Optional<Stop> landed = stepBackFromProgress(thread, now, progress);
                if (landed.isPresent()) {
                    return landed.get();
                }
            }
        }
        for (int from : here - 1 == 0 ? new int[] {0} : new int[] {here - 1, 0}) {
            Optional<Stop> landed = stepBackTracedFrom(from, thread, now);
            if (landed.isPresent()) {
                return landed.get();
            }
        }
        throw new Refused("no earlier line of thread \"" + thread + "\" in this frame or a caller");
    }

    /** The step back traced over every line of the thread after stop {@code from}; empty when none qualifies. */
    private Optional<Stop> stepBackTracedFrom(int from, String thread, Stop.Position now)
            throws IOException, InterruptedException {
        int here = stops.size() - 1;
        long hereEventSet;
        List<Runner.Observed> lines;
        try (Replay tracing = replayAt(actions, from)) {
            tracing.runTo(actions, stops, here, Replay.Watch.lines(thread, from));
            hereEventSet = tracing.seen().get(here).eventSet();
            lines = new ArrayList<>(tracing.runner.tracedLines());
        }
        Optional<Integer> last = lastLineBefore(lines, here, hereEventSet, now);
        if (last.isPresent()) {
            return Optional.of(land(pathThen(from, new Action.LineSteps(thread, last.get() + 1)), expectedThen(from),
                    lines.get(last.get()).at()));
        }
        Stop start = stops.get(from);
        if (start.at().thread().equals(thread) && start.at().frames() <= now.frames() && from > 0
                && start.reason() != Stop.Reason.WAYPOINT) {
            return Optional.of(land(actions.subList(0, from + 1), stops.subList(0, from + 1), start.at()));
        }
        return Optional.empty();
    }

    /**
     * The step back traced from {@code progress}, a progress point of the thread before this stop:
     * from the last stop before it, re-running the history from there. Empty when no line of the
     * thread after that point qualifies, or when the history steps the thread on the way (a thread
     * has one stepper at a time).
     */
    private Optional<Stop> stepBackFromProgress(String thread, Stop.Position now, long progress)
            throws IOException, InterruptedException {
        int here = stops.size() - 1;
        int from = here - 1;
        while (from > 0 && reachedAlready(from, thread, progress)) {
            from--;
        }
        for (Action action : actions.subList(from + 1, here + 1)) {
            if (action instanceof Action.Step s && s.thread().equals(thread)) {
                return Optional.empty();
            }
        }
        // The landing goes through a waypoint at that event (a later step back traces from there, and
        // replays park there); a second replay runs to it while the first one traces.
        List<Action> path = pathThen(from, new Action.Seek(thread, progress));
        List<Stop> expected = expectedThen(from);
        int start = from;
        int waypoint = from + 1;
        List<Action> toWaypoint = List.copyOf(path);
        List<Stop> expectedToWaypoint = java.util.Collections.unmodifiableList(new ArrayList<>(expected));
        // A thread of its own: the request itself may run on the common pool, which a task of it would wait behind.
        CompletableFuture<Replay> landing = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("retrace dap landing").start(() -> {
            Replay replay = null;
            try {
                replay = replayAt(toWaypoint, start);
                replay.runTo(toWaypoint, expectedToWaypoint, waypoint, Replay.Watch.NOTHING);
                landing.complete(replay);
            } catch (IOException | InterruptedException | RuntimeException e) {
                if (replay != null) {
                    replay.close();
                }
                landing.completeExceptionally(e);
            }
        });
        long hereEventSet;
        List<Runner.Observed> lines;
        try (Replay tracing = replayAt(actions, from)) {
            tracing.runTo(actions, stops, from, Replay.Watch.NOTHING);
            long before = tracing.runner.progressOf(thread);
            if (before < 0 || before >= progress || !tracing.runner.traceLinesFrom(thread, progress)) {
                discard(landing);
                return Optional.empty();
            }
            tracing.runTo(actions, stops, here, Replay.Watch.NOTHING);
            hereEventSet = tracing.seen().get(here).eventSet();
            lines = new ArrayList<>(tracing.runner.tracedLines());
        } catch (IOException | InterruptedException | RuntimeException e) {
            discard(landing);
            throw e;
        }
        Optional<Integer> last = lastLineBefore(lines, here, hereEventSet, now);
        if (last.isEmpty()) {
            discard(landing);
            return Optional.empty();
        }
        log.printf("retrace dap: stepBack traces from event %d of \"%s\"%n", progress, thread);
        path.add(new Action.LineSteps(thread, last.get() + 1));
        expected.add(null);
        Replay atWaypoint;
        try {
            atWaypoint = landing.join();
        } catch (CompletionException e) {
            return Optional.of(land(path, expected, lines.get(last.get()).at()));  // from a parked or a fresh replay
        }
        return Optional.of(land(atWaypoint, path, expected, lines.get(last.get()).at()));
    }

    /** Closes the replay a landing prepared, once it is ready, when it is not needed. */
    private static void discard(CompletableFuture<Replay> landing) {
        landing.thenAccept(Replay::close);
    }

    /** Whether the history says that {@code thread}'s progress at stop {@code k} is {@code progress} or more. */
    private boolean reachedAlready(int k, String thread, long progress) {
        Action at = actions.get(k);
        if (at instanceof Action.Seek seek) {
            return seek.thread().equals(thread) && seek.progress() >= progress;
        }
        // Line steps after a waypoint of the thread: the lines before its next recorded event.
        return at instanceof Action.LineSteps steps && steps.thread().equals(thread) && k > 0
                && actions.get(k - 1) instanceof Action.Seek seek && seek.thread().equals(thread)
                && seek.progress() >= progress;
    }

    /** The index of the last traced line before this stop whose stack is no deeper than {@code now}'s. */
    private static Optional<Integer> lastLineBefore(List<Runner.Observed> lines, int here, long hereEventSet,
            Stop.Position now) {
        // The tracer may report this very stop's line in an event set of its own, just before it.
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).action() == here && lines.get(end - 1).at().equals(now)) {
            end--;
        }
        Optional<Integer> last = Optional.empty();
        for (int i = 0; i < end; i++) {
            Runner.Observed line = lines.get(i);
            if (line.eventSet() != hereEventSet && line.at().frames() <= now.frames() && line.at().frames() > 0) {
                last = Optional.of(i);
            }
        }
        return last;
    }

    /** The history up to stop {@code from}, then {@code next}. */
    private List<Action> pathThen(int from, Action next) {
        List<Action> path = new ArrayList<>(actions.subList(0, from + 1));
        path.add(next);
        return path;
    }

    /** The stops of the history up to stop {@code from}, then one not reached before. */
    private List<Stop> expectedThen(int from) {
        List<Stop> expected = new ArrayList<>(stops.subList(0, from + 1));
        expected.add(null);
        return expected;
    }

    private void refuseAfterPause() throws Refused {
        if (actions.stream().anyMatch(a -> a instanceof Action.Pause)) {
            throw new Refused("this stop was reached through a pause that found no thread at a recorded event "
                    + "(a thread busy without boundary calls), and where such a pause stops depends on timing: "
                    + "no replay can reach it again; stop at a breakpoint to go back from there");
        }
    }

    /** The parked replay furthest along {@code path} at or before stop {@code atMost}, else a fresh one. */
    private Replay replayAt(List<Action> path, int atMost) throws IOException {
        Optional<Replay> parkedOne = parked.take(path, atMost);
        return parkedOne.isPresent() ? parkedOne.get() : Replay.start(factory);
    }

    /** Makes {@code path} the history, on a replay that runs it to {@code target}, which becomes the live one. */
    private Stop land(List<Action> path, List<Stop> expected, Stop.Position target) throws IOException, InterruptedException {
        return land(replayAt(path, path.size() - 1), path, expected, target);
    }

    /** Likewise, on {@code landing}, a replay that has run the beginning of {@code path}. */
    private Stop land(Replay landing, List<Action> path, List<Stop> expected, Stop.Position target)
            throws IOException, InterruptedException {
        List<Action> newActions = List.copyOf(path);
        try {
            landing.runTo(newActions, expected, newActions.size() - 1, Replay.Watch.NOTHING);
            Stop landed = landing.seen().getLast();
            if (!landed.at().equals(target)) {
                throw new IOException("the replay did not reach the earlier stop: at " + landed.at() + ", not " + target);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            landing.close();
            throw e;
        }
        live.close();
        live = landing;
        adoptHistoryOf(landing);
        return landing.seen().getLast();
    }

    private void adoptHistoryOf(Replay replay) {
        actions = List.copyOf(replay.ran());
        stops = List.copyOf(replay.seen());
        parked.follow(actions, stops);
    }

    void close() {
        parked.close();
        if (live != null) {
            live.close();
            live = null;
        }
    }
}
