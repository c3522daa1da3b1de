// The state behind TapeReader (reader.h), shared by the index (reader.cpp) and the cursors
// (event_cursor.cpp).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "mapped_file.h"
#include "retrace/tape/frame.h"
#include "retrace/tape/reader.h"

namespace retrace::tape {

struct TapeReader::Impl {
  struct Process {
    std::optional<ProcessStartInfo> start;
    std::optional<ProcessEndInfo> end;
    std::map<uint32_t, ThreadInfo> threads;  // from threadStart frames
    uint64_t events = 0;                     // as the chunks' counts say
    uint64_t endedEvents = 0;                // as its end frames say (two when the pid was reused)
    std::vector<size_t> chunks;              // indices into frames, file order
    std::vector<HandoverRecord> handovers;   // the schedule up to its first hole
    bool handoverHole = false;               // a Handovers frame did not continue the schedule
  };

  std::string path;
  detail::MappedFile file;
  std::string shebang;
  std::vector<FrameRef> frames;
  StopInfo stop;
  uint64_t packOffset = 0;  // 0: no pack
  std::map<uint32_t, Process> processes;
  std::vector<uint32_t> order;  // pids by their first frame
  // Event chunks (indices into frames) that unpack beyond maxStructureWords (limits.h), which the
  // index checked whole (expansion.h). A cursor holds every other chunk to that bound.
  std::unordered_set<size_t> expanding;

  const uint8_t* payload(const FrameRef& frame) const { return file.data() + frame.offset + kFrameHeaderSize; }
  const Process* process(uint32_t pid) const {
    auto it = processes.find(pid);
    return it == processes.end() ? nullptr : &it->second;
  }
};

namespace detail {

/** A cursor over the event chunks frames[i] for i in `chunks`, in that order. */
std::unique_ptr<EventCursor> makeEventCursor(const TapeReader::Impl& tape, std::vector<size_t> chunks);

}  // namespace detail
}  // namespace retrace::tape
