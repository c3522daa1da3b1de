#include "identity_hash.h"

#include "boundary.h"

namespace retrace::agent {

namespace {

constexpr uint64_t kLockMask = 0x3;
constexpr uint64_t kUnlocked = 0x1;
constexpr uint64_t kHashMask = 0x7FFFFFFF;

// jdk.internal.misc.Unsafe, reached through JNI (which ignores module boundaries): the mark word
// is the first 8 bytes of every object with the default (non-compact) headers.
struct Access {
  bool ready = false;
  jobject unsafe = nullptr;  // global reference
  jmethodID getLong = nullptr;
  jmethodID compareAndSetLong = nullptr;
  int shift = -1;  // where the hash starts in the mark word; -1: unknown layout
  // Lightweight locking (the only mode from JDK 24): a fast-locked object keeps its header, with
  // lock bits 00, and its hash can be set like an unlocked one's. Stack-locking (JDK 17) puts a
  // pointer there instead.
  bool fastLockKeepsHeader = false;

  bool settable(uint64_t mark) const {
    uint64_t lock = mark & kLockMask;
    return lock == kUnlocked || (lock == 0 && fastLockKeepsHeader);
  }

  uint64_t mark(JNIEnv* env, jobject object) const {
    return static_cast<uint64_t>(env->CallLongMethod(unsafe, getLong, object, jlong{0}));
  }
};

Access access;

}  // namespace

void IdentityHash::init(JNIEnv* env) {
  jclass klass = env->FindClass("jdk/internal/misc/Unsafe");
  if (klass == nullptr) {
    env->ExceptionClear();
    return;
  }
  jfieldID field = env->GetStaticFieldID(klass, "theUnsafe", "Ljdk/internal/misc/Unsafe;");
  jmethodID getLong = env->GetMethodID(klass, "getLong", "(Ljava/lang/Object;J)J");
  jmethodID cas = env->GetMethodID(klass, "compareAndSetLong", "(Ljava/lang/Object;JJJ)Z");
  if (field == nullptr || getLong == nullptr || cas == nullptr) {
    env->ExceptionClear();
    return;
  }
  jobject unsafe = env->GetStaticObjectField(klass, field);
  jclass runtime = env->FindClass("java/lang/Runtime");
  jmethodID version =
      runtime != nullptr ? env->GetStaticMethodID(runtime, "version", "()Ljava/lang/Runtime$Version;") : nullptr;
  jobject v = version != nullptr ? env->CallStaticObjectMethod(runtime, version) : nullptr;
  jclass versionClass = v != nullptr ? env->GetObjectClass(v) : nullptr;
  jmethodID feature = versionClass != nullptr ? env->GetMethodID(versionClass, "feature", "()I") : nullptr;
  access.fastLockKeepsHeader = feature != nullptr && env->CallIntMethod(v, feature) >= 24;
  if (env->ExceptionCheck()) env->ExceptionClear();
  for (jobject local : {static_cast<jobject>(runtime), v, static_cast<jobject>(versionClass)}) {
    if (local != nullptr) env->DeleteLocalRef(local);
  }
  access.unsafe = env->NewGlobalRef(unsafe);
  access.getLong = getLong;
  access.compareAndSetLong = cas;
  // Learn the layout from a fresh object: JDK 17 keeps the hash at bit 8, JDK 25 at bit 11; compact
  // object headers elsewhere again (then no shift matches and replay lets the JVM generate).
  jclass objectClass = env->FindClass("java/lang/Object");
  jobject probe = objectClass != nullptr ? env->AllocObject(objectClass) : nullptr;
  if (probe != nullptr && (access.mark(env, probe) & kLockMask) == kUnlocked) {
    int32_t hash = IdentityHash::generate(env, probe);
    uint64_t mark = access.mark(env, probe);
    for (int shift = 2; shift + 31 <= 64 && hash != 0; ++shift) {
      if (static_cast<int32_t>((mark >> shift) & kHashMask) == hash) {
        access.shift = shift;
        break;
      }
    }
  }
  if (env->ExceptionCheck()) env->ExceptionClear();
  for (jobject local : {static_cast<jobject>(klass), unsafe, static_cast<jobject>(objectClass), probe}) {
    if (local != nullptr) env->DeleteLocalRef(local);
  }
  access.ready = access.unsafe != nullptr;
}

int32_t IdentityHash::generate(JNIEnv* env, jobject object) {
  if (void* hashCode = Boundary::original(kObjectHashCode)) {
    return reinterpret_cast<jint(JNICALL*)(JNIEnv*, jobject)>(hashCode)(env, object);
  }
  if (void* identity = Boundary::original(kIdentityHashCode)) {
    return reinterpret_cast<jint(JNICALL*)(JNIEnv*, jclass, jobject)>(identity)(env, nullptr, object);
  }
  return 0;
}

bool IdentityHash::hasHash(JNIEnv* env, jobject object) {
  if (!access.ready || access.shift < 0) return false;
  uint64_t mark = access.mark(env, object);
  return access.settable(mark) && ((mark >> access.shift) & kHashMask) != 0;
}

IdentityHash::Outcome IdentityHash::install(JNIEnv* env, jobject object, int32_t hash, int32_t& actual) {
  if (!access.ready || access.shift < 0) return Outcome::kUnavailable;
  // A GC may age the object between the read and the swap: read again and retry.
  for (int attempt = 0; attempt < 100; ++attempt) {
    uint64_t mark = access.mark(env, object);
    if (!access.settable(mark)) return Outcome::kUnavailable;
    auto existing = static_cast<int32_t>((mark >> access.shift) & kHashMask);
    if (existing != 0) {
      actual = existing;
      return Outcome::kAlreadySet;
    }
    uint64_t wanted = mark | ((static_cast<uint64_t>(hash) & kHashMask) << access.shift);
    if (env->CallBooleanMethod(access.unsafe, access.compareAndSetLong, object, jlong{0}, static_cast<jlong>(mark),
                               static_cast<jlong>(wanted))) {
      return Outcome::kInstalled;
    }
    if (env->ExceptionCheck()) {
      env->ExceptionClear();
      return Outcome::kUnavailable;
    }
  }
  return Outcome::kUnavailable;
}

}  // namespace retrace::agent
