// A debugger attached to a replay (retrace replay --debug) evaluates expressions by calling methods
// of the program on a suspended thread: JDWP's InvokeMethod, which a variables view uses for every
// toString() it shows. Those calls are not the program's. Their boundary calls must neither take
// recorded events nor be checked against them, their monitors are no scheduling points, and an
// identity hash they ask for must not be written into the object (the program may hash it later,
// and the recording has that hash). JDWP makes them through JNI (Call<Type>MethodA and friends),
// so the agent wraps those JNI functions and marks the calling thread while a call that came from
// libjdwp runs.
#pragma once

#include <jni.h>
#include <jvmti.h>

namespace retrace::agent {

struct ThreadState;

class DebuggerCalls {
 public:
  /**
   * Replaces the JNI functions JDWP invokes methods with by wrappers (SetJNIFunctionTable). Once,
   * in the live phase. False when the JVM refuses.
   */
  static bool install(jvmtiEnv* jvmti);

  /** Whether `thread` (the calling thread's state) is inside a method the debugger invoked. */
  static bool active(const ThreadState& thread);

  /** What an identity hash call answers inside a debugger's call: the hash the object has, or 0. */
  static jint hashWithoutGenerating(JNIEnv* env, jobject object);
};

}  // namespace retrace::agent
