// Helpers shared by the tape tests: scratch files, a typical process start, whole-file I/O.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "retrace/tape/frame.h"
#include "retrace/tape/process_info.h"
#include "retrace/tape/reader.h"
#include "retrace/tape/writer.h"

namespace retrace::tape::test {

/** A directory removed with its files when the test ends. */
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base ? base : "/tmp") + "/retrace-tape-XXXXXX";
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::string command = "rm -rf '" + path_ + "'";
    int ignored = system(command.c_str());
    (void)ignored;
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

constexpr uint16_t kNanoTime = 1;
constexpr uint16_t kCurrentTimeMillis = 2;
constexpr uint16_t kReadBytes = 3;
constexpr uint16_t kOpen = 4;
constexpr uint16_t kEnviron = 5;

inline ProcessStartInfo sampleStart(uint32_t pid, uint32_t parentPid = 0) {
  ProcessStartInfo info;
  info.pid = pid;
  info.parentPid = parentPid;
  info.parentEventIndex = parentPid != 0 ? 42 : 0;
  info.argv = {"/usr/lib/jvm/java-17/bin/java", "-jar", "app.jar", "--port", "0"};
  info.javaHome = "/usr/lib/jvm/java-17";
  info.jvmVersion = "OpenJDK 64-Bit Server VM 17.0.9+9";
  info.cwd = "/home/user/app";
  info.env = {"PATH=/usr/bin:/bin", "HOME=/home/user", "EMPTY="};
  info.systemProperties = {{"java.version", "17.0.9"}, {"user.name", "user"}, {"line.separator", "\n"}};
  info.code = {{"/usr/lib/jvm/java-17/release", CodeRole::kJavaHome, 0x12345678u, 1234},
               {"/home/user/app/app.jar", CodeRole::kClasspath, 0xDEADBEEFu, 99999999999ull},
               {"/opt/retrace/lib/libretrace.so", CodeRole::kAgent, 0xFFFFFFFFu, 0}};
  info.startTimeMillis = 1700000000123;
  info.agentOptions = "record,tape=run.retrace";
  info.calls = {{kNanoTime, "java.lang.System", "nanoTime", "()J"},
                {kCurrentTimeMillis, "java.lang.System", "currentTimeMillis", "()J"},
                {kReadBytes, "java.io.FileInputStream", "readBytes", "([BII)I"},
                {kOpen, "java.io.FileInputStream", "open0", "(Ljava/lang/String;)V"},
                {kEnviron, "java.lang.ProcessEnvironment", "environ", "()[[B"}};
  return info;
}

inline std::unique_ptr<TapeWriter> openWriter(const std::string& path,
                                              TapeWriter::Mode mode = TapeWriter::Mode::kCreate) {
  std::string error;
  auto writer = TapeWriter::open(path, mode, shebangLine("/opt/retrace/bin/retrace-replay"), error);
  EXPECT_TRUE(writer) << error;
  return writer;
}

inline std::unique_ptr<TapeReader> openReader(const std::string& path) {
  std::string error;
  auto reader = TapeReader::open(path, error);
  EXPECT_TRUE(reader) << error;
  return reader;
}

/**
 * A small complete tape: process start, two thread starts, a few events of each kind on two
 * threads, process end. Returns the pid.
 */
inline uint32_t writeSmallTape(const std::string& path, bool withEnd = true) {
  const uint32_t pid = 4242;
  auto writer = openWriter(path);
  writer->writeProcessStart(sampleStart(pid));
  writer->submitThreadStart({0, "main"});
  writer->submitThreadStart({1, "worker-1"});
  EventBuffer main;
  main.appendValue(kNanoTime, 1000);
  main.appendValue(kNanoTime, 1500);
  main.appendValue(kCurrentTimeMillis, 1700000000000);
  main.begin(kReadBytes, 5).data("hello", 5).finish();
  main.begin(kOpen, 0)
      .item("/etc/hosts", 10)
      .thrown("java.io.FileNotFoundException", "/etc/hosts (denied)", 13)
      .finish();
  main = writer->submit(0, 0, std::move(main));
  EventBuffer worker;
  worker.appendValue(kNanoTime, 2000);
  worker.begin(kEnviron, 2).item("A=1", 3).nullItem().finish();
  worker = writer->submit(1, 0, std::move(worker));
  if (withEnd) {
    ProcessEndInfo end;
    end.exitStatus = 0;
    end.eventCount = 7;
    end.endTimeMillis = 1700000001000;
    end.threads = {{0, "main"}, {1, "worker-1"}};
    writer->finish(end);
  }
  return pid;
}

/** Hand-over kinds as the demux numbers them. */
constexpr uint8_t kYield = 0;
constexpr uint8_t kBlock = 1;
constexpr uint8_t kForced = 2;
constexpr uint8_t kEscape = 3;
constexpr uint8_t kPreempt = 4;

/**
 * A schedule of nine hand-overs among three threads, each one's `from` the previous one's `to` as
 * the demux writes them: 5 yield, 2 block, 1 forced, 1 escape. scheduledTapeFrames() says how
 * writeScheduledTape splits it into frames.
 */
inline std::vector<HandoverRecord> sampleSchedule() {
  return {{0, 3, 1, kYield},  {1, 1, 2, kBlock},  {2, 5, 0, kYield}, {0, 7, 2, kForced}, {2, 9, 1, kYield},
          {1, 4, 0, kEscape}, {0, 12, 1, kBlock}, {1, 6, 2, kYield}, {2, 14, 0, kYield}};
}
inline std::vector<size_t> scheduledTapeFrames() {
  return {4, 2, 3};
}

/**
 * A complete tape of one process (pid 4343, three threads) whose schedule comes in three Handovers
 * frames, between event chunks. Returns the pid.
 */
inline uint32_t writeScheduledTape(const std::string& path, bool withEnd = true) {
  const uint32_t pid = 4343;
  auto writer = openWriter(path);
  writer->writeProcessStart(sampleStart(pid));
  writer->submitThreadStart({0, "main"});
  writer->submitThreadStart({1, "worker-1", true, 0, 0});
  writer->submitThreadStart({2, "worker-2", true, 0, 1});
  const std::vector<HandoverRecord> schedule = sampleSchedule();
  size_t at = 0;
  uint64_t events = 0;
  for (size_t size : scheduledTapeFrames()) {
    EventBuffer buffer;
    buffer.appendValue(kNanoTime, static_cast<int64_t>(1000 + at));
    buffer = writer->submit(0, events, std::move(buffer));
    ++events;
    writer->submitHandovers(std::vector<HandoverRecord>(schedule.begin() + at, schedule.begin() + at + size));
    at += size;
  }
  if (withEnd) {
    ProcessEndInfo end;
    end.eventCount = events;
    end.threads = {{0, "main"}, {1, "worker-1"}, {2, "worker-2"}};
    writer->finish(end);
  }
  return pid;
}

}  // namespace retrace::tape::test
