// libFuzzer target: a recording read as the agent reads it on replay (replay_session.cpp): the
// process's start and end, its threads, its hand-over schedule, and every thread's events with
// every accessor a boundary call's answer uses.
#include <string>

#include "fuzz_file.h"
#include "retrace/tape/reader.h"

namespace {

using retrace::tape::EventCursor;

/** Touches everything an answer reads, so that a bad offset shows as a sanitizer report. */
size_t readAll(EventCursor& cursor) {
  size_t sum = 0;
  while (cursor.next()) {
    sum += cursor.thread() + cursor.index() + cursor.call() + static_cast<size_t>(cursor.value());
    if (cursor.hasData()) sum += cursor.data().size();
    for (size_t i = 0; i < cursor.itemCount(); ++i) sum += cursor.itemIsNull(i) ? 1 : cursor.item(i).size();
    for (size_t i = 0; i < cursor.fieldCount(); ++i) sum += static_cast<size_t>(cursor.field(i));
    if (cursor.hasThrown()) {
      sum += cursor.thrownClass().size() + static_cast<size_t>(cursor.thrownErrno());
      if (cursor.thrownHasMessage()) sum += cursor.thrownMessage().size();
    }
    for (size_t i = 0; i < cursor.frameCount(); ++i) {
      sum += cursor.frameMethod(i).size() + static_cast<size_t>(cursor.frameLine(i));
    }
  }
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  retrace::tape::fuzz::FuzzFile file(data, size);
  if (file.path().empty()) return 0;
  std::string error;
  auto reader = retrace::tape::TapeReader::open(file.path(), error);
  if (reader == nullptr) return 0;
  volatile size_t sink = reader->shebang().size() + reader->frames().size() + reader->stop().reason.size();
  for (uint32_t pid : reader->pids()) {
    const auto* start = reader->processStart(pid);
    const auto* end = reader->processEnd(pid);
    sink = sink + (start != nullptr) + (end != nullptr) + reader->eventCount(pid);
    for (const auto& handover : reader->handovers(pid)) sink = sink + handover.from + handover.to + handover.fromPoint;
    sink = sink + reader->handoversComplete(pid);
    for (const auto& thread : reader->threads(pid)) {
      if (auto cursor = reader->events(pid, thread.thread)) sink = sink + readAll(*cursor);
    }
    if (auto all = reader->allEvents(pid)) sink = sink + readAll(*all);
  }
  (void)sink;
  return 0;
}
