// Writes one process's frames into a recording file. The agent appends events to per-thread
// EventBuffers and submits full ones; a background thread encodes them as EventChunk frames and
// writes each frame with a single write(2) on an O_APPEND descriptor, so several processes can
// share one file.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "retrace/tape/event_buffer.h"
#include "retrace/tape/process_info.h"

namespace retrace::tape {

class TapeWriter {
 public:
  enum class Mode { kCreate, kAppend };

  /**
   * Opens `path` (mode 0700). kCreate truncates and writes `shebang` first; kAppend appends
   * frames to an existing recording. Returns nullptr and a one-line message on failure.
   */
  static std::unique_ptr<TapeWriter> open(const std::string& path, Mode mode, const std::string& shebang,
                                          std::string& error);
  ~TapeWriter();

  /** Synchronous; must be the first frame of this process. Starts the background thread. */
  void writeProcessStart(const ProcessStartInfo& info);

  /** Queues a ThreadStart frame (names the logical thread in `retrace print`). */
  void submitThreadStart(const ThreadInfo& info);

  /**
   * Hands a buffer of events of one logical thread to the background thread and returns an
   * empty buffer to continue with (a recycled one when available). Never blocks on I/O.
   */
  EventBuffer submit(uint32_t thread, uint64_t firstIndex, EventBuffer&& events);

  /**
   * Queues the next entries of the thread hand-over schedule as a Handovers frame (split into
   * several when longer than the frame limit). The writer numbers them: the first entry continues
   * where the previous call's last one ended. Never blocks on I/O. Nothing happens for an empty
   * vector, or after finish(). After a failed write the entries are dropped but still counted, so
   * the end frame shows that the schedule is not whole.
   */
  void submitHandovers(std::vector<HandoverRecord> entries);

  /**
   * Writes everything queued, stops the background thread, writes the ProcessEnd frame. Its
   * handoverCount is the number of hand-overs submitted, whatever `info` says.
   */
  void finish(const ProcessEndInfo& info);

  /** True after a write failed (disk full...): later frames are dropped, one warning printed. */
  bool truncated() const { return failed_.load(std::memory_order_relaxed); }
  std::string truncatedReason() const;
  uint64_t bytesWritten() const { return bytesWritten_.load(std::memory_order_relaxed); }
  uint32_t pid() const { return pid_; }

 private:
  TapeWriter(int fd, uint32_t pid);
  struct Pending;
  struct Encoding;  // writer-thread state: delta table, packing buffer (writer.cpp)
  void startThread();
  void stopThread();
  void run();
  void process(Pending& pending);
  void writeEvents(uint32_t thread, uint64_t firstIndex, const EventBuffer& events);
  void writeHandovers(uint64_t firstIndex, const std::vector<HandoverRecord>& entries);
  template <typename Fill>
  bool writeMessage(Fill&& fill, bool evenAfterFailure = false, size_t firstSegmentWords = 0);
  bool writeFrame(bool evenAfterFailure);
  bool writeAll(const void* bytes, size_t length, int& error);
  void fail(const std::string& reason, bool partial);

  int fd_;
  uint32_t pid_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;     // the writer thread: work queued, or stop
  std::condition_variable drained_;  // producers waiting for the queue to shrink
  std::deque<std::unique_ptr<Pending>> queue_;
  std::vector<EventBuffer> spare_;
  size_t queuedBytes_ = 0;
  bool started_ = false;  // the process start frame went out and the thread runs
  bool stopping_ = false;
  bool finished_ = false;
  bool partial_ = false;             // a failed write left part of a frame in the file
  bool startWritten_ = false;        // the process start frame is in the file
  uint64_t handoversSubmitted_ = 0;  // guarded by mutex_; the next entry's index in the schedule
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> bytesWritten_{0};
  std::string failure_;  // guarded by mutex_
  std::unique_ptr<Encoding> encoding_;
};

}  // namespace retrace::tape
