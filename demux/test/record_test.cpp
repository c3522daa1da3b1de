// Record mode, one rule at a time: ids, arrival, FIFO, quantum, release, exit, the free baton, misuse.
#include <atomic>
#include <thread>
#include <vector>

#include "test_support.h"

namespace retrace::demux::test {
namespace {

Options quietRecord(Tape& tape, std::chrono::nanoseconds quantum) {
  Options options = recordOptions(tape);
  options.quantum = quantum;
  options.escapeAfter = 0s;  // these tests hold the baton on purpose; no watchdog interference
  return options;
}

TEST(Record, IdsAreGivenInReserveOrder) {
  Tape tape;
  Demux demux(quietRecord(tape, 2ms));
  EXPECT_EQ(demux.reserveChild(0), kNoThread) << "nothing before startMain";
  EXPECT_EQ(demux.startMain(), 0u);
  EXPECT_TRUE(demux.holds(0));
  EXPECT_EQ(demux.reserveChild(0), 1u);
  EXPECT_EQ(demux.reserveChild(0), 2u);
  EXPECT_EQ(demux.reserveChild(0), 3u);
  EXPECT_EQ(demux.reserveChild(42), kNoThread);
  EXPECT_EQ(demux.startMain(), kNoThread) << "startMain twice";
  EXPECT_EQ(demux.stats().misuses, 3u);
  EXPECT_TRUE(demux.holds(0));
  EXPECT_EQ(demux.points(0), 0u);
}

TEST(Record, NewThreadDoesNotRunBeforeItIsGranted) {
  HangGuard guard;
  Tape tape;
  Demux demux(quietRecord(tape, 20ms));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::atomic<bool> ran{false};
  std::thread t([&] {
    EXPECT_TRUE(demux.arrive(child));
    EXPECT_TRUE(demux.holds(child));
    ran = true;
    demux.exit(child);
  });
  ASSERT_TRUE(eventually([&] { return demux.waiting() == std::vector<uint32_t>{child}; }));
  // Holding the baton without a scheduling point, well past the quantum: the child must stay put.
  std::this_thread::sleep_for(60ms);
  EXPECT_FALSE(ran);
  EXPECT_TRUE(demux.holds(main));
  // The next point yields (the child waited > quantum), and returns once the child gave the baton back.
  EXPECT_TRUE(demux.schedulingPoint(main));
  EXPECT_TRUE(ran);
  EXPECT_TRUE(demux.holds(main));
  t.join();
  demux.exit(main);
  std::vector<Handover> expected = {{main, 1, child, HandoverKind::kYield}, {child, 1, main, HandoverKind::kBlock}};
  EXPECT_EQ(tape.entries(), expected) << text(tape.entries());
}

TEST(Record, WaitersAreServedInArrivalOrder) {
  HangGuard guard;
  Tape tape;
  Demux demux(quietRecord(tape, 2ms));
  uint32_t main = demux.startMain();
  std::vector<uint32_t> order;  // appended by baton holders only
  std::vector<std::thread> threads;
  std::vector<uint32_t> expectedQueue;
  // Each child is started only once the previous one waits, so the arrival order is known.
  for (int k = 0; k < 4; ++k) {
    uint32_t id = demux.reserveChild(main);
    threads.emplace_back([&, id] {
      demux.arrive(id);
      order.push_back(id);
      demux.exit(id);
    });
    expectedQueue.push_back(id);
    ASSERT_TRUE(eventually([&] { return demux.waiting() == expectedQueue; }));
  }
  demux.releaseForBlocking(main);
  for (auto& t : threads) t.join();
  demux.reacquire(main);
  EXPECT_EQ(order, (std::vector<uint32_t>{1, 2, 3, 4}));
  std::vector<Handover> expected = {{0, 1, 1, HandoverKind::kBlock},
                                    {1, 1, 2, HandoverKind::kBlock},
                                    {2, 1, 3, HandoverKind::kBlock},
                                    {3, 1, 4, HandoverKind::kBlock},
                                    {4, 1, 0, HandoverKind::kBlock}};
  EXPECT_EQ(tape.entries(), expected) << text(tape.entries());
  demux.exit(main);
}

TEST(Record, AYieldingHolderGoesToTheBackOfTheQueue) {
  HangGuard guard;
  Tape tape;
  Demux demux(quietRecord(tape, 0s));  // hand over at every point somebody waits at
  uint32_t main = demux.startMain();
  std::vector<uint32_t> order;
  std::vector<std::thread> threads;
  std::vector<uint32_t> expectedQueue;
  for (int k = 0; k < 2; ++k) {
    uint32_t id = demux.reserveChild(main);
    threads.emplace_back([&, id] {
      demux.arrive(id);
      order.push_back(id);
      demux.schedulingPoint(id);
      order.push_back(id);
      demux.exit(id);
    });
    expectedQueue.push_back(id);
    ASSERT_TRUE(eventually([&] { return demux.waiting() == expectedQueue; }));
  }
  order.push_back(main);
  demux.schedulingPoint(main);  // queue [1 2] -> 1 runs, queue [2 0]
  order.push_back(main);
  demux.releaseForBlocking(main);
  for (auto& t : threads) t.join();
  demux.reacquire(main);
  EXPECT_EQ(order, (std::vector<uint32_t>{0, 1, 2, 0, 1, 2}));
  demux.exit(main);
}

TEST(Record, NoYieldBeforeTheQuantum) {
  HangGuard guard;
  Tape tape;
  const auto quantum = 150ms;
  Demux demux(quietRecord(tape, quantum));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::atomic<bool> ran{false};
  auto waitStart = std::chrono::steady_clock::now();  // the child's wait starts later than this
  std::thread t([&] {
    demux.arrive(child);
    ran = true;
    demux.exit(child);
  });
  ASSERT_TRUE(eventually([&] { return !demux.waiting().empty(); }));
  // Many points well inside the quantum: no hand-over.
  while (std::chrono::steady_clock::now() - waitStart < quantum / 3) {
    demux.schedulingPoint(main);
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_FALSE(ran);
  EXPECT_EQ(demux.stats().handovers, 0u);
  // Keep passing points: the first yield comes only once the child has waited a full quantum.
  while (!ran) demux.schedulingPoint(main);
  EXPECT_GE(std::chrono::steady_clock::now() - waitStart, quantum);
  t.join();
  ASSERT_FALSE(tape.entries().empty());
  EXPECT_EQ(tape.entries()[0].kind, HandoverKind::kYield);
  demux.exit(main);
}

TEST(Record, BlockingReleaseHandsOverAtOnce) {
  HangGuard guard;
  Tape tape;
  Demux demux(quietRecord(tape, 10s));  // a quantum that never expires here
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  ArrivingChild t(demux, child);
  ASSERT_TRUE(eventually([&] { return !demux.waiting().empty(); }));
  demux.schedulingPoint(main);
  EXPECT_FALSE(t.ran);
  auto released = std::chrono::steady_clock::now();
  demux.releaseForBlocking(main);  // point 2
  ASSERT_TRUE(eventually([&] { return t.ran.load(); }, 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - released, 2s);
  t.join();
  demux.reacquire(main);
  std::vector<Handover> expected = {{main, 2, child, HandoverKind::kBlock}, {child, 1, main, HandoverKind::kBlock}};
  EXPECT_EQ(tape.entries(), expected) << text(tape.entries());
  demux.exit(main);
}

TEST(Record, ExitHandsOver) {
  HangGuard guard;
  Tape tape;
  Demux demux(quietRecord(tape, 10s));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::atomic<bool> ran{false};
  std::thread t([&] {
    demux.arrive(child);
    ran = true;
    EXPECT_TRUE(demux.holds(child));
    demux.exit(child);
  });
  ASSERT_TRUE(eventually([&] { return !demux.waiting().empty(); }));
  demux.schedulingPoint(main);
  demux.exit(main);  // point 2, the end of thread 0
  t.join();
  EXPECT_TRUE(ran);
  EXPECT_EQ(demux.holder(), kNoThread);
  std::vector<Handover> expected = {{main, 2, child, HandoverKind::kBlock}};
  EXPECT_EQ(tape.entries(), expected) << text(tape.entries());
  EXPECT_FALSE(demux.schedulingPoint(main)) << "a call after exit is a misuse";
  EXPECT_EQ(demux.stats().misuses, 1u);
}

TEST(Record, AFreeBatonIsTakenAndTheTakingRecorded) {
  HangGuard guard;
  Tape tape;
  Demux demux(quietRecord(tape, 2ms));
  uint32_t main = demux.startMain();
  // Nobody waits: the baton becomes free, and taking it back is not a hand-over.
  demux.releaseForBlocking(main);  // point 1
  EXPECT_EQ(demux.holder(), kNoThread);
  demux.reacquire(main);
  EXPECT_TRUE(demux.holds(main));
  EXPECT_TRUE(tape.entries().empty());
  // Another thread takes the baton freed at point 2: that is recorded, as from thread 0 at point 2.
  uint32_t child = demux.reserveChild(main);
  demux.releaseForBlocking(main);  // point 2
  std::thread t([&] {
    EXPECT_TRUE(demux.arrive(child));
    demux.exit(child);
  });
  t.join();
  demux.reacquire(main);
  std::vector<Handover> expected = {{main, 2, child, HandoverKind::kBlock}, {child, 1, main, HandoverKind::kBlock}};
  EXPECT_EQ(tape.entries(), expected) << text(tape.entries());
  EXPECT_EQ(demux.points(main), 2u);
  EXPECT_EQ(demux.points(child), 1u);
  demux.exit(main);
  Stats stats = demux.stats();
  EXPECT_EQ(stats.handovers, 2u);
  EXPECT_EQ(stats.blocks, 2u);
  EXPECT_EQ(stats.misuses, 0u);
}

TEST(Record, ShutdownReleasesWaiters) {
  HangGuard guard;
  Tape tape;
  Demux demux(quietRecord(tape, 10s));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  std::atomic<int> result{-1};
  std::thread t([&] { result = demux.arrive(child) ? 1 : 0; });
  ASSERT_TRUE(eventually([&] { return !demux.waiting().empty(); }));
  demux.shutdown();
  t.join();
  EXPECT_EQ(result, 0);
  EXPECT_TRUE(demux.abandoned());
  EXPECT_FALSE(demux.schedulingPoint(main));
}

TEST(Record, MisuseIsIgnoredAndCounted) {
  Tape tape;
  Demux demux(quietRecord(tape, 2ms));
  uint32_t main = demux.startMain();
  EXPECT_FALSE(demux.arrive(main)) << "main never arrives";
  EXPECT_FALSE(demux.arrive(7)) << "never reserved";
  EXPECT_FALSE(demux.reacquire(main)) << "holds already";
  uint32_t child = demux.reserveChild(main);
  EXPECT_FALSE(demux.schedulingPoint(child)) << "has not arrived";
  EXPECT_EQ(demux.stats().misuses, 4u);
  EXPECT_TRUE(demux.holds(main));
  EXPECT_EQ(demux.points(main), 0u);
  EXPECT_TRUE(tape.entries().empty());
}

}  // namespace
// The holder alone counts its points without the lock (Core::fast); a waiter arriving must still see
// every one of them, and hand-overs must name the right point.
TEST(Record, FastPathPointsAreCountedAcrossWaiters) {
  HangGuard guard;
  Tape tape;
  Demux demux(quietRecord(tape, 10s));
  uint32_t main = demux.startMain();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(demux.schedulingPoint(main));
  EXPECT_EQ(demux.points(main), 1000u);
  uint32_t child = demux.reserveChild(main);
  ArrivingChild t(demux, child);
  ASSERT_TRUE(eventually([&] { return !demux.waiting().empty(); }));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(demux.schedulingPoint(main));  // slow path: somebody waits
  demux.releaseForBlocking(main);                                         // point 1011
  ASSERT_TRUE(eventually([&] { return t.ran.load(); }, 2s));
  t.join();
  demux.reacquire(main);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(demux.schedulingPoint(main));  // fast again
  EXPECT_EQ(demux.points(main), 1016u);
  std::vector<Handover> expected = {{main, 1011, child, HandoverKind::kBlock}, {child, 1, main, HandoverKind::kBlock}};
  EXPECT_EQ(tape.entries(), expected) << text(tape.entries());
  demux.exit(main);
  EXPECT_EQ(demux.stats().misuses, 0u);
}

// Many threads hammering points with a short quantum: the fast path must never lose or double a point.
TEST(Record, FastPathUnderContentionKeepsExactCounts) {
  HangGuard guard;
  Tape tape;
  Demux demux(quietRecord(tape, std::chrono::microseconds(50)));
  uint32_t main = demux.startMain();
  constexpr int kThreads = 4;
  constexpr int kPoints = 20000;
  std::vector<uint32_t> ids;
  for (int i = 0; i < kThreads; ++i) ids.push_back(demux.reserveChild(main));
  std::vector<std::thread> threads;
  for (uint32_t id : ids) {
    threads.emplace_back([&demux, id] {
      demux.arrive(id);
      for (int i = 0; i < kPoints; ++i) demux.schedulingPoint(id);
      demux.exit(id);
    });
  }
  demux.releaseForBlocking(main);
  for (auto& t : threads) t.join();
  demux.reacquire(main);
  for (uint32_t id : ids) EXPECT_EQ(demux.points(id), static_cast<uint64_t>(kPoints) + 1) << "thread " << id;
  demux.exit(main);
  EXPECT_EQ(demux.stats().misuses, 0u);
}

// A holder that may not yield (inside a static initialiser, says the agent) keeps the baton past the
// quantum; the hand-over happens at the first point where it may.
TEST(Record, MayYieldPostponesAYield) {
  HangGuard guard;
  Tape tape;
  Options options = quietRecord(tape, std::chrono::milliseconds(1));
  std::atomic<bool> allowed{false};
  options.mayYield = [&](uint32_t) { return allowed.load(); };
  Demux demux(std::move(options));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  ArrivingChild t(demux, child);
  ASSERT_TRUE(eventually([&] { return !demux.waiting().empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (int i = 0; i < 3; ++i) demux.schedulingPoint(main);  // points 1-3: refused
  EXPECT_FALSE(t.ran);
  EXPECT_TRUE(tape.entries().empty());
  allowed = true;
  demux.schedulingPoint(main);  // point 4: hands over, waits for the baton back
  t.join();
  ASSERT_FALSE(tape.entries().empty());
  EXPECT_EQ(tape.entries()[0], (Handover{main, 4, child, HandoverKind::kYield})) << text(tape.entries());
  demux.exit(main);
}

}  // namespace retrace::demux::test
