// Reads a recording file. Survives a truncated or corrupt tail: everything up to the last whole
// frame with a good checksum is usable, and stop() says where and why reading ended.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retrace/tape/process_info.h"

namespace retrace::tape {

enum class MessageKind : uint8_t { kProcessStart, kThreadStart, kEventChunk, kProcessEnd, kHandovers };

struct FrameRef {
  uint64_t offset = 0;  // of the frame header in the file
  uint32_t pid = 0;
  uint32_t length = 0;  // payload bytes
  MessageKind kind = MessageKind::kEventChunk;
  uint32_t thread = 0;         // kEventChunk / kThreadStart
  uint64_t firstIndex = 0;     // kEventChunk: in its thread's events; kHandovers: in the schedule
  uint32_t eventCount = 0;     // kEventChunk
  uint32_t handoverCount = 0;  // kHandovers: entries in the frame
};

struct StopInfo {
  bool clean = true;    // the frames ended exactly after a whole frame, at the file's end or the pack's start
  uint64_t offset = 0;  // where reading stopped
  std::string reason;   // "truncated frame at offset 1234 (payload needs 512 bytes, 100 left)", ...
  // Reading stopped at a whole, well-formed frame that does not belong where it is: appended
  // after the recording's end, copied twice, of another recording, of a process after its end
  // or before its start, events of a thread repeated or skipped. Not damage a crash or a full
  // disk leaves: someone put it there. clean is false, reason says which frame and why.
  bool tampered = false;
};

class EventCursor;

class TapeReader {
 public:
  /**
   * Reads and indexes `path`. Returns nullptr and a one-line message when the file is missing,
   * unreadable, or not a recording (no shebang + first frame, bad magic, a format version this
   * reader does not know). A damaged tail is not an error: see stop().
   */
  static std::unique_ptr<TapeReader> open(const std::string& path, std::string& error);
  ~TapeReader();

  const std::string& shebang() const;  // first line without its newline
  uint64_t fileSize() const;
  const std::vector<FrameRef>& frames() const;  // whole, checksummed frames in file order
  const StopInfo& stop() const;
  /** Where the pack starts (its magic line), 0 when the recording has none; it runs to fileSize(). */
  uint64_t packOffset() const;
  std::vector<uint32_t> pids() const;  // in the order of their processStart frames

  const ProcessStartInfo* processStart(uint32_t pid) const;
  const ProcessEndInfo* processEnd(uint32_t pid) const;  // nullptr: no end frame (killed, cut)
  std::vector<ThreadInfo> threads(uint32_t pid) const;   // from threadStart frames, by id
  uint64_t eventCount(uint32_t pid) const;

  /**
   * The thread hand-over schedule of one process, in order: the entries of its Handovers frames as
   * long as each frame continues where the previous one ended (firstIndex). A frame that does not
   * ends it there, and nothing after it counts: replay must not follow a schedule with a hole.
   */
  std::vector<HandoverRecord> handovers(uint32_t pid) const;
  /**
   * The schedule is whole: no Handovers frame was left out, and the process end frame is there and
   * counts exactly the entries read. Without an end frame (a killed process) nobody can tell.
   */
  bool handoversComplete(uint32_t pid) const;
  /** Whether the chunks hold as many events as the process's end frames count (a forged count does not). */
  bool eventsComplete(uint32_t pid) const;

  /**
   * Events of one logical thread of one process, in order. Decodes one chunk at a time. Never
   * nullptr (an unknown pid or thread gives an empty cursor); must not outlive this reader.
   */
  std::unique_ptr<EventCursor> events(uint32_t pid, uint32_t thread) const;
  /** Every event of one process, chunk by chunk in file order. */
  std::unique_ptr<EventCursor> allEvents(uint32_t pid) const;

  /** The raw bytes of the file (mapped), e.g. to copy frames out. */
  std::string_view bytes() const;

  struct Impl;

 private:
  explicit TapeReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/** A position in a sequence of events. Accessors are valid after next() returned true. */
class EventCursor {
 public:
  virtual ~EventCursor() = default;
  virtual bool next() = 0;

  virtual uint32_t thread() const = 0;
  virtual uint64_t index() const = 0;  // within its thread
  virtual uint16_t call() const = 0;
  virtual int64_t value() const = 0;  // delta coding already undone

  virtual bool hasData() const = 0;
  virtual std::string_view data() const = 0;
  virtual size_t itemCount() const = 0;
  virtual bool itemIsNull(size_t i) const = 0;
  virtual std::string_view item(size_t i) const = 0;
  virtual size_t fieldCount() const = 0;
  virtual int64_t field(size_t i) const = 0;

  virtual bool hasThrown() const = 0;
  virtual std::string_view thrownClass() const = 0;
  virtual bool thrownHasMessage() const = 0;
  virtual std::string_view thrownMessage() const = 0;
  virtual int32_t thrownErrno() const = 0;

  virtual size_t frameCount() const = 0;
  virtual std::string_view frameMethod(size_t i) const = 0;
  virtual int32_t frameLine(size_t i) const = 0;
};

}  // namespace retrace::tape
