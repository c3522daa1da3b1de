#include "cleared_references.h"

namespace retrace::agent {

bool ClearedReferences::resolveKinds(JNIEnv* env) {
  if (resolved_.load(std::memory_order_acquire)) return true;
  std::lock_guard<std::mutex> lock(resolveMutex_);
  if (resolved_.load(std::memory_order_relaxed)) return true;
  jclass* slots[] = {&weakClass_, &softClass_, &phantomClass_, &finalClass_};
  const char* names[] = {"java/lang/ref/WeakReference", "java/lang/ref/SoftReference", "java/lang/ref/PhantomReference",
                         "java/lang/ref/FinalReference"};
  for (size_t i = 0; i < 4; ++i) {
    if (*slots[i] != nullptr) continue;
    jclass local = env->FindClass(names[i]);
    if (local == nullptr) {
      env->ExceptionClear();
      return false;
    }
    *slots[i] = static_cast<jclass>(env->NewGlobalRef(local));
    env->DeleteLocalRef(local);
    if (*slots[i] == nullptr) return false;
  }
  resolved_.store(true, std::memory_order_release);
  return true;
}

void ClearedReferences::bind(JNIEnv* env) {
  jclass reference = env->FindClass("java/lang/ref/Reference");
  jmethodID cleared = reference != nullptr
                          ? env->GetStaticMethodID(reference, "retrace$cleared", "(Ljava/lang/ref/Reference;)V")
                          : nullptr;
  if (cleared != nullptr) env->CallStaticVoidMethod(reference, cleared, nullptr);
  bool called = cleared != nullptr && !env->ExceptionCheck();
  env->ExceptionClear();
  if (reference != nullptr) env->DeleteLocalRef(reference);
  bound_.store(called && resolveKinds(env), std::memory_order_release);
}

void ClearedReferences::note(JNIEnv* env, jobject reference) {
  if (reference == nullptr || !resolveKinds(env)) return;
  if (env->IsInstanceOf(reference, weakClass_)) {
    weak_.fetch_add(1, std::memory_order_relaxed);
  } else if (env->IsInstanceOf(reference, softClass_)) {
    soft_.fetch_add(1, std::memory_order_relaxed);
  } else if (env->IsInstanceOf(reference, phantomClass_)) {
    phantom_.fetch_add(1, std::memory_order_relaxed);
  } else if (env->IsInstanceOf(reference, finalClass_)) {
    finalized_.fetch_add(1, std::memory_order_relaxed);
  }
}

tape::ClearedReferences ClearedReferences::counts() const {
  return {bound_.load(std::memory_order_acquire), weak_.load(std::memory_order_relaxed),
          soft_.load(std::memory_order_relaxed), phantom_.load(std::memory_order_relaxed),
          finalized_.load(std::memory_order_relaxed)};
}

}  // namespace retrace::agent
