// See messages.h. Text is always initialised with its length and copied, never set from a
// pointer, because the agent hands us string_views that need not be NUL-terminated.
#include "messages.h"

namespace retrace::tape::detail {
namespace {

#define RETRACE_SET_TEXT(builder, Field, value)                            \
  do {                                                                     \
    std::string_view v_ = (value);                                         \
    copyInto((builder).init##Field(static_cast<unsigned>(v_.size())), v_); \
  } while (0)

void fillTextList(capnp::List<capnp::Text>::Builder list, const std::vector<std::string>& values) {
  for (unsigned i = 0; i < values.size(); ++i) {
    copyInto(list.init(i, static_cast<unsigned>(values[i].size())), values[i]);
  }
}

std::vector<std::string> readTextList(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> values;
  values.reserve(list.size());
  for (auto text : list) values.push_back(toString(text));
  return values;
}

void fillCode(capnp::List<schema::CodeEntry>::Builder list, const std::vector<CodeEntry>& entries) {
  for (unsigned i = 0; i < entries.size(); ++i) {
    const CodeEntry& entry = entries[i];
    RETRACE_SET_TEXT(list[i], Path, entry.path);
    list[i].setRole(static_cast<schema::CodeEntry::Role>(entry.role));
    list[i].setCrc32c(entry.crc32c);
    list[i].setSize(entry.size);
  }
}

std::vector<CodeEntry> readCode(capnp::List<schema::CodeEntry>::Reader list) {
  std::vector<CodeEntry> entries;
  entries.reserve(list.size());
  for (auto code : list) {
    CodeEntry entry;
    entry.path = toString(code.getPath());
    entry.role = static_cast<CodeRole>(code.getRole());
    entry.crc32c = code.getCrc32c();
    entry.size = code.getSize();
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

void fillProcessStart(schema::ProcessStart::Builder out, const ProcessStartInfo& info) {
  out.setFormatVersion(info.formatVersion);
  out.setPid(info.pid);
  out.setParentPid(info.parentPid);
  out.setParentEventIndex(info.parentEventIndex);
  out.setParentThread(info.parentThread);
  fillTextList(out.initArgv(static_cast<unsigned>(info.argv.size())), info.argv);
  RETRACE_SET_TEXT(out, JavaHome, info.javaHome);
  RETRACE_SET_TEXT(out, JvmVersion, info.jvmVersion);
  RETRACE_SET_TEXT(out, Cwd, info.cwd);
  fillTextList(out.initEnv(static_cast<unsigned>(info.env.size())), info.env);
  auto properties = out.initSystemProperties(static_cast<unsigned>(info.systemProperties.size()));
  for (unsigned i = 0; i < info.systemProperties.size(); ++i) {
    RETRACE_SET_TEXT(properties[i], Key, info.systemProperties[i].first);
    RETRACE_SET_TEXT(properties[i], Value, info.systemProperties[i].second);
  }
  fillCode(out.initCode(static_cast<unsigned>(info.code.size())), info.code);
  out.setStartTimeMillis(info.startTimeMillis);
  RETRACE_SET_TEXT(out, AgentOptions, info.agentOptions);
  auto calls = out.initCalls(static_cast<unsigned>(info.calls.size()));
  for (unsigned i = 0; i < info.calls.size(); ++i) {
    const CallInfo& call = info.calls[i];
    calls[i].setId(call.id);
    RETRACE_SET_TEXT(calls[i], ClassName, call.className);
    RETRACE_SET_TEXT(calls[i], Method, call.method);
    RETRACE_SET_TEXT(calls[i], Descriptor, call.descriptor);
  }
}

ProcessStartInfo readProcessStart(schema::ProcessStart::Reader in) {
  ProcessStartInfo info;
  info.formatVersion = in.getFormatVersion();
  info.pid = in.getPid();
  info.parentPid = in.getParentPid();
  info.parentEventIndex = in.getParentEventIndex();
  info.parentThread = in.getParentThread();
  info.argv = readTextList(in.getArgv());
  info.javaHome = toString(in.getJavaHome());
  info.jvmVersion = toString(in.getJvmVersion());
  info.cwd = toString(in.getCwd());
  info.env = readTextList(in.getEnv());
  for (auto property : in.getSystemProperties()) {
    info.systemProperties.emplace_back(toString(property.getKey()), toString(property.getValue()));
  }
  info.code = readCode(in.getCode());
  info.startTimeMillis = in.getStartTimeMillis();
  info.agentOptions = toString(in.getAgentOptions());
  for (auto call : in.getCalls()) {
    CallInfo entry;
    entry.id = call.getId();
    entry.className = toString(call.getClassName());
    entry.method = toString(call.getMethod());
    entry.descriptor = toString(call.getDescriptor());
    info.calls.push_back(std::move(entry));
  }
  return info;
}

void fillThreadStart(schema::ThreadStart::Builder out, const ThreadInfo& info) {
  out.setThread(info.thread);
  RETRACE_SET_TEXT(out, Name, info.name);
  out.setStarted(info.started);
  out.setParent(info.parent);
  out.setChildIndex(info.childIndex);
}

ThreadInfo readThreadStart(schema::ThreadStart::Reader in) {
  ThreadInfo info;
  info.thread = in.getThread();
  info.name = toString(in.getName());
  info.started = in.getStarted();
  info.parent = in.getParent();
  info.childIndex = in.getChildIndex();
  return info;
}

void fillProcessEnd(schema::ProcessEnd::Builder out, const ProcessEndInfo& info) {
  out.setExitStatus(info.exitStatus);
  out.setComplete(info.complete);
  out.setEventCount(info.eventCount);
  out.setEndTimeMillis(info.endTimeMillis);
  RETRACE_SET_TEXT(out, TruncatedReason, info.truncatedReason);
  auto threads = out.initThreads(static_cast<unsigned>(info.threads.size()));
  for (unsigned i = 0; i < info.threads.size(); ++i) fillThreadStart(threads[i], info.threads[i]);
  out.setHandoverCount(info.handoverCount);
  fillCode(out.initCode(static_cast<unsigned>(info.code.size())), info.code);
  if (info.cleared.counted) {
    auto cleared = out.initCleared();
    cleared.setWeak(info.cleared.weak);
    cleared.setSoft(info.cleared.soft);
    cleared.setPhantom(info.cleared.phantom);
    cleared.setFinalized(info.cleared.finalized);
  }
}

ProcessEndInfo readProcessEnd(schema::ProcessEnd::Reader in) {
  ProcessEndInfo info;
  info.exitStatus = in.getExitStatus();
  info.complete = in.getComplete();
  info.eventCount = in.getEventCount();
  info.endTimeMillis = in.getEndTimeMillis();
  info.truncatedReason = toString(in.getTruncatedReason());
  for (auto thread : in.getThreads()) info.threads.push_back(readThreadStart(thread));
  info.handoverCount = in.getHandoverCount();
  info.code = readCode(in.getCode());
  if (in.hasCleared()) {
    auto cleared = in.getCleared();
    info.cleared = {true, cleared.getWeak(), cleared.getSoft(), cleared.getPhantom(), cleared.getFinalized()};
  }
  return info;
}

void fillHandovers(schema::Handovers::Builder out, uint64_t firstIndex, const HandoverRecord* entries, size_t count) {
  out.setFirstIndex(firstIndex);
  auto list = out.initEntries(static_cast<unsigned>(count));
  for (unsigned i = 0; i < count; ++i) {
    list[i].setFrom(entries[i].from);
    list[i].setFromPoint(entries[i].fromPoint);
    list[i].setTo(entries[i].to);
    list[i].setKind(entries[i].kind);
    list[i].setFromTick(entries[i].fromTick);
  }
}

HandoverRecord readHandover(schema::Handover::Reader in) {
  HandoverRecord entry;
  entry.from = in.getFrom();
  entry.fromPoint = in.getFromPoint();
  entry.to = in.getTo();
  entry.kind = in.getKind();
  entry.fromTick = in.getFromTick();
  return entry;
}

}  // namespace retrace::tape::detail
