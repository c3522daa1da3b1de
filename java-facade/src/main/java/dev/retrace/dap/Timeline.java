package dev.retrace.dap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The session's history, and going backwards by re-execution. Every stop is reached by the list
 * of actions since launch ({@code actions.get(k)} leads to {@code stops.get(k)}); a fresh replay
 * that runs the same actions stops at the same places, because the replay is deterministic. To go
 * back, a fresh replay runs the history again up to the current stop while it observes what the
 * step back needs, the target is chosen among what it observed, and a second fresh replay runs
 * to the target. Each step backwards thus costs two replays from the start to the current stop.
 */
final class Timeline {
    /** Going backwards is not possible from here; the message says why. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final ReplayLauncher launcher;
    private final Path recording;
    private final Long pid;
    private final ProgramOutput output;
    private List<Action> actions = new ArrayList<>();
    private List<Stop> stops = new ArrayList<>();
    private ReplaySession session;
    private Runner runner;

    Timeline(ReplayLauncher launcher, Path recording, Long pid, ProgramOutput output) {
        this.launcher = launcher;
        this.recording = recording;
        this.pid = pid;
        this.output = output;
    }

    /** Starts the replay and runs it to the program's first method. */
    Runner.Outcome launch() throws IOException, InterruptedException {
        fresh();
        return perform(new Action.ToEntry());
    }

    ReplaySession session() {
        return session;
    }

    Runner runner() {
        return runner;
    }

    Stop current() {
        return stops.getLast();
    }

    /** Runs forwards, live, and remembers how the stop was reached. */
    Runner.Outcome perform(Action action) throws InterruptedException {
        runner.atAction(actions.size());
        Runner.Outcome outcome = runner.run(action, null);
        if (outcome instanceof Runner.Outcome.Stopped(Stop stop)) {
            actions.add(stop.reason() == Stop.Reason.PAUSE ? new Action.Pause(Requests.NONE) : action);
            stops.add(stop);
        }
        return outcome;
    }

    /** Back to the last event before this stop that stops under {@code requests}, else to the program's start. */
    Stop reverseContinue(Requests requests) throws Refused, IOException, InterruptedException {
        refuseAfterPause();
        int here = stops.size() - 1;
        List<Stop> seen = rerun(actions, stops, here, requests, null, -1);
        long hereEventSet = seen.getLast().eventSet();
        // Hits before the program's first method (in the JDK's start-up) are not counted: the landing run counts from there.
        List<Runner.Observed> before = runner.probeHits().stream()
                .filter(hit -> hit.action() >= 1 && hit.eventSet() != hereEventSet)
                .toList();
        if (before.isEmpty()) {
            return land(List.of(actions.getFirst()), List.of(stops.getFirst()), stops.getFirst().at());
        }
        Runner.Observed target = before.getLast();
        for (int k = 0; k < here; k++) {
            if (seen.get(k).eventSet() == target.eventSet()) {
                // The target is a stop of the history: reach it the way the history did.
                return land(actions.subList(0, k + 1), stops.subList(0, k + 1), target.at());
            }
        }
        List<Action> path = List.of(actions.getFirst(), new Action.Continue(requests, before.size() - 1));
        List<Stop> expected = new ArrayList<>(List.of(stops.getFirst()));
        expected.add(null);
        return land(path, expected, target.at());
    }

    /**
     * Back to the line {@code thread} was at before this stop, in this frame or a caller: the last
     * line step of that thread, before this stop, whose stack was no deeper than it is here.
     */
    Stop stepBack(String thread) throws Refused, IOException, InterruptedException {
        refuseAfterPause();
        int here = stops.size() - 1;
        if (here == 0) {
            throw new Refused("this is the program's start: there is no earlier line");
        }
        Stop.Position now = Runner.position(session.thread(thread)
                .orElseThrow(() -> new Refused("no thread \"" + thread + "\" here")));
        // Trace from the previous stop (short), else from the program's start.
        for (int from : here - 1 == 0 ? new int[] {0} : new int[] {here - 1, 0}) {
            List<Stop> seen = rerun(actions, stops, here, Requests.NONE, thread, from);
            long hereEventSet = seen.getLast().eventSet();
            List<Runner.Observed> lines = new ArrayList<>(runner.tracedLines());
            // The tracer may report this very stop's line in an event set of its own, just before it.
            while (!lines.isEmpty() && lines.getLast().action() == here && lines.getLast().at().equals(now)) {
                lines.removeLast();
            }
            Optional<Integer> last = Optional.empty();
            for (int i = 0; i < lines.size(); i++) {
                Runner.Observed line = lines.get(i);
                if (line.eventSet() != hereEventSet && line.at().frames() <= now.frames() && line.at().frames() > 0) {
                    last = Optional.of(i);
                }
            }
            if (last.isPresent()) {
                List<Action> path = new ArrayList<>(actions.subList(0, from + 1));
                List<Stop> expected = new ArrayList<>(stops.subList(0, from + 1));
                path.add(new Action.LineSteps(thread, last.get() + 1));
                expected.add(null);
                return land(path, expected, lines.get(last.get()).at());
            }
            Stop start = stops.get(from);
            if (start.at().thread().equals(thread) && start.at().frames() <= now.frames() && from > 0) {
                return land(actions.subList(0, from + 1), stops.subList(0, from + 1), start.at());
            }
        }
        throw new Refused("no earlier line of thread \"" + thread + "\" in this frame or a caller");
    }

    /** After a failed step backwards: a fresh replay back at the stop the history ends with. */
    void restore() throws IOException, InterruptedException {
        rerun(actions, stops, stops.size() - 1, Requests.NONE, null, -1);
    }

    private void refuseAfterPause() throws Refused {
        if (actions.stream().anyMatch(a -> a instanceof Action.Pause)) {
            throw new Refused("this stop was reached through a pause, which no replay can reach again "
                    + "(where a pause stops depends on timing); stop at a breakpoint to go back from there");
        }
    }

    /**
     * Runs {@code path} on a fresh replay up to {@code upTo}, silently, checking that every stop is
     * where it was; from the start it counts the hits of {@code probes}, and after stop
     * {@code traceFrom} it traces the lines of {@code tracedThread}. Returns the stops it made.
     */
    private List<Stop> rerun(List<Action> path, List<Stop> expected, int upTo, Requests probes, String tracedThread,
            int traceFrom) throws IOException, InterruptedException {
        fresh();
        runner.observeHits(probes);
        List<Stop> seen = new ArrayList<>();
        for (int k = 0; k <= upTo; k++) {
            if (tracedThread != null && k == traceFrom + 1) {
                runner.traceLines(tracedThread);
            }
            runner.atAction(k);
            Stop.Position before = expected.get(k) == null ? null : expected.get(k).at();
            Runner.Outcome outcome = runner.run(path.get(k), before);
            switch (outcome) {
                case Runner.Outcome.Ended ended -> throw new IOException("the replay ended (exit status "
                        + ended.exitStatus() + ") before it reached the stop again" + ended.replayError());
                case Runner.Outcome.Stopped(Stop stop) -> {
                    if (before != null && !stop.at().equals(before)) {
                        throw new IOException("the replay did not reach the same stop again: at " + stop.at()
                                + ", not " + before);
                    }
                    seen.add(stop);
                }
            }
        }
        return seen;
    }

    /** Makes {@code path} the history, on a fresh replay that runs it to {@code target}. */
    private Stop land(List<Action> path, List<Stop> expected, Stop.Position target) throws IOException, InterruptedException {
        List<Action> newActions = List.copyOf(path);
        List<Stop> seen = rerun(newActions, expected, newActions.size() - 1, Requests.NONE, null, -1);
        Stop landed = seen.getLast();
        if (!landed.at().equals(target)) {
            throw new IOException("the replay did not reach the earlier stop: at " + landed.at() + ", not " + target);
        }
        actions = new ArrayList<>(newActions);
        stops = new ArrayList<>(seen);
        return landed;
    }

    private void fresh() throws IOException {
        close();
        session = ReplaySession.start(launcher, recording, pid, output);
        runner = new Runner(session);
    }

    void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
