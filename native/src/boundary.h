// The boundary: the table of hooked JDK natives (boundary_calls.inc) and the trampolines that
// stand in for them. A trampoline packs its arguments into a CallFrame and hands it to the
// session (record or replay); the session decides whether to run the original native.
#pragma once

#include <jni.h>
#include <jvmti.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace retrace::agent {

enum class Source : uint8_t { NONE, THIS_FD, THIS_FDOBJ, ARG_FDOBJ, ARG_INT, ARG_STRING, ARG_FILE, ARG_CSTR, ARG_DIR };

enum class Effect : uint8_t {
  NONE,
  READ_ARRAY,
  READ_NATIVE,
  READ_IOVEC,
  FIELDS,
  OPEN_FD_READ,
  OPEN_FD_WRITE,
  OPEN_FD_RAF,
  OPEN_RESULT,
  DUP_RESULT,
  DIR_OPEN,
  WRITE_ARRAY,
  WRITE_NATIVE,
  WRITE_IOVEC,
  WRITE_BYTE,
  MUTATE,
  CLOSE,
  DIR_CLOSE,
  ALSO_REPLAYED,
  THREAD_START,
  YIELD,
  PARK,
  WAKE,
  IDENTITY_HASH,
  ACCEPT,
  PIPE_RESULT,
  EPOLL_EVENTS,
  RECEIVE,
  NOT_FOLLOWED,
  SPAWN,
  LONG_ARRAYS,
  THIS_FIELDS,
  DECLARED_MEMBERS,
  MAP,
};

/** A scheduling point that is not recorded (Thread.start0, yield, park, unpark, notify, interrupt). */
inline bool isThreadCall(Effect effect) {
  return effect == Effect::THREAD_START || effect == Effect::YIELD || effect == Effect::PARK || effect == Effect::WAKE;
}

/** What a call returns, from its descriptor. */
enum class Returns : uint8_t {
  VOID,
  PRIMITIVE,
  STRING,
  STRING_ARRAY,
  BYTES,
  BYTES_ARRAY,
  INET_ADDRESS,
  INET_ADDRESS_ARRAY,
  NETWORK_INTERFACE,
  NETWORK_INTERFACE_ARRAY
};

struct BoundaryCall {
  uint16_t id;
  const char* className;  // internal form: java/io/FileInputStream
  const char* method;
  const char* descriptor;
  const char* alias;  // JVM_* entry point, or nullptr
  Source source;
  uint8_t s;
  Effect effect;
  uint8_t a;
  uint8_t b;
  Returns returns;
  char returnKind;  // the descriptor's return type: 'V', 'I', 'J', 'Z', 'L', '['
  void* trampoline;
  std::string displayName() const;  // java.io.FileInputStream.readBytes([BII)I
};

constexpr size_t kMaxCallId = 512;
/** Name-service lookups (DNS, /etc/hosts) and the address families: ids 200 to 211. */
constexpr uint16_t kFirstNameServiceCall = 200;
constexpr uint16_t kLastNameServiceCall = 211;
/**
 * Calls that wait on the world (besides sleeps, stdin and lookups): socket connect, poll, reads,
 * accept, a selector's wait, datagram receives, waiting for a process to exit.
 */
inline bool isBlockingCall(uint16_t id) {
  switch (id) {
    case 221:  // Net.connect0
    case 228:  // Net.poll
    case 229:  // Net.pollConnect
    case 240:  // SocketDispatcher.read0
    case 241:  // SocketDispatcher.readv0
    case 248:  // Net.accept
    case 262:  // EPoll.wait
    case 270:  // DatagramChannelImpl.receive0
    case 273:  // DatagramDispatcher.read0
    case 274:  // DatagramDispatcher.readv0
    case 310:  // ProcessImpl.forkAndExec: waits for the child to exec (vfork, or jspawnhelper's report)
    case 311:  // ProcessHandleImpl.waitForProcessExit0
      return true;
    default:
      return false;
  }
}
/**
 * The largest mapping whose bytes a recording holds (FileChannel.map): one event is one frame of
 * at most tape::kMaxFrameLength (64 MiB), and random bytes do not pack. A larger mapping is
 * recorded without them, with a warning; its replay stops there with a divergence.
 */
constexpr int64_t kMaxMappedSnapshot = int64_t{32} << 20;
/** map0's mode argument (FileChannelImpl.MAP_RO, MAP_RW; MAP_PV is 2, a private copy-on-write mapping). */
constexpr jint kMapReadOnly = 0;
constexpr jint kMapReadWrite = 1;
/** Thread.sleep (JDK 17) and Thread.sleepNanos0 (JDK 25): see boundary_calls.inc. */
constexpr uint16_t kCallSleep = 4;
constexpr uint16_t kCallSleepNanos = 5;
constexpr int kMaxArgs = 6;

/** A jvalue with every byte zero: the answer of a void call, or of one that is not made. */
inline jvalue zeroValue() {
  jvalue value;
  std::memset(&value, 0, sizeof value);
  return value;
}

/** One call in flight: the trampoline's arguments and a way to run the original native. */
struct CallFrame {
  JNIEnv* env;
  jobject self;  // the receiver, or the class for static natives
  const BoundaryCall& call;
  jvalue* args;
  int argCount;
  jvalue (*invokeOriginal)(CallFrame& frame);
  jvalue original() { return invokeOriginal(*this); }
};

class Boundary {
 public:
  static const BoundaryCall* calls();
  static size_t callCount();
  static const BoundaryCall* byId(uint16_t id);

  /**
   * NativeMethodBind: when the native is in the table, remembers `address` as the original and
   * returns the trampoline to bind instead; otherwise returns nullptr. `className` and `method`
   * may be null (primordial phase): then the native is recognised by `address` alone.
   */
  static void* bind(const char* className, const char* method, const char* descriptor, void* address);

  static void* original(uint16_t id) { return originals_[id].load(std::memory_order_acquire); }

  /**
   * A bind that arrived before method names could be asked and matched no exported entry point:
   * kept, so that bindLate() can recognise it once the VM is live.
   */
  static void notePrimordial(jmethodID method, void* address);
  /**
   * At VMInit: binds table natives among the noted ones through RegisterNatives. HotSpot logs a
   * warning to stdout for each such re-registration; it is not the program's output, so stdout is
   * pointed at /dev/null meanwhile (no application thread runs yet).
   */
  static void bindLate(jvmtiEnv* jvmti, JNIEnv* env);

 private:
  static std::atomic<void*> originals_[kMaxCallId];
};

/** Implemented by the active session (record_session.cpp / replay_session.cpp). */
jvalue dispatchCall(CallFrame& frame);

}  // namespace retrace::agent
