#include "progress_points.h"

#include "classfile_rewriter.h"
#include "thread_registry.h"

namespace retrace::agent {

void ProgressPoints::afterCall(JNIEnv* env, ThreadState& thread, uint64_t indexBefore) {
  if (thread.nextIndex == indexBefore) return;
  thread.progress.store(thread.nextIndex, std::memory_order_relaxed);
  if (thread.seekTarget.load(std::memory_order_relaxed) != thread.nextIndex) return;
  thread.seekTarget.store(0, std::memory_order_relaxed);
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

jlong ProgressPoints::progressOf(ThreadRegistry& threads, JNIEnv* env, jobject thread) {
  ThreadState* state = threads.find(env, thread);
  return state != nullptr ? static_cast<jlong>(state->progress.load(std::memory_order_relaxed)) : -1;
}

void ProgressPoints::seek(ThreadRegistry& threads, JNIEnv* env, jobject thread, jlong progress) {
  ThreadState* state = threads.find(env, thread);
  if (state != nullptr) state->seekTarget.store(static_cast<uint64_t>(progress), std::memory_order_relaxed);
}

}  // namespace retrace::agent
