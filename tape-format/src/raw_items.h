// Walks the `extra` items of one raw event (event_buffer.h). Internal to the writer thread.
#pragma once

#include <cstdint>
#include <cstring>

#include "retrace/tape/event_buffer.h"

namespace retrace::tape::detail {

struct RawItem {
  RawTag tag;
  const uint8_t* bytes;
  uint32_t length;
};

class RawItemIterator {
 public:
  RawItemIterator(const uint8_t* extra, uint32_t size) : p_(extra), end_(extra + size) {}

  /** Next item; false at the end or at a torn item (its length runs past the event). */
  bool next(RawItem& item) {
    if (end_ - p_ < 5) return false;
    item.tag = static_cast<RawTag>(p_[0]);
    std::memcpy(&item.length, p_ + 1, sizeof item.length);
    item.bytes = p_ + 5;
    if (item.length > static_cast<size_t>(end_ - item.bytes)) return false;
    p_ = item.bytes + item.length;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace retrace::tape::detail
