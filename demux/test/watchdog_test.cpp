// The watchdog: a holder blocked in the VM without a scheduling point (kForced), a holder spinning
// without one (kEscape), and the replay of both.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "test_support.h"

namespace retrace::demux::test {
namespace {

// threadTimes of a thread awake all the time from now on: on a CPU, or (waitingForCpu) runnable.
std::function<ThreadTimes(uint32_t)> awakeFromNow(bool waitingForCpu) {
  auto start = std::chrono::steady_clock::now();
  return [start, waitingForCpu](uint32_t) {
    std::chrono::nanoseconds awake = std::chrono::steady_clock::now() - start;
    ThreadTimes times;
    times.running = waitingForCpu ? std::chrono::nanoseconds(0) : awake;
    times.runnable = waitingForCpu ? awake : std::chrono::nanoseconds(0);
    return times;
  };
}

// Record options for the watchdog's tests: it looks at a holder 5 ms after its last point.
Options watchedOptions(Tape& tape, std::chrono::nanoseconds escapeAfter) {
  Options options = recordOptions(tape);
  options.forcedAfter = std::chrono::milliseconds(5);
  options.escapeAfter = escapeAfter;
  return options;
}

// Thread 0 works a little, then "blocks in the VM" (a condition variable, with isBlocked saying so)
// until thread 1 signals it: without a forced hand-over, this program never ends.
struct BlockedProgram {
  explicit BlockedProgram(BlockedFlags& flags) : blocked(flags) {}

  void run(Demux& demux) {
    uint32_t main = demux.startMain();
    uint32_t child = demux.reserveChild(main);
    std::thread t([&] {
      demux.arrive(child);
      childSawMainBlocked = blocked.get(main);
      log.push_back(child);
      {
        std::lock_guard<std::mutex> lock(m);
        signaled = true;
      }
      cv.notify_all();
      demux.exit(child);
    });
    std::this_thread::sleep_for(20ms);  // work before blocking: the child must not run meanwhile
    {
      std::unique_lock<std::mutex> lock(m);
      blocked.set(main, true);
      cv.wait(lock, [&] { return signaled; });
      blocked.set(main, false);
    }
    demux.schedulingPoint(main);  // lost the baton while blocked: waits to get it back
    log.push_back(main);
    demux.releaseForBlocking(main);
    t.join();
    demux.reacquire(main);
    demux.exit(main);
  }

  BlockedFlags& blocked;
  std::mutex m;
  std::condition_variable cv;
  bool signaled = false;
  std::vector<uint32_t> log;  // baton holders only
  bool childSawMainBlocked = false;
};

const std::vector<Handover> kForcedSchedule = {{0, 0, 1, HandoverKind::kForced}, {1, 1, 0, HandoverKind::kBlock}};

TEST(Watchdog, ABlockedHolderIsForcedToHandOver) {
  HangGuard guard;
  Tape tape;
  BlockedFlags flags;
  Options options = watchedOptions(tape, 10s);
  options.isBlocked = flags.probe();
  Demux demux(options);
  BlockedProgram program(flags);
  program.run(demux);
  EXPECT_EQ(tape.entries(), kForcedSchedule) << text(tape.entries());
  EXPECT_EQ(program.log, (std::vector<uint32_t>{1, 0}));
  EXPECT_TRUE(program.childSawMainBlocked);
  EXPECT_EQ(demux.stats().forced, 1u);
  EXPECT_FALSE(demux.escaped());
}

// The agent attaches the watchdog to the JVM in onWatchdogStart; startWatchdog() (at VM start) must
// have it done, on the watchdog's own thread, before it returns, and never again after.
TEST(Watchdog, StartWatchdogRunsItsStartOnceOnItsOwnThreadBeforeReturning) {
  HangGuard guard;
  Tape tape;
  std::atomic<int> starts{0};
  std::thread::id startedOn;
  Options options = watchedOptions(tape, 10s);
  options.onWatchdogStart = [&] {
    std::this_thread::sleep_for(20ms);  // a slow attach: startWatchdog still waits for it
    startedOn = std::this_thread::get_id();
    ++starts;
  };
  Demux demux(options);
  uint32_t main = demux.startMain();
  ASSERT_TRUE(demux.startWatchdog());
  EXPECT_EQ(starts.load(), 1);
  EXPECT_NE(startedOn, std::this_thread::get_id());
  EXPECT_TRUE(demux.startWatchdog());  // already running: no second start
  ArrivingChild child(demux, demux.reserveChild(main));
  demux.schedulingPoint(main);  // the child runs meanwhile; the watchdog is kicked, and does not start again
  child.join();
  demux.exit(main);
  EXPECT_TRUE(child.ran);
  EXPECT_EQ(starts.load(), 1);
}

// The agent detaches the watchdog from the JVM at VM death through runOnWatchdog: the task runs
// once, on the watchdog's thread, even when the watchdog sleeps without a deadline (nobody waits).
TEST(Watchdog, RunOnWatchdogRunsTheTaskOnceOnTheWatchdogsThread) {
  HangGuard guard;
  Tape tape;
  std::mutex mu;
  std::condition_variable ran;
  int runs = 0;
  std::thread::id startedOn;
  std::thread::id taskRanOn;
  Options options = watchedOptions(tape, 10s);
  options.onWatchdogStart = [&] { startedOn = std::this_thread::get_id(); };
  Demux demux(options);
  uint32_t main = demux.startMain();
  demux.runOnWatchdog([&] { ++runs; });  // no watchdog yet: nothing runs
  ASSERT_TRUE(demux.startWatchdog());
  demux.runOnWatchdog([&] {
    std::lock_guard<std::mutex> guard(mu);
    taskRanOn = std::this_thread::get_id();
    ++runs;
    ran.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(ran.wait_for(lock, 5s, [&] { return runs > 0; }));
  }
  ArrivingChild child(demux, demux.reserveChild(main));
  demux.schedulingPoint(main);  // the watchdog is kicked again: the task does not run twice
  child.join();
  demux.exit(main);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(taskRanOn, startedOn);
  EXPECT_NE(taskRanOn, std::this_thread::get_id());
}

TEST(Watchdog, ReplayGrantsTheForcedHandOverOnceTheHolderBlocks) {
  HangGuard guard;
  StallCatcher stalls;
  BlockedFlags flags;
  Options options = replayOptions(kForcedSchedule, stalls);
  options.isBlocked = flags.probe();
  Demux demux(options);
  BlockedProgram program(flags);
  program.run(demux);
  EXPECT_EQ(program.log, (std::vector<uint32_t>{1, 0}));
  EXPECT_TRUE(program.childSawMainBlocked) << "the child ran before thread 0 blocked";
  EXPECT_EQ(demux.position(), kForcedSchedule.size());
  EXPECT_EQ(demux.stats().forced, 1u);
  EXPECT_EQ(demux.stats().lateForced, 0u);
  EXPECT_TRUE(stalls.reports().empty());
}

TEST(Watchdog, ReplayGrantsAForcedHandOverAtTheNextPointIfTheHolderNeverBlocks) {
  HangGuard guard;
  StallCatcher stalls;
  BlockedFlags flags;  // never set: nothing blocks in this replay
  Options options = replayOptions(kForcedSchedule, stalls);
  options.isBlocked = flags.probe();
  Demux demux(options);
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  ArrivingChild t(demux, child);
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(t.ran);
  EXPECT_TRUE(demux.schedulingPoint(main));  // 1: past the forced point, so the hand-over happens here
  EXPECT_TRUE(t.ran);
  t.join();
  demux.exit(main);
  EXPECT_EQ(demux.stats().lateForced, 1u);
  EXPECT_EQ(demux.position(), kForcedSchedule.size());
  EXPECT_TRUE(stalls.reports().empty());
}

// Thread 0 holds the baton, doing `hold` with no scheduling point, while thread 1 waits to run (and
// then sets the flag `hold` is given); thread 0 then passes one point and blocks. What the watchdog
// makes of the stretch depends on isBlocked and threadTimes. The log says who ran first.
std::vector<uint32_t> holdThenPoint(Demux& demux, std::atomic<bool>& childRanEarly,
                                    const std::function<void(const std::atomic<bool>& childRan)>& hold) {
  std::vector<uint32_t> log;
  std::atomic<bool> childRan{false};
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::thread t([&] {
    demux.arrive(child);
    log.push_back(child);
    childRan = true;
    demux.exit(child);
  });
  hold(childRan);
  childRanEarly = childRan.load();
  demux.schedulingPoint(main);
  log.push_back(main);
  demux.releaseForBlocking(main);
  t.join();
  demux.reacquire(main);
  demux.exit(main);
  return log;
}

// Thread 0 spins on a flag that only thread 1 sets, with no scheduling point in the loop.
std::vector<uint32_t> spinProgram(Demux& demux, std::atomic<bool>& childRanEarly, std::chrono::milliseconds spinLimit) {
  return holdThenPoint(demux, childRanEarly, [spinLimit](const std::atomic<bool>& childRan) {
    auto start = std::chrono::steady_clock::now();
    while (!childRan.load() && std::chrono::steady_clock::now() - start < spinLimit) {
    }
  });
}

const std::vector<Handover> kEscapeSchedule = {{0, 0, 1, HandoverKind::kEscape}, {1, 1, 0, HandoverKind::kBlock}};

TEST(Watchdog, ASpinningHolderEscapesAfterTheLimit) {
  HangGuard guard;
  Tape tape;
  Options options = watchedOptions(tape, 60ms);  // no isBlocked: the holder cannot be seen blocked, only stuck
  Demux demux(options);
  std::atomic<bool> childRanEarly{false};
  auto start = std::chrono::steady_clock::now();
  std::vector<uint32_t> log = spinProgram(demux, childRanEarly, 30s);
  EXPECT_TRUE(childRanEarly) << "the spin ended by its own limit, not by the escape";
  EXPECT_GE(std::chrono::steady_clock::now() - start, 60ms);
  EXPECT_EQ(log, (std::vector<uint32_t>{1, 0}));
  EXPECT_EQ(tape.entries(), kEscapeSchedule) << text(tape.entries());
  EXPECT_TRUE(demux.escaped());
  EXPECT_EQ(demux.stats().escapes, 1u);
}

TEST(Watchdog, ANotBlockedHolderIsNotForced) {
  HangGuard guard;
  Tape tape;
  BlockedFlags flags;  // says "not blocked": the holder is spinning, not waiting in the VM
  Options options = watchedOptions(tape, 60ms);
  options.isBlocked = flags.probe();
  Demux demux(options);
  std::atomic<bool> childRanEarly{false};
  spinProgram(demux, childRanEarly, 30s);
  EXPECT_TRUE(childRanEarly);
  EXPECT_EQ(tape.entries(), kEscapeSchedule) << text(tape.entries());
  EXPECT_EQ(demux.stats().forced, 0u);
}

TEST(Watchdog, WithoutAnEscapeLimitASpinnerKeepsTheBaton) {
  HangGuard guard;
  Tape tape;
  Options options = watchedOptions(tape, 0s);
  Demux demux(options);
  std::atomic<bool> childRanEarly{true};
  // The spin gives up by itself after 150 ms; the child must not have run meanwhile.
  std::vector<uint32_t> log = spinProgram(demux, childRanEarly, 150ms);
  EXPECT_FALSE(childRanEarly);
  EXPECT_EQ(log, (std::vector<uint32_t>{1, 0}));
  EXPECT_FALSE(demux.escaped());
  ASSERT_FALSE(tape.entries().empty());
  EXPECT_EQ(tape.entries()[0].kind, HandoverKind::kYield);
}

TEST(Watchdog, ReplayOfAnEscapeCompletes) {
  HangGuard guard;
  StallCatcher stalls;
  Demux demux(replayOptions(kEscapeSchedule, stalls));
  std::atomic<bool> childRanEarly{false};
  auto start = std::chrono::steady_clock::now();
  std::vector<uint32_t> log = spinProgram(demux, childRanEarly, 30s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(childRanEarly);
  EXPECT_EQ(log, (std::vector<uint32_t>{1, 0}));
  EXPECT_TRUE(demux.escaped());
  EXPECT_EQ(demux.position(), kEscapeSchedule.size());
  EXPECT_TRUE(stalls.reports().empty());
}

// Thread 0 works (sleeps) for `work` with no scheduling point while thread 1 waits.
std::vector<uint32_t> workProgram(Demux& demux, std::chrono::milliseconds work, std::atomic<bool>& childRanEarly) {
  return holdThenPoint(demux, childRanEarly, [work](const std::atomic<bool>&) { std::this_thread::sleep_for(work); });
}

// A thread that sleeps for a moment now and then (a lock whose owner was preempted, a page fault) is
// not stuck: every look finds it asleep, but it has run in between. Forcing a hand-over there made
// the worker that ran the first task and the next one run side by side when recorded, and the
// replay, which waits for the holder to block at that point, could not do the same.
TEST(Watchdog, AHolderThatRunsBetweenLooksIsNotForced) {
  HangGuard guard;
  Tape tape;
  Options options = watchedOptions(tape, 0s);
  options.isBlocked = [](uint32_t) { return true; };  // asleep whenever the watchdog looks...
  options.threadTimes = awakeFromNow(false);          // ...but running in between
  Demux demux(options);
  std::atomic<bool> childRanEarly{true};
  std::vector<uint32_t> log = workProgram(demux, 100ms, childRanEarly);
  EXPECT_FALSE(childRanEarly);
  EXPECT_EQ(log, (std::vector<uint32_t>{1, 0}));
  EXPECT_EQ(demux.stats().forced, 0u);
  ASSERT_FALSE(tape.entries().empty());
  EXPECT_EQ(tape.entries()[0], (Handover{0, 1, 1, HandoverKind::kYield})) << text(tape.entries());
}

TEST(Watchdog, AHolderSeenBlockedOnceIsNotForced) {
  HangGuard guard;
  Tape tape;
  Options options = watchedOptions(tape, 0s);
  std::atomic<int> looks{0};
  options.isBlocked = [&looks](uint32_t) { return looks++ % 2 == 0; };  // asleep at every other look
  Demux demux(options);
  std::atomic<bool> childRanEarly{true};
  workProgram(demux, 100ms, childRanEarly);
  EXPECT_GE(looks.load(), 4);
  EXPECT_FALSE(childRanEarly);
  EXPECT_EQ(demux.stats().forced, 0u);
}

// On a busy machine a computation is slow because it waits for a CPU, not because it spins: that
// time does not count towards escapeAfter.
TEST(Watchdog, TimeSpentWaitingForACpuDoesNotCountTowardsAnEscape) {
  HangGuard guard;
  Tape tape;
  Options options = watchedOptions(tape, 40ms);
  options.threadTimes = awakeFromNow(true);  // runnable, waiting for a CPU, all along
  Demux demux(options);
  std::atomic<bool> childRanEarly{true};
  std::vector<uint32_t> log = workProgram(demux, 150ms, childRanEarly);
  EXPECT_FALSE(childRanEarly);
  EXPECT_EQ(log, (std::vector<uint32_t>{1, 0}));
  EXPECT_FALSE(demux.escaped());
}

TEST(Watchdog, ATrulyBlockedHolderIsForcedWithThreadTimes) {
  HangGuard guard;
  Tape tape;
  BlockedFlags flags;
  Options options = watchedOptions(tape, 10s);
  options.isBlocked = flags.probe();
  options.threadTimes = [](uint32_t) {  // it does not run while blocked
    ThreadTimes times;
    times.running = 7ms;
    times.runnable = 1ms;
    return times;
  };
  Demux demux(options);
  BlockedProgram program(flags);
  program.run(demux);
  EXPECT_EQ(tape.entries(), kForcedSchedule) << text(tape.entries());
  EXPECT_TRUE(program.childSawMainBlocked);
}

// Blocked in a wait that wakes up now and then to look again (a timed park in a loop): still blocked.
TEST(Watchdog, AHolderBlockedInAWaitThatWakesNowAndThenIsForced) {
  HangGuard guard;
  Tape tape;
  BlockedFlags flags;
  Options options = watchedOptions(tape, 0s);  // no escape to fall back on
  options.isBlocked = flags.probe();
  std::atomic<int64_t> running{0};
  options.threadTimes = [&running](uint32_t) {
    ThreadTimes times;
    times.running = std::chrono::nanoseconds(running += 20000);  // 20 us per look
    times.runnable = 0ns;
    return times;
  };
  Demux demux(options);
  BlockedProgram program(flags);
  program.run(demux);
  EXPECT_EQ(tape.entries(), kForcedSchedule) << text(tape.entries());
}

// Replay waits for the holder of a recorded kForced hand-over to be blocked as record judged it: a
// holder asleep at every look but running in between never is, and hands over at its next point.
TEST(Watchdog, ReplayDoesNotTakeAMomentarySleepForTheForcedBlock) {
  HangGuard guard;
  StallCatcher stalls;
  Options options = replayOptions(kForcedSchedule, stalls);
  options.isBlocked = [](uint32_t) { return true; };
  options.threadTimes = awakeFromNow(true);  // waiting for a CPU: awake, not blocked
  Demux demux(options);
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  ArrivingChild t(demux, child);
  std::this_thread::sleep_for(60ms);
  EXPECT_FALSE(t.ran);
  EXPECT_TRUE(demux.schedulingPoint(main));
  EXPECT_TRUE(t.ran);
  t.join();
  demux.exit(main);
  EXPECT_EQ(demux.stats().lateForced, 1u);
  EXPECT_TRUE(stalls.reports().empty());
}

}  // namespace
}  // namespace retrace::demux::test
