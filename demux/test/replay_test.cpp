// Replay mode with hand-written schedules: the recorded order wins over arrival order and timing.
#include <atomic>
#include <thread>
#include <vector>

#include "test_support.h"

namespace retrace::demux::test {
namespace {

// Main starts two children, passes two points, then waits for them; each child logs its id and ends.
// With `lateArrivals`, child 2 (the one the schedule runs first) arrives last in real time.
std::vector<uint32_t> runTwoChildren(Demux& demux, bool lateArrivals) {
  std::vector<uint32_t> log;  // appended by baton holders only
  uint32_t main = demux.startMain();
  std::vector<std::thread> threads;
  for (int k = 0; k < 2; ++k) {
    uint32_t id = demux.reserveChild(main);
    threads.emplace_back([&, id] {
      if (lateArrivals && id == 2) std::this_thread::sleep_for(30ms);
      demux.arrive(id);
      log.push_back(id);
      demux.exit(id);
    });
  }
  demux.schedulingPoint(main);  // 1
  demux.schedulingPoint(main);  // 2
  log.push_back(main);
  demux.releaseForBlocking(main);  // 3
  for (auto& t : threads) t.join();
  demux.reacquire(main);
  demux.exit(main);
  return log;
}

TEST(Replay, GrantsInTheRecordedOrderNotTheArrivalOrder) {
  HangGuard guard;
  std::vector<Handover> schedule = {
      {0, 2, 2, HandoverKind::kYield}, {2, 1, 1, HandoverKind::kBlock}, {1, 1, 0, HandoverKind::kBlock}};
  for (bool late : {false, true}) {
    StallCatcher stalls;
    Demux demux(replayOptions(schedule, stalls));
    std::vector<uint32_t> log = runTwoChildren(demux, late);
    EXPECT_EQ(log, (std::vector<uint32_t>{2, 1, 0})) << "late arrivals: " << late;
    EXPECT_EQ(demux.position(), schedule.size());
    EXPECT_TRUE(stalls.reports().empty());
    EXPECT_EQ(demux.stats().yields, 1u);
    EXPECT_EQ(demux.stats().blocks, 2u);
    EXPECT_EQ(demux.stats().misuses, 0u);
  }
}

TEST(Replay, TheReleaserTakesBackABatonNobodyTookInTheRecording) {
  HangGuard guard;
  // Thread 0 releases at point 1 and takes the baton back (not recorded); only at point 2 does it yield.
  std::vector<Handover> schedule = {{0, 2, 1, HandoverKind::kYield}, {1, 1, 0, HandoverKind::kBlock}};
  StallCatcher stalls;
  Demux demux(replayOptions(schedule, stalls));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  ArrivingChild t(demux, child);
  ASSERT_TRUE(eventually([&] { return !demux.waiting().empty(); }));
  demux.releaseForBlocking(main);  // 1: the baton is kept for thread 0, although the child waits
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(t.ran);
  EXPECT_EQ(demux.holder(), kNoThread);
  EXPECT_TRUE(demux.reacquire(main));
  EXPECT_FALSE(t.ran);
  EXPECT_TRUE(demux.schedulingPoint(main));  // 2: the recorded yield; returns once the child is done
  EXPECT_TRUE(t.ran);
  t.join();
  demux.exit(main);
  EXPECT_EQ(demux.position(), 2u);
  EXPECT_TRUE(stalls.reports().empty());
}

TEST(Replay, ANewThreadWaitsForItsRecordedTurn) {
  HangGuard guard;
  // The child got the baton when thread 0 ended (point 3), in the recording.
  std::vector<Handover> schedule = {{0, 3, 1, HandoverKind::kBlock}};
  StallCatcher stalls;
  Demux demux(replayOptions(schedule, stalls));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::atomic<int> mainPoints{-1};
  std::thread t([&] {
    demux.arrive(child);
    mainPoints = static_cast<int>(demux.points(main));
    demux.exit(child);
  });
  ASSERT_TRUE(eventually([&] { return !demux.waiting().empty(); }));
  demux.schedulingPoint(main);
  std::this_thread::sleep_for(10ms);
  demux.schedulingPoint(main);
  demux.exit(main);
  t.join();
  EXPECT_EQ(mainPoints, 3);
  EXPECT_EQ(demux.position(), 1u);
  EXPECT_TRUE(stalls.reports().empty());
  EXPECT_EQ(demux.holder(), kNoThread);
}

TEST(Replay, RecordedYieldOrderIsReproduced) {
  HangGuard guard;
  // The FIFO program of the record tests, recorded, then replayed with other arrival timing.
  auto program = [](Demux& demux, bool shuffle) {
    std::vector<uint32_t> order;
    uint32_t main = demux.startMain();
    std::vector<std::thread> threads;
    for (int k = 0; k < 3; ++k) {
      uint32_t id = demux.reserveChild(main);
      threads.emplace_back([&, id, shuffle] {
        if (shuffle) std::this_thread::sleep_for(std::chrono::milliseconds(5 * (3 - id)));
        demux.arrive(id);
        for (int i = 0; i < 3; ++i) {
          order.push_back(id);
          demux.schedulingPoint(id);
        }
        demux.exit(id);
      });
      if (!shuffle) {
        EXPECT_TRUE(eventually([&] { return demux.waiting().size() == id; }));
      }
    }
    for (int i = 0; i < 3; ++i) {
      order.push_back(main);
      demux.schedulingPoint(main);
    }
    demux.releaseForBlocking(main);
    for (auto& t : threads) t.join();
    demux.reacquire(main);
    demux.exit(main);
    return order;
  };
  Tape tape;
  Options record = recordOptions(tape);
  record.quantum = 0s;
  record.escapeAfter = 0s;
  std::vector<uint32_t> recorded;
  {
    Demux demux(record);
    recorded = program(demux, false);
  }
  StallCatcher stalls;
  Demux demux(replayOptions(tape.entries(), stalls));
  EXPECT_EQ(program(demux, true), recorded) << text(tape.entries());
  EXPECT_EQ(demux.position(), tape.entries().size());
  EXPECT_TRUE(stalls.reports().empty());
}

TEST(Replay, AnEscapeLetsTheRecordedThreadRunBesideTheHolder) {
  HangGuard guard;
  std::vector<Handover> schedule = {{0, 1, 1, HandoverKind::kEscape}, {1, 1, 0, HandoverKind::kBlock}};
  StallCatcher stalls;
  Demux demux(replayOptions(schedule, stalls));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::atomic<bool> childRan{false};
  std::thread t([&] {
    demux.arrive(child);
    childRan = true;
    demux.exit(child);
  });
  auto reached = std::chrono::steady_clock::now();
  demux.schedulingPoint(main);  // 1: the escape is armed here
  // As when recorded, thread 0 runs on alone for escapeAfter before the child runs beside it.
  EXPECT_TRUE(demux.holds(main));
  EXPECT_TRUE(eventually([&] { return !demux.holds(main); }));
  EXPECT_GE(std::chrono::steady_clock::now() - reached, Options{}.escapeAfter);
  EXPECT_TRUE(eventually([&] { return childRan.load(); }));
  EXPECT_TRUE(demux.schedulingPoint(main));  // 2: takes the baton back after the child's end
  EXPECT_TRUE(demux.holds(main));
  t.join();
  demux.exit(main);
  EXPECT_TRUE(demux.escaped());
  EXPECT_EQ(demux.position(), 2u);
  EXPECT_TRUE(stalls.reports().empty());
}

// The holder reaches its next point before escapeAfter has passed: the escape is made there, and the
// holder waits for the recorded return as an escaped thread did at its next point when recorded.
TEST(Replay, AnEscapeNotYetMadeIsMadeAtTheHoldersNextPoint) {
  HangGuard guard;
  std::vector<Handover> schedule = {{0, 1, 1, HandoverKind::kEscape}, {1, 1, 0, HandoverKind::kBlock}};
  StallCatcher stalls;
  Options options = replayOptions(schedule, stalls);
  options.escapeAfter = 10s;  // never by time in this test
  Demux demux(std::move(options));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::atomic<bool> childRan{false};
  std::thread t([&] {
    demux.arrive(child);
    childRan = true;
    demux.exit(child);
  });
  demux.schedulingPoint(main);  // 1: armed
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(childRan.load());             // the child waits while thread 0 runs on alone
  EXPECT_TRUE(demux.schedulingPoint(main));  // 2: the escape is made; back after the child's end
  EXPECT_TRUE(childRan.load());
  EXPECT_TRUE(demux.holds(main));
  t.join();
  demux.exit(main);
  EXPECT_EQ(demux.position(), 2u);
  EXPECT_EQ(demux.stats().lateEscapes, 1u);
  EXPECT_TRUE(stalls.reports().empty());
}

// The recorded escape comes at the very point where the thread was just given the baton back, before
// it woke up: it must wake and run on without the baton, not wait for a grant that has come and gone.
TEST(Replay, AnEscapeRightAfterAGrantWakesTheGrantee) {
  HangGuard guard;
  std::vector<Handover> schedule = {{0, 1, 1, HandoverKind::kYield},
                                    {1, 1, 0, HandoverKind::kYield},
                                    {0, 1, 1, HandoverKind::kEscape},
                                    {1, 2, 0, HandoverKind::kBlock}};
  StallCatcher stalls;
  Demux demux(replayOptions(schedule, stalls));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::thread t([&] {
    demux.arrive(child);
    demux.schedulingPoint(child);  // 1: yields back to thread 0, which escapes at once: the baton returns
    demux.exit(child);             // 2
  });
  EXPECT_TRUE(demux.schedulingPoint(main));  // 1: yields to the child; comes back detached
  EXPECT_TRUE(demux.schedulingPoint(main));  // 2: waits for the child's end, then holds again
  EXPECT_TRUE(demux.holds(main));
  t.join();
  demux.exit(main);
  EXPECT_TRUE(demux.escaped());
  EXPECT_EQ(demux.position(), 4u);
  EXPECT_TRUE(stalls.reports().empty()) << (stalls.reports().empty() ? "" : describe(stalls.reports()[0]));
}

}  // namespace
}  // namespace retrace::demux::test
