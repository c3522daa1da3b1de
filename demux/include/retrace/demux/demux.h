// The thread demultiplexer: serialises application threads behind one baton, records the order in
// which the baton changes hands, and enforces that order on replay.
//
// Model. Exactly one application thread, the holder, runs application code; the others wait. The
// baton changes hands only at scheduling points, which sit at a deterministic place in each thread's
// own execution (boundary calls, thread start/end, sleep, yield, park/unpark, monitor contention,
// wait/notify, blocking I/O). Each thread counts the scheduling points it has passed; a hand-over is
// named by the giver's count, so it is independent of wall-clock time and of the other threads.
//
// Record: the holder hands over at a scheduling point when a waiter has waited at least `quantum`
// (kYield), and always before it blocks in a real call or ends (kBlock). A watchdog hands the baton
// away from a holder that is blocked inside the VM without reaching a scheduling point (kForced), and,
// as a last resort, from a holder that spins without one (kEscape). Each hand-over goes to
// `onHandover`, in hand-over order.
//
// Replay: the same calls, made by the same threads at the same scheduling points, grant the baton in
// exactly the recorded order. A schedule that cannot be followed (a divergence, a truncated schedule, a
// thread that never comes for the baton) is reported once through `onStall`, within a bounded time;
// the demux then stops enforcing an order (every call returns false), it never hangs.
//
// Guarantee. A program whose threads share memory only between scheduling points of the baton holder
// replays the recorded interleaving exactly, racy or not. Outside the guarantee, and flagged: kEscape
// hand-overs (the spinner keeps running next to the new holder until its next scheduling point; see
// escaped()), and the stretch a thread runs after the VM unblocks it following a kForced hand-over,
// until its next scheduling point (the demux cannot stop a thread it does not hold).
//
// Threads. All calls are thread-safe. A thread passes its own logical id; ids are dense, 0 is the main
// thread, children get the next id in the order their parents (holding the baton) start them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace retrace::demux {

/** "No thread": the baton is free, or the schedule names nobody. */
inline constexpr uint32_t kNoThread = UINT32_MAX;

enum class Mode : uint8_t { kRecord, kReplay };

/** Why the baton changed hands. Stored on the tape: keep the values stable. */
enum class HandoverKind : uint8_t {
  /** At a scheduling point, because a waiter had waited at least `quantum`. */
  kYield = 0,
  /** Before a blocking real call (releaseForBlocking) or at thread end (exit). */
  kBlock = 1,
  /** The watchdog saw the holder blocked inside the VM with no scheduling point (class init, VM lock). */
  kForced = 2,
  /** The holder ran past `escapeAfter` without a scheduling point: the waiter was let run beside it. */
  kEscape = 3,
  /**
   * Between two scheduling points, at a tick (a method entry the agent's bytecode counts), because a
   * waiter had waited: the holder stops there and waits for the baton like at a yield.
   */
  kPreempt = 4,
};

/** "kYield", "kBlock", "kForced", "kEscape", "kPreempt". */
const char* toString(HandoverKind kind);

/**
 * One hand-over: thread `from` gave up the baton after passing its `fromPoint`-th scheduling point, and
 * `to` got it next. `to != from` always: a thread that takes the baton back after releasing it, with
 * nobody in between, is not recorded (replay infers it), which keeps single-threaded I/O off the tape.
 * For kBlock and kYield the release happened in the call that made the count `fromPoint`; for kForced
 * and kEscape somewhere after that point and before the next; for kPreempt at the `fromTick`-th tick
 * the holder counted after that point, or after it last took the baton back (the agent counts them).
 */
struct Handover {
  uint32_t from = kNoThread;
  uint64_t fromPoint = 0;
  uint32_t to = kNoThread;
  HandoverKind kind = HandoverKind::kYield;
  uint64_t fromTick = 0;  // kPreempt only

  bool operator==(const Handover& other) const {
    return from == other.from && fromPoint == other.fromPoint && to == other.to && kind == other.kind &&
           fromTick == other.fromTick;
  }
  bool operator!=(const Handover& other) const { return !(*this == other); }
};

enum class StallReason : uint8_t {
  /** The thread replay waited for did not come (or stayed blocked) for `replayWait`. */
  kTimeout,
  /** The program did something the schedule rules out (a point passed without its hand-over, ...). */
  kDiverged,
  /**
   * A thread waits for the baton and the schedule has no further hand-over (a truncated tape?), or,
   * with a schedule that is not whole, the holder releases the baton past its end while one waits.
   */
  kScheduleEnded,
};

/** "timeout", "diverged", "schedule ended". */
const char* toString(StallReason reason);

/** A thread waiting for the baton when a stall was reported. */
struct WaitingThread {
  uint32_t id = kNoThread;
  uint64_t points = 0;  // scheduling points it has passed
  std::chrono::nanoseconds waited{0};
};

/** What replay was waiting for when it gave up. Everything a person needs to start looking. */
struct StallReport {
  StallReason reason = StallReason::kTimeout;
  /** The thread replay waited for (to take the baton, to reach a point, to block); may be kNoThread. */
  uint32_t expected = kNoThread;
  /** Index of the next schedule entry (how many hand-overs were replayed). */
  size_t position = 0;
  /** That entry, unless the schedule is exhausted. */
  std::optional<Handover> next;
  /** The baton holder, or kNoThread when the baton was free. */
  uint32_t holder = kNoThread;
  /** Points the holder had passed (0 when there is no holder). */
  uint64_t holderPoints = 0;
  /** The thread that last gave up the baton, and at which of its points. */
  uint32_t lastReleaser = kNoThread;
  uint64_t lastReleasePoint = 0;
  /** Every thread waiting for the baton, longest waiter first. */
  std::vector<WaitingThread> waiting;
  /** One sentence saying what did not happen. */
  std::string message;
};

/** The report as a few lines of text, for the agent to print before it exits. */
std::string describe(const StallReport& report);

/** Counters, for tests, logs and `retrace summary`. */
struct Stats {
  uint64_t handovers = 0;  // recorded (record) or replayed (replay)
  uint64_t yields = 0;
  uint64_t blocks = 0;
  uint64_t forced = 0;
  uint64_t escapes = 0;
  uint64_t preempts = 0;
  uint64_t waits = 0;        // times a thread had to wait for the baton
  uint64_t lateForced = 0;   // replay: a kForced hand-over granted at the next point (holder never blocked)
  uint64_t lateEscapes = 0;  // replay: a kEscape hand-over made at the next point (before escapeAfter had passed)
  uint64_t misuses = 0;      // calls that broke the API contract and were ignored
};

/**
 * How a thread has spent its time so far, as the kernel counts it (Options::threadTimes). Negative:
 * not known.
 */
struct ThreadTimes {
  /** On a CPU. */
  std::chrono::nanoseconds running{-1};
  /** Ready to run, waiting for a CPU (preempted, or not yet scheduled after a wake-up). */
  std::chrono::nanoseconds runnable{-1};
};

struct Options {
  Mode mode = Mode::kRecord;
  /** Replay: the recorded hand-overs, in order. */
  std::vector<Handover> schedule;
  /**
   * Replay: false when `schedule` may stop short of the recorded run's (an incomplete recording: a
   * killed process, a cut file). Past its last entry a release while another thread waits is then
   * where the recording's next hand-over is missing, since record always hands over to a waiter
   * there: a kScheduleEnded stall at once. Without it the waiter waits for a baton nobody will give,
   * and a thread whose park replay answers from the schedule alone spins in it for good. A thread
   * that waits while the baton is kept for one that is away is timed out after 2 s (at most
   * `replayWait`): it can never be given the baton either.
   */
  bool scheduleWhole = true;

  /**
   * Record: how long a waiter waits before the holder hands over at its next scheduling point. Longer
   * keeps context switches (and tape entries) rare; shorter keeps waiters responsive.
   */
  std::chrono::nanoseconds quantum = std::chrono::milliseconds(2);
  /**
   * Record: a holder with no scheduling point for this long while a thread waits is asked about through
   * `isBlocked` (and again every `forcedAfter`). It is blocked (a kForced hand-over) only when two looks
   * at least `forcedAfter` apart both say so, at the same point, and `threadTimes` shows it asleep in
   * between (running or waiting for a CPU at most a tenth of the time): a thread that sleeps for a
   * moment (a lock whose owner was preempted, a page fault) is not stuck. A holder granted the baton
   * is not looked at before it has woken up. Replay: a recorded kForced hand-over is granted when the
   * holder is blocked in that sense; without an `isBlocked`, at once.
   */
  std::chrono::nanoseconds forcedAfter = std::chrono::milliseconds(10);
  /**
   * Record: a holder that is not blocked and has no scheduling point for this long while a thread waits
   * is presumed spinning on something only a waiter can change; the longest waiter runs beside it
   * (kEscape, escaped() becomes true). 0 disables it: then a spin-wait on a plain field hangs forever.
   * A long computation looks the same, so this trades exactness for never hanging. Time the holder
   * spent waiting for a CPU (`threadTimes`) does not count: a busy machine does not make a
   * computation look like a spin.
   */
  std::chrono::nanoseconds escapeAfter = std::chrono::milliseconds(200);
  /**
   * Replay: how long a thread may keep the schedule waiting (not coming for a baton reserved for it,
   * or holding it while blocked in the VM) before onStall. 0 disables. A holder that runs (a long
   * computation) is never timed out: it is making progress as far as the demux can tell.
   */
  std::chrono::nanoseconds replayWait = std::chrono::seconds(10);
  /** Replay: how often the watchdog asks `isBlocked` while a recorded kForced hand-over is pending. */
  std::chrono::nanoseconds replayPoll = std::chrono::milliseconds(1);

  /**
   * Record: called for each hand-over, in hand-over order, with the demux lock HELD (so that tape order
   * is hand-over order): it must be short (append to a buffer) and must not call into the Demux.
   */
  std::function<void(const Handover&)> onHandover;
  /**
   * Replay: called once, without the lock, from the thread that found the problem (an application
   * thread or the watchdog). The agent prints describe(report) and exits; the library never exits the
   * process. When it returns, the demux is abandoned: waiters are released and every call returns false.
   */
  std::function<void(const StallReport&)> onStall;
  /**
   * Record: asked, on the holder's own thread and with the demux lock held, before a kYield
   * hand-over; false postpones it to a later point. The agent says no inside a static initialiser:
   * a thread that needs the class would block inside the VM waiting for it, holding the baton. Must
   * not call into the Demux. May be empty (always yes).
   */
  std::function<bool(uint32_t id)> mayYield;
  /**
   * Record: asks the holder `id` to stop at its next tick (the agent lowers the limit its bytecode
   * compares the tick count with), because a thread has waited `preemptAfter` without the holder
   * reaching a scheduling point; asked again at every later look at the same stretch. Called
   * without the lock, from the watchdog thread. The holder answers with Demux::preempt(); one that
   * never ticks (JDK code, a native) is handled as before (kForced, kEscape). May be empty: no
   * preemption.
   */
  std::function<void(uint32_t id)> requestPreempt;
  /**
   * Record: the time slice. A holder that has run this long without a scheduling point while a
   * thread waits is asked to stop at its next tick (requestPreempt), as a kernel would preempt it.
   */
  std::chrono::nanoseconds preemptAfter = std::chrono::milliseconds(2);
  /**
   * Record: chaos mode when non-zero, and the seed of its random choices (src/chaos.h): a random
   * slice scale per recording and a slice in ticks per stretch (chaosTicks()), random thread
   * priorities that decide which waiter gets the baton, and yields at scheduling points without
   * waiting for the quantum. Without it, record only varies each time slice by up to half of
   * `preemptAfter` either way. Replay needs none of it: every choice is a recorded hand-over.
   */
  uint64_t chaosSeed = 0;
  /**
   * Whether thread `id` is blocked inside the VM (JVMTI thread state: blocked on monitor enter, waiting,
   * parked, in class initialisation). Called without the lock, from the watchdog thread. May be empty:
   * then record never forces a hand-over (only escapes) and replay cannot time out a blocked holder.
   */
  std::function<bool(uint32_t id)> isBlocked;
  /**
   * Replay, stall detection only: whether thread `id` sleeps (kernel state), whatever its JVM state. It
   * catches what `isBlocked` leaves out on purpose: a thread waiting for another's class initialisation
   * looks runnable to JVMTI, like one stopped for a safepoint. A holder asleep at the same point for a
   * whole `replayWait` is stuck either way (no safepoint lasts that long). May be empty: `isBlocked`.
   */
  std::function<bool(uint32_t id)> isAsleep;
  /**
   * How thread `id` has spent its time so far (see ThreadTimes). Called without the lock, from the
   * watchdog thread, next to isBlocked. May be empty: then a holder seen blocked at two looks is
   * blocked, and escapes count wall-clock time.
   */
  std::function<ThreadTimes(uint32_t id)> threadTimes;
  /**
   * Called once on the watchdog thread when it starts, before it watches anything, without the lock.
   * The agent attaches it to the JVM there: attaching makes a java.lang.Thread, which takes the next
   * thread id, and that must happen at the same moment in record and replay (startWatchdog()), not at
   * the watchdog's first look, whose moment depends on timing. May be empty.
   */
  std::function<void()> onWatchdogStart;
};

class Core;

/**
 * The demultiplexer of one process. Create it before any application thread runs, call startMain() on
 * the main thread, and keep it alive until no thread can call it any more (or call shutdown() first).
 *
 * Each call below is made by the thread whose id it takes, except reserveChild (made by the parent).
 * A call that breaks the contract (unknown id, a thread arriving twice, a call after exit) is ignored,
 * counted in Stats::misuses, and returns false. Nothing throws.
 */
class Demux {
 public:
  explicit Demux(Options options);
  /** Releases every waiter (as shutdown()) and joins the watchdog. */
  ~Demux();
  Demux(const Demux&) = delete;
  Demux& operator=(const Demux&) = delete;

  /** Registers the calling thread as logical thread 0, holding the baton. Call once, first. */
  uint32_t startMain();

  /**
   * Starts the watchdog now, if it is not running, and returns once its onWatchdogStart has returned
   * (otherwise the first thread that has to wait starts it). False when no thread could be made.
   */
  bool startWatchdog();

  /**
   * Runs `task` once on the watchdog's thread, without the lock, as soon as it wakes (it is woken
   * now); a later call before it ran replaces it. Nothing runs when no watchdog is running. The agent
   * detaches the watchdog from the JVM this way when the VM is dying (HotSpot's exit waits up to
   * 300 ms for every attached thread that sits in native code).
   */
  void runOnWatchdog(std::function<void()> task);

  /**
   * Gives the next logical id to a thread that `parent` is starting (at Thread.start, while `parent`
   * holds the baton, which is what makes the numbering deterministic). The child must not run
   * application code before arrive(id) returns. kNoThread before startMain().
   */
  uint32_t reserveChild(uint32_t parent);

  /**
   * The new thread's first call: waits until it is granted the baton (record: when the holder next hands
   * over; replay: when the schedule says so). False when the demux is abandoned (the thread then runs
   * unserialised) or the call is a misuse.
   */
  bool arrive(uint32_t id);

  /**
   * A scheduling point of the holder: counts it, then record hands over if the longest waiter has waited
   * at least `quantum` (and waits to get the baton back); replay hands over exactly when the next entry
   * is (id, this count). A thread that lost the baton (kForced, kEscape) waits here to get it back.
   * False when the demux is abandoned.
   */
  bool schedulingPoint(uint32_t id);

  /**
   * A scheduling point just before a blocking real call (sleep, park, wait, blocking I/O): the baton goes
   * to the longest waiter (kBlock) or becomes free. The thread then runs without the baton until
   * reacquire(). Replay makes the same call, even when the real call is skipped, so that the order of
   * hand-overs stays the recorded one. False when abandoned.
   */
  bool releaseForBlocking(uint32_t id);

  /** After the blocking call: waits until the thread holds the baton again. False when abandoned. */
  bool reacquire(uint32_t id);

  /** Thread end: a final scheduling point that releases the baton for good (kBlock). */
  void exit(uint32_t id);

  /**
   * The holder reached the tick it was asked to stop at (record: requestPreempt; replay: the limit
   * preemptTick() gave), `tick` ticks after its last point or baton take-back. Not a scheduling
   * point: the count stays. Record hands over to the longest waiter (kPreempt) unless nobody waits or
   * mayYield says no; replay hands over when the next entry is this kPreempt, and reports a
   * divergence when it is not. Returns once the thread holds the baton again; true when it handed
   * over (the agent then starts counting ticks from 0). False when it did not, or when abandoned.
   */
  bool preempt(uint32_t id, uint64_t tick);
  /**
   * Replay: the tick at which the holder `id` must stop, when the schedule's next entry is a
   * kPreempt of `id` at its current point; nothing otherwise (and always nothing in record).
   */
  std::optional<uint64_t> preemptTick(uint32_t id) const;
  /**
   * Record in chaos mode: how many ticks the holder `id` may run from now on before it stops (the
   * agent lowers its limit to that; preempt() is then called whether anybody waits or not). Nothing
   * otherwise, and nothing when `id` does not hold the baton.
   */
  std::optional<uint64_t> chaosTicks(uint32_t id);

  /** True when `id` holds the baton now. */
  bool holds(uint32_t id) const;
  /** The holder, or kNoThread when the baton is free. */
  uint32_t holder() const;
  /** Scheduling points `id` has passed (schedulingPoint, releaseForBlocking and exit each count one). */
  uint64_t points(uint32_t id) const;
  /** Threads waiting for the baton, longest waiter first. */
  std::vector<uint32_t> waiting() const;
  /** Hand-overs recorded (record) or replayed (replay) so far; in replay, the schedule index. */
  size_t position() const;
  /**
   * True once a kEscape hand-over was recorded or replayed: the execution relied on a thread running
   * without the baton, which the determinism guarantee does not cover.
   */
  bool escaped() const;
  /** True after a stall was reported or shutdown() was called: no order is enforced any more. */
  bool abandoned() const;
  Stats stats() const;

  /** Stops enforcing an order (VM death): waiters return false, later calls return at once. */
  void shutdown();

 private:
  std::unique_ptr<Core> core_;
};

}  // namespace retrace::demux
