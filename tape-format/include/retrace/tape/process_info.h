// Plain C++ mirrors of the process-level messages of retrace.capnp, so that the agent, the
// launcher and the facade's C ABI never touch Cap'n Proto builders directly.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace retrace::tape {

enum class CodeRole : uint8_t { kJavaHome = 0, kClasspath = 1, kAgent = 2, kLoaded = 3 };

struct CodeEntry {
  // The size of an entry that did not exist when it was fingerprinted (a classpath directory Maven
  // names but never created, say): such an entry must still be missing at replay.
  static constexpr uint64_t kMissing = UINT64_MAX;

  std::string path;
  CodeRole role = CodeRole::kClasspath;
  uint32_t crc32c = 0;
  uint64_t size = 0;
};

struct CallInfo {
  uint16_t id = 0;
  std::string className;   // java.io.FileInputStream
  std::string method;      // readBytes
  std::string descriptor;  // ([BII)I
};

struct ThreadInfo {
  uint32_t thread = 0;
  std::string name;
  bool started = false;  // parent and childIndex are known
  uint32_t parent = 0;
  uint32_t childIndex = 0;
};

struct ProcessStartInfo {
  uint32_t formatVersion = 0;
  uint32_t pid = 0;
  uint32_t parentPid = 0;
  uint64_t parentEventIndex = 0;
  uint32_t parentThread = 0;  // the parent's thread that started it; with parentEventIndex
  std::vector<std::string> argv;
  std::string javaHome;
  std::string jvmVersion;
  std::string cwd;
  std::vector<std::string> env;
  std::vector<std::pair<std::string, std::string>> systemProperties;
  std::vector<CodeEntry> code;
  int64_t startTimeMillis = 0;
  std::string agentOptions;
  std::vector<CallInfo> calls;
};

/**
 * One entry of the thread hand-over schedule (retrace.capnp Handover): `from` gave the baton up after
 * its `fromPoint`-th scheduling point and `to` got it next. `kind` holds demux::HandoverKind's
 * values: 0 yield, 1 block, 2 forced, 3 escape, 4 preempt (at `fromTick` ticks after that point).
 */
struct HandoverRecord {
  uint32_t from = 0;
  uint64_t fromPoint = 0;
  uint32_t to = 0;
  uint8_t kind = 0;
  uint64_t fromTick = 0;
  bool operator==(const HandoverRecord& other) const {
    return from == other.from && fromPoint == other.fromPoint && to == other.to && kind == other.kind &&
           fromTick == other.fromTick;
  }
};

/** retrace.capnp ClearedReferences: what the collector cleared, by kind. */
struct ClearedReferences {
  bool counted = false;  // false: the recording agent did not count them (an older agent, or no end frame)
  uint64_t weak = 0;
  uint64_t soft = 0;
  uint64_t phantom = 0;
  uint64_t finalized = 0;
};

struct ProcessEndInfo {
  int32_t exitStatus = 0;
  bool complete = true;
  uint64_t eventCount = 0;
  int64_t endTimeMillis = 0;
  std::string truncatedReason;
  std::vector<ThreadInfo> threads;
  // TapeWriter::finish sets it to the hand-overs submitted, whatever the caller put here: only the
  // writer knows how many it was given.
  uint64_t handoverCount = 0;
  // Code found as the program ran (CodeRole::kLoaded): jars and class files its class loaders
  // opened, read live and checked by replay like ProcessStartInfo::code.
  std::vector<CodeEntry> code;
  ClearedReferences cleared;
};

}  // namespace retrace::tape
