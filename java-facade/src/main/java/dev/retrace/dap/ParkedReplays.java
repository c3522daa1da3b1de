package dev.retrace.dap;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Replay JVMs kept suspended at earlier stops of the history, so that going back starts from the
 * nearest one instead of from the program's start (rr keeps checkpoints the same way). After every
 * stop a background thread brings them to the stops wanted now: two at the previous stop (a
 * stepBack runs from there twice: the trace and the landing), one at the current stop (the
 * previous one after the next step forwards), then stops at distances 2, 4, 8, ... back, log-spaced,
 * at most {@code limit} JVMs in all. A parked replay that is no longer wanted is moved forwards to
 * a wanted stop rather than started anew; one whose history was abandoned (after going back) is
 * killed. A limit of 0 parks nothing: every re-run starts from the program's start.
 */
final class ParkedReplays implements AutoCloseable {
    private final ReplaySession.Factory factory;
    private final int limit;
    private final PrintStream log;
    private final List<Replay> idle = new ArrayList<>();
    private Replay busy;
    private List<Action> history = List.of();
    private List<Stop> stops = List.of();
    /** Bumped when the history changes; a failed refill waits for the next change instead of retrying. */
    private long generation;
    private long failedGeneration = -1;
    private long announced = -1;
    private boolean closed;
    private final Thread worker;

    ParkedReplays(ReplaySession.Factory factory, int limit, PrintStream log) {
        this.factory = factory;
        this.limit = limit;
        this.log = log;
        this.worker = limit == 0 ? null : Thread.ofPlatform().daemon().name("retrace-dap parking").start(this::work);
    }

    /** The history is now {@code actions} and {@code reached}: park replays along it, drop the others. */
    synchronized void follow(List<Action> actions, List<Stop> reached) {
        history = List.copyOf(actions);
        stops = List.copyOf(reached);
        generation++;
        idle.removeIf(replay -> {
            if (replay.follows(history)) {
                return false;
            }
            replay.close();
            return true;
        });
        notifyAll();
    }

    /**
     * Takes out the parked replay that stands furthest along {@code path} at or before stop
     * {@code atMost}, checked to stand where it claims; empty when there is none.
     */
    synchronized Optional<Replay> take(List<Action> path, int atMost) {
        while (true) {
            Optional<Replay> best = idle.stream()
                    .filter(r -> r.position() <= atMost && r.follows(path))
                    .max(Comparator.comparingInt(Replay::position));
            if (best.isEmpty()) {
                return best;
            }
            Replay replay = best.get();
            idle.remove(replay);
            notifyAll();
            if (replay.standsAt(replay.seen().getLast().at())) {
                return best;
            }
            log.println("retrace dap: a parked replay is not at " + replay.seen().getLast().at() + "; dropped");
            replay.close();
        }
    }

    /** The stops wanted now, most useful first, with repeats for stops wanted twice. */
    private List<Integer> wanted() {
        int here = stops.size() - 1;
        int reachable = history.size();
        for (int k = 0; k < history.size(); k++) {
            if (history.get(k) instanceof Action.Pause) {
                reachable = k;  // a pause cannot be re-run: nothing from there on can be parked
                break;
            }
        }
        List<Integer> positions = new ArrayList<>(List.of(here - 1, here - 1, here));
        for (int distance = 2; here - distance >= 0; distance *= 2) {
            positions.add(here - distance);
        }
        int end = reachable;
        return positions.stream().filter(p -> p >= 0 && p < end).limit(limit).toList();
    }

    /** The wanted stops that no parked replay covers. */
    private List<Integer> missing() {
        List<Integer> missing = new ArrayList<>(wanted());
        for (Replay replay : idle) {
            missing.remove(Integer.valueOf(replay.position()));
        }
        return missing;
    }

    private void work() {
        while (true) {
            Replay replay;
            int target;
            List<Action> path;
            List<Stop> expected;
            long startedIn;
            synchronized (this) {
                trim();
                while (!closed && (missing().isEmpty() || failedGeneration == generation)) {
                    if (announced != generation && !history.isEmpty()) {
                        // A benchmark (and anyone watching the log) can tell from this when going back is served.
                        announced = generation;
                        log.println("retrace dap: parked replays at stops "
                                + idle.stream().map(Replay::position).sorted().toList());
                    }
                    notifyAll();
                    waitQuietly();
                    trim();
                }
                if (closed) {
                    return;
                }
                target = missing().getFirst();
                path = history;
                expected = stops;
                startedIn = generation;
                replay = surplus(target).orElse(null);
                if (replay != null) {
                    idle.remove(replay);
                }
            }
            try {
                if (replay == null) {
                    replay = Replay.start(factory);
                }
                synchronized (this) {
                    if (closed) {
                        replay.close();
                        return;
                    }
                    busy = replay;
                }
                replay.runTo(path, expected, target, Replay.Watch.NOTHING);
                synchronized (this) {
                    busy = null;
                    if (!closed && replay.follows(history)) {
                        idle.add(replay);
                    } else {
                        replay.close();
                    }
                    notifyAll();
                }
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    busy = null;
                    if (!closed) {
                        log.println("retrace dap: parking a replay at stop " + target + " failed: " + e.getMessage());
                    }
                    failedGeneration = startedIn;
                    notifyAll();
                }
                if (replay != null) {
                    replay.close();
                }
            } catch (InterruptedException e) {
                if (replay != null) {
                    replay.close();
                }
                return;
            }
        }
    }

    /** The parked replays that stand where no wanted stop needs one. */
    private List<Replay> unneeded() {
        List<Integer> wanted = new ArrayList<>(wanted());
        List<Replay> unneeded = new ArrayList<>();
        for (Replay replay : idle) {
            if (!wanted.remove(Integer.valueOf(replay.position()))) {
                unneeded.add(replay);
            }
        }
        return unneeded;
    }

    /** A replay not needed where it stands, to move forwards to {@code target}: the one with least to run. */
    private Optional<Replay> surplus(int target) {
        return unneeded().stream().filter(r -> r.position() <= target).max(Comparator.comparingInt(Replay::position));
    }

    /** Kills the unneeded replays that no missing stop can use, and any beyond the limit. */
    private void trim() {
        int furthestMissing = missing().stream().max(Integer::compare).orElse(-1);
        for (Replay replay : unneeded().stream().sorted(Comparator.comparingInt(Replay::position)).toList()) {
            if (replay.position() > furthestMissing || idle.size() > limit) {
                idle.remove(replay);
                replay.close();
            }
        }
    }

    private void waitQuietly() {
        try {
            wait();
        } catch (InterruptedException e) {
            closed = true;
        }
    }

    /** Kills every parked replay and the one being prepared. */
    @Override
    public void close() {
        Replay preparing;
        synchronized (this) {
            closed = true;
            idle.forEach(Replay::close);
            idle.clear();
            preparing = busy;
            notifyAll();
        }
        if (preparing != null) {
            preparing.close();  // its run then ends with the JVM, and the worker drops it
        }
        if (worker != null) {
            worker.interrupt();
        }
    }
}
