// Replay: the same bytecode runs again; every taped boundary call is answered from the recording
// instead of touching the world. A call the recording does not expect is a divergence: reported
// with both sides and the Java stacks, then the process ends with kExitDivergence.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "boundary.h"
#include "options.h"
#include "retrace/demux/demux.h"
#include "retrace/tape/reader.h"
#include "thread_registry.h"

namespace retrace::agent {

class Agent;

class ReplaySession {
 public:
  explicit ReplaySession(Agent& agent) : agent_(agent) {}
  ~ReplaySession();

  /** Reads the recording and checks code and JVM; ends the process when it cannot replay. */
  void start();
  jvalue onCall(CallFrame& frame, ThreadState& thread);
  /**
   * The recorded id of the thread with this lineage. Without one (a thread the recording does not
   * have, or one started outside Thread.start) it gets an id no recorded thread has, so that its
   * first boundary call is reported as a divergence naming it.
   */
  bool threadIdFor(bool started, uint32_t parent, uint32_t childIndex, uint32_t& id);
  /** The recorded hand-over schedule of the replayed process, and whether the recording has all of it. */
  std::vector<demux::Handover> schedule() const;
  /** Whether the recording's agent added ticks to classes (its preempt option): replay must too. */
  /** The agent options the recording was made with (record defaults when they cannot be read). */
  Options recordedOptions() const;
  bool scheduleComplete() const;
  /** Why the recording of the replayed process stops short, for the exit-123 line; empty when it does not. */
  std::string incompleteReason() const;
  /** Puts the recorded link-time hash into a class's mirror, when the recording has it here. */
  void restoreMirrorHash(JNIEnv* env, ThreadState& thread, jclass klass, uint32_t nameSum);
  /** The recorded process's code files (CodeIdentity::fingerprint). */
  const std::vector<tape::CodeEntry>& recordedCode() const { return start_->code; }
  const std::string& recordedCwd() const { return start_->cwd; }
  /** A system property as the recorded JVM had it at start; empty when it had none. */
  std::string recordedProperty(const std::string& name) const;
  /** At process exit: the exit status and the rest of the main thread's events must match. */
  void finish(int exitStatus);

 private:
  const tape::EventCursor& expect(CallFrame& frame, ThreadState& thread);
  /** Moves the thread's cursor to its next event, past mirror hashes unless `mirrorHash` is wanted. */
  bool nextEvent(ThreadState& thread, bool mirrorHash);
  static bool isHashCall(uint16_t callId);
  void checkWritten(CallFrame& frame, ThreadState& thread, const tape::EventCursor& event);
  jvalue answer(CallFrame& frame, ThreadState& thread, const tape::EventCursor& event);
  jvalue replaySleep(CallFrame& frame, ThreadState& thread);
  /** FileChannel.map: a new anonymous region holding the recorded bytes; its address. */
  jvalue replayMapping(CallFrame& frame, ThreadState& thread, const tape::EventCursor& event);
  jvalue replayIdentityHash(CallFrame& frame, ThreadState& thread, const tape::EventCursor& event);
  /**
   * A stand-in for the descriptor the recording had (a /dev/null duplicate), remembered as its
   * replacement (replayedFd).
   */
  int standInFor(int64_t recorded);
  /** The descriptor handed out for a recorded one; the number itself when none was. */
  int replayedFd(int recorded);
  void translateReadyEvents(char* events, size_t count);
  [[noreturn]] void diverge(ThreadState& thread, uint64_t index, const std::string& expected, const std::string& actual,
                            const tape::EventCursor* recorded, const std::string& detail);
  std::string callName(uint16_t id) const;
  bool recordingComplete() const;

  Agent& agent_;
  std::unique_ptr<tape::TapeReader> reader_;
  uint32_t pid_ = 0;
  const tape::ProcessStartInfo* start_ = nullptr;
  const tape::ProcessEndInfo* end_ = nullptr;
  int devNull_ = -1;
  bool echoStdout_ = true;          // false for a Surefire fork (test_runs.h)
  bool debuggerHashNoted_ = false;  // logged the first hash a debugger had given (--debug)
  bool skippedHashNoted_ = false;   // logged the first hash event an evaluation had made (--debug)
  std::vector<tape::ThreadInfo> recordedThreads_;
  std::atomic<uint32_t> nextUnknownThread_{1u << 20};
  std::mutex fdMapMutex_;
  std::unordered_map<int, int> replayedFds_;  // recorded descriptor number -> the replay's
  std::atomic<int64_t> nextDirHandle_{0x7e7ace0000000001};
};

}  // namespace retrace::agent
