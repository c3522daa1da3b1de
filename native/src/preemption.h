// Preemption between scheduling points. A thread that computes without a boundary call would
// otherwise keep the baton until its next scheduling point, and a waiter could only be let run
// beside it (an escape, outside the determinism guarantee). The agent adds a call to
// System.retrace$tick() at the entry of every method of every class not loaded by the boot loader
// (classfile_rewriter.h, insertTickCalls). The tick counts method entries of the baton holder in
// System.retrace$ticks and calls the native System.retrace$preempt(ticks) when the count reaches
// System.retrace$limit: a position in the thread's execution that is the same in every run,
// whatever the JIT compiles, because it counts bytecode the program executes.
//
// The count starts from 0 whenever a thread takes the baton or passes a scheduling point (arm()).
// Record asks the holder to stop (limit 0) when a waiter has waited; the hand-over is written with
// the tick it happened at (demux kPreempt). Replay arms the limit with the recorded tick, so the
// holder stops at exactly that method entry.
#pragma once

#include <jni.h>

#include <atomic>
#include <cstdint>

namespace retrace::agent {

struct ThreadState;

class Preemption {
 public:
  static constexpr int64_t kNever = INT64_MAX;
  /** The tick count init() passes to retrace$preempt to have it bound: no preemption. */
  static constexpr int64_t kBindOnly = -1;

  /**
   * At VMInit, once the main thread has its reference: finds System's fields (added by
   * addPreemptionHooks when System loaded). False when they are missing.
   */
  bool init(JNIEnv* env);
  bool ready() const { return ready_.load(std::memory_order_acquire); }

  /**
   * The calling thread, which holds the baton, counts from 0 and stops at `limit` ticks. Only the
   * holder's ticks count: another thread that runs instrumented code (a cleaner, a thread after an
   * escape) is not System.retrace$holder.
   */
  void arm(JNIEnv* env, ThreadState& thread, int64_t limit);
  /** The count so far (RETRACE_TRACE_SCHEDULER: ticks between points are compared across runs). */
  int64_t ticks(JNIEnv* env) const { return ready() && env != nullptr ? env->GetStaticLongField(system_, ticks_) : -1; }
  /** The calling thread goes on counting and stops at `limit` (chaos: a preemption that did not happen). */
  void extend(JNIEnv* env, int64_t limit);
  /** The calling thread goes on counting, without a limit (a preemption that did not happen). */
  void disarm(JNIEnv* env);
  /** Record, from the watchdog: the holder stops at its next tick. */
  void request(JNIEnv* env);
  /** `thread`'s java.lang.Thread changed (main coming back as DestroyJavaVM): set it again at arm(). */
  void forget(ThreadState& thread);
  /**
   * No thread counts until resume(): a debugger's call runs on the holder (debugger_calls.h).
   * Returns what System.retrace$holder was (a local reference, or null), for resume().
   */
  jobject pause(JNIEnv* env);
  void resume(JNIEnv* env, jobject holder);

 private:
  std::atomic<bool> ready_{false};
  jclass system_ = nullptr;
  jfieldID holder_ = nullptr;
  jfieldID ticks_ = nullptr;
  jfieldID limit_ = nullptr;
  std::atomic<ThreadState*> javaHolder_{nullptr};  // the thread System.retrace$holder names
};

}  // namespace retrace::agent
