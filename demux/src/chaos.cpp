#include "chaos.h"

#include <random>

namespace retrace::demux {

namespace {
// Slice scales from 1 to 2^12 ticks: a narrow window is hit when the scale is small (about one
// recording in four for a window of one tick), and a slice of a few thousand method entries is still
// longer than a hand-over costs.
constexpr int kScaleBits = 12;
}  // namespace

Random::Random(uint64_t seed) : state_(seed) {
  if (state_ == 0) {
    std::random_device device;
    state_ = (static_cast<uint64_t>(device()) << 32) ^ device();
  }
}

uint64_t Random::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Chaos::Chaos(uint64_t seed) : random_(seed), scale_(uint64_t{1} << random_.below(kScaleBits + 1)) {
  // Log-uniform between powers of two as well, not only at them.
  scale_ += random_.below(scale_);
}

void Chaos::changePoint(uint32_t id) {
  priority_[id] = --lowest_;
  if (++preemptions_ % kPreemptionsPerDoubling == 0 && scale_ < (uint64_t{1} << 40)) scale_ *= 2;
}

uint64_t Chaos::sliceTicks() {
  return 1 + random_.below(scale_);
}

uint64_t Chaos::priorityOf(uint32_t id) {
  auto it = priority_.find(id);
  if (it == priority_.end()) it = priority_.emplace(id, kDrawnAbove + random_.below(~kDrawnAbove)).first;
  return it->second;
}

uint32_t Chaos::pick(const std::deque<uint32_t>& queue) {
  uint32_t best = queue.front();
  uint64_t bestPriority = priorityOf(best);
  for (uint32_t id : queue) {
    uint64_t priority = priorityOf(id);
    if (priority > bestPriority) {
      best = id;
      bestPriority = priority;
    }
  }
  return best;
}

bool Chaos::outranked(uint32_t id, const std::deque<uint32_t>& queue) {
  return !queue.empty() && priorityOf(pick(queue)) > priorityOf(id);
}

std::chrono::nanoseconds jittered(Random& random, std::chrono::nanoseconds base) {
  if (base.count() <= 1) return base;
  auto count = static_cast<uint64_t>(base.count());
  return std::chrono::nanoseconds(count / 2 + random.below(count));
}

}  // namespace retrace::demux
