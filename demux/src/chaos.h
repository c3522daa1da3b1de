// The random choices of record, in one place. Plain `--preempt` only varies the length of each time
// slice (a kernel's slices are not exact either). Chaos mode (Options::chaosSeed, after rr's chaos
// mode and PCT, Burckhardt et al. 2010) makes a recorded run a wider sample of the schedules the
// program allows:
// - each recording draws a slice scale, log-uniform from 1 to 2^13 ticks, and each stretch of the
//   holder gets a slice of 1 to scale ticks: some recordings switch threads at nearly every method
//   entry, so a race window with one tick in it is hit, others run in long turns;
// - every thread has a random priority; a hand-over goes to the waiter with the highest one instead
//   of the longest waiter, and at a scheduling point the holder yields to a waiter whose priority is
//   higher than its own without waiting for the quantum (PCT: the highest-priority thread runs);
// - a preempted thread drops below every other (a PCT change point), so that the thread it was
//   preempted for runs on through the window the preemption opened;
// - every kPreemptionsPerDoubling preemptions the scale doubles: a recording that switches at
//   nearly every method entry does so for its first few tens of thousands of switches, not for a
//   whole long run (each switch wakes a thread: some microseconds).
// Replay does not need any of it: every choice made ends up as a recorded hand-over.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <unordered_map>

namespace retrace::demux {

/** splitmix64: small, fast, and good enough for scheduling choices (not for secrets). */
class Random {
 public:
  /** 0 seeds from std::random_device. */
  explicit Random(uint64_t seed);
  uint64_t next();
  /** Uniform in [0, bound), bound > 0. */
  uint64_t below(uint64_t bound) { return next() % bound; }

 private:
  uint64_t state_;
};

class Chaos {
 public:
  explicit Chaos(uint64_t seed);

  /** How many ticks the holder may run from now on before it is asked to stop. */
  uint64_t sliceTicks();
  /** The waiter that gets the baton: the highest priority in `queue` (not empty). */
  uint32_t pick(const std::deque<uint32_t>& queue);
  /** Whether the holder `id` yields at a scheduling point: a waiter in `queue` outranks it. */
  bool outranked(uint32_t id, const std::deque<uint32_t>& queue);
  /** `id` was preempted: it drops below every thread (new threads draw priorities above it). */
  void changePoint(uint32_t id);
  static constexpr uint64_t kPreemptionsPerDoubling = 20000;
  /** The recording's slice scale now. */
  uint64_t scale() const { return scale_; }

 private:
  uint64_t priorityOf(uint32_t id);

  Random random_;
  uint64_t scale_;
  std::unordered_map<uint32_t, uint64_t> priority_;
  uint64_t lowest_ = kDrawnAbove;
  uint64_t preemptions_ = 0;  // priorities below this were given at change points
  static constexpr uint64_t kDrawnAbove = uint64_t{1} << 32;
};

/** A time slice of `base` varied by up to half of it either way. */
std::chrono::nanoseconds jittered(Random& random, std::chrono::nanoseconds base);

}  // namespace retrace::demux
