#include "progress_points.h"

#include <signal.h>

#include <cstring>

#include "classfile_rewriter.h"
#include "thread_registry.h"

namespace retrace::agent {

std::atomic<bool> ProgressPoints::pauseRequested_{false};

int ProgressPoints::pauseSignal() {
  return SIGRTMIN + 4;  // HotSpot uses none of the real-time signals; glibc's own are below SIGRTMIN
}

void ProgressPoints::onPauseSignal(int) {
  pauseRequested_.store(true, std::memory_order_relaxed);  // async-signal-safe: a lock-free atomic
}

bool ProgressPoints::enable() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = &ProgressPoints::onPauseSignal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (sigaction(pauseSignal(), &action, nullptr) != 0) return false;
  enabled_ = true;
  return true;
}

void ProgressPoints::afterCall(JNIEnv* env, ThreadState& thread, uint64_t indexBefore) {
  if (thread.nextIndex == indexBefore) return;
  thread.previousProgress.store(thread.progress.load(std::memory_order_relaxed), std::memory_order_relaxed);
  thread.progress.store(thread.nextIndex, std::memory_order_relaxed);
  bool sought = false;
  for (auto& target : thread.seekTargets) {
    if (target.load(std::memory_order_relaxed) != thread.nextIndex) continue;
    target.store(0, std::memory_order_relaxed);
    sought = true;
  }
  bool paused = pauseRequested_.load(std::memory_order_relaxed) && pauseRequested_.exchange(false);
  if (!sought && !paused) return;
  if (reached_ == nullptr) {
    jclass system = env->FindClass("java/lang/System");
    if (system == nullptr) {
      env->ExceptionClear();
      return;
    }
    system_ = static_cast<jclass>(env->NewGlobalRef(system));
    env->DeleteLocalRef(system);
    reached_ = env->GetStaticMethodID(system_, kReachedMethod, "()V");
    if (reached_ == nullptr) {
      env->ExceptionClear();
      return;
    }
  }
  // The call may be about to throw the recorded exception: it is held while the debugger stops.
  jthrowable pending = env->ExceptionOccurred();
  if (pending != nullptr) env->ExceptionClear();
  env->CallStaticVoidMethod(system_, reached_);
  if (env->ExceptionCheck()) env->ExceptionClear();
  if (pending != nullptr) {
    env->Throw(pending);
    env->DeleteLocalRef(pending);
  }
}

jlong ProgressPoints::progressOf(ThreadRegistry& threads, JNIEnv* env, jobject thread, bool previous) {
  ThreadState* state = threads.find(env, thread);
  if (state == nullptr) return -1;
  return static_cast<jlong>((previous ? state->previousProgress : state->progress).load(std::memory_order_relaxed));
}

jboolean ProgressPoints::seek(ThreadRegistry& threads, JNIEnv* env, jobject thread, jlong progress) {
  ThreadState* state = threads.find(env, thread);
  if (state == nullptr || progress <= 0) return JNI_FALSE;
  for (auto& target : state->seekTargets) {
    uint64_t free = 0;
    if (target.compare_exchange_strong(free, static_cast<uint64_t>(progress))) return JNI_TRUE;
  }
  return JNI_FALSE;
}

}  // namespace retrace::agent
