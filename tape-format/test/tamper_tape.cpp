// Test tool: rewrites a recording with one event or one hand-over changed, to prove that replay
// reports a tampered boundary sequence or thread schedule as a divergence. Not installed with the
// product.
//
//   tamper_tape IN OUT --thread T --index K (--call ID | --drop | --line N)
//   tamper_tape IN OUT --handover K (--to T | --drop)
//
// Only the first process of IN is written to OUT. Its hand-overs are copied in frames of the
// sizes they had; K counts hand-overs from 0 across those frames. A dropped hand-over leaves a
// schedule that still reads as whole: the writer numbers the entries and counts them in the end
// frame itself.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "retrace/tape/reader.h"
#include "retrace/tape/writer.h"

using namespace retrace::tape;

namespace {

constexpr const char* kUsage =
    "usage: tamper_tape IN OUT --thread T --index K (--call ID | --drop | --line N)\n"
    "       tamper_tape IN OUT --handover K (--to T | --drop)\n";

struct Options {
  std::string in, out;
  // --line: the recorded stack's first frame with a line number gets line N (the call stays)
  std::optional<unsigned long long> thread, index, call, line, handover, to;
  bool drop = false;
};

bool parseNumber(const char* text, unsigned long long& value) {
  if (text == nullptr || *text < '0' || *text > '9') return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtoull(text, &end, 10);
  return errno == 0 && *end == '\0';
}

/** Fills `o` from argv; false (after one line on stderr) when the arguments make no request. */
bool parse(int argc, char** argv, Options& o) {
  if (argc < 3) return false;
  o.in = argv[1];
  o.out = argv[2];
  const std::map<std::string, std::optional<unsigned long long>*> numbers = {
      {"--thread", &o.thread}, {"--index", &o.index},       {"--call", &o.call},
      {"--line", &o.line},     {"--handover", &o.handover}, {"--to", &o.to}};
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--drop") {
      o.drop = true;
      continue;
    }
    auto it = numbers.find(arg);
    unsigned long long value = 0;
    if (it == numbers.end() || i + 1 >= argc || !parseNumber(argv[i + 1], value)) {
      std::fprintf(stderr, "tamper_tape: bad argument %s\n", arg.c_str());
      return false;
    }
    *it->second = value;
    ++i;
  }
  int eventChanges = int(o.call.has_value()) + int(o.drop) + int(o.line.has_value());
  bool eventMode = o.thread && o.index && eventChanges == 1 && !o.handover && !o.to;
  bool handoverMode = o.handover && (o.to.has_value() != o.drop) && !o.thread && !o.index && !o.call && !o.line;
  return eventMode || handoverMode;
}

/** The events of `pid`, with event `index` of `thread` given `call`, or left out with `drop`. */
bool copyEvents(const TapeReader& reader, uint32_t pid, const Options& o, TapeWriter& writer) {
  std::map<uint32_t, EventBuffer> buffers;
  bool changed = false;
  auto cursor = reader.allEvents(pid);
  while (cursor->next()) {
    bool target = o.thread && o.index && cursor->thread() == *o.thread && cursor->index() == *o.index;
    if (target && o.drop) {
      changed = true;
      continue;
    }
    uint16_t id = target && o.call ? static_cast<uint16_t>(*o.call) : cursor->call();
    bool lineChanged = false;
    EventBuffer::Builder event = buffers[cursor->thread()].begin(id, cursor->value());
    if (cursor->hasData()) event.data(cursor->data().data(), cursor->data().size());
    for (size_t i = 0; i < cursor->itemCount(); ++i) {
      if (cursor->itemIsNull(i))
        event.nullItem();
      else
        event.item(cursor->item(i).data(), cursor->item(i).size());
    }
    for (size_t i = 0; i < cursor->fieldCount(); ++i) event.field(cursor->field(i));
    if (cursor->hasThrown()) {
      std::string message(cursor->thrownMessage());
      event.thrown(cursor->thrownClass(), cursor->thrownHasMessage() ? message.c_str() : nullptr,
                   cursor->thrownErrno());
    }
    for (size_t i = 0; i < cursor->frameCount(); ++i) {
      int line = cursor->frameLine(i);
      if (target && o.line && !lineChanged && line >= 0) {
        line = static_cast<int>(*o.line);
        lineChanged = true;
      }
      event.frame(cursor->frameMethod(i), line);
    }
    changed |= target && (!o.line || lineChanged);
    event.finish();
  }
  for (auto& [id, buffer] : buffers) writer.submit(id, 0, std::move(buffer));
  return changed;
}

/**
 * The schedule of `pid` in frames of the sizes it was read in, with hand-over `handover`
 * redirected `to` another thread or left out with `drop`.
 */
void copyHandovers(const TapeReader& reader, uint32_t pid, const Options& o, TapeWriter& writer) {
  const std::vector<HandoverRecord> schedule = reader.handovers(pid);
  size_t at = 0;
  for (const FrameRef& frame : reader.frames()) {
    if (frame.pid != pid || frame.kind != MessageKind::kHandovers || frame.firstIndex != at) continue;
    std::vector<HandoverRecord> entries;
    for (size_t end = std::min(schedule.size(), at + frame.handoverCount); at < end; ++at) {
      HandoverRecord entry = schedule[at];
      if (o.handover && at == *o.handover) {
        if (o.drop) continue;
        entry.to = static_cast<uint32_t>(*o.to);
      }
      entries.push_back(entry);
    }
    writer.submitHandovers(std::move(entries));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string error;
  auto reader = TapeReader::open(o.in, error);
  if (reader == nullptr || reader->pids().empty() || reader->processStart(reader->pids().front()) == nullptr) {
    std::fprintf(stderr, "tamper_tape: %s\n",
                 reader == nullptr ? error.c_str() : (o.in + " holds no whole process start").c_str());
    return 1;
  }
  uint32_t pid = reader->pids().front();
  if (o.handover) {
    // Checked before OUT is touched: a failed request leaves no half-tampered file behind.
    size_t count = reader->handovers(pid).size();
    if (*o.handover >= count) {
      std::fprintf(stderr, "tamper_tape: no hand-over %llu in process %u (it has %zu)\n", *o.handover, pid, count);
      return 1;
    }
  }
  auto writer = TapeWriter::open(o.out, TapeWriter::Mode::kCreate, reader->shebang() + "\n", error);
  if (writer == nullptr) {
    std::fprintf(stderr, "tamper_tape: %s\n", error.c_str());
    return 1;
  }
  writer->writeProcessStart(*reader->processStart(pid));
  bool changed = copyEvents(*reader, pid, o, *writer);
  copyHandovers(*reader, pid, o, *writer);
  const ProcessEndInfo* end = reader->processEnd(pid);
  writer->finish(end != nullptr ? *end : ProcessEndInfo{});
  if (!o.handover && !changed) {
    std::fprintf(stderr, "tamper_tape: no event %llu in thread %llu\n", *o.index, *o.thread);
    return 1;
  }
  return 0;
}
