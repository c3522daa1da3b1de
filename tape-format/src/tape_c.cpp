// The C ABI for the Java facade (tape_c.h). Everything crosses as JSON text built here by hand;
// nothing may throw across the boundary, so every entry point catches everything.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "retrace/tape/frame.h"
#include "retrace/tape/json_writer.h"
#include "retrace/tape/reader.h"

// The library is built with -fvisibility=hidden; the C ABI is what it exists to export.
#pragma GCC visibility push(default)
#include "retrace/tape/tape_c.h"
#pragma GCC visibility pop

using retrace::tape::CodeEntry;
using retrace::tape::EventCursor;
using retrace::tape::HandoverRecord;
using retrace::tape::ProcessEndInfo;
using retrace::tape::ProcessStartInfo;
using retrace::tape::TapeReader;
using retrace::tape::detail::JsonWriter;

struct rt_tape {
  std::string path;
  std::unique_ptr<TapeReader> reader;
  std::unique_ptr<EventCursor> cursor;  // of the pid chosen by rt_tape_rewind
  uint32_t pid = 0;
  std::vector<HandoverRecord> handovers;  // of that pid, read by rt_tape_next_handover_json
  size_t nextHandover = 0;
  std::unordered_map<uint16_t, std::string> callNames;
};

namespace {

constexpr size_t kDataPreviewBytes = 64;

char* copyOut(const std::string& text) {
  auto* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out != nullptr) std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

void setError(char* err, size_t errLength, const std::string& message) {
  if (err == nullptr || errLength == 0) return;
  size_t n = std::min(message.size(), errLength - 1);
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

/** "java.lang.System.nanoTime()J": how every tool names a boundary call. */
std::unordered_map<uint16_t, std::string> callNamesOf(const ProcessStartInfo* start) {
  std::unordered_map<uint16_t, std::string> names;
  if (start == nullptr) return names;
  for (const auto& call : start->calls) names[call.id] = call.className + "." + call.method + call.descriptor;
  return names;
}

std::string callName(const std::unordered_map<uint16_t, std::string>& names, uint16_t id) {
  auto it = names.find(id);
  return it != names.end() ? it->second : "unknown call #" + std::to_string(id);
}

const char* roleName(retrace::tape::CodeRole role);

void writeCode(JsonWriter& json, const std::vector<CodeEntry>& entries) {
  json.key("code").beginArray();
  for (const auto& code : entries) {
    json.beginObject();
    json.key("path").string(code.path);
    json.key("role").string(roleName(code.role));
    json.key("crc32c").unsignedNumber(code.crc32c);
    if (code.size == CodeEntry::kMissing) {
      json.key("size").null();
    } else {
      json.key("size").unsignedNumber(code.size);
    }
    json.endObject();
  }
  json.endArray();
}

const char* roleName(retrace::tape::CodeRole role) {
  switch (role) {
    case retrace::tape::CodeRole::kJavaHome:
      return "javaHome";
    case retrace::tape::CodeRole::kClasspath:
      return "classpath";
    case retrace::tape::CodeRole::kAgent:
      return "agent";
    case retrace::tape::CodeRole::kLoaded:
      return "loaded";
  }
  return "unknown";
}

// The reader refuses any other kind, so these five are all a schedule holds.
constexpr const char* kHandoverKindNames[] = {"yield", "block", "forced", "escape", "preempt"};
constexpr size_t kHandoverKinds = sizeof kHandoverKindNames / sizeof kHandoverKindNames[0];
constexpr uint8_t kPreemptKind = 4;

const char* handoverKindName(uint8_t kind) {
  return kind < kHandoverKinds ? kHandoverKindNames[kind] : "unknown";
}

void stringArray(JsonWriter& json, const std::vector<std::string>& values) {
  json.beginArray();
  for (const auto& value : values) json.string(value);
  json.endArray();
}

void writeProcessStart(JsonWriter& json, const ProcessStartInfo& start) {
  json.key("parentPid").unsignedNumber(start.parentPid);
  json.key("parentEventIndex").unsignedNumber(start.parentEventIndex);
  json.key("parentThread").unsignedNumber(start.parentThread);
  json.key("argv");
  stringArray(json, start.argv);
  json.key("javaHome").string(start.javaHome);
  json.key("jvmVersion").string(start.jvmVersion);
  json.key("cwd").string(start.cwd);
  json.key("startTimeMillis").number(start.startTimeMillis);
  json.key("agentOptions").string(start.agentOptions);
  json.key("env");
  stringArray(json, start.env);
  json.key("systemProperties").beginObject();
  for (const auto& [key, value] : start.systemProperties) json.key(key).string(value);
  json.endObject();
  writeCode(json, start.code);
}

void writeProcessEnd(JsonWriter& json, const ProcessEndInfo* end) {
  json.key("end");
  if (end == nullptr) {
    json.null();
    return;
  }
  json.beginObject();
  json.key("exitStatus").number(end->exitStatus);
  json.key("complete").boolean(end->complete);
  json.key("eventCount").unsignedNumber(end->eventCount);
  json.key("endTimeMillis").number(end->endTimeMillis);
  json.key("truncatedReason").string(end->truncatedReason);
  json.key("handoverCount").unsignedNumber(end->handoverCount);
  json.key("cleared").beginObject();
  json.key("counted").boolean(end->cleared.counted);
  json.key("weak").unsignedNumber(end->cleared.weak);
  json.key("soft").unsignedNumber(end->cleared.soft);
  json.key("phantom").unsignedNumber(end->cleared.phantom);
  json.key("finalized").unsignedNumber(end->cleared.finalized);
  json.endObject();
  writeCode(json, end->code);
  json.endObject();
}

void writeHandoverCounts(JsonWriter& json, const TapeReader& reader, uint32_t pid) {
  uint64_t counts[kHandoverKinds] = {};
  const std::vector<HandoverRecord> handovers = reader.handovers(pid);
  for (const HandoverRecord& entry : handovers) {
    if (entry.kind < kHandoverKinds) ++counts[entry.kind];
  }
  json.key("handovers").unsignedNumber(handovers.size());
  json.key("handoverKinds").beginObject();
  for (size_t kind = 0; kind < kHandoverKinds; ++kind) json.key(kHandoverKindNames[kind]).unsignedNumber(counts[kind]);
  json.endObject();
  json.key("handoversComplete").boolean(reader.handoversComplete(pid));
}

void writeEventCounts(JsonWriter& json, const TapeReader& reader, uint32_t pid, uint64_t eventsRead) {
  json.key("events").unsignedNumber(eventsRead);
  // Every chunk the index took, each of the length it says, and as many events as the end frames count.
  json.key("eventsComplete").boolean(reader.eventsComplete(pid) && eventsRead == reader.eventCount(pid));
}

void writeProcess(JsonWriter& json, const TapeReader& reader, uint32_t pid) {
  const ProcessStartInfo* start = reader.processStart(pid);
  json.beginObject();
  json.key("pid").unsignedNumber(pid);
  writeProcessStart(json, start != nullptr ? *start : ProcessStartInfo());
  writeProcessEnd(json, reader.processEnd(pid));
  json.key("threads").beginArray();
  for (const auto& thread : reader.threads(pid)) {
    json.beginObject().key("thread").unsignedNumber(thread.thread).key("name").string(thread.name).endObject();
  }
  json.endArray();

  // Counts come from the events as read, so they agree with what print shows.
  std::unordered_map<uint16_t, uint64_t> counts;
  uint64_t events = 0;
  auto cursor = reader.allEvents(pid);
  while (cursor->next()) {
    ++counts[cursor->call()];
    ++events;
  }
  uint64_t bytes = 0, firstOffset = 0, lastOffset = 0;
  bool any = false;
  for (const auto& frame : reader.frames()) {
    if (frame.pid != pid) continue;
    bytes += frame.length;
    if (!any) firstOffset = frame.offset;
    lastOffset = frame.offset;
    any = true;
  }
  writeEventCounts(json, reader, pid, events);
  json.key("bytes").unsignedNumber(bytes);
  json.key("firstOffset").unsignedNumber(firstOffset);
  json.key("lastOffset").unsignedNumber(lastOffset);

  std::vector<std::pair<uint16_t, uint64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  auto names = callNamesOf(start);
  json.key("calls").beginArray();
  for (const auto& [id, count] : sorted) {
    json.beginObject().key("id").unsignedNumber(id).key("name").string(callName(names, id));
    json.key("count").unsignedNumber(count).endObject();
  }
  json.endArray();
  writeHandoverCounts(json, reader, pid);
  json.endObject();
}

std::string summary(const rt_tape& tape) {
  const TapeReader& reader = *tape.reader;
  // A recording with no process in it is not complete, whatever else is true of it.
  bool complete = reader.stop().clean && !reader.pids().empty();
  for (uint32_t pid : reader.pids()) {
    const ProcessEndInfo* end = reader.processEnd(pid);
    complete =
        complete && end != nullptr && end->complete && reader.handoversComplete(pid) && reader.eventsComplete(pid);
  }
  JsonWriter json;
  json.beginObject();
  json.key("path").string(tape.path);
  json.key("fileSize").unsignedNumber(reader.fileSize());
  json.key("shebang").string(reader.shebang());
  json.key("formatVersion").unsignedNumber(retrace::tape::kFormatVersion);
  json.key("complete").boolean(complete);
  json.key("stop").beginObject();
  json.key("clean").boolean(reader.stop().clean);
  json.key("offset").unsignedNumber(reader.stop().offset);
  json.key("reason").string(reader.stop().reason);
  json.key("tampered").boolean(reader.stop().tampered);
  json.endObject();
  json.key("frames").unsignedNumber(reader.frames().size());
  json.key("pack");
  if (reader.packOffset() == 0) {
    json.null();
  } else {
    json.beginObject().key("offset").unsignedNumber(reader.packOffset());
    json.key("bytes").unsignedNumber(reader.fileSize() - reader.packOffset()).endObject();
  }
  json.key("processes").beginArray();
  for (uint32_t pid : reader.pids()) writeProcess(json, reader, pid);
  json.endArray();
  json.endObject();
  return json.text();
}

std::string eventJson(const rt_tape& tape) {
  const EventCursor& event = *tape.cursor;
  JsonWriter json;
  json.beginObject();
  json.key("pid").unsignedNumber(tape.pid);
  json.key("thread").unsignedNumber(event.thread());
  json.key("index").unsignedNumber(event.index());
  json.key("call").string(callName(tape.callNames, event.call()));
  json.key("callId").unsignedNumber(event.call());
  json.key("value").number(event.value());
  if (event.hasData()) {
    std::string_view data = event.data();
    json.key("data").beginObject();
    json.key("length").unsignedNumber(data.size());
    json.key("text").string(data.substr(0, kDataPreviewBytes));
    json.endObject();
  }
  if (event.itemCount() > 0) {
    json.key("items").beginArray();
    for (size_t i = 0; i < event.itemCount(); ++i) {
      if (event.itemIsNull(i)) {
        json.null();
      } else {
        json.string(event.item(i));
      }
    }
    json.endArray();
  }
  if (event.fieldCount() > 0) {
    json.key("fields").beginArray();
    for (size_t i = 0; i < event.fieldCount(); ++i) json.number(event.field(i));
    json.endArray();
  }
  if (event.hasThrown()) {
    json.key("thrown").beginObject();
    json.key("className").string(event.thrownClass());
    json.key("message");
    if (event.thrownHasMessage()) {
      json.string(event.thrownMessage());
    } else {
      json.null();
    }
    json.key("errno").number(event.thrownErrno());
    json.endObject();
  }
  if (event.frameCount() > 0) {
    json.key("stack").beginArray();
    for (size_t i = 0; i < event.frameCount(); ++i) {
      // As Throwable.printStackTrace writes it: pkg.Class.method(File.java:12)
      std::string frame(event.frameMethod(i));
      if (event.frameLine(i) >= 0 && !frame.empty() && frame.back() == ')') {
        frame.insert(frame.size() - 1, ":" + std::to_string(event.frameLine(i)));
      }
      json.string(frame);
    }
    json.endArray();
  }
  json.endObject();
  return json.text();
}

std::string handoverJson(const rt_tape& tape, size_t index) {
  const HandoverRecord& entry = tape.handovers[index];
  JsonWriter json;
  json.beginObject();
  json.key("pid").unsignedNumber(tape.pid);
  json.key("index").unsignedNumber(index);
  json.key("from").unsignedNumber(entry.from);
  json.key("fromPoint").unsignedNumber(entry.fromPoint);
  json.key("to").unsignedNumber(entry.to);
  json.key("kind").string(handoverKindName(entry.kind));
  if (entry.kind == kPreemptKind) json.key("fromTick").unsignedNumber(entry.fromTick);
  json.endObject();
  return json.text();
}

}  // namespace

extern "C" {

rt_tape* rt_tape_open(const char* path, char* err, size_t err_len) {
  try {
    if (path == nullptr) {
      setError(err, err_len, "no recording given");
      return nullptr;
    }
    auto tape = std::make_unique<rt_tape>();
    tape->path = path;
    std::string error;
    tape->reader = TapeReader::open(path, error);
    if (!tape->reader) {
      setError(err, err_len, error);
      return nullptr;
    }
    setError(err, err_len, "");
    return tape.release();  // the caller owns it until rt_tape_close
  } catch (const std::exception& e) {
    setError(err, err_len, std::string("cannot read ") + path + ": " + e.what());
    return nullptr;
  }
}

void rt_tape_close(rt_tape* tape) {
  std::unique_ptr<rt_tape> owned(tape);
}

char* rt_tape_summary_json(rt_tape* tape) {
  if (tape == nullptr) return nullptr;
  try {
    return copyOut(summary(*tape));
  } catch (const std::exception&) {
    return nullptr;
  }
}

int rt_tape_rewind(rt_tape* tape, uint32_t pid) {
  if (tape == nullptr) return -1;
  try {
    tape->cursor.reset();
    tape->callNames.clear();
    tape->handovers.clear();
    tape->nextHandover = 0;
    const auto pids = tape->reader->pids();
    if (std::find(pids.begin(), pids.end(), pid) == pids.end()) return -1;
    tape->pid = pid;
    tape->callNames = callNamesOf(tape->reader->processStart(pid));
    tape->cursor = tape->reader->allEvents(pid);
    tape->handovers = tape->reader->handovers(pid);
    return 0;
  } catch (const std::exception&) {
    tape->cursor.reset();
    tape->handovers.clear();
    return -1;
  }
}

char* rt_tape_next_event_json(rt_tape* tape) {
  if (tape == nullptr || !tape->cursor) return nullptr;
  try {
    if (!tape->cursor->next()) {
      tape->cursor.reset();  // the chunk's memory goes now, not at close
      return nullptr;
    }
    return copyOut(eventJson(*tape));
  } catch (const std::exception&) {
    tape->cursor.reset();
    return nullptr;
  }
}

char* rt_tape_next_handover_json(rt_tape* tape) {
  if (tape == nullptr) return nullptr;
  try {
    if (tape->nextHandover >= tape->handovers.size()) {
      std::vector<HandoverRecord>().swap(tape->handovers);  // as with events: the memory goes now
      tape->nextHandover = 0;
      return nullptr;
    }
    return copyOut(handoverJson(*tape, tape->nextHandover++));
  } catch (const std::exception&) {
    tape->handovers.clear();
    return nullptr;
  }
}

void rt_free(char* string) {
  std::free(string);
}

}  // extern "C"
