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

#include <cstdint>

namespace retrace::agent {

struct ThreadState;
class ThreadRegistry;

class ProgressPoints {
 public:
  void enable() { enabled_ = true; }
  bool enabled() const { return enabled_; }

  /**
   * On the way back from a boundary call that the replay answered, on the calling thread, no hook
   * active: notes the thread's progress when the call took events (`indexBefore` is the thread's
   * event index before it) and calls System.retrace$reached() when that progress is the sought one.
   */
  void afterCall(JNIEnv* env, ThreadState& thread, uint64_t indexBefore);

  /** System.retrace$progress(Thread): the thread's progress; -1 for a thread the recording does not have. */
  static jlong progressOf(ThreadRegistry& threads, JNIEnv* env, jobject thread);
  /** System.retrace$seek(Thread, long): stop the thread when its progress is `progress` (0: do not). */
  static void seek(ThreadRegistry& threads, JNIEnv* env, jobject thread, jlong progress);

 private:
  bool enabled_ = false;
  jclass system_ = nullptr;  // global reference, found at the first sought progress
  jmethodID reached_ = nullptr;
};

}  // namespace retrace::agent
