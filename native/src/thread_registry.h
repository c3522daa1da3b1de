// Logical threads. The thread that loads the agent becomes the Java main thread: logical thread 0.
// Application threads get the next ids in the order their ThreadStart events arrive while
// recording; a replayed thread takes the id of the recorded thread with the same lineage (the
// thread that started it, and how many it had started before). JDK system threads (Reference
// Handler, Finalizer, Signal Dispatcher, Common-Cleaner...) are not recorded.
#pragma once

#include <jvmti.h>
#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "retrace/tape/event_buffer.h"
#include "retrace/tape/reader.h"

namespace retrace::agent {

/** Guards a thread's buffer against the exit handler taking it while the thread appends. */
class SpinLock {
 public:
  void lock() {
    while (flag_.test_and_set(std::memory_order_acquire)) {
    }
  }
  /** True when the lock was taken. */
  bool tryLock() { return !flag_.test_and_set(std::memory_order_acquire); }
  void unlock() { flag_.clear(std::memory_order_release); }

 private:
  std::atomic_flag flag_ = ATOMIC_FLAG_INIT;
};

/** The first id of a recorded thread that does not take the baton (started outside Thread.start0). */
constexpr uint32_t kFirstUnscheduledId = 1u << 20;

struct ThreadState {
  uint32_t id = 0;
  bool recorded = false;               // an application thread: its boundary calls go on the tape
  bool inHook = false;                 // a JNI call made by a hook re-entered the boundary: pass it through
  int debuggerCalls = 0;               // depth of methods a debugger invoked on this thread (debugger_calls.h)
  jobject pausedTickHolder = nullptr;  // System.retrace$holder while a debugger's call runs
  std::string name;
  // Lineage: the same in every run, whatever order threads start in (see ThreadStart in the schema).
  bool started = false;
  uint32_t parent = 0;
  uint32_t childIndex = 0;
  uint32_t childCount = 0;  // threads this one has started

  // scheduling (scheduler.h)
  bool serialized = false;                // takes the baton: id is its demux id
  std::atomic<bool> waitReleased{false};  // gave the baton up in Object.wait (MonitorWait)
  // In the scheduler's monitor protocol: blocked in the VM's eyes, but it gives the baton up itself
  std::atomic<bool> inMonitorProtocol{false};
  pid_t tid = 0;           // for the watchdog: is it asleep in the kernel?
  bool detaching = false;  // main, between its ThreadEnd and its return as DestroyJavaVM
  jthread ref = nullptr;   // global reference, for JVMTI thread state

  // record
  SpinLock lock;
  bool closed = false;          // the process is ending: later events are dropped
  tape::EventBuffer buffer{0};  // grows on first use: system threads never need it
  uint64_t bufferFirstIndex = 0;
  uint64_t nextIndex = 0;
  uint32_t flushEpoch = 0;

  // replay
  std::unique_ptr<tape::EventCursor> cursor;
  bool cursorAhead = false;  // the cursor is on an event not taken yet (looked at for a mirror hash)
  // progress_points.h: read and set by a debugger's call on another thread while this one is suspended
  std::atomic<uint64_t> progress{0};
  std::atomic<uint64_t> previousProgress{0};
  std::atomic<uint64_t> seekTargets[4] = {};  // 0: a free slot
};

class ThreadRegistry {
 public:
  void init() { mainThread_ = pthread_self(); }

  /** The calling thread's state; created on first use (main thread, or an unrecorded thread). */
  ThreadState* current() {
    ThreadState* state = current_;
    return state != nullptr ? state : attachUnknown();
  }

  /**
   * At Thread.start0, on the starting thread: remembers who starts `thread`, as which child, and
   * the id the scheduler reserved for it (demux::kNoThread: it will not take the baton).
   */
  void noteStart(JNIEnv* env, jobject thread, ThreadState& parent, uint32_t reservedId);

  /** On the started thread: its parent, child index and reserved id, if noteStart saw it start. */
  bool takeLineage(JNIEnv* env, jthread thread, uint32_t& parent, uint32_t& childIndex, uint32_t& reservedId);

  /** The recorded thread with this id, or null. States live as long as the process. */
  ThreadState* find(uint32_t id);
  /** The recorded thread whose java.lang.Thread is `thread`, or null. */
  ThreadState* find(JNIEnv* env, jobject thread);

  /** Marks the calling thread as the agent's own (attached for JVMTI): never an application thread. */
  static void markOwnThread() { ownThread_ = true; }
  static bool isOwnThread() { return ownThread_; }

  /**
   * Called on a starting thread (JVMTI ThreadStart); `isNew` is false for a thread seen before.
   * `id` gives a recorded thread its id on replay; otherwise ids follow start order.
   */
  ThreadState* attachStarted(bool application, const std::string& name, bool& isNew, const uint32_t* id = nullptr);

  template <typename F>
  void forEach(F f) {
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto& state : states_) f(*state);
  }

 private:
  ThreadState* attachUnknown();
  ThreadState* add(bool recorded, const std::string& name, const uint32_t* id = nullptr);

  struct PendingStart {
    jweak thread;
    uint32_t parent;
    uint32_t childIndex;
    uint32_t reservedId;
  };
  std::vector<PendingStart> pending_;

  static thread_local ThreadState* current_;
  static thread_local bool ownThread_;
  pthread_t mainThread_{};
  std::mutex mutex_;
  std::vector<std::unique_ptr<ThreadState>> states_;
  // Threads that do not take the baton get ids far above the scheduler's, in arrival order.
  uint32_t nextId_ = kFirstUnscheduledId;
  bool mainSeen_ = false;
};

}  // namespace retrace::agent
