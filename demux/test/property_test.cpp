// The determinism property: threads that share memory only between scheduling points produce, on
// replay with the recorded schedule, exactly the recorded result, whatever the timing.
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "test_support.h"

namespace retrace::demux::test {
namespace {

struct Params {
  int threads = 2;
  int iterations = 50;
  uint64_t programSeed = 1;  // decides what each thread does: the same in record and replay
  uint64_t timingSeed = 1;   // decides how long things take: differs between record and replay
};

struct Outcome {
  std::vector<std::pair<uint32_t, int>> log;
  int counter = 0;
  std::vector<uint32_t> childIds;
};

void sleepMicros(std::mt19937_64& timing) {
  std::this_thread::sleep_for(std::chrono::microseconds(timing() % 201));
}

// A worker: append (id, i) to the shared log, and increment a shared counter across a scheduling point
// (read, point, write: a lost update whenever another thread runs in between). Some sleeps hold the
// baton, some release it like a blocking call. Shared data is unsynchronised on purpose: the baton is
// the only lock, so a broken demux shows up as a wrong log (and as a data race under TSan).
void worker(Demux& demux, uint32_t id, const Params& p, Outcome& out) {
  std::mt19937_64 program(p.programSeed * 7919 + id);
  std::mt19937_64 timing(p.timingSeed * 104729 + id);
  demux.arrive(id);
  for (int i = 0; i < p.iterations; ++i) {
    out.log.emplace_back(id, i);
    int seen = out.counter;
    demux.schedulingPoint(id);
    out.counter = seen + 1;
    switch (program() % 4) {
      case 0:  // a blocking call: the baton goes elsewhere meanwhile
        demux.releaseForBlocking(id);
        sleepMicros(timing);
        demux.reacquire(id);
        break;
      case 1:  // computing while holding the baton: waiters' quantum runs out
        sleepMicros(timing);
        break;
      default:
        break;
    }
    demux.schedulingPoint(id);
  }
  demux.exit(id);
}

Outcome runProgram(Demux& demux, const Params& p) {
  Outcome out;
  uint32_t main = demux.startMain();
  std::vector<std::thread> threads;
  for (int k = 0; k < p.threads; ++k) {
    uint32_t id = demux.reserveChild(main);
    out.childIds.push_back(id);
    threads.emplace_back([&demux, id, &p, &out] { worker(demux, id, p, out); });
    out.log.emplace_back(main, k);
    demux.schedulingPoint(main);  // Thread.start
  }
  demux.releaseForBlocking(main);  // Thread.join
  for (auto& t : threads) t.join();
  demux.reacquire(main);
  out.log.emplace_back(main, -1);
  demux.exit(main);
  return out;
}

Options propertyRecord(Tape& tape) {
  Options options = recordOptions(tape);
  options.quantum = 50us;    // short, for many hand-overs
  options.escapeAfter = 0s;  // a descheduled holder on a loaded machine must not count as a spinner
  return options;
}

TEST(Property, ReplayReproducesTheRecordedLog) {
  HangGuard guard(50s);
  uint64_t yields = 0, blocks = 0, lostUpdateRuns = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Params p;
    p.threads = 2 + static_cast<int>(seed % 7);  // 2..8
    p.iterations = 40;
    p.programSeed = seed;
    p.timingSeed = seed;
    Tape tape;
    Outcome recorded;
    Stats recordStats;
    {
      Demux demux(propertyRecord(tape));
      recorded = runProgram(demux, p);
      recordStats = demux.stats();
    }
    std::vector<Handover> schedule = tape.entries();
    ASSERT_EQ(recordStats.handovers, schedule.size());
    ASSERT_EQ(recordStats.misuses, 0u);
    ASSERT_EQ(recordStats.forced + recordStats.escapes, 0u);
    yields += recordStats.yields;
    blocks += recordStats.blocks;
    if (recorded.counter < p.threads * p.iterations) ++lostUpdateRuns;

    p.timingSeed = seed + 1000;  // other sleeps
    StallCatcher stalls;
    Demux demux(replayOptions(schedule, stalls));
    Outcome replayed = runProgram(demux, p);
    EXPECT_EQ(replayed.childIds, recorded.childIds) << "seed " << seed;
    EXPECT_EQ(replayed.log, recorded.log) << "seed " << seed << ", schedule " << text(schedule);
    EXPECT_EQ(replayed.counter, recorded.counter) << "seed " << seed;
    EXPECT_EQ(demux.position(), schedule.size()) << "seed " << seed;
    EXPECT_TRUE(stalls.reports().empty()) << "seed " << seed << ": " << describe(stalls.reports().front());
    EXPECT_EQ(demux.stats().misuses, 0u);
  }
  // The runs must have exercised what they claim to: interleaving, both kinds of hand-over, races.
  EXPECT_GT(yields, 20u);
  EXPECT_GT(blocks, 20u);
  EXPECT_GT(lostUpdateRuns, 0u) << "no run lost an update: the counter check proves nothing";
}

// The replayed result follows the schedule, not luck: two recordings of the same program with different
// timing interleave differently, and each replays to its own result.
TEST(Property, EachScheduleReplaysToItsOwnResult) {
  HangGuard guard(30s);
  Params p;
  p.threads = 4;
  p.iterations = 40;
  p.programSeed = 77;
  std::vector<std::vector<Handover>> schedules;
  std::vector<Outcome> results;
  for (uint64_t timing = 1; timing <= 6 && schedules.size() < 2; ++timing) {
    p.timingSeed = timing;
    Tape tape;
    Outcome out;
    {
      Demux demux(propertyRecord(tape));
      out = runProgram(demux, p);
    }
    if (!results.empty() && out.log == results[0].log) continue;
    schedules.push_back(tape.entries());
    results.push_back(std::move(out));
  }
  ASSERT_EQ(schedules.size(), 2u) << "six recordings, all interleaved the same way";
  for (size_t k = 0; k < 2; ++k) {
    p.timingSeed = 500 + k;
    StallCatcher stalls;
    Demux demux(replayOptions(schedules[k], stalls));
    Outcome replayed = runProgram(demux, p);
    EXPECT_EQ(replayed.log, results[k].log) << "schedule " << k;
    EXPECT_EQ(replayed.counter, results[k].counter) << "schedule " << k;
    EXPECT_TRUE(stalls.reports().empty());
  }
}

}  // namespace
}  // namespace retrace::demux::test
