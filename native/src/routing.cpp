#include "routing.h"

#include <fcntl.h>
#include <sys/uio.h>

#include <cstring>
#include <string>

#include "code_identity.h"
#include "fd_table.h"
#include "java_access.h"
#include "stacks.h"

namespace retrace::agent {

namespace {

constexpr jint kRandomAccessReadOnly = 1;  // java.io.RandomAccessFile.O_RDONLY

}  // namespace

bool isWrite(Effect effect) {
  return effect == Effect::WRITE_ARRAY || effect == Effect::WRITE_NATIVE || effect == Effect::WRITE_IOVEC ||
         effect == Effect::WRITE_BYTE;
}

std::string bytesWritten(CallFrame& frame) {
  const BoundaryCall& call = frame.call;
  const jvalue* args = frame.args;
  switch (call.effect) {
    case Effect::WRITE_ARRAY: {
      jint length = args[call.b + 1].i;
      std::string out(static_cast<size_t>(length > 0 ? length : 0), '\0');
      if (length > 0) {
        frame.env->GetByteArrayRegion(static_cast<jbyteArray>(args[call.a].l), args[call.b].i, length,
                                      reinterpret_cast<jbyte*>(out.data()));
        if (frame.env->ExceptionCheck()) frame.env->ExceptionClear();
      }
      return out;
    }
    case Effect::WRITE_NATIVE: {
      jint length = args[call.a + 1].i;
      return length > 0 ? std::string(reinterpret_cast<const char*>(static_cast<intptr_t>(args[call.a].j)),
                                      static_cast<size_t>(length))
                        : std::string();
    }
    case Effect::WRITE_IOVEC: {
      std::string out;
      const struct iovec* iov = reinterpret_cast<const struct iovec*>(static_cast<intptr_t>(args[call.a].j));
      for (jint i = 0; i < args[call.b].i; ++i) out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      return out;
    }
    case Effect::WRITE_BYTE:
      return std::string(1, static_cast<char>(args[call.a].i));
    default:
      return "";
  }
}

bool changesFiles(CallFrame& frame) {
  const BoundaryCall& call = frame.call;
  switch (call.effect) {
    case Effect::MUTATE:
    case Effect::OPEN_FD_WRITE:
      return true;
    case Effect::OPEN_FD_RAF:
      return frame.args[call.a].i != kRandomAccessReadOnly;
    case Effect::OPEN_RESULT:
      return (frame.args[call.a].i & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0;
    case Effect::MAP:  // writes through a shared read-write mapping reach the file
      return frame.args[call.a].i == kMapReadWrite;
    default:
      return isWrite(call.effect);
  }
}

namespace {

// The JDK's class path machinery: the application class loader's and every URLClassLoader's.
constexpr const char* kClassPathMachinery = "jdk.internal.loader.URLClassPath";
constexpr int kClassPathDepth = 48;

bool isCodePath(const std::string& path, CodeIdentity& code, jvmtiEnv* jvmti) {
  if (code.isCode(path.c_str())) return true;
  if (!CodeIdentity::looksLikeCode(path) || !calledFrom(jvmti, kClassPathMachinery, kClassPathDepth)) return false;
  code.noteFoundCode(path);
  return true;
}

}  // namespace

Route routeOf(CallFrame& frame, FdTable& fds, CodeIdentity& code, jvmtiEnv* jvmti) {
  const BoundaryCall& call = frame.call;
  switch (call.source) {
    case Source::NONE:
      return Route::kTape;
    case Source::ARG_DIR:
      return fds.isPassThroughDir(frame.args[call.s].j) ? Route::kPassThrough : Route::kTape;
    case Source::ARG_STRING:
    case Source::ARG_FILE:
    case Source::ARG_CSTR: {
      if (changesFiles(frame)) return Route::kTape;
      std::string path;
      return JavaAccess::pathOf(frame, path) && isCodePath(path, code, jvmti) ? Route::kPassThrough : Route::kTape;
    }
    default: {
      int fd = JavaAccess::fdOf(frame);
      // A read-write mapping of code would write code: it is taped, and replay maps a copy.
      if (call.effect == Effect::MAP && changesFiles(frame)) return Route::kTape;
      if (fds.isPassThrough(fd)) return Route::kPassThrough;
      if ((fd == 1 || fd == 2) && isWrite(call.effect)) return Route::kEcho;
      return Route::kTape;
    }
  }
}

bool mayBlock(CallFrame& frame, const FdTable& fds) {
  const BoundaryCall& call = frame.call;
  if (call.id == kCallSleep || call.id == kCallSleepNanos) return true;
  if (call.id >= kFirstNameServiceCall && call.id <= kLastNameServiceCall) return true;
  if (isBlockingCall(call.id)) return true;
  bool reads =
      call.effect == Effect::READ_ARRAY || call.effect == Effect::READ_NATIVE || call.effect == Effect::READ_IOVEC;
  if (!reads || call.source == Source::NONE) return false;
  int fd = JavaAccess::fdOf(frame);
  return fd == 0 || fds.isChildPipe(fd);
}

bool isOneNumberCall(const BoundaryCall& call) {
  bool waits = (call.id >= kFirstNameServiceCall && call.id <= kLastNameServiceCall) || isBlockingCall(call.id);
  return call.source == Source::NONE && call.returns == Returns::PRIMITIVE && call.effect == Effect::NONE && !waits;
}

void notePassThroughOpen(CallFrame& frame, jvalue result, FdTable& fds) {
  if (frame.env->ExceptionCheck()) return;
  switch (frame.call.effect) {
    case Effect::OPEN_FD_READ:
    case Effect::OPEN_FD_WRITE:
    case Effect::OPEN_FD_RAF: {
      jobject descriptor = JavaAccess::streamDescriptor(frame);
      fds.setPassThrough(JavaAccess::fdOfDescriptor(frame.env, descriptor), true);
      frame.env->DeleteLocalRef(descriptor);
      break;
    }
    case Effect::OPEN_RESULT:
    case Effect::DUP_RESULT:
      fds.setPassThrough(result.i, true);
      break;
    case Effect::DIR_OPEN:
      fds.setPassThroughDir(result.j, true);
      break;
    default:
      break;
  }
}

int64_t primitiveValue(const BoundaryCall& call, jvalue result) {
  switch (call.returnKind) {
    case 'I':
      return result.i;
    case 'J':
      return result.j;
    case 'Z':
      return result.z;
    default:
      return 0;
  }
}

jvalue primitiveResult(const BoundaryCall& call, int64_t value) {
  jvalue out = zeroValue();
  switch (call.returnKind) {
    case 'I':
      out.i = static_cast<jint>(value);
      break;
    case 'J':
      out.j = value;
      break;
    case 'Z':
      out.z = static_cast<jboolean>(value);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace retrace::agent
