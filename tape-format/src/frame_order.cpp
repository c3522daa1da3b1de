// See frame_order.h. What a writer guarantees, and so what is checked here: each process writes
// its start frame first and its end frame last, from one thread, so its frames keep that order in
// the file whatever other processes append between them; a thread's events go out in order, each
// chunk numbered from where the previous one ended; and no two frames are alike (every frame
// carries something of its own: a first index, a thread, a start or end time).
#include "frame_order.h"

#include <cstring>

namespace retrace::tape::detail {

std::string FrameOrder::copy(const FrameHeader& header, const uint8_t* frame, uint64_t offset) {
  if (base_ == nullptr) base_ = frame - offset;
  // The checksum already hashes the payload: equal frames fall in one bucket, others rarely do.
  auto& same = frames_[uint64_t{header.crc} << 32 | header.pid];
  const size_t size = kFrameHeaderSize + header.length;
  for (uint64_t earlier : same) {
    const uint8_t* other = base_ + earlier;
    FrameHeader otherHeader;
    decodeFrameHeader(other, otherHeader);
    if (otherHeader.length == header.length && std::memcmp(other, frame, size) == 0) {
      return "a copy of the frame at offset " + std::to_string(earlier);
    }
  }
  same.push_back(offset);
  return {};
}

std::string FrameOrder::processStart(uint32_t pid, uint32_t parentPid) {
  if (parentPid == 0) {
    // A child always names its parent (record_session.cpp); a second root is another recording.
    if (rootStarted_) {
      return "the start of process " + std::to_string(pid) + ", a second root after process " + std::to_string(root_) +
             ": frames of another recording";
    }
    rootStarted_ = true;
    root_ = pid;
  }
  // A pid seen before was reused by a later child: it starts afresh.
  processes_[pid] = Process();
  return {};
}

std::string FrameOrder::member(uint32_t pid) {
  auto it = processes_.find(pid);
  if (it == processes_.end()) return "a frame of process " + std::to_string(pid) + " before its start frame";
  if (it->second.ended) return "a frame of process " + std::to_string(pid) + " after its end frame";
  return {};
}

std::string FrameOrder::eventChunk(uint32_t pid, uint32_t thread, uint64_t firstIndex, uint64_t count) {
  std::string why = member(pid);
  if (!why.empty()) return why;
  uint64_t& next = processes_[pid].nextIndex[thread];
  if (firstIndex != next) {
    return "events " + std::to_string(firstIndex) + ".. of thread " + std::to_string(thread) + " of process " +
           std::to_string(pid) + (firstIndex < next ? " again" : "") + " where event " + std::to_string(next) +
           " comes next";
  }
  next = firstIndex + count;
  return {};
}

std::string FrameOrder::processEnd(uint32_t pid) {
  std::string why = member(pid);
  if (why.empty()) processes_[pid].ended = true;
  return why;
}

}  // namespace retrace::tape::detail
