// Chaos mode's random choices (src/chaos.h) and what the Demux makes of them.
#include "chaos.h"

#include <set>

#include "test_support.h"

namespace retrace::demux::test {
namespace {

TEST(Chaos, TheSameSeedMakesTheSameChoices) {
  Chaos a(42);
  Chaos b(42);
  EXPECT_EQ(a.scale(), b.scale());
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.sliceTicks(), b.sliceTicks());
  std::deque<uint32_t> queue = {1, 2, 3, 4};
  EXPECT_EQ(a.pick(queue), b.pick(queue));
}

TEST(Chaos, SlicesStayWithinTheRecordingsScale) {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Chaos chaos(seed);
    ASSERT_GE(chaos.scale(), 1u);
    ASSERT_LT(chaos.scale(), uint64_t{1} << 13);
    for (int i = 0; i < 200; ++i) {
      uint64_t slice = chaos.sliceTicks();
      ASSERT_GE(slice, 1u);
      ASSERT_LE(slice, chaos.scale());
    }
  }
}

TEST(Chaos, ScalesRangeFromEveryTickToThousandsOfTicks) {
  int fine = 0;
  int coarse = 0;
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    uint64_t scale = Chaos(seed).scale();
    if (scale <= 3) ++fine;
    if (scale >= 1024) ++coarse;
  }
  // Two of thirteen powers of two each way: about 154 of 1000 (binomial, 6 sigma below is 65).
  EXPECT_GT(fine, 65);
  EXPECT_GT(coarse, 65);
}

TEST(Chaos, TheBatonGoesToTheHighestPriorityAndAPreemptedThreadDropsBelowAll) {
  Chaos chaos(7);
  std::deque<uint32_t> queue = {1, 2, 3};
  uint32_t best = chaos.pick(queue);
  EXPECT_EQ(chaos.pick({3, 2, 1}), best) << "the order of the queue does not matter";
  chaos.changePoint(best);
  uint32_t next = chaos.pick(queue);
  EXPECT_NE(next, best);
  EXPECT_TRUE(chaos.outranked(best, {next}));
  EXPECT_FALSE(chaos.outranked(next, {best}));
  EXPECT_EQ(chaos.pick({best, 9}), 9u) << "a thread seen for the first time ranks above a preempted one";
  chaos.changePoint(next);
  EXPECT_EQ(chaos.pick({best, next}), best) << "the later change point ranks lower";
}

TEST(Chaos, TheScaleDoublesEveryFewTensOfThousandsOfPreemptions) {
  Chaos chaos(5);
  uint64_t scale = chaos.scale();
  for (uint64_t i = 1; i < Chaos::kPreemptionsPerDoubling; ++i) chaos.changePoint(1);
  EXPECT_EQ(chaos.scale(), scale);
  chaos.changePoint(1);
  EXPECT_EQ(chaos.scale(), 2 * scale);
  for (uint64_t i = 0; i < Chaos::kPreemptionsPerDoubling; ++i) chaos.changePoint(2);
  EXPECT_EQ(chaos.scale(), 4 * scale);
}

TEST(Chaos, TimeSlicesVaryByUpToHalfEitherWay) {
  Random random(3);
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    std::chrono::nanoseconds slice = jittered(random, 2ms);
    ASSERT_GE(slice, 1ms);
    ASSERT_LT(slice, 3ms);
    seen.insert(slice.count());
  }
  EXPECT_GT(seen.size(), 900u);
}

TEST(Chaos, OnlyAChaosRecordingsHolderGetsSlices) {
  Tape tape;
  {
    Demux plain(recordOptions(tape));
    uint32_t main = plain.startMain();
    EXPECT_FALSE(plain.chaosTicks(main).has_value());
  }
  Options options = recordOptions(tape);
  options.chaosSeed = 11;
  Demux chaos(std::move(options));
  uint32_t main = chaos.startMain();
  std::optional<uint64_t> ticks = chaos.chaosTicks(main);
  ASSERT_TRUE(ticks.has_value());
  EXPECT_GE(*ticks, 1u);
  uint32_t child = chaos.reserveChild(main);
  EXPECT_FALSE(chaos.chaosTicks(child).has_value()) << "not the holder";
  EXPECT_FALSE(chaos.preempt(main, *ticks)) << "nobody waits: no hand-over";
  EXPECT_TRUE(chaos.holds(main));
  chaos.shutdown();
}

}  // namespace
}  // namespace retrace::demux::test
