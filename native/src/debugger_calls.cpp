#include "debugger_calls.h"

#include <dlfcn.h>

#include <atomic>
#include <cstring>

#include "agent.h"
#include "identity_hash.h"

namespace retrace::agent {

namespace {

// The JNI functions as the JVM had them, which the wrappers call on, and where libjdwp.so is: set
// once, read by every wrapped call.
const JNINativeInterface_* original = nullptr;
std::atomic<const void*> jdwpBase{nullptr};

// Whether the code at `returnAddress` is JDWP's (libjdwp.so): the debugger asking, not the program.
bool fromJdwp(const void* returnAddress) {
  Dl_info info;
  if (dladdr(returnAddress, &info) == 0 || info.dli_fbase == nullptr) return false;
  if (info.dli_fbase == jdwpBase.load(std::memory_order_relaxed)) return true;
  const char* name = info.dli_fname != nullptr ? std::strrchr(info.dli_fname, '/') : nullptr;
  if (name == nullptr || std::strcmp(name, "/libjdwp.so") != 0) return false;
  jdwpBase.store(info.dli_fbase, std::memory_order_relaxed);
  return true;
}

// A method the debugger invoked runs inside one (a toString() it invoked can make JNI calls of its
// own: the depth counts them). The outermost pauses the tick count of the baton holder
// (System.retrace$holder), so the program's own ticks, where replay preempts, do not move.
class Scope {
 public:
  Scope(JNIEnv* env, const void* returnAddress)
      : env_(env), thread_(fromJdwp(returnAddress) ? Agent::get().threads().current() : nullptr) {
    if (thread_ != nullptr && thread_->debuggerCalls++ == 0) {
      thread_->pausedTickHolder = Agent::get().scheduler().pauseTicks(env_);
    }
  }
  ~Scope() {
    if (thread_ != nullptr && --thread_->debuggerCalls == 0) {
      Agent::get().scheduler().resumeTicks(env_, thread_->pausedTickHolder);
      thread_->pausedTickHolder = nullptr;
    }
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  JNIEnv* env_;
  ThreadState* thread_;
};

#define RETRACE_WRAP_CALLS(Type, Result)                                                                      \
  Result JNICALL call##Type##MethodA(JNIEnv* env, jobject object, jmethodID method, const jvalue* args) {     \
    Scope scope(env, __builtin_return_address(0));                                                            \
    return original->Call##Type##MethodA(env, object, method, args);                                          \
  }                                                                                                           \
  Result JNICALL callNonvirtual##Type##MethodA(JNIEnv* env, jobject object, jclass klass, jmethodID method,   \
                                               const jvalue* args) {                                          \
    Scope scope(env, __builtin_return_address(0));                                                            \
    return original->CallNonvirtual##Type##MethodA(env, object, klass, method, args);                         \
  }                                                                                                           \
  Result JNICALL callStatic##Type##MethodA(JNIEnv* env, jclass klass, jmethodID method, const jvalue* args) { \
    Scope scope(env, __builtin_return_address(0));                                                            \
    return original->CallStatic##Type##MethodA(env, klass, method, args);                                     \
  }

RETRACE_WRAP_CALLS(Object, jobject)
RETRACE_WRAP_CALLS(Boolean, jboolean)
RETRACE_WRAP_CALLS(Byte, jbyte)
RETRACE_WRAP_CALLS(Char, jchar)
RETRACE_WRAP_CALLS(Short, jshort)
RETRACE_WRAP_CALLS(Int, jint)
RETRACE_WRAP_CALLS(Long, jlong)
RETRACE_WRAP_CALLS(Float, jfloat)
RETRACE_WRAP_CALLS(Double, jdouble)
RETRACE_WRAP_CALLS(Void, void)

#undef RETRACE_WRAP_CALLS

jobject JNICALL newObjectA(JNIEnv* env, jclass klass, jmethodID constructor, const jvalue* args) {
  Scope scope(env, __builtin_return_address(0));
  return original->NewObjectA(env, klass, constructor, args);
}

}  // namespace

bool DebuggerCalls::install(jvmtiEnv* jvmti) {
  if (original != nullptr) return true;
  jniNativeInterface* table = nullptr;
  if (jvmti->GetJNIFunctionTable(&table) != JVMTI_ERROR_NONE || table == nullptr) return false;
  original = table;  // JVMTI's copy, kept for the process's life
  static JNINativeInterface_ wrapped = *table;
#define RETRACE_SET(Type)                                                \
  wrapped.Call##Type##MethodA = call##Type##MethodA;                     \
  wrapped.CallNonvirtual##Type##MethodA = callNonvirtual##Type##MethodA; \
  wrapped.CallStatic##Type##MethodA = callStatic##Type##MethodA;
  RETRACE_SET(Object)
  RETRACE_SET(Boolean)
  RETRACE_SET(Byte)
  RETRACE_SET(Char)
  RETRACE_SET(Short)
  RETRACE_SET(Int)
  RETRACE_SET(Long)
  RETRACE_SET(Float)
  RETRACE_SET(Double)
  RETRACE_SET(Void)
#undef RETRACE_SET
  wrapped.NewObjectA = newObjectA;
  return jvmti->SetJNIFunctionTable(&wrapped) == JVMTI_ERROR_NONE;
}

bool DebuggerCalls::active(const ThreadState& thread) {
  return thread.debuggerCalls > 0;
}

jint DebuggerCalls::hashWithoutGenerating(JNIEnv* env, jobject object) {
  int32_t hash = 0;
  return object != nullptr && IdentityHash::peek(env, object, hash) ? hash : 0;
}

}  // namespace retrace::agent
