#include "boundary.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <mutex>
#include <vector>

#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

namespace retrace::agent {

std::atomic<void*> Boundary::originals_[kMaxCallId];

namespace {

template <typename T>
jvalue toJvalue(T value) {
  jvalue v = zeroValue();
  if constexpr (std::is_same_v<T, jint> || std::is_same_v<T, jbyte>)
    v.i = value;  // a byte travels as an int, as the JVM passes it
  else if constexpr (std::is_same_v<T, jlong>)
    v.j = value;
  else if constexpr (std::is_same_v<T, jboolean>)
    v.z = value;
  else
    v.l = value;
  return v;
}

template <typename T>
T fromJvalue(const jvalue& v) {
  if constexpr (std::is_same_v<T, jint>)
    return v.i;
  else if constexpr (std::is_same_v<T, jbyte>)
    return static_cast<jbyte>(v.i);
  else if constexpr (std::is_same_v<T, jlong>)
    return v.j;
  else if constexpr (std::is_same_v<T, jboolean>)
    return v.z;
  else
    return v.l;
}

template <uint16_t Id, typename Signature>
struct Trampoline;

template <uint16_t Id, typename R, typename... A>
struct Trampoline<Id, R(A...)> {
  using Native = R(JNICALL*)(JNIEnv*, jobject, A...);

  static R JNICALL entry(JNIEnv* env, jobject self, A... args) {
    jvalue values[sizeof...(A) + 1] = {toJvalue(args)...};
    CallFrame frame{env, self, *Boundary::byId(Id), values, static_cast<int>(sizeof...(A)), &invoke};
    jvalue result = dispatchCall(frame);
    if constexpr (!std::is_void_v<R>) return fromJvalue<R>(result);
  }

  static jvalue invoke(CallFrame& frame) { return invokeWith(frame, std::index_sequence_for<A...>{}); }

  template <size_t... I>
  static jvalue invokeWith(CallFrame& frame, std::index_sequence<I...>) {
    auto native = reinterpret_cast<Native>(Boundary::original(Id));
    if constexpr (std::is_void_v<R>) {
      native(frame.env, frame.self, fromJvalue<A>(frame.args[I])...);
      return zeroValue();
    } else {
      return toJvalue<R>(native(frame.env, frame.self, fromJvalue<A>(frame.args[I])...));
    }
  }
};

constexpr char returnKindOf(const char* descriptor) {
  const char* r = descriptor;
  while (*r != ')') ++r;
  return r[1];
}

constexpr bool startsWith(const char* text, const char* prefix) {
  for (; *prefix != '\0'; ++text, ++prefix) {
    if (*text != *prefix) return false;
  }
  return true;
}

constexpr Returns returnsOf(const char* descriptor) {
  const char* r = descriptor;
  while (*r != ')') ++r;
  ++r;
  if (r[0] == 'V') return Returns::VOID;
  if (startsWith(r, "[Ljava/net/InetAddress;")) return Returns::INET_ADDRESS_ARRAY;
  if (startsWith(r, "Ljava/net/InetAddress;")) return Returns::INET_ADDRESS;
  if (startsWith(r, "[Ljava/net/NetworkInterface;")) return Returns::NETWORK_INTERFACE_ARRAY;
  if (startsWith(r, "Ljava/net/NetworkInterface;")) return Returns::NETWORK_INTERFACE;
  if (r[0] == '[' && r[1] == 'B') return Returns::BYTES;
  if (r[0] == '[' && r[1] == '[' && r[2] == 'B') return Returns::BYTES_ARRAY;
  if (r[0] == '[' && r[1] == 'L') return Returns::STRING_ARRAY;
  if (r[0] == 'L') return Returns::STRING;
  return Returns::PRIMITIVE;
}

#define CALL(id, cls, name, desc, alias, Ret, Args, source, s, effect, a, b) \
  BoundaryCall{static_cast<uint16_t>(id),                                    \
               cls,                                                          \
               name,                                                         \
               desc,                                                         \
               alias,                                                        \
               Source::source,                                               \
               s,                                                            \
               Effect::effect,                                               \
               a,                                                            \
               b,                                                            \
               returnsOf(desc),                                              \
               returnKindOf(desc),                                           \
               reinterpret_cast<void*>(&Trampoline<static_cast<uint16_t>(id), Ret Args>::entry)},
const BoundaryCall kCalls[] = {
#include "boundary_calls.inc"
};
#undef CALL

struct ById {
  const BoundaryCall* table[kMaxCallId] = {};
  ById() {
    for (const BoundaryCall& call : kCalls) table[call.id] = &call;
  }
};
const ById kById;

// JNI short name: Java_<class>_<method> with '_' -> "_1", '$' -> "_00024", '/' -> '_'.
std::string jniShortName(const char* className, const char* method) {
  std::string out = "Java_";
  auto mangle = [&out](const char* s) {
    for (; *s != '\0'; ++s) {
      if (*s == '/')
        out += '_';
      else if (*s == '_')
        out += "_1";
      else if (*s == '$')
        out += "_00024";
      else
        out += *s;
    }
  };
  mangle(className);
  out += '_';
  mangle(method);
  return out;
}

struct PrimordialBind {
  jmethodID method;
  void* address;
};

std::mutex& primordialMutex() {
  static std::mutex mutex;
  return mutex;
}

std::vector<PrimordialBind>& primordialBinds() {
  static std::vector<PrimordialBind> binds;
  return binds;
}

const BoundaryCall* findByName(const char* className, const char* method, const char* descriptor) {
  for (const BoundaryCall& call : kCalls) {
    if (std::strcmp(call.method, method) == 0 && std::strcmp(call.descriptor, descriptor) == 0 &&
        std::strcmp(call.className, className) == 0) {
      return &call;
    }
  }
  return nullptr;
}

/** Points stdout at /dev/null for its lifetime. */
class MutedStdout {
 public:
  MutedStdout() {
    int quiet = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (quiet < 0) return;
    saved_ = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved_ >= 0) dup2(quiet, STDOUT_FILENO);
    close(quiet);
  }
  ~MutedStdout() {
    if (saved_ < 0) return;
    dup2(saved_, STDOUT_FILENO);
    close(saved_);
  }
  MutedStdout(const MutedStdout&) = delete;
  MutedStdout& operator=(const MutedStdout&) = delete;

 private:
  int saved_ = -1;
};

bool isTrampoline(void* address) {
  for (const BoundaryCall& call : kCalls) {
    if (call.trampoline == address) return true;
  }
  return false;
}

}  // namespace

std::string BoundaryCall::displayName() const {
  std::string name = className;
  for (char& c : name) {
    if (c == '/') c = '.';
  }
  return name + "." + method + descriptor;
}

const BoundaryCall* Boundary::calls() {
  return kCalls;
}
size_t Boundary::callCount() {
  return sizeof kCalls / sizeof kCalls[0];
}
const BoundaryCall* Boundary::byId(uint16_t id) {
  return id < kMaxCallId ? kById.table[id] : nullptr;
}

void* Boundary::bind(const char* className, const char* method, const char* descriptor, void* address) {
  // Re-registration reports our own trampoline: never take it for the original, or it would call
  // itself forever.
  if (address == nullptr || isTrampoline(address)) return nullptr;
  const BoundaryCall* found = nullptr;
  if (className != nullptr && method != nullptr && descriptor != nullptr) {
    found = findByName(className, method, descriptor);
  } else {
    // Primordial phase: method names cannot be asked yet; the symbol the address belongs to can.
    Dl_info info;
    if (dladdr(address, &info) != 0 && info.dli_sname != nullptr && info.dli_saddr == address) {
      for (const BoundaryCall& call : kCalls) {
        if ((call.alias != nullptr && std::strcmp(call.alias, info.dli_sname) == 0) ||
            jniShortName(call.className, call.method) == info.dli_sname) {
          found = &call;
          break;
        }
      }
    }
  }
  if (found == nullptr) return nullptr;
  originals_[found->id].store(address, std::memory_order_release);
  return found->trampoline;
}

void Boundary::notePrimordial(jmethodID method, void* address) {
  if (address == nullptr || isTrampoline(address)) return;
  std::lock_guard<std::mutex> guard(primordialMutex());
  primordialBinds().push_back({method, address});
}

void Boundary::bindLate(jvmtiEnv* jvmti, JNIEnv* env) {
  std::vector<PrimordialBind> binds;
  {
    std::lock_guard<std::mutex> guard(primordialMutex());
    binds.swap(primordialBinds());
  }
  for (const PrimordialBind& bind : binds) {
    char* name = nullptr;
    char* descriptor = nullptr;
    char* signature = nullptr;
    jclass klass = nullptr;
    if (jvmti->GetMethodName(bind.method, &name, &descriptor, nullptr) == JVMTI_ERROR_NONE &&
        jvmti->GetMethodDeclaringClass(bind.method, &klass) == JVMTI_ERROR_NONE &&
        jvmti->GetClassSignature(klass, &signature, nullptr) == JVMTI_ERROR_NONE) {
      std::string className(signature + 1, std::strlen(signature) - 2);
      const BoundaryCall* call = findByName(className.c_str(), name, descriptor);
      if (call != nullptr && original(call->id) == nullptr) {
        originals_[call->id].store(bind.address, std::memory_order_release);
        JNINativeMethod native{name, descriptor, call->trampoline};
        MutedStdout muted;
        if (env->RegisterNatives(klass, &native, 1) != JNI_OK) {
          env->ExceptionClear();
          originals_[call->id].store(nullptr, std::memory_order_release);
        }
      }
    }
    for (char* p : {name, descriptor, signature}) {
      if (p != nullptr) jvmti->Deallocate(reinterpret_cast<unsigned char*>(p));
    }
    if (klass != nullptr) env->DeleteLocalRef(klass);
  }
}

}  // namespace retrace::agent
