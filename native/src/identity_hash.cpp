#include "identity_hash.h"

#include <iterator>

#include "boundary.h"

namespace retrace::agent {

namespace {

constexpr uint64_t kLockMask = 0x3;
constexpr uint64_t kUnlocked = 0x1;
constexpr uint64_t kMonitor = 0x2;
constexpr uint64_t kHashMask = 0x7FFFFFFF;
constexpr uint64_t kLowestPointer = 0x10000;

// jdk.internal.misc.Unsafe, reached through JNI (which ignores module boundaries): the mark word
// is the first 8 bytes of every object with the default (non-compact) headers.
struct Access {
  bool ready = false;
  jvmtiEnv* jvmti = nullptr;
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

  // Where a locked object's header went, while it cannot move: JDK 17's stack-locking points the
  // mark word at a lock record on the owner's stack, whose first word is the header (stable while
  // the calling thread owns it); an inflated monitor (both JDKs) keeps the header in its first
  // word (HotSpot asserts both offsets), and is not deflated while it has an owner or waiters.
  // Null otherwise.
  uint64_t* movedHeader(JNIEnv* env, jobject object, uint64_t mark) const {
    uint64_t lock = mark & kLockMask;
    bool stackLocked = lock == 0 && !fastLockKeepsHeader;
    if (jvmti == nullptr || (!stackLocked && lock != kMonitor) || (mark & ~kLockMask) == 0) return nullptr;
    jvmtiMonitorUsage usage{};
    if (jvmti->GetObjectMonitorUsage(object, &usage) != JVMTI_ERROR_NONE) return nullptr;
    jthread self = nullptr;
    bool mine = usage.owner != nullptr && jvmti->GetCurrentThread(&self) == JVMTI_ERROR_NONE &&
                env->IsSameObject(usage.owner, self);
    bool inUse = usage.owner != nullptr || usage.waiter_count > 0 || usage.notify_waiter_count > 0;
    for (jthread* list : {usage.waiters, usage.notify_waiters}) {
      if (list != nullptr) jvmti->Deallocate(reinterpret_cast<unsigned char*>(list));
    }
    for (jobject local : {static_cast<jobject>(usage.owner), static_cast<jobject>(self)}) {
      if (local != nullptr) env->DeleteLocalRef(local);
    }
    if (stackLocked ? !mine : !inUse) return nullptr;
    return reinterpret_cast<uint64_t*>(static_cast<uintptr_t>(mark & ~kLockMask));
  }

  // Inflated, and neither owned nor waited on: the state the JVM deflates.
  bool idleMonitor(JNIEnv* env, jobject object) const {
    if (jvmti == nullptr || (mark(env, object) & kLockMask) != kMonitor) return false;
    jvmtiMonitorUsage usage{};
    if (jvmti->GetObjectMonitorUsage(object, &usage) != JVMTI_ERROR_NONE) return false;
    bool idle = usage.owner == nullptr && usage.waiter_count == 0 && usage.notify_waiter_count == 0;
    for (jthread* list : {usage.waiters, usage.notify_waiters}) {
      if (list != nullptr) jvmti->Deallocate(reinterpret_cast<unsigned char*>(list));
    }
    if (usage.owner != nullptr) env->DeleteLocalRef(usage.owner);
    return idle;
  }

  // Where a locked object's header went, for a look only: whoever owns the lock, and whether the
  // monitor is in use or idle. What is read there may be stale (the owner unlocking, the monitor
  // being deflated), so the caller checks that it looks like an unlocked header.
  const uint64_t* headerToRead(uint64_t mark) const {
    uint64_t lock = mark & kLockMask;
    bool stackLocked = lock == 0 && !fastLockKeepsHeader;
    uint64_t address = mark & ~kLockMask;
    // A lock record or monitor is word-aligned and far from null; anything else is a layout this
    // code does not know (another locking mode), and is not followed.
    if ((!stackLocked && lock != kMonitor) || address < kLowestPointer || (address & 0x7) != 0) return nullptr;
    return reinterpret_cast<const uint64_t*>(static_cast<uintptr_t>(address));
  }
};

// A header that moved out (see movedHeader): holds the hash like an unlocked object's header.
// `replace`: an existing hash gives way to `hash` too.
IdentityHash::Outcome installMoved(uint64_t* header, int shift, int32_t hash, int32_t& actual, bool replace = false) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    uint64_t moved = __atomic_load_n(header, __ATOMIC_ACQUIRE);
    if ((moved & kLockMask) != kUnlocked) return IdentityHash::Outcome::kUnavailable;
    auto existing = static_cast<int32_t>((moved >> shift) & kHashMask);
    if (existing != 0 && !replace) {
      actual = existing;
      return IdentityHash::Outcome::kAlreadySet;
    }
    uint64_t wanted = (moved & ~(kHashMask << shift)) | ((static_cast<uint64_t>(hash) & kHashMask) << shift);
    if (__atomic_compare_exchange_n(header, &moved, wanted, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
      return IdentityHash::Outcome::kInstalled;
    }
  }
  return IdentityHash::Outcome::kUnavailable;
}

Access access;

// Objects whose identity hash only orders a JDK-internal weak set: ZipFile keeps its open input
// streams in a WeakHashMap. Class loading opens one per class it reads, in the order the JVM asks
// for classes, which is not the program's (the verifier's order changes from run to run).
constexpr const char* kUnrecordedClasses[] = {"java/util/zip/ZipFile$ZipFileInputStream",
                                              "java/util/zip/ZipFile$ZipFileInflaterInputStream"};
jclass unrecorded[std::size(kUnrecordedClasses)] = {};  // global references, or null

}  // namespace

bool IdentityHash::isUnrecorded(JNIEnv* env, jobject object) {
  for (jclass klass : unrecorded) {
    if (klass != nullptr && env->IsInstanceOf(object, klass)) return true;
  }
  return false;
}

void IdentityHash::init(jvmtiEnv* jvmti, JNIEnv* env) {
  access.jvmti = jvmti;
  for (size_t i = 0; i < std::size(kUnrecordedClasses); ++i) {
    jclass klass = env->FindClass(kUnrecordedClasses[i]);
    if (klass == nullptr) {
      env->ExceptionClear();
      continue;
    }
    unrecorded[i] = static_cast<jclass>(env->NewGlobalRef(klass));
    env->DeleteLocalRef(klass);
  }
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
  if (!access.settable(mark)) {
    // Locked or inflated: the hash is where the header went. The JVM inflates and deflates
    // monitors on its own (contention, its deflation thread), so deciding by the monitor's state
    // would make a call an event in one run and not in the other; the hash itself decides.
    const uint64_t* header = access.headerToRead(mark);
    if (header == nullptr) return false;
    mark = __atomic_load_n(header, __ATOMIC_ACQUIRE);
    if ((mark & kLockMask) != kUnlocked) return false;
  }
  return ((mark >> access.shift) & kHashMask) != 0;
}

std::string IdentityHash::describeHeader(JNIEnv* env, jobject object) {
  if (!access.ready || access.shift < 0) return "a header layout the agent does not know";
  uint64_t mark = access.mark(env, object);
  std::string where = "unlocked";
  if (!access.settable(mark)) {
    where = (mark & kLockMask) == kMonitor ? "an inflated monitor" : "locked by a thread (stack lock)";
    const uint64_t* header = access.headerToRead(mark);
    if (header == nullptr) return where + ", its header out of reach";
    mark = __atomic_load_n(header, __ATOMIC_ACQUIRE);
    if ((mark & kLockMask) != kUnlocked) return where + ", its header moving";
  }
  return where + (((mark >> access.shift) & kHashMask) != 0 ? ", with a hash" : ", no hash");
}

bool IdentityHash::peek(JNIEnv* env, jobject object, int32_t& hash) {
  if (!access.ready || access.shift < 0) return false;
  uint64_t mark = access.mark(env, object);
  if (!access.settable(mark)) {
    uint64_t* header = access.movedHeader(env, object, mark);
    if (header == nullptr) return false;
    mark = __atomic_load_n(header, __ATOMIC_ACQUIRE);
    if ((mark & kLockMask) != kUnlocked) return false;
  }
  hash = static_cast<int32_t>((mark >> access.shift) & kHashMask);
  return hash != 0;
}

IdentityHash::Outcome IdentityHash::install(JNIEnv* env, jobject object, int32_t hash, int32_t& actual) {
  Outcome outcome = update(env, object, hash, actual, false);
  if (outcome != Outcome::kUnavailable || !access.idleMonitor(env, object)) return outcome;
  // An inflated monitor that nobody holds: the JVM's deflation thread may take it apart at any
  // moment, so its header is not ours to write. Holding the monitor for the write keeps it in use
  // (it is free, so taking it does not wait; the recorded run's JVM generated the hash right here).
  if (env->MonitorEnter(object) != JNI_OK) return outcome;
  outcome = update(env, object, hash, actual, false);
  env->MonitorExit(object);
  return outcome;
}

bool IdentityHash::replace(JNIEnv* env, jobject object, int32_t hash) {
  int32_t actual = 0;
  return update(env, object, hash, actual, true) == Outcome::kInstalled;
}

IdentityHash::Outcome IdentityHash::update(JNIEnv* env, jobject object, int32_t hash, int32_t& actual, bool replace) {
  if (!access.ready || access.shift < 0) return Outcome::kUnavailable;
  // A GC may age the object between the read and the swap: read again and retry.
  for (int attempt = 0; attempt < 100; ++attempt) {
    uint64_t mark = access.mark(env, object);
    if (!access.settable(mark)) {
      uint64_t* header = access.movedHeader(env, object, mark);
      if (header == nullptr) return Outcome::kUnavailable;
      Outcome outcome = installMoved(header, access.shift, hash, actual, replace);
      // A contending thread may have inflated the lock meanwhile, copying the header before the
      // hash was in it: then do it again where the header is now.
      if (outcome == Outcome::kUnavailable || access.mark(env, object) == mark) return outcome;
      continue;
    }
    auto existing = static_cast<int32_t>((mark >> access.shift) & kHashMask);
    if (existing != 0 && !replace) {
      actual = existing;
      return Outcome::kAlreadySet;
    }
    uint64_t wanted =
        (mark & ~(kHashMask << access.shift)) | ((static_cast<uint64_t>(hash) & kHashMask) << access.shift);
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
