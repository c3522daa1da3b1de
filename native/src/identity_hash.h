// Identity hash codes on replay. HotSpot generates an object's identity hash from a per-thread
// sequence whose seed depends on how many threads (JIT and GC workers included) the JVM created
// before: it differs from run to run. Recording keeps the hash the JVM generated; replay writes
// that value into the object's header (the mark word) before the JVM would generate one, so
// compiled code, which reads the header directly, sees the recorded hash too.
#pragma once

#include <jni.h>
#include <jvmti.h>

#include <cstdint>
#include <string>

namespace retrace::agent {

class IdentityHash {
 public:
  /** Boundary ids of Object.hashCode and System.identityHashCode (boundary_calls.inc). */
  static constexpr uint16_t kObjectHashCode = 187;
  static constexpr uint16_t kIdentityHashCode = 188;
  /** Not a native: the hash a class's mirror has when the class is linked (boundary_calls.inc). */
  static constexpr uint16_t kMirrorHash = 189;

  /** The object a hash call is about (null for identityHashCode(null)). */
  static jobject objectOf(uint16_t callId, jobject self, const jvalue* args) {
    return callId == kObjectHashCode ? self : args[0].l;
  }

  /**
   * Finds Unsafe and learns the header layout. At VMInit, once the natives are bound and before any
   * application thread runs: later, a thread doing it could lose the baton halfway (class loading
   * takes monitors) and leave the next hashing thread waiting for it, holding the baton.
   */
  static void init(jvmtiEnv* jvmti, JNIEnv* env);

  /**
   * The object's hash is not an event: the JVM generates it live in record and replay alike. For
   * JDK-internal objects whose hash only orders a weak set of the JDK's own and whose creation
   * follows the JVM's class loading order (ZipFile's open streams; docs/boundary.md).
   */
  static bool isUnrecorded(JNIEnv* env, jobject object);

  /** The JVM's own generator, through whichever of the two natives is bound. */
  static int32_t generate(JNIEnv* env, jobject object);

  enum class Outcome {
    kInstalled,    // the header now holds the recorded hash
    kAlreadySet,   // the object had a hash: `actual` holds it
    kUnavailable,  // locked by another thread, unknown header layout: the JVM must generate one
  };

  /**
   * Whether `object` already has an identity hash that the JVM will hand out without generating
   * one. Only a generation is an event: whether a hashCode() call reaches the native at all depends
   * on the JIT (compiled code reads the header itself), a generation does not. A locked or
   * inflated object keeps its header elsewhere (the owner's lock record on JDK 17, the monitor):
   * the hash is looked for there, whoever owns the lock, so that the answer does not depend on the
   * monitor's state, which the JVM changes on its own. Only when that header cannot be read is the
   * answer false, and every call on such an object an event, in record and replay alike.
   */
  static bool hasHash(JNIEnv* env, jobject object);

  /**
   * Puts `hash` into the header of `object` when it has none. When the calling thread holds the
   * object's lock on a JVM that moves the header out while locked (JDK 17: into a lock record on
   * the owner's stack, or into an inflated monitor), the hash goes where the header went; the JVM
   * looks for it there and carries it back into the object when the lock is released.
   */
  static Outcome install(JNIEnv* env, jobject object, int32_t hash, int32_t& actual);

  /** For reports: the state of the header of `object` ("unlocked, no hash", "an inflated monitor's, ..."). */
  static std::string describeHeader(JNIEnv* env, jobject object);

  /** The hash in the header of `object` (or where its header went, as for install); false: none. */
  static bool peek(JNIEnv* env, jobject object, int32_t& hash);

  /**
   * Makes `hash` the object's hash even when it has another: only for a hash no Java code can have
   * seen yet, such as the one JDK 17 gives a class's mirror while linking it (see ClassPrepare in
   * agent.cpp). False when the header could not be reached.
   */
  static bool replace(JNIEnv* env, jobject object, int32_t hash);

 private:
  static Outcome update(JNIEnv* env, jobject object, int32_t hash, int32_t& actual, bool replace);
};

}  // namespace retrace::agent
