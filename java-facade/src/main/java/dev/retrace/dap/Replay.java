package dev.retrace.dap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A replay JVM together with the part of a history it has run: it stands at stop
 * {@link #position()} of that history (-1: at the JVM's start, before the program's first method).
 * The live replay, a parked one and a silent re-run are all this; one can be advanced further
 * along any history that begins with what it has run.
 */
final class Replay implements AutoCloseable {
    /** What a run observes besides its stops: probe hits from the start, a thread's lines after stop {@code traceAfter}. */
    record Watch(Requests probes, String tracedThread, int traceAfter) {
        static final Watch NOTHING = new Watch(Requests.NONE, null, -1);

        static Watch hits(Requests probes) {
            return new Watch(probes, null, -1);
        }

        static Watch lines(String thread, int after) {
            return new Watch(Requests.NONE, thread, after);
        }
    }

    final ReplaySession session;
    final Runner runner;
    private final List<Action> ran = new ArrayList<>();
    private final List<Stop> seen = new ArrayList<>();

    private Replay(ReplaySession session) {
        this.session = session;
        this.runner = new Runner(session);
    }

    static Replay start(ReplaySession.Factory factory) throws IOException {
        return new Replay(factory.start());
    }

    /** The index of the stop it stands at in the history it ran; -1 before the first action. */
    int position() {
        return ran.size() - 1;
    }

    /** The actions it ran; a pause is kept as a pause, whatever action was interrupted. */
    List<Action> ran() {
        return ran;
    }

    /** The stops it made, in this replay's own event-set numbering. */
    List<Stop> seen() {
        return seen;
    }

    /** Whether {@code history} begins with everything this replay has run. */
    boolean follows(List<Action> history) {
        return ran.size() <= history.size() && history.subList(0, ran.size()).equals(ran);
    }

    /**
     * Runs {@code path} from here up to stop {@code upTo}, silently, checking that every stop is
     * where {@code expected} says (null: a stop not reached before, not checked).
     */
    void runTo(List<Action> path, List<Stop> expected, int upTo, Watch watch) throws IOException, InterruptedException {
        if (!follows(path)) {
            throw new IllegalStateException("this replay ran another history");
        }
        runner.observeHits(watch.probes());
        for (int k = ran.size(); k <= upTo; k++) {
            if (watch.tracedThread() != null && k == watch.traceAfter() + 1) {
                runner.traceLines(watch.tracedThread());
            }
            runner.atAction(k);
            Stop.Position before = expected.get(k) == null ? null : expected.get(k).at();
            switch (runner.run(path.get(k), before)) {
                case Runner.Outcome.Ended ended -> throw new IOException("the replay ended (exit status "
                        + ended.exitStatus() + ") before it reached the stop again" + ended.replayError());
                case Runner.Outcome.Stopped(Stop stop) -> {
                    if (before != null && !stop.at().equals(before)) {
                        throw new IOException("the replay did not reach the same stop again: at " + stop.at()
                                + ", not " + before);
                    }
                    ran.add(path.get(k));
                    seen.add(stop);
                }
            }
        }
    }

    /** Runs one action live (its stop is new); nothing is checked. */
    Runner.Outcome perform(Action action) throws InterruptedException {
        runner.atAction(ran.size());
        Runner.Outcome outcome = runner.run(action, null);
        if (outcome instanceof Runner.Outcome.Stopped(Stop stop)) {
            if (stop.reason() != Stop.Reason.PAUSE) {
                ran.add(action);
            } else if (runner.pauseAt().isPresent()) {
                // Reached again by seeking the thread's progress, then one line of it.
                Runner.PauseAt at = runner.pauseAt().get();
                ran.add(at.seek());
                seen.add(at.waypoint());
                ran.add(new Action.LineSteps(at.seek().thread(), 1));
            } else {
                ran.add(new Action.Pause(Requests.NONE));
            }
            seen.add(stop);
        }
        return outcome;
    }

    /** Whether it still stands at the stop it claims: the same thread at the same method, line and depth. */
    boolean standsAt(Stop.Position claimed) {
        try {
            return session.thread(claimed.thread()).map(Runner::position).filter(claimed::equals).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
