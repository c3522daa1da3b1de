#include "declared_members.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace retrace::agent::declared_members {

namespace {

constexpr jint kAccPublic = 0x0001;
constexpr jint kAccStatic = 0x0008;

/** A hook waiting for its class to be linked by the native (see onClassPrepare). */
struct Pending {
  jclass klass;
  bool constructors;
  bool publicOnly;
  bool resolved = false;
  jthrowable failure = nullptr;  // global reference: the first type that could not be resolved
};

// Innermost first: a loader's Java code, run while types are resolved, may reflect too.
thread_local Pending* pending = nullptr;

using Key = std::pair<std::string, std::string>;  // name, descriptor: unique within a class

bool keyOf(jvmtiEnv* jvmti, jmethodID method, Key& key) {
  char* name = nullptr;
  char* descriptor = nullptr;
  if (jvmti->GetMethodName(method, &name, &descriptor, nullptr) != JVMTI_ERROR_NONE) return false;
  key.first = name;
  key.second = descriptor;
  jvmti->Deallocate(reinterpret_cast<unsigned char*>(name));
  jvmti->Deallocate(reinterpret_cast<unsigned char*>(descriptor));
  return true;
}

/**
 * Resolves the types of the methods (or constructors) the native will return, in the order of
 * (name, descriptor), as the native would: ToReflectedMethod builds the same Method objects with
 * the same HotSpot code (Reflection::new_method / new_constructor). False with the exception
 * pending when a type cannot be resolved.
 */
bool resolveInOrder(jvmtiEnv* jvmti, JNIEnv* env, jclass klass, bool constructors, bool publicOnly) {
  jint count = 0;
  jmethodID* methods = nullptr;
  // Overpass methods (HotSpot's stubs for default methods) are not listed, as the native skips them.
  if (jvmti->GetClassMethods(klass, &count, &methods) != JVMTI_ERROR_NONE) return true;
  struct Member {
    Key key;
    jmethodID id;
    bool isStatic;
  };
  std::vector<Member> members;
  members.reserve(count);
  for (jint i = 0; i < count; ++i) {
    Member member{{}, methods[i], false};
    jint modifiers = 0;
    if (!keyOf(jvmti, methods[i], member.key) ||
        jvmti->GetMethodModifiers(methods[i], &modifiers) != JVMTI_ERROR_NONE) {
      continue;
    }
    bool isConstructor = member.key.first == "<init>";
    bool selected = constructors ? isConstructor : !isConstructor && member.key.first != "<clinit>";
    if (!selected || (publicOnly && (modifiers & kAccPublic) == 0)) continue;
    member.isStatic = (modifiers & kAccStatic) != 0;
    members.push_back(std::move(member));
  }
  jvmti->Deallocate(reinterpret_cast<unsigned char*>(methods));
  std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.key < b.key; });
  for (const Member& member : members) {
    jobject reflected = env->ToReflectedMethod(klass, member.id, member.isStatic ? JNI_TRUE : JNI_FALSE);
    if (env->ExceptionCheck()) return false;
    if (reflected != nullptr) env->DeleteLocalRef(reflected);
  }
  return true;
}

/** Puts the Method (or Constructor) objects of `array` in the order of (name, descriptor). */
void sortResult(jvmtiEnv* jvmti, JNIEnv* env, jobjectArray array) {
  jsize length = env->GetArrayLength(array);
  if (length < 2) return;
  if (env->PushLocalFrame(length + 8) != 0) {
    env->ExceptionClear();
    return;
  }
  struct Entry {
    bool present;
    Key key;
    jobject object;
  };
  std::vector<Entry> entries;
  entries.reserve(length);
  bool complete = true;
  for (jsize i = 0; i < length && complete; ++i) {
    jobject object = env->GetObjectArrayElement(array, i);
    Entry entry{object != nullptr, {}, object};
    // Null stands for a method lost to a class redefinition: such entries go last.
    if (object != nullptr) complete = keyOf(jvmti, env->FromReflectedMethod(object), entry.key);
    entries.push_back(std::move(entry));
  }
  if (complete && !env->ExceptionCheck()) {
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      if (a.present != b.present) return a.present;
      return a.key < b.key;
    });
    for (jsize i = 0; i < length; ++i) env->SetObjectArrayElement(array, i, entries[i].object);
  }
  env->PopLocalFrame(nullptr);
}

}  // namespace

jvalue call(jvmtiEnv* jvmti, CallFrame& frame, ThreadState& thread) {
  JNIEnv* env = frame.env;
  jclass klass = static_cast<jclass>(frame.self);
  bool constructors = std::strcmp(frame.call.method, "getDeclaredConstructors0") == 0;
  bool publicOnly = frame.args[0].z != JNI_FALSE;
  jint status = 0;
  // Before the start phase JVMTI cannot help, and arrays and primitives have no members.
  if (jvmti->GetClassStatus(klass, &status) != JVMTI_ERROR_NONE ||
      (status & (JVMTI_CLASS_STATUS_ARRAY | JVMTI_CLASS_STATUS_PRIMITIVE)) != 0) {
    return frame.original();
  }
  Pending mine{klass, constructors, publicOnly};
  Pending* outer = pending;
  if ((status & JVMTI_CLASS_STATUS_PREPARED) != 0) {
    // The exception is the one the native would throw if it took the methods in this order.
    if (!resolveInOrder(jvmti, env, klass, constructors, publicOnly)) return zeroValue();
  } else {
    pending = &mine;  // the native links the class first: onClassPrepare resolves the types then
  }
  jvalue result = frame.original();
  pending = outer;
  if (mine.failure != nullptr) {
    // The native went on after a type failed to resolve; it failed too, on the first failing type
    // in its own order. Throw the first in ours, whichever it threw.
    env->ExceptionClear();
    if (result.l != nullptr) env->DeleteLocalRef(result.l);
    env->Throw(mine.failure);
    env->DeleteGlobalRef(mine.failure);
    return zeroValue();
  }
  if (result.l != nullptr && !env->ExceptionCheck()) sortResult(jvmti, env, static_cast<jobjectArray>(result.l));
  return result;
}

void onClassPrepare(jvmtiEnv* jvmti, JNIEnv* env, jclass klass) {
  Pending* waiting = pending;
  if (waiting == nullptr || waiting->resolved || !env->IsSameObject(waiting->klass, klass)) return;
  waiting->resolved = true;
  if (resolveInOrder(jvmti, env, klass, waiting->constructors, waiting->publicOnly)) return;
  jthrowable failure = env->ExceptionOccurred();
  env->ExceptionClear();
  waiting->failure = static_cast<jthrowable>(env->NewGlobalRef(failure));
  env->DeleteLocalRef(failure);
}

}  // namespace retrace::agent::declared_members
