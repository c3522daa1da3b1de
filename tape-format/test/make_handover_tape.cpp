// Test tool: writes a small recording whose processes carry a thread hand-over schedule, for the
// facade's tests of `summary` and `print`. The content is fixed so that the tests can assert on it.
// Not installed with the product.
//
//   make_handover_tape [--no-end] [--hole] OUT
//
// Process 4343 (root, threads main, worker-1, worker-2): three events and nine hand-overs in three
// frames: #0-3, #4-5, #6-8; 5 yield, 2 block, 1 forced (#3), 1 escape (#5).
// Process 4344 (its child, threads main, worker-1): two events and two yields in one frame.
// --no-end: the root has no end frame (killed). --hole: the root's second hand-over frame is cut out
// of the file afterwards, so its schedule reads #0-3 only while its end frame counts nine.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "retrace/tape/frame.h"
#include "retrace/tape/reader.h"
#include "retrace/tape/writer.h"

using namespace retrace::tape;

namespace {

constexpr uint32_t kRoot = 4343;
constexpr uint32_t kChild = 4344;
constexpr int64_t kStartMillis = 1763740000000;  // 2025-11-21T15:46:40Z
constexpr uint16_t kNanoTime = 1;
constexpr uint8_t kYield = 0, kBlock = 1, kForced = 2, kEscape = 3;

ProcessStartInfo processStart(uint32_t pid, uint32_t parent, std::vector<std::string> argv) {
  ProcessStartInfo info;
  info.formatVersion = kFormatVersion;
  info.pid = pid;
  info.parentPid = parent;
  info.argv = std::move(argv);
  info.javaHome = "/usr/lib/jvm/temurin-25-jdk-amd64";
  info.jvmVersion = "OpenJDK 64-Bit Server VM 25.0.3+9-LTS";
  info.cwd = "/srv/app";
  info.startTimeMillis = kStartMillis + (parent == 0 ? 0 : 500);
  info.calls = {{kNanoTime, "java.lang.System", "nanoTime", "()J"}};
  return info;
}

std::unique_ptr<TapeWriter> openWriter(const std::string& out, TapeWriter::Mode mode) {
  std::string error;
  auto writer = TapeWriter::open(out, mode, shebangLine("/usr/bin/env -S retrace-replay"), error);
  if (!writer) std::fprintf(stderr, "make_handover_tape: %s\n", error.c_str());
  return writer;
}

bool writeRoot(const std::string& out, bool end) {
  auto writer = openWriter(out, TapeWriter::Mode::kCreate);
  if (!writer) return false;
  writer->writeProcessStart(processStart(kRoot, 0, {"java", "-cp", "app.jar", "demo.Threads"}));
  writer->submitThreadStart({0, "main"});
  writer->submitThreadStart({1, "worker-1", true, 0, 0});
  writer->submitThreadStart({2, "worker-2", true, 0, 1});
  const std::vector<std::vector<HandoverRecord>> frames = {
      {{0, 3, 1, kYield}, {1, 1, 2, kBlock}, {2, 5, 0, kYield}, {0, 7, 2, kForced}},
      {{2, 9, 1, kYield}, {1, 4, 0, kEscape}},
      {{0, 12, 1, kBlock}, {1, 6, 2, kYield}, {2, 14, 0, kYield}}};
  uint32_t thread = 0;
  for (const auto& entries : frames) {
    EventBuffer events;
    events.appendValue(kNanoTime, 1000000 + thread);
    writer->submit(thread, 0, std::move(events));
    writer->submitHandovers(entries);
    ++thread;
  }
  if (end) {
    ProcessEndInfo info;
    info.eventCount = 3;
    info.endTimeMillis = kStartMillis + 1234;
    info.threads = {{0, "main"}, {1, "worker-1"}, {2, "worker-2"}};
    writer->finish(info);
  }
  return true;
}

bool writeChild(const std::string& out) {
  auto writer = openWriter(out, TapeWriter::Mode::kAppend);
  if (!writer) return false;
  writer->writeProcessStart(processStart(kChild, kRoot, {"java", "-cp", "app.jar", "demo.Child"}));
  writer->submitThreadStart({0, "main"});
  writer->submitThreadStart({1, "worker-1", true, 0, 0});
  EventBuffer main;
  main.appendValue(kNanoTime, 2000000);
  writer->submit(0, 0, std::move(main));
  EventBuffer worker;
  worker.appendValue(kNanoTime, 2000100);
  writer->submit(1, 0, std::move(worker));
  writer->submitHandovers({{0, 2, 1, kYield}, {1, 1, 0, kYield}});
  ProcessEndInfo info;
  info.eventCount = 2;
  info.endTimeMillis = kStartMillis + 800;
  info.threads = {{0, "main"}, {1, "worker-1"}};
  writer->finish(info);
  return true;
}

/** Cuts the root's second Handovers frame out of `out`: the frames around it stay whole. */
bool cutHole(const std::string& out) {
  std::string error;
  uint64_t offset = 0, size = 0;
  {
    auto reader = TapeReader::open(out, error);
    if (!reader) {
      std::fprintf(stderr, "make_handover_tape: %s\n", error.c_str());
      return false;
    }
    int seen = 0;
    for (const FrameRef& frame : reader->frames()) {
      if (frame.pid == kRoot && frame.kind == MessageKind::kHandovers && ++seen == 2) {
        offset = frame.offset;
        size = kFrameHeaderSize + frame.length;
      }
    }
  }
  std::string bytes;
  {
    std::ifstream in(out, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (size == 0 || offset + size > bytes.size()) return false;
  bytes.erase(offset, size);
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(file);
}

}  // namespace

int main(int argc, char** argv) {
  bool end = true, hole = false;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--no-end") {
      end = false;
    } else if (arg == "--hole") {
      hole = true;
    } else if (out.empty() && !arg.empty() && arg[0] != '-') {
      out = arg;
    } else {
      out.clear();
      break;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "usage: make_handover_tape [--no-end] [--hole] OUT\n");
    return 2;
  }
  // The root's writer is gone (finished, or dropped as if killed) before the child appends.
  if (!writeRoot(out, end) || !writeChild(out)) return 1;
  if (hole && !cutHole(out)) {
    std::fprintf(stderr, "make_handover_tape: cannot cut a hand-over frame out of %s\n", out.c_str());
    return 1;
  }
  return 0;
}
