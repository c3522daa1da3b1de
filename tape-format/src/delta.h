// Delta coding of Event.value (retrace.capnp): within one chunk, each value is stored as its
// difference from the previous value of the same call. Clock readings then become small numbers
// that pack to one or two bytes. The writer encodes, the cursor decodes, with the same table.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace retrace::tape::detail {

class DeltaTable {
 public:
  // The table grows to the largest call id seen, not to 64K entries: replay keeps one cursor,
  // and so one table, per thread, and boundary tables have a few hundred ids at most.
  DeltaTable() = default;

  /** Starts a chunk: every call's previous value is 0 again, so its first value is absolute. */
  void reset() {
    // A generation stamp instead of clearing 64K entries for every chunk of a few events.
    if (++generation_ == 0) {
      std::fill(stamp_.begin(), stamp_.end(), 0);
      generation_ = 1;
    }
  }

  int64_t encode(uint16_t call, int64_t value) {
    uint64_t previous = exchange(call, static_cast<uint64_t>(value));
    return static_cast<int64_t>(static_cast<uint64_t>(value) - previous);  // wraps, never UB
  }

  int64_t decode(uint16_t call, int64_t stored) {
    uint64_t value = previousOf(call) + static_cast<uint64_t>(stored);
    exchange(call, value);
    return static_cast<int64_t>(value);
  }

 private:
  uint64_t previousOf(uint16_t call) const {
    return call < stamp_.size() && stamp_[call] == generation_ ? previous_[call] : 0;
  }

  uint64_t exchange(uint16_t call, uint64_t value) {
    uint64_t previous = previousOf(call);
    if (call >= stamp_.size()) {
      size_t size = std::max<size_t>(size_t{call} + 1, std::min<size_t>(stamp_.size() * 2, size_t{1} << 16));
      stamp_.resize(size, 0);  // stamp 0 is never a live generation: unseen in every chunk
      previous_.resize(size, 0);
    }
    stamp_[call] = generation_;
    previous_[call] = value;
    return previous;
  }

  std::vector<uint32_t> stamp_;
  std::vector<uint64_t> previous_;
  uint32_t generation_ = 1;
};

}  // namespace retrace::tape::detail
