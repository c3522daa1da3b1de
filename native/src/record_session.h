// Record: every taped boundary call runs for real; its answer (value, bytes, fields, exception)
// is appended to the calling thread's buffer. A background thread (TapeWriter) writes the frames.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "retrace/demux/demux.h"

#include "boundary.h"
#include "retrace/tape/writer.h"
#include "thread_registry.h"

namespace retrace::agent {

class Agent;

class RecordSession {
 public:
  explicit RecordSession(Agent& agent) : agent_(agent) {}
  ~RecordSession();

  /** Opens the recording and writes the process-start frame. */
  bool start(std::string& error);
  jvalue onCall(CallFrame& frame, ThreadState& thread);
  void threadStarted(ThreadState& thread);
  void threadEnded(ThreadState& thread);
  /** At process exit: writes what every thread buffered and the process-end frame. */
  void finish(int exitStatus);
  /** A test of a JUnit run failed (test_runs.h): save_on=failure keeps the recording. */
  void noteTestFailed() { testFailed_.store(true, std::memory_order_relaxed); }
  /** From the scheduler, under its lock, in hand-over order: must be quick. */
  /** The hash JDK 17 gave a class's mirror while linking it (boundary_calls.inc, id 189). */
  void noteMirrorHash(ThreadState& thread, int32_t hash, uint32_t nameSum);
  void noteHandover(const demux::Handover& handover);

 private:
  tape::ProcessStartInfo describeProcess() const;
  void appendEvent(CallFrame& frame, ThreadState& thread, jvalue result);
  void submit(ThreadState& thread);
  void runFlusher();
  void submitHandovers();
  void linkChild(CallFrame& frame, const ThreadState& thread);

  Agent& agent_;
  std::unique_ptr<tape::TapeWriter> writer_;
  std::atomic<uint32_t> flushEpoch_{0};
  std::thread flusher_;
  std::mutex flusherMutex_;
  std::condition_variable flusherWake_;
  bool stopping_ = false;
  // This JVM appends to the recording of an ancestor: only the root decides whether it is kept.
  bool appending_ = false;
  // What a child process gets to record into this recording ("-agentpath:...=record,tape=..."),
  // empty with no_children.
  std::string childAgent_;
  std::atomic<bool> childAgentWarned_{false};
  SpinLock handoverLock_;
  std::vector<tape::HandoverRecord> handovers_;  // not yet handed to the writer
  std::atomic<bool> testFailed_{false};
  std::atomic<bool> notFollowedWarned_[kMaxCallId] = {};  // one warning per call the agent does not follow
};

}  // namespace retrace::agent
