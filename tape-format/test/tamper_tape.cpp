// Test tool: rewrites a recording with one event changed, to prove that replay reports a
// tampered boundary sequence as a divergence. Not installed with the product.
//
//   tamper_tape IN OUT --thread T --index K (--call ID | --drop)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "retrace/tape/reader.h"
#include "retrace/tape/writer.h"

using namespace retrace::tape;

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: tamper_tape IN OUT --thread T --index K (--call ID | --drop)\n");
    return 2;
  }
  std::string in = argv[1], out = argv[2];
  long thread = -1, index = -1, call = -1;
  bool drop = false;
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--drop")
      drop = true;
    else if (i + 1 < argc && arg == "--thread")
      thread = std::atol(argv[++i]);
    else if (i + 1 < argc && arg == "--index")
      index = std::atol(argv[++i]);
    else if (i + 1 < argc && arg == "--call")
      call = std::atol(argv[++i]);
  }
  std::string error;
  auto reader = TapeReader::open(in, error);
  if (reader == nullptr || reader->pids().empty()) {
    std::fprintf(stderr, "tamper_tape: %s\n", error.c_str());
    return 1;
  }
  uint32_t pid = reader->pids().front();
  auto writer = TapeWriter::open(out, TapeWriter::Mode::kCreate, reader->shebang() + "\n", error);
  if (writer == nullptr) {
    std::fprintf(stderr, "tamper_tape: %s\n", error.c_str());
    return 1;
  }
  writer->writeProcessStart(*reader->processStart(pid));
  std::map<uint32_t, EventBuffer> buffers;
  bool changed = false;
  auto cursor = reader->allEvents(pid);
  while (cursor->next()) {
    bool target = static_cast<long>(cursor->thread()) == thread && static_cast<long>(cursor->index()) == index;
    if (target && drop) {
      changed = true;
      continue;
    }
    uint16_t id = target ? static_cast<uint16_t>(call) : cursor->call();
    changed |= target;
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
    for (size_t i = 0; i < cursor->frameCount(); ++i) event.frame(cursor->frameMethod(i), cursor->frameLine(i));
    event.finish();
  }
  for (auto& [id, buffer] : buffers) writer->submit(id, 0, std::move(buffer));
  const ProcessEndInfo* end = reader->processEnd(pid);
  writer->finish(end != nullptr ? *end : ProcessEndInfo{});
  if (!changed) {
    std::fprintf(stderr, "tamper_tape: no event %ld in thread %ld\n", index, thread);
    return 1;
  }
  return 0;
}
