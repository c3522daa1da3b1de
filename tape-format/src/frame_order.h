// Whether each frame of a recording comes where a writer could have put it. Damage cuts a file
// short or flips bits (the checksums catch those); this catches whole, well-formed frames that do
// not belong: a second recording's frames appended to a first, a frame copied twice, frames of a
// process after its end frame or before its start frame, a thread's events repeated or skipped.
// Replay must not take such a file as the one recording it claims to be.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "retrace/tape/frame.h"

namespace retrace::tape::detail {

class FrameOrder {
 public:
  /**
   * Each check returns an empty string when the frame may come here, else why not (one line,
   * without the offset). A check that passes also records the frame, so call each once, in file
   * order, and only for frames that are kept.
   */

  /** A byte-identical copy of an earlier frame (header and payload: `frame` points at the header). */
  std::string copy(const FrameHeader& header, const uint8_t* frame, uint64_t offset);
  /** A ProcessStart. A start with no parent (a root) is one per recording; children may start any time. */
  std::string processStart(uint32_t pid, uint32_t parentPid);
  /** A ThreadStart or Handovers frame: needs its process started and not ended. */
  std::string member(uint32_t pid);
  /** An EventChunk: as member(), and the thread's events continue where its last chunk ended. */
  std::string eventChunk(uint32_t pid, uint32_t thread, uint64_t firstIndex, uint64_t count);
  /** A ProcessEnd: as member(); nothing of the process may follow it. */
  std::string processEnd(uint32_t pid);

 private:
  struct Process {
    bool ended = false;
    std::map<uint32_t, uint64_t> nextIndex;  // per thread: firstIndex its next chunk must have
  };

  const uint8_t* base_ = nullptr;                               // of the file: frames are kept as offsets into it
  std::unordered_map<uint64_t, std::vector<uint64_t>> frames_;  // by checksum and pid: offsets
  std::unordered_map<uint32_t, Process> processes_;             // started ones
  bool rootStarted_ = false;
  uint32_t root_ = 0;
};

}  // namespace retrace::tape::detail
