#include "boundary.h"

#include <dlfcn.h>

#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

namespace retrace::agent {

std::atomic<void*> Boundary::originals_[kMaxCallId];

namespace {

template <typename T>
jvalue toJvalue(T value) {
  jvalue v;
  std::memset(&v, 0, sizeof v);
  if constexpr (std::is_same_v<T, jint>)
    v.i = value;
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
      jvalue none;
      std::memset(&none, 0, sizeof none);
      return none;
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

constexpr Returns returnsOf(const char* descriptor) {
  const char* r = descriptor;
  while (*r != ')') ++r;
  ++r;
  if (r[0] == 'V') return Returns::VOID;
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
    for (const BoundaryCall& call : kCalls) {
      if (std::strcmp(call.method, method) == 0 && std::strcmp(call.descriptor, descriptor) == 0 &&
          std::strcmp(call.className, className) == 0) {
        found = &call;
        break;
      }
    }
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

}  // namespace retrace::agent
