#include "preemption.h"

#include "agent.h"
#include "thread_registry.h"

namespace retrace::agent {

namespace {

/**
 * JNI field setters may not be called with an exception pending, and a scheduling point can come
 * right after a real call threw: the exception is put aside while the fields are set.
 */
class ExceptionAside {
 public:
  explicit ExceptionAside(JNIEnv* env) : env_(env), pending_(env->ExceptionOccurred()) {
    if (pending_ != nullptr) env_->ExceptionClear();
  }
  ~ExceptionAside() {
    if (pending_ == nullptr) return;
    env_->Throw(pending_);
    env_->DeleteLocalRef(pending_);
  }
  ExceptionAside(const ExceptionAside&) = delete;
  ExceptionAside& operator=(const ExceptionAside&) = delete;

 private:
  JNIEnv* env_;
  jthrowable pending_;
};

}  // namespace

bool Preemption::init(JNIEnv* env) {
  jclass system = env->FindClass("java/lang/System");
  if (system == nullptr) {
    env->ExceptionClear();
    return false;
  }
  holder_ = env->GetStaticFieldID(system, "retrace$holder", "Ljava/lang/Thread;");
  if (holder_ != nullptr) ticks_ = env->GetStaticFieldID(system, "retrace$ticks", "J");
  if (ticks_ != nullptr) limit_ = env->GetStaticFieldID(system, "retrace$limit", "J");
  jmethodID preempt = limit_ != nullptr ? env->GetStaticMethodID(system, "retrace$preempt", "(J)V") : nullptr;
  if (preempt == nullptr) {
    env->ExceptionClear();
    env->DeleteLocalRef(system);
    return false;
  }
  // Binding a native runs Java code (ClassLoader.findNative: class linking, identity hashes). Bound
  // here, at the same moment in record and replay, rather than at the first preemption, which
  // record may make (and not hand over) where replay makes none. kBindOnly returns at once.
  env->CallStaticVoidMethod(system, preempt, static_cast<jlong>(kBindOnly));
  if (env->ExceptionCheck()) {
    env->ExceptionClear();
    env->DeleteLocalRef(system);
    return false;
  }
  system_ = static_cast<jclass>(env->NewGlobalRef(system));
  env->DeleteLocalRef(system);
  env->SetStaticLongField(system_, limit_, kNever);
  ready_.store(true, std::memory_order_release);
  return true;
}

void Preemption::arm(JNIEnv* env, ThreadState& thread, int64_t limit) {
  if (!ready() || env == nullptr || thread.ref == nullptr) return;
  ExceptionAside aside(env);
  if (javaHolder_.load(std::memory_order_relaxed) != &thread) {
    env->SetStaticObjectField(system_, holder_, thread.ref);
    javaHolder_.store(&thread, std::memory_order_relaxed);
  }
  env->SetStaticLongField(system_, ticks_, 0);
  env->SetStaticLongField(system_, limit_, limit);
}

void Preemption::extend(JNIEnv* env, int64_t limit) {
  if (!ready() || env == nullptr) return;
  ExceptionAside aside(env);
  env->SetStaticLongField(system_, limit_, limit);
}

void Preemption::disarm(JNIEnv* env) {
  if (!ready() || env == nullptr) return;
  ExceptionAside aside(env);
  env->SetStaticLongField(system_, limit_, kNever);
}

void Preemption::request(JNIEnv* env) {
  if (!ready() || env == nullptr) return;
  env->SetStaticLongField(system_, limit_, 0);
}

void Preemption::forget(ThreadState& thread) {
  ThreadState* expected = &thread;
  javaHolder_.compare_exchange_strong(expected, nullptr, std::memory_order_relaxed);
}

jobject Preemption::pause(JNIEnv* env) {
  if (!ready() || env == nullptr) return nullptr;
  jobject holder = env->GetStaticObjectField(system_, holder_);
  env->SetStaticObjectField(system_, holder_, nullptr);
  return holder;
}

void Preemption::resume(JNIEnv* env, jobject holder) {
  if (!ready() || env == nullptr) return;
  env->SetStaticObjectField(system_, holder_, holder);
  if (holder != nullptr) env->DeleteLocalRef(holder);
}

}  // namespace retrace::agent
