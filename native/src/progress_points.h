// Where a debugger driving a replay (retrace replay --debug, retrace dap) can stop a thread by its
// progress through the recording. A thread's progress is the number of its recorded events it had
// taken when it last came back from a boundary call that took one: a count that every replay of
// the recording reaches at the same point of the program. The debugger reads it at a stop
// (System.retrace$progress(Thread)), and in another replay asks to be stopped there
// (System.retrace$seek(Thread, long) and a breakpoint in System.retrace$reached(), which the
// thread calls when it gets there). Going back then re-runs only from the last event before the
// target, not from the last stop. The methods are added to java.lang.System only in a replay with
// a debugger (addProgressHooks in classfile_rewriter.h).
#pragma once

#include <jni.h>

#include <atomic>
#include <cstdint>

namespace retrace::agent {

struct ThreadState;
class ThreadRegistry;

class ProgressPoints {
 public:
  /**
   * A debugger's pause (retrace dap): this signal asks the next recorded thread that comes to a
   * progress point to call System.retrace$reached(), so that a pause stops at a place every replay
   * reaches again, not wherever the threads were when the debugger suspended them.
   */
  static int pauseSignal();

  /** Turns the progress points on, with the pause signal's handler; false when it cannot be installed. */
  bool enable();
  bool enabled() const { return enabled_; }

  /**
   * On the way back from a boundary call that the replay answered, on the calling thread, no hook
   * active: notes the thread's progress when the call took events (`indexBefore` is the thread's
   * event index before it) and calls System.retrace$reached() when that progress is the sought one.
   */
  void afterCall(JNIEnv* env, ThreadState& thread, uint64_t indexBefore);

  /**
   * System.retrace$progress(Thread) and, with `previous`, retrace$previousProgress(Thread): the
   * thread's progress, or the one it had at the progress point before; -1 for a thread the
   * recording does not have.
   */
  static jlong progressOf(ThreadRegistry& threads, JNIEnv* env, jobject thread, bool previous);
  /**
   * System.retrace$seek(Thread, long): the thread calls retrace$reached() when its progress is
   * `progress`, besides the progresses asked for before (up to four at a time). False when it
   * cannot be asked.
   */
  static jboolean seek(ThreadRegistry& threads, JNIEnv* env, jobject thread, jlong progress);

 private:
  static void onPauseSignal(int);

  static std::atomic<bool> pauseRequested_;
  bool enabled_ = false;
  jclass system_ = nullptr;  // global reference, found at the first sought progress
  jmethodID reached_ = nullptr;
};

}  // namespace retrace::agent
