// Opening and indexing a recording (reader.h). One pass over the file: check the shebang, then
// walk the frames, check each checksum, decode each message once, and stop at the first frame
// that is cut short or damaged. Everything before that frame stays usable; a reader that guessed
// its way past damage could hand replay a tape with a hole in it.
#include <kj/exception.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "expansion.h"
#include "frame_order.h"
#include "limits.h"
#include "messages.h"
#include "packed.h"
#include "reader_impl.h"
#include "retrace.capnp.h"

namespace retrace::tape {
namespace {

using Impl = TapeReader::Impl;

constexpr uint8_t kMagicBytes[4] = {kFrameMagic & 0xFF, (kFrameMagic >> 8) & 0xFF, (kFrameMagic >> 16) & 0xFF,
                                    kFrameMagic >> 24};

std::string offsetText(uint64_t offset) {
  return "at offset " + std::to_string(offset);
}

// kTampered: a whole, well-formed frame that does not belong where it is (frame_order.h).
enum class Outcome { kOk, kCorrupt, kRefuse, kTampered };

/** kTampered when `why` (a FrameOrder check's answer) says the frame does not belong. */
Outcome orderOutcome(std::string check, std::string& why) {
  if (check.empty()) return Outcome::kOk;
  why = std::move(check);
  return Outcome::kTampered;
}

constexpr uint8_t kLastHandoverKind = 4;  // preempt

Impl::Process& processOf(Impl& impl, uint32_t pid) {
  auto [it, inserted] = impl.processes.try_emplace(pid);
  if (inserted) impl.order.push_back(pid);
  return it->second;
}

std::string tooMany(size_t count, const char* what, size_t limit) {
  return std::to_string(count) + " " + what + ", more than the " + std::to_string(limit) + " a writer puts in one";
}

/** Files an event chunk's events under its pid, once the frame is known to be kept. */
void fileChunk(Impl& impl, const FrameRef& ref) {
  Impl::Process& process = processOf(impl, ref.pid);
  process.events += ref.eventCount;
  process.chunks.push_back(impl.frames.size());
}

// An event chunk is indexed from the first words of its message: its events are unpacked and
// checked when a cursor reaches them (a malformed one ends that cursor), not twice. nullopt: the
// prefix does not tell, decode the whole message.
std::optional<Outcome> indexChunkFromPrefix(Impl& impl, detail::DecodedMessage& decoded, detail::FrameOrder& order,
                                            FrameRef& ref, std::string& why) {
  constexpr size_t kPrefixWords = 32;
  if (!decoded.decodePrefix(impl.payload(ref), ref.length, kPrefixWords)) return std::nullopt;
  try {
    auto message = decoded.reader().getRoot<schema::Message>();
    if (!message.isEventChunk()) return std::nullopt;
    auto chunk = message.getEventChunk();
    // The list itself lies past the prefix: only the count the writer stored beside it is read.
    if (chunk.getEventCount() == 0) return std::nullopt;
    ref.thread = chunk.getThread();
    ref.firstIndex = chunk.getFirstIndex();
    ref.eventCount = chunk.getEventCount();
  } catch (const kj::Exception&) {
    return std::nullopt;
  }
  // The events are unpacked later, by a cursor: refuse now what it would refuse then, so that
  // the file is reported damaged here and not silently short of events there. A message that says
  // it fits the ratio is not scanned (a cursor holds it to that); one that says more is checked
  // whole, once (expansion.h), and a cursor may then unpack it as far as it goes.
  if (decoded.declaredWords() > detail::maxStructureWords(ref.length)) {
    uint64_t unpackedWords = 0;
    if (!detail::expansionAllowed(impl.payload(ref), ref.length, unpackedWords, why)) return Outcome::kCorrupt;
    if (decoded.declaredWords() > unpackedWords) {
      why = "the message says " + std::to_string(decoded.declaredWords() * 8) + " bytes, its frame unpacks to " +
            std::to_string(unpackedWords * 8);
      return Outcome::kCorrupt;
    }
    impl.expanding.insert(impl.frames.size());
  }
  if (ref.eventCount > detail::kMaxChunkEvents) {
    why = tooMany(ref.eventCount, "events", detail::kMaxChunkEvents);
    return Outcome::kCorrupt;
  }
  ref.kind = MessageKind::kEventChunk;
  Outcome outcome = orderOutcome(order.eventChunk(ref.pid, ref.thread, ref.firstIndex, ref.eventCount), why);
  if (outcome == Outcome::kOk) fileChunk(impl, ref);
  return outcome;
}

/**
 * Decodes the frame `ref` (checksum already good) and files what it says under its pid.
 * kCorrupt: `why` says what is wrong with it. kRefuse: the file is one this build must not
 * read (another format version), `why` is the whole message for open(). kTampered: the frame
 * is whole but does not belong here (`order` says why); nothing of it is filed.
 */
Outcome decodeFrame(Impl& impl, detail::DecodedMessage& decoded, detail::FrameOrder& order, FrameRef& ref,
                    std::string& why) {
  if (auto outcome = indexChunkFromPrefix(impl, decoded, order, ref, why)) return *outcome;
  // Before anything is unpacked: a frame that expands further than a writer's could is refused.
  uint64_t unpackedWords = 0;
  if (!detail::expansionAllowed(impl.payload(ref), ref.length, unpackedWords, why)) return Outcome::kCorrupt;
  std::string error;
  if (!decoded.decode(impl.payload(ref), ref.length, unpackedWords, error)) {
    why = "undecodable message: " + error;
    return Outcome::kCorrupt;
  }
  try {
    auto message = decoded.reader().getRoot<schema::Message>();
    message.totalSize();  // walks every pointer once: a bad one fails here, not in a cursor later
    switch (message.which()) {
      case schema::Message::PROCESS_START: {
        ProcessStartInfo info = detail::readProcessStart(message.getProcessStart());
        if (info.formatVersion != kFormatVersion) {
          why = impl.path + " was recorded with format version " + std::to_string(info.formatVersion) +
                "; this build reads version " + std::to_string(kFormatVersion);
          return Outcome::kRefuse;
        }
        ref.kind = MessageKind::kProcessStart;
        if (Outcome outcome = orderOutcome(order.processStart(ref.pid, info.parentPid), why); outcome != Outcome::kOk) {
          return outcome;
        }
        Impl::Process& process = processOf(impl, ref.pid);
        // A second start under one pid (the pid was reused by a later child) keeps the first.
        if (!process.start) process.start = std::move(info);
        break;
      }
      case schema::Message::THREAD_START: {
        ThreadInfo info = detail::readThreadStart(message.getThreadStart());
        ref.kind = MessageKind::kThreadStart;
        ref.thread = info.thread;
        if (Outcome outcome = orderOutcome(order.member(ref.pid), why); outcome != Outcome::kOk) return outcome;
        processOf(impl, ref.pid).threads[info.thread] = std::move(info);
        break;
      }
      case schema::Message::EVENT_CHUNK: {
        auto chunk = message.getEventChunk();
        ref.kind = MessageKind::kEventChunk;
        ref.thread = chunk.getThread();
        ref.firstIndex = chunk.getFirstIndex();
        ref.eventCount = chunk.getEvents().size();
        if (ref.eventCount > detail::kMaxChunkEvents) {
          why = tooMany(ref.eventCount, "events", detail::kMaxChunkEvents);
          return Outcome::kCorrupt;
        }
        if (Outcome outcome = orderOutcome(order.eventChunk(ref.pid, ref.thread, ref.firstIndex, ref.eventCount), why);
            outcome != Outcome::kOk) {
          return outcome;
        }
        if (unpackedWords > detail::maxStructureWords(ref.length)) impl.expanding.insert(impl.frames.size());
        fileChunk(impl, ref);
        break;
      }
      case schema::Message::HANDOVERS: {
        auto handovers = message.getHandovers();
        auto entries = handovers.getEntries();
        if (entries.size() > detail::kMaxHandoversPerFrame) {
          why = tooMany(entries.size(), "hand-overs", detail::kMaxHandoversPerFrame);
          return Outcome::kCorrupt;
        }
        for (auto entry : entries) {
          // Kinds beyond preempt are not of this format version: the frame is damaged, and a
          // schedule replay cannot interpret must not reach it.
          if (entry.getKind() > kLastHandoverKind) {
            why = "unknown hand-over kind " + std::to_string(entry.getKind());
            return Outcome::kCorrupt;
          }
        }
        ref.kind = MessageKind::kHandovers;
        ref.firstIndex = handovers.getFirstIndex();
        ref.handoverCount = entries.size();
        if (Outcome outcome = orderOutcome(order.member(ref.pid), why); outcome != Outcome::kOk) return outcome;
        Impl::Process& process = processOf(impl, ref.pid);
        if (process.handoverHole || ref.firstIndex != process.handovers.size()) {
          process.handoverHole = true;
          break;
        }
        process.handovers.reserve(process.handovers.size() + entries.size());
        for (auto entry : entries) process.handovers.push_back(detail::readHandover(entry));
        break;
      }
      case schema::Message::PROCESS_END: {
        ProcessEndInfo info = detail::readProcessEnd(message.getProcessEnd());
        ref.kind = MessageKind::kProcessEnd;
        if (Outcome outcome = orderOutcome(order.processEnd(ref.pid), why); outcome != Outcome::kOk) return outcome;
        Impl::Process& process = processOf(impl, ref.pid);
        process.endedEvents += info.eventCount;
        process.end = std::move(info);
        break;
      }
      default:
        why = "unknown message kind " + std::to_string(static_cast<unsigned>(message.which()));
        return Outcome::kCorrupt;
    }
  } catch (const kj::Exception& e) {
    std::string description = e.getDescription().cStr();
    why = "undecodable message: " + description.substr(0, description.find('\n'));
    return Outcome::kCorrupt;
  }
  return Outcome::kOk;
}

/** Fills impl from its file; false and a one-line message when it is not a recording. */
bool index(Impl& impl, std::string& error) {
  const uint8_t* data = impl.file.data();
  const size_t size = impl.file.size();
  const std::string notRecording = impl.path + " is not a Retrace recording";
  if (size < 2 || data[0] != '#' || data[1] != '!') {
    error = notRecording + " (no shebang line)";
    return false;
  }
  const auto* newline = static_cast<const uint8_t*>(std::memchr(data, '\n', size));
  if (newline == nullptr) {
    error = notRecording + " (the shebang line does not end)";
    return false;
  }
  impl.shebang.assign(reinterpret_cast<const char*>(data), static_cast<size_t>(newline - data));
  uint64_t offset = static_cast<uint64_t>(newline - data) + 1;
  if (offset == size) {
    error = notRecording + " (no frame after the shebang line)";
    return false;
  }

  auto stopAt = [&](uint64_t where, const std::string& reason) {
    impl.stop.clean = false;
    impl.stop.offset = where;
    impl.stop.reason = reason;
  };
  detail::DecodedMessage decoded;
  detail::FrameOrder order;
  while (offset < size) {
    const uint8_t* p = data + offset;
    const size_t remaining = size - offset;
    const bool first = impl.frames.empty();
    if (std::memcmp(p, kMagicBytes, std::min<size_t>(remaining, sizeof kMagicBytes)) != 0) {
      if (!first && remaining >= kPackMagicSize && std::memcmp(p, kPackMagic, kPackMagicSize) == 0) {
        impl.packOffset = offset;  // what is in it is checked where it is used (each file's SHA-256)
        impl.stop.clean = true;
        impl.stop.offset = offset;
        return true;
      }
      if (first) {
        // Damage can cut a recording short, but it does not make one out of another file.
        error = notRecording + " (bad frame magic " + offsetText(offset) + ")";
        return false;
      }
      // `cat a.retrace b.retrace`: the second file's first line where a frame should be.
      if (remaining >= 2 && p[0] == '#' && p[1] == '!') {
        stopAt(offset, "frame " + offsetText(offset) +
                           " does not belong to the recording (a shebang line: the start of another recording)");
        impl.stop.tampered = true;
        return true;
      }
      stopAt(offset, "corrupt frame " + offsetText(offset) + " (bad magic)");
      return true;
    }
    if (remaining < kFrameHeaderSize) {
      stopAt(offset, "truncated frame header " + offsetText(offset) + " (" + std::to_string(remaining) + " of " +
                         std::to_string(kFrameHeaderSize) + " bytes)");
      return true;
    }
    FrameHeader header;
    if (!decodeFrameHeader(p, header)) {
      stopAt(offset, "corrupt frame " + offsetText(offset) + " (length " + std::to_string(header.length) +
                         " is over the limit of " + std::to_string(kMaxFrameLength) + ")");
      return true;
    }
    const size_t left = remaining - kFrameHeaderSize;
    if (left < header.length) {
      stopAt(offset, "truncated frame " + offsetText(offset) + " (payload needs " + std::to_string(header.length) +
                         " bytes, " + std::to_string(left) + " left)");
      return true;
    }
    if (!frameChecksumMatches(header, p + kFrameHeaderSize)) {
      stopAt(offset, "corrupt frame " + offsetText(offset) + " (checksum mismatch)");
      return true;
    }
    if (impl.processes.size() >= detail::kMaxProcesses && impl.processes.count(header.pid) == 0) {
      stopAt(offset, "corrupt frame " + offsetText(offset) + " (" +
                         tooMany(impl.processes.size() + 1, "processes", detail::kMaxProcesses) + " recording)");
      return true;
    }
    FrameRef ref;
    ref.offset = offset;
    ref.pid = header.pid;
    ref.length = header.length;
    std::string why = order.copy(header, p, offset);
    if (!why.empty()) {
      stopAt(offset, "frame " + offsetText(offset) + " does not belong to the recording (" + why + ")");
      impl.stop.tampered = true;
      return true;
    }
    switch (decodeFrame(impl, decoded, order, ref, why)) {
      case Outcome::kOk:
        break;
      case Outcome::kTampered:
        stopAt(offset, "frame " + offsetText(offset) + " does not belong to the recording (" + why + ")");
        impl.stop.tampered = true;
        return true;
      case Outcome::kCorrupt:
        stopAt(offset, "corrupt frame " + offsetText(offset) + " (" + why + ")");
        return true;
      case Outcome::kRefuse:
        error = why;
        return false;
    }
    impl.frames.push_back(ref);
    offset += kFrameHeaderSize + header.length;
  }
  impl.stop.clean = true;
  impl.stop.offset = offset;
  return true;
}

}  // namespace

std::unique_ptr<TapeReader> TapeReader::open(const std::string& path, std::string& error) {
  try {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    if (!impl->file.open(path, error) || !index(*impl, error)) return nullptr;
    return std::unique_ptr<TapeReader>(new TapeReader(std::move(impl)));  // private constructor
  } catch (const std::exception& e) {
    error = "cannot read " + path + ": " + e.what();
    return nullptr;
  }
}

TapeReader::TapeReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TapeReader::~TapeReader() = default;

const std::string& TapeReader::shebang() const {
  return impl_->shebang;
}
uint64_t TapeReader::fileSize() const {
  return impl_->file.size();
}
const std::vector<FrameRef>& TapeReader::frames() const {
  return impl_->frames;
}
const StopInfo& TapeReader::stop() const {
  return impl_->stop;
}
uint64_t TapeReader::packOffset() const {
  return impl_->packOffset;
}
std::vector<uint32_t> TapeReader::pids() const {
  return impl_->order;
}

std::string_view TapeReader::bytes() const {
  return {reinterpret_cast<const char*>(impl_->file.data()), impl_->file.size()};
}

const ProcessStartInfo* TapeReader::processStart(uint32_t pid) const {
  const Impl::Process* process = impl_->process(pid);
  return process != nullptr && process->start ? &*process->start : nullptr;
}

const ProcessEndInfo* TapeReader::processEnd(uint32_t pid) const {
  const Impl::Process* process = impl_->process(pid);
  return process != nullptr && process->end ? &*process->end : nullptr;
}

std::vector<ThreadInfo> TapeReader::threads(uint32_t pid) const {
  std::vector<ThreadInfo> threads;
  const Impl::Process* process = impl_->process(pid);
  if (process == nullptr) return threads;
  std::map<uint32_t, ThreadInfo> known = process->threads;
  // The end frame lists every thread again: it names those whose start frame was not written.
  if (process->end) {
    for (const ThreadInfo& thread : process->end->threads) known.try_emplace(thread.thread, thread);
  }
  for (auto& [id, info] : known) threads.push_back(info);
  return threads;
}

uint64_t TapeReader::eventCount(uint32_t pid) const {
  const Impl::Process* process = impl_->process(pid);
  return process != nullptr ? process->events : 0;
}

std::vector<HandoverRecord> TapeReader::handovers(uint32_t pid) const {
  const Impl::Process* process = impl_->process(pid);
  return process != nullptr ? process->handovers : std::vector<HandoverRecord>();
}

bool TapeReader::handoversComplete(uint32_t pid) const {
  const Impl::Process* process = impl_->process(pid);
  return process != nullptr && process->end && !process->handoverHole &&
         process->end->handoverCount == process->handovers.size();
}

bool TapeReader::eventsComplete(uint32_t pid) const {
  const Impl::Process* process = impl_->process(pid);
  return process != nullptr && process->end && process->events == process->endedEvents;
}

std::unique_ptr<EventCursor> TapeReader::events(uint32_t pid, uint32_t thread) const {
  std::vector<size_t> chunks;
  if (const Impl::Process* process = impl_->process(pid)) {
    for (size_t i : process->chunks) {
      if (impl_->frames[i].thread == thread) chunks.push_back(i);
    }
  }
  return detail::makeEventCursor(*impl_, std::move(chunks));
}

std::unique_ptr<EventCursor> TapeReader::allEvents(uint32_t pid) const {
  const Impl::Process* process = impl_->process(pid);
  return detail::makeEventCursor(*impl_, process != nullptr ? process->chunks : std::vector<size_t>());
}

}  // namespace retrace::tape
