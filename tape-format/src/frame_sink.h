// Where the writer packs a message: one growable byte array that starts with room for the frame
// header, so header and payload leave in a single write(2) without a copy. Kept across frames,
// so a steady stream of chunks allocates nothing.
#pragma once

#include <kj/io.h>
#include <algorithm>
#include <cstring>
#include <vector>

#include "retrace/tape/frame.h"

namespace retrace::tape::detail {

class FrameSink final : public kj::BufferedOutputStream {
 public:
  /** Starts a frame; `expectedPayload` bytes are made available up front. */
  void reset(size_t expectedPayload) {
    // A one-off giant frame should not pin its buffer for the rest of the process.
    if (bytes_.capacity() > kKeepBytes && expectedPayload + kFrameHeaderSize <= kKeepBytes) {
      std::vector<uint8_t>().swap(bytes_);
    }
    fill_ = kFrameHeaderSize;
    ensure(expectedPayload);
  }

  kj::ArrayPtr<kj::byte> getWriteBuffer() override {
    if (fill_ == bytes_.size()) ensure(4096);
    return kj::arrayPtr(bytes_.data() + fill_, bytes_.size() - fill_);
  }

  void write(const void* buffer, size_t size) override {
    // The packer usually fills getWriteBuffer() in place and only tells us how much it wrote.
    if (buffer != bytes_.data() + fill_) {
      ensure(size);
      std::memcpy(bytes_.data() + fill_, buffer, size);
    }
    fill_ += size;
  }

  uint8_t* frame() { return bytes_.data(); }
  size_t frameSize() const { return fill_; }
  const uint8_t* payload() const { return bytes_.data() + kFrameHeaderSize; }
  size_t payloadSize() const { return fill_ - kFrameHeaderSize; }

 private:
  static constexpr size_t kKeepBytes = 16u << 20;

  void ensure(size_t more) {
    if (bytes_.size() - std::min(fill_, bytes_.size()) < more) {
      bytes_.resize(std::max(bytes_.size() * 2, fill_ + more));
    }
  }

  std::vector<uint8_t> bytes_;
  size_t fill_ = kFrameHeaderSize;
};

}  // namespace retrace::tape::detail
