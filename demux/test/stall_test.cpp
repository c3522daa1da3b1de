// Replay that cannot follow its schedule reports it, within a bounded time, naming the thread it
// waited for, and never hangs: tampered schedules, a thread that does not come, a blocked holder.
#include <atomic>
#include <thread>
#include <vector>

#include "test_support.h"

namespace retrace::demux::test {
namespace {

constexpr auto kShortWait = 200ms;

// Workers that stop touching shared state as soon as the demux is abandoned (as the agent would exit).
void worker(Demux& demux, uint32_t id, int iterations, std::vector<uint32_t>& log) {
  if (!demux.arrive(id)) return demux.exit(id);
  for (int i = 0; i < iterations; ++i) {
    log.push_back(id);
    if (!demux.schedulingPoint(id)) break;
    if (i % 3 == 0) {
      if (!demux.releaseForBlocking(id)) break;
      std::this_thread::sleep_for(50us);
      if (!demux.reacquire(id)) break;
    }
  }
  demux.exit(id);
}

void program(Demux& demux, std::vector<uint32_t>& log) {
  uint32_t main = demux.startMain();
  std::vector<std::thread> threads;
  for (int k = 0; k < 3; ++k) {
    uint32_t id = demux.reserveChild(main);
    threads.emplace_back([&demux, id, &log] { worker(demux, id, 30, log); });
    demux.schedulingPoint(main);
  }
  demux.releaseForBlocking(main);
  for (auto& t : threads) t.join();
  demux.reacquire(main);
  demux.exit(main);
}

std::vector<Handover> recordSchedule() {
  Tape tape;
  Options options = recordOptions(tape);
  options.quantum = 20us;
  options.escapeAfter = 0s;
  Demux demux(options);
  std::vector<uint32_t> log;
  program(demux, log);
  return tape.entries();
}

struct Replayed {
  std::vector<StallReport> reports;
  std::chrono::steady_clock::duration reportedAfter{};
  size_t position = 0;
  bool abandoned = false;
};

Replayed replay(std::vector<Handover> schedule) {
  StallCatcher stalls;
  Options options = replayOptions(std::move(schedule), stalls);
  options.replayWait = kShortWait;
  Demux demux(options);
  std::vector<uint32_t> log;
  auto start = std::chrono::steady_clock::now();
  program(demux, log);
  Replayed out;
  out.reports = stalls.reports();
  out.reportedAfter = stalls.at() - start;
  out.position = demux.position();
  out.abandoned = demux.abandoned();
  return out;
}

TEST(Stall, TheUntamperedScheduleReplays) {  // the control for the tests below
  HangGuard guard;
  std::vector<Handover> schedule = recordSchedule();
  ASSERT_GT(schedule.size(), 10u);
  Replayed r = replay(schedule);
  EXPECT_TRUE(r.reports.empty());
  EXPECT_EQ(r.position, schedule.size());
  EXPECT_FALSE(r.abandoned);
}

TEST(Stall, SwappedEntriesAreADivergence) {
  HangGuard guard;
  std::vector<Handover> schedule = recordSchedule();
  ASSERT_GT(schedule.size(), 10u);
  size_t i = schedule.size() / 2;
  std::swap(schedule[i], schedule[i + 1]);
  Replayed r = replay(schedule);
  ASSERT_EQ(r.reports.size(), 1u);
  const StallReport& report = r.reports[0];
  EXPECT_EQ(report.reason, StallReason::kDiverged) << describe(report);
  EXPECT_EQ(report.position, i) << describe(report);
  // The entry at i now names the wrong giver: that thread is the one replay expected to act.
  EXPECT_EQ(report.expected, schedule[i].from) << describe(report);
  ASSERT_TRUE(report.next.has_value());
  EXPECT_EQ(*report.next, schedule[i]);
  EXPECT_NE(report.holder, schedule[i].from);
  EXPECT_LT(r.reportedAfter, 5s);
  EXPECT_TRUE(r.abandoned);
}

TEST(Stall, ADroppedEntryIsADivergence) {
  HangGuard guard;
  std::vector<Handover> schedule = recordSchedule();
  ASSERT_GT(schedule.size(), 10u);
  size_t i = schedule.size() / 3;
  schedule.erase(schedule.begin() + static_cast<std::ptrdiff_t>(i));
  Replayed r = replay(schedule);
  ASSERT_EQ(r.reports.size(), 1u);
  const StallReport& report = r.reports[0];
  EXPECT_EQ(report.reason, StallReason::kDiverged) << describe(report);
  EXPECT_EQ(report.position, i) << describe(report);
  EXPECT_EQ(report.expected, schedule[i].from) << describe(report);
  EXPECT_TRUE(r.abandoned);
}

TEST(Stall, ATruncatedScheduleEnds) {
  HangGuard guard;
  std::vector<Handover> schedule = recordSchedule();
  ASSERT_GT(schedule.size(), 10u);
  // The last hand-over gives the baton back to thread 0 after its join: without it, thread 0 waits for
  // a baton the recording gives to nobody.
  ASSERT_EQ(schedule.back().to, 0u);
  schedule.pop_back();
  Replayed r = replay(schedule);
  ASSERT_EQ(r.reports.size(), 1u);
  const StallReport& report = r.reports[0];
  EXPECT_EQ(report.reason, StallReason::kScheduleEnded) << describe(report);
  EXPECT_EQ(report.position, schedule.size());
  EXPECT_FALSE(report.next.has_value());
  ASSERT_EQ(report.waiting.size(), 1u);
  EXPECT_EQ(report.waiting[0].id, 0u);
}

// Recorded: thread 0 started thread 1, and the recording stops before any hand-over (a cut file).
// Replayed: thread 1 waits for the baton, and thread 0 releases it again and again (a park, which
// replay answers from the schedule alone). With a schedule that is whole this is a take-back each
// time; with one that is not, the first release is where the recording's hand-over is missing.
std::vector<StallReport> releasesPastTheEnd(bool whole, std::chrono::steady_clock::duration& took) {
  StallCatcher stalls;
  Options options = replayOptions({}, stalls);
  options.scheduleWhole = whole;
  options.replayWait = 5s;  // a stall must not wait for it
  Demux demux(options);
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::thread t([&] {
    demux.arrive(child);
    demux.exit(child);
  });
  EXPECT_TRUE(eventually([&] { return demux.waiting().size() == 1; }, 5s));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    demux.releaseForBlocking(main);
    if (!demux.reacquire(main)) break;
  }
  took = std::chrono::steady_clock::now() - start;
  demux.shutdown();  // the control: thread 1 still waits for a baton nobody gives
  t.join();
  return stalls.reports();
}

TEST(Stall, PastTheEndOfAScheduleThatIsNotWholeAReleaseWhileAThreadWaitsEndsIt) {
  HangGuard guard;
  std::chrono::steady_clock::duration took{};
  auto reports = releasesPastTheEnd(false, took);
  ASSERT_EQ(reports.size(), 1u);
  const StallReport& report = reports[0];
  EXPECT_EQ(report.reason, StallReason::kScheduleEnded) << describe(report);
  EXPECT_EQ(report.expected, 0u);
  EXPECT_EQ(report.lastReleaser, 0u);
  EXPECT_EQ(report.lastReleasePoint, 1u) << "at the first release";
  EXPECT_EQ(report.position, 0u);
  ASSERT_EQ(report.waiting.size(), 1u);
  EXPECT_EQ(report.waiting[0].id, 1u);
  EXPECT_LT(took, 1s) << "at once, not after replayWait";
  EXPECT_NE(report.message.find("thread 0 released the baton at its point 1 (blocking call) while thread 1 waits"),
            std::string::npos)
      << report.message;

  auto whole = releasesPastTheEnd(true, took);  // the control: a whole schedule's take-backs
  EXPECT_TRUE(whole.empty()) << describe(whole[0]);
}

TEST(Stall, PastTheEndOfAScheduleThatIsNotWholeAPointWhileAnotherThreadLivesEndsIt) {
  HangGuard guard;
  // Thread 0 started thread 1, which has not arrived; the cut schedule has no hand-over. Whether
  // thread 0 gave the baton away at its next point is not known: that point is the cut.
  StallCatcher stalls;
  Options options = replayOptions({}, stalls);
  options.scheduleWhole = false;
  options.replayWait = 5s;
  Demux demux(options);
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  auto start = std::chrono::steady_clock::now();
  demux.schedulingPoint(main);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(stalls.reports().size(), 1u);
  const StallReport report = stalls.reports()[0];
  EXPECT_EQ(report.reason, StallReason::kScheduleEnded) << describe(report);
  EXPECT_EQ(report.expected, main);
  EXPECT_LT(took, 1s) << "at once, not after replayWait";
  EXPECT_NE(report.message.find("thread 0 reached its point"), std::string::npos) << report.message;
  EXPECT_NE(report.message.find("while thread 1 has not ended"), std::string::npos) << report.message;
  std::thread t([&] {
    EXPECT_FALSE(demux.arrive(child));
    demux.exit(child);
  });
  t.join();

  // The control: with thread 1 ended, thread 0 runs on alone past the end, as when recorded.
  StallCatcher alone;
  Options single = replayOptions({}, alone);
  single.scheduleWhole = false;
  Demux solo(single);
  uint32_t only = solo.startMain();
  for (int i = 0; i < 10; ++i) solo.schedulingPoint(only);
  EXPECT_TRUE(alone.reports().empty()) << describe(alone.reports()[0]);
  solo.shutdown();
}

TEST(Stall, PastTheEndOfAScheduleThatIsNotWholeAWaiterIsTimedOutSooner) {
  HangGuard guard;
  // The cut schedule's last hand-over gives the baton to thread 1, which never comes; thread 0 waits
  // for it back. A whole schedule waits replayWait (5 s) for thread 1; one that is not, 2 s.
  StallCatcher stalls;
  Options options = replayOptions({{0, 1, 1, HandoverKind::kBlock}}, stalls);
  options.scheduleWhole = false;
  options.replayWait = 5s;
  Demux demux(options);
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  auto start = std::chrono::steady_clock::now();
  demux.releaseForBlocking(main);
  EXPECT_FALSE(demux.reacquire(main));
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(stalls.reports().size(), 1u);
  const StallReport report = stalls.reports()[0];
  EXPECT_EQ(report.reason, StallReason::kTimeout) << describe(report);
  EXPECT_EQ(report.expected, child);
  EXPECT_GE(waited, 2s);
  EXPECT_LT(waited, 4s);
  EXPECT_NE(report.message.find("within 2000 ms"), std::string::npos) << report.message;
  std::thread t([&] {
    EXPECT_FALSE(demux.arrive(child));
    demux.exit(child);
  });
  t.join();
}

TEST(Stall, AThreadThatDoesNotComeIsNamedAfterTheWait) {
  HangGuard guard;
  // Recorded: thread 0 released before a blocking call, and thread 1 took the baton.
  std::vector<Handover> schedule = {{0, 1, 1, HandoverKind::kBlock}, {1, 1, 0, HandoverKind::kBlock}};
  StallCatcher stalls;
  Options options = replayOptions(schedule, stalls);
  options.replayWait = kShortWait;
  Demux demux(options);
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::atomic<bool> go{false};
  std::thread t([&] {
    while (!go) std::this_thread::sleep_for(1ms);  // does not come for the baton in time
    EXPECT_FALSE(demux.arrive(child));
    demux.exit(child);
  });
  auto start = std::chrono::steady_clock::now();
  demux.releaseForBlocking(main);
  EXPECT_FALSE(demux.reacquire(main)) << "released only by the stall";
  auto waited = std::chrono::steady_clock::now() - start;
  go = true;
  t.join();
  ASSERT_EQ(stalls.reports().size(), 1u);
  StallReport report = stalls.reports()[0];
  EXPECT_EQ(report.reason, StallReason::kTimeout) << describe(report);
  EXPECT_EQ(report.expected, child);
  EXPECT_EQ(report.holder, kNoThread);
  EXPECT_EQ(report.lastReleaser, main);
  EXPECT_EQ(report.lastReleasePoint, 1u);
  EXPECT_EQ(report.position, 1u);
  ASSERT_EQ(report.waiting.size(), 1u);
  EXPECT_EQ(report.waiting[0].id, main);
  EXPECT_EQ(report.waiting[0].points, 1u);
  EXPECT_GE(waited, kShortWait);
  EXPECT_LT(waited, kShortWait + 2s);
  std::string text = describe(report);
  EXPECT_NE(text.find("waiting for thread: 1"), std::string::npos) << text;
  EXPECT_NE(text.find("did not come for the baton"), std::string::npos) << text;
}

// Recorded: thread 0 yielded at its point 2. Replayed: it gets stuck after point 1, for good, in a
// way the watchdog learns of through `probe`: isBlocked (blocked in the VM, as JVMTI says) or
// isAsleep (asleep in the kernel while JVMTI says runnable: waiting for another thread's class
// initialisation). Returns the stall report, which must come after kShortWait.
StallReport stallOfAHolderStuckAfterPointOne(bool jvmtiSeesIt) {
  std::vector<Handover> schedule = {{0, 2, 1, HandoverKind::kYield}, {1, 1, 0, HandoverKind::kBlock}};
  StallCatcher stalls;
  BlockedFlags stuck;
  Options options = replayOptions(schedule, stalls);
  options.replayWait = kShortWait;
  if (jvmtiSeesIt) {
    options.isBlocked = stuck.probe();
  } else {
    options.isBlocked = [](uint32_t) { return false; };
    options.isAsleep = stuck.probe();
  }
  Demux demux(options);
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::thread t([&] {
    EXPECT_FALSE(demux.arrive(child));
    demux.exit(child);
  });
  demux.schedulingPoint(main);
  stuck.set(main, true);
  // Stuck until the stall report arrives (nothing in the schedule would free it).
  bool reported = eventually([&] { return !stalls.reports().empty(); }, 5s);
  stuck.set(main, false);
  t.join();
  EXPECT_TRUE(reported);
  EXPECT_TRUE(demux.abandoned());
  EXPECT_FALSE(demux.schedulingPoint(main));
  if (!reported) return StallReport{};
  StallReport report = stalls.reports()[0];
  EXPECT_EQ(report.reason, StallReason::kTimeout) << describe(report);
  EXPECT_EQ(report.holder, main);
  EXPECT_EQ(report.holderPoints, 1u);
  return report;
}

TEST(Stall, AHolderBlockedInTheVmIsNamedAfterTheWait) {
  HangGuard guard;
  StallReport report = stallOfAHolderStuckAfterPointOne(true);
  EXPECT_EQ(report.expected, 0u);
  EXPECT_EQ(report.position, 0u);
}

TEST(Stall, AHolderAsleepThatJvmtiCallsRunnableIsNamedAfterTheWait) {
  HangGuard guard;
  stallOfAHolderStuckAfterPointOne(false);  // without isAsleep: a hang, until HangGuard fails it
}

TEST(Stall, IsReportedOnceAndTheThreadsRunOn) {
  HangGuard guard;
  // The schedule is broken from its first entry; later calls meet the same broken schedule, but the
  // demux is abandoned by then: one report, and every thread runs to its end.
  std::vector<Handover> schedule = {{5, 1, 0, HandoverKind::kYield}};
  StallCatcher stalls;
  Options options = replayOptions(schedule, stalls);
  options.replayWait = kShortWait;
  Demux demux(options);
  std::vector<uint32_t> log;
  program(demux, log);
  ASSERT_EQ(stalls.reports().size(), 1u);
  EXPECT_EQ(stalls.reports()[0].reason, StallReason::kDiverged);
  EXPECT_EQ(stalls.reports()[0].expected, 5u);
  EXPECT_EQ(stalls.reports()[0].holder, 0u);
  EXPECT_TRUE(demux.abandoned());
}

}  // namespace
}  // namespace retrace::demux::test
