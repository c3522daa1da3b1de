// Preemption between scheduling points (kPreempt): the holder counts ticks, record asks it to stop
// when a thread waits, and replay stops it at exactly the recorded tick.
#include <atomic>
#include <thread>

#include "test_support.h"

namespace retrace::demux::test {
namespace {

// Record: a watchdog that sees the holder stuck asks for a preemption; the holder, counting ticks as
// the agent's bytecode does, stops at the first tick after the request.
Options preemptingOptions(Tape& tape, std::atomic<bool>& requested) {
  Options options = recordOptions(tape);
  options.forcedAfter = 50ms;
  options.preemptAfter = 5ms;
  options.escapeAfter = 0s;  // no escape: only a preemption can let the child run
  options.requestPreempt = [&requested](uint32_t) { requested = true; };
  return options;
}

// Thread 0 ticks (no scheduling point) until thread 1 has run; returns the tick it was preempted at.
uint64_t tickUntilChildRan(Demux& demux, uint32_t main, std::atomic<bool>& requested, const ArrivingChild& child,
                           const std::function<bool(uint64_t)>& stopAt) {
  uint64_t tick = 0;
  uint64_t preemptedAt = 0;
  auto start = std::chrono::steady_clock::now();
  while (!child.ran && std::chrono::steady_clock::now() - start < 10s) {
    ++tick;
    if (stopAt(tick)) {
      requested = false;
      if (demux.preempt(main, tick)) preemptedAt = tick;
      tick = 0;  // the agent counts from 0 again once the thread has the baton back
    }
  }
  return preemptedAt;
}

TEST(Preempt, RecordStopsATickingHolderWhenAThreadWaits) {
  HangGuard guard;
  Tape tape;
  std::atomic<bool> requested{false};
  Demux demux(preemptingOptions(tape, requested));
  uint32_t main = demux.startMain();
  uint32_t child = demux.reserveChild(main);
  ArrivingChild t(demux, child);
  uint64_t at = tickUntilChildRan(demux, main, requested, t, [&](uint64_t) { return requested.load(); });
  t.join();
  demux.exit(main);
  ASSERT_TRUE(t.ran) << "the child never ran: the holder was not preempted";
  ASSERT_GT(at, 0u);
  std::vector<Handover> entries = tape.entries();
  ASSERT_GE(entries.size(), 1u) << text(entries);
  EXPECT_EQ(entries[0], (Handover{0, 0, 1, HandoverKind::kPreempt, at})) << text(entries);
  EXPECT_EQ(demux.stats().preempts, 1u);
  EXPECT_EQ(demux.stats().escapes, 0u);
  EXPECT_FALSE(demux.escaped());
}

TEST(Preempt, RecordIgnoresATickWithNobodyWaiting) {
  HangGuard guard;
  Tape tape;
  std::atomic<bool> requested{false};
  Demux demux(preemptingOptions(tape, requested));
  uint32_t main = demux.startMain();
  EXPECT_FALSE(demux.preempt(main, 7));
  demux.exit(main);
  EXPECT_TRUE(tape.entries().empty()) << text(tape.entries());
}

const std::vector<Handover> kPreemptSchedule = {{0, 0, 1, HandoverKind::kPreempt, 5}, {1, 1, 0, HandoverKind::kBlock}};

// The replay of kPreemptSchedule: main holds the baton, the child waits for it.
struct PreemptReplay {
  StallCatcher stalls;
  Demux demux{replayOptions(kPreemptSchedule, stalls)};
  uint32_t main = demux.startMain();
  ArrivingChild child{demux, demux.reserveChild(main)};
};

TEST(Preempt, ReplayStopsTheHolderAtTheRecordedTick) {
  HangGuard guard;
  PreemptReplay r;
  EXPECT_EQ(r.demux.preemptTick(r.main), std::optional<uint64_t>(5));
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(r.child.ran) << "the child ran before the recorded tick";
  EXPECT_TRUE(r.demux.preempt(r.main, 5));
  EXPECT_TRUE(r.child.ran);
  r.child.join();
  EXPECT_EQ(r.demux.preemptTick(r.main), std::nullopt);
  r.demux.exit(r.main);
  EXPECT_EQ(r.demux.position(), kPreemptSchedule.size());
  EXPECT_EQ(r.demux.stats().preempts, 1u);
  EXPECT_TRUE(r.stalls.reports().empty());
}

TEST(Preempt, ReplayReportsAStopAtAnotherTick) {
  HangGuard guard;
  PreemptReplay r;
  EXPECT_FALSE(r.demux.preempt(r.main, 4));
  r.child.join();
  ASSERT_EQ(r.stalls.reports().size(), 1u);
  EXPECT_EQ(r.stalls.reports()[0].reason, StallReason::kDiverged);
  EXPECT_NE(r.stalls.reports()[0].message.find("stopped at tick 4"), std::string::npos)
      << r.stalls.reports()[0].message;
  EXPECT_NE(r.stalls.reports()[0].message.find("tick 5 (kPreempt)"), std::string::npos)
      << r.stalls.reports()[0].message;
}

TEST(Preempt, ReplayReportsAPointReachedBeforeTheRecordedTick) {
  HangGuard guard;
  PreemptReplay r;
  EXPECT_FALSE(r.demux.schedulingPoint(r.main));
  r.child.join();
  ASSERT_EQ(r.stalls.reports().size(), 1u);
  EXPECT_EQ(r.stalls.reports()[0].reason, StallReason::kDiverged);
  EXPECT_NE(r.stalls.reports()[0].message.find("passed its point 0"), std::string::npos)
      << r.stalls.reports()[0].message;
}

// Record then replay: the same ticking program, stopped where it was stopped.
TEST(Preempt, ARecordedPreemptionReplays) {
  HangGuard guard;
  Tape tape;
  std::atomic<bool> requested{false};
  uint64_t recordedAt = 0;
  {
    Demux demux(preemptingOptions(tape, requested));
    uint32_t main = demux.startMain();
    ArrivingChild t(demux, demux.reserveChild(main));
    recordedAt = tickUntilChildRan(demux, main, requested, t, [&](uint64_t) { return requested.load(); });
    t.join();
    demux.exit(main);
  }
  ASSERT_GT(recordedAt, 0u);
  StallCatcher stalls;
  Demux demux(replayOptions(tape.entries(), stalls));
  uint32_t main = demux.startMain();
  ArrivingChild t(demux, demux.reserveChild(main));
  std::optional<uint64_t> limit = demux.preemptTick(main);
  ASSERT_TRUE(limit.has_value());
  std::atomic<bool> unused{false};
  uint64_t replayedAt = tickUntilChildRan(demux, main, unused, t, [&](uint64_t tick) { return tick == *limit; });
  t.join();
  demux.exit(main);
  EXPECT_EQ(replayedAt, recordedAt);
  EXPECT_TRUE(stalls.reports().empty());
}

}  // namespace
}  // namespace retrace::demux::test
