// libFuzzer target: a recording from someone else, read as the Java CLI reads it (summary, then
// every process's events and hand-overs) through the C ABI. Any crash, sanitizer report, leak or
// timeout is a finding; a clean error is the expected answer to most inputs.
#include <cstdlib>
#include <cstring>
#include <set>

#include "fuzz_file.h"
#include "retrace/tape/tape_c.h"

namespace {

/** The pids the summary names ("pid":N inside "processes"), to rewind to each. */
std::set<uint32_t> pidsIn(const char* json) {
  std::set<uint32_t> pids;
  const char* processes = std::strstr(json, "\"processes\":");
  for (const char* at = processes; at != nullptr && (at = std::strstr(at, "\"pid\":")) != nullptr;) {
    at += 6;
    pids.insert(static_cast<uint32_t>(std::strtoul(at, nullptr, 10)));
  }
  return pids;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  retrace::tape::fuzz::FuzzFile file(data, size);
  if (file.path().empty()) return 0;
  char error[512];
  rt_tape* tape = rt_tape_open(file.path().c_str(), error, sizeof error);
  if (tape == nullptr) {
    if (std::memchr(error, '\n', std::strlen(error)) != nullptr) std::abort();  // errors are one line
    return 0;
  }
  char* summary = rt_tape_summary_json(tape);
  std::set<uint32_t> pids = summary != nullptr ? pidsIn(summary) : std::set<uint32_t>{};
  rt_free(summary);
  pids.insert(0);  // a pid the recording may not have
  for (uint32_t pid : pids) {
    if (rt_tape_rewind(tape, pid) != 0) continue;
    while (char* event = rt_tape_next_event_json(tape)) rt_free(event);
    while (char* handover = rt_tape_next_handover_json(tape)) rt_free(handover);
  }
  rt_tape_close(tape);
  return 0;
}
