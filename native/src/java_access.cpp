#include "java_access.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <vector>

#include "network_interfaces.h"

namespace retrace::agent {

jvmtiEnv* JavaAccess::jvmti_ = nullptr;

namespace {

// Field ids are stable for the life of the VM; look each up once. Lookups happen under the
// caller's local frame, so the classes only need to be alive at that moment.
jfieldID cachedField(JNIEnv* env, std::atomic<jfieldID>& slot, jclass klass, const char* name, const char* sig) {
  jfieldID id = slot.load(std::memory_order_acquire);
  if (id != nullptr) return id;
  id = env->GetFieldID(klass, name, sig);
  if (id == nullptr) {
    env->ExceptionClear();
    return nullptr;
  }
  slot.store(id, std::memory_order_release);
  return id;
}

jfieldID fieldOf(JNIEnv* env, std::atomic<jfieldID>& slot, const char* className, const char* name, const char* sig) {
  jfieldID id = slot.load(std::memory_order_acquire);
  if (id != nullptr) return id;
  jclass klass = env->FindClass(className);
  if (klass == nullptr) {
    env->ExceptionClear();
    return nullptr;
  }
  id = cachedField(env, slot, klass, name, sig);
  env->DeleteLocalRef(klass);
  return id;
}

std::atomic<jfieldID> gDescriptorFd{nullptr};
std::atomic<jfieldID> gFilePath{nullptr};
std::atomic<jfieldID> gDetailMessage{nullptr};
std::atomic<jfieldID> gUnixErrno{nullptr};
std::atomic<jfieldID> gStreamFd[kMaxCallId];

std::string stringOf(JNIEnv* env, jstring s) {
  if (s == nullptr) return "";
  const char* chars = env->GetStringUTFChars(s, nullptr);
  if (chars == nullptr) return "";
  std::string out = chars;
  env->ReleaseStringUTFChars(s, chars);
  return out;
}

std::string classNameOf(jvmtiEnv* jvmti, JNIEnv* env, jobject object) {
  jclass klass = env->GetObjectClass(object);
  char* signature = nullptr;
  std::string out;
  if (jvmti->GetClassSignature(klass, &signature, nullptr) == JVMTI_ERROR_NONE && signature != nullptr) {
    out = signature;
    jvmti->Deallocate(reinterpret_cast<unsigned char*>(signature));
    if (out.size() > 2 && out.front() == 'L') out = out.substr(1, out.size() - 2);
  }
  env->DeleteLocalRef(klass);
  return out;
}

void recordBytes(JNIEnv* env, jbyteArray array, tape::EventBuffer::Builder& event) {
  if (array == nullptr) {
    event.nullItem();
    return;
  }
  jsize length = env->GetArrayLength(array);
  void* bytes = env->GetPrimitiveArrayCritical(array, nullptr);
  event.item(bytes, static_cast<size_t>(length));
  env->ReleasePrimitiveArrayCritical(array, bytes, JNI_ABORT);
}

void recordString(JNIEnv* env, jstring s, tape::EventBuffer::Builder& event) {
  if (s == nullptr) {
    event.nullItem();
    return;
  }
  // Modified UTF-8 round-trips every Java string, unpaired surrogates and NULs included.
  jsize length = env->GetStringUTFLength(s);
  const char* chars = env->GetStringUTFChars(s, nullptr);
  event.item(chars, static_cast<size_t>(length));
  env->ReleaseStringUTFChars(s, chars);
}

jbyteArray bytesFrom(JNIEnv* env, std::string_view bytes) {
  jbyteArray array = env->NewByteArray(static_cast<jsize>(bytes.size()));
  if (array != nullptr && !bytes.empty()) {
    env->SetByteArrayRegion(array, 0, static_cast<jsize>(bytes.size()), reinterpret_cast<const jbyte*>(bytes.data()));
  }
  return array;
}

jstring stringFrom(JNIEnv* env, std::string_view utf) {
  std::string copy(utf);  // NewStringUTF needs the terminating NUL
  return env->NewStringUTF(copy.c_str());
}

// An InetAddress as two items: its host name from the holder's field (InetAddress.getHostName()
// would make a reverse lookup when there is none), null when it has none, and its raw address.
void recordInetAddress(JNIEnv* env, jobject address, tape::EventBuffer::Builder& event) {
  jclass inet = env->FindClass("java/net/InetAddress");
  jclass holderClass = env->FindClass("java/net/InetAddress$InetAddressHolder");
  jfieldID holderField = env->GetFieldID(inet, "holder", "Ljava/net/InetAddress$InetAddressHolder;");
  jfieldID hostField = env->GetFieldID(holderClass, "hostName", "Ljava/lang/String;");
  jmethodID getAddress = env->GetMethodID(inet, "getAddress", "()[B");
  jobject holder = address != nullptr ? env->GetObjectField(address, holderField) : nullptr;
  auto host = holder != nullptr ? static_cast<jstring>(env->GetObjectField(holder, hostField)) : nullptr;
  auto bytes = address != nullptr ? static_cast<jbyteArray>(env->CallObjectMethod(address, getAddress)) : nullptr;
  if (env->ExceptionCheck()) env->ExceptionClear();
  recordString(env, host, event);
  recordBytes(env, bytes, event);
  for (jobject local : {holder, static_cast<jobject>(host), static_cast<jobject>(bytes),
                        static_cast<jobject>(holderClass), static_cast<jobject>(inet)}) {
    if (local != nullptr) env->DeleteLocalRef(local);
  }
}

// The address recorded at items `at` and `at + 1`, built again with InetAddress.getByAddress.
jobject inetAddressFrom(JNIEnv* env, const tape::EventCursor& event, size_t at) {
  jclass inet = env->FindClass("java/net/InetAddress");
  jmethodID byAddress = env->GetStaticMethodID(inet, "getByAddress", "(Ljava/lang/String;[B)Ljava/net/InetAddress;");
  jstring host = event.itemIsNull(at) ? nullptr : stringFrom(env, event.item(at));
  jbyteArray bytes = bytesFrom(env, event.item(at + 1));
  jobject address = env->CallStaticObjectMethod(inet, byAddress, host, bytes);
  if (env->ExceptionCheck()) env->ExceptionClear();
  for (jobject local : {static_cast<jobject>(host), static_cast<jobject>(bytes), static_cast<jobject>(inet)}) {
    if (local != nullptr) env->DeleteLocalRef(local);
  }
  return address;
}

// The fields FIELDS and THIS_FIELDS record: the primitives (by their signature's letter), String
// fields (kind 's') and String[] fields (kind 'a'); others (caches such as UnixFileAttributes.key)
// are left alone. In declaration order, a primitive is one field of the event; a String one item (a
// null item for null); a String[] its length as one field (-1 for null), then one item per string.
constexpr const char* kStringSignature = "Ljava/lang/String;";
constexpr const char* kStringArraySignature = "[Ljava/lang/String;";
constexpr char kStringKind = 's';
constexpr char kStringArrayKind = 'a';

struct FieldLayout {
  std::vector<std::pair<jfieldID, char>> fields;
  bool ready = false;
};
std::mutex gLayoutMutex;
FieldLayout gLayouts[kMaxCallId];

const FieldLayout& layoutOf(jvmtiEnv* jvmti, JNIEnv* env, uint16_t callId, jobject object) {
  std::lock_guard<std::mutex> guard(gLayoutMutex);
  FieldLayout& layout = gLayouts[callId];
  if (layout.ready) return layout;
  jclass klass = env->GetObjectClass(object);
  jint count = 0;
  jfieldID* fields = nullptr;
  if (jvmti->GetClassFields(klass, &count, &fields) == JVMTI_ERROR_NONE) {
    for (jint i = 0; i < count; ++i) {
      jint modifiers = 0;
      char* name = nullptr;
      char* sig = nullptr;
      if (jvmti->GetFieldModifiers(klass, fields[i], &modifiers) != JVMTI_ERROR_NONE || (modifiers & 0x0008) != 0) {
        continue;  // static
      }
      if (jvmti->GetFieldName(klass, fields[i], &name, &sig, nullptr) != JVMTI_ERROR_NONE) continue;
      char kind = sig[0];
      if (std::strcmp(sig, kStringSignature) == 0) kind = kStringKind;
      if (std::strcmp(sig, kStringArraySignature) == 0) kind = kStringArrayKind;
      if (std::strchr("ZBCSIJFD", kind) != nullptr || kind == kStringKind || kind == kStringArrayKind) {
        layout.fields.emplace_back(fields[i], kind);
      }
      jvmti->Deallocate(reinterpret_cast<unsigned char*>(name));
      jvmti->Deallocate(reinterpret_cast<unsigned char*>(sig));
    }
    jvmti->Deallocate(reinterpret_cast<unsigned char*>(fields));
  }
  env->DeleteLocalRef(klass);
  layout.ready = true;
  return layout;
}

}  // namespace

jobject JavaAccess::descriptorObject(CallFrame& frame) {
  switch (frame.call.source) {
    case Source::THIS_FD:
      return streamDescriptor(frame);
    case Source::THIS_FDOBJ:
      return frame.self;
    case Source::ARG_FDOBJ:
      return frame.args[frame.call.s].l;
    default:
      return nullptr;
  }
}

jobject JavaAccess::streamDescriptor(CallFrame& frame) {
  JNIEnv* env = frame.env;
  jfieldID id = gStreamFd[frame.call.id].load(std::memory_order_acquire);
  if (id == nullptr) {
    jclass klass = env->GetObjectClass(frame.self);
    id = cachedField(env, gStreamFd[frame.call.id], klass, "fd", "Ljava/io/FileDescriptor;");
    env->DeleteLocalRef(klass);
  }
  return id != nullptr ? env->GetObjectField(frame.self, id) : nullptr;
}

int JavaAccess::fdOfDescriptor(JNIEnv* env, jobject descriptor) {
  if (descriptor == nullptr) return -1;
  jfieldID id = fieldOf(env, gDescriptorFd, "java/io/FileDescriptor", "fd", "I");
  return id != nullptr ? env->GetIntField(descriptor, id) : -1;
}

void JavaAccess::setDescriptorFd(JNIEnv* env, jobject descriptor, int fd) {
  jfieldID id = fieldOf(env, gDescriptorFd, "java/io/FileDescriptor", "fd", "I");
  if (descriptor != nullptr && id != nullptr) env->SetIntField(descriptor, id, fd);
}

int JavaAccess::fdOf(CallFrame& frame) {
  switch (frame.call.source) {
    case Source::ARG_INT:
      return frame.args[frame.call.s].i;
    case Source::THIS_FD:
    case Source::THIS_FDOBJ:
    case Source::ARG_FDOBJ: {
      jobject descriptor = descriptorObject(frame);
      int fd = fdOfDescriptor(frame.env, descriptor);
      if (descriptor != nullptr && descriptor != frame.self && frame.call.source == Source::THIS_FD) {
        frame.env->DeleteLocalRef(descriptor);
      }
      return fd;
    }
    default:
      return -1;
  }
}

bool JavaAccess::pathOf(CallFrame& frame, std::string& out) {
  JNIEnv* env = frame.env;
  switch (frame.call.source) {
    case Source::ARG_STRING:
      out = stringOf(env, static_cast<jstring>(frame.args[frame.call.s].l));
      return true;
    case Source::ARG_FILE: {
      jobject file = frame.args[frame.call.s].l;
      if (file == nullptr) return false;
      jfieldID id = fieldOf(env, gFilePath, "java/io/File", "path", "Ljava/lang/String;");
      if (id == nullptr) return false;
      jstring path = static_cast<jstring>(env->GetObjectField(file, id));
      out = stringOf(env, path);
      env->DeleteLocalRef(path);
      return true;
    }
    case Source::ARG_CSTR: {
      const char* path = reinterpret_cast<const char*>(static_cast<intptr_t>(frame.args[frame.call.s].j));
      if (path == nullptr) return false;
      out = path;
      return true;
    }
    default:
      return false;
  }
}

void JavaAccess::recordException(JNIEnv* env, jthrowable thrown, tape::EventBuffer::Builder& event) {
  std::string className = classNameOf(jvmti_, env, thrown);
  jfieldID messageId = fieldOf(env, gDetailMessage, "java/lang/Throwable", "detailMessage", "Ljava/lang/String;");
  jstring message = messageId != nullptr ? static_cast<jstring>(env->GetObjectField(thrown, messageId)) : nullptr;
  int32_t errnoValue = 0;
  if (className == "sun/nio/fs/UnixException") {
    jfieldID id = fieldOf(env, gUnixErrno, "sun/nio/fs/UnixException", "errno", "I");
    if (id != nullptr) errnoValue = env->GetIntField(thrown, id);
  }
  std::string text = stringOf(env, message);
  event.thrown(className, message != nullptr ? text.c_str() : nullptr, errnoValue);
  if (message != nullptr) env->DeleteLocalRef(message);
}

void JavaAccess::throwRecorded(JNIEnv* env, const tape::EventCursor& event) {
  std::string className(event.thrownClass());
  jclass klass = env->FindClass(className.c_str());
  if (klass == nullptr) return;  // FindClass left NoClassDefFoundError pending: the best we can do
  jthrowable thrown = nullptr;
  if (className == "sun/nio/fs/UnixException") {
    jmethodID init = env->GetMethodID(klass, "<init>", "(I)V");
    if (init != nullptr) thrown = static_cast<jthrowable>(env->NewObject(klass, init, event.thrownErrno()));
  } else if (event.thrownHasMessage()) {
    std::string message(event.thrownMessage());
    env->ThrowNew(klass, message.c_str());
    env->DeleteLocalRef(klass);
    return;
  } else {
    jmethodID init = env->GetMethodID(klass, "<init>", "()V");
    if (init != nullptr) thrown = static_cast<jthrowable>(env->NewObject(klass, init));
  }
  if (thrown != nullptr) {
    env->Throw(thrown);
    env->DeleteLocalRef(thrown);
  } else if (!env->ExceptionCheck()) {
    env->ThrowNew(klass, "");
  }
  env->DeleteLocalRef(klass);
}

int64_t JavaAccess::recordReturn(JNIEnv* env, Returns returns, jobject result, tape::EventBuffer::Builder& event) {
  switch (returns) {
    case Returns::STRING:
      recordString(env, static_cast<jstring>(result), event);
      return 0;
    case Returns::BYTES:
      recordBytes(env, static_cast<jbyteArray>(result), event);
      return 0;
    case Returns::STRING_ARRAY:
    case Returns::BYTES_ARRAY: {
      if (result == nullptr) return -1;
      auto array = static_cast<jobjectArray>(result);
      jsize length = env->GetArrayLength(array);
      for (jsize i = 0; i < length; ++i) {
        jobject element = env->GetObjectArrayElement(array, i);
        if (returns == Returns::STRING_ARRAY)
          recordString(env, static_cast<jstring>(element), event);
        else
          recordBytes(env, static_cast<jbyteArray>(element), event);
        if (element != nullptr) env->DeleteLocalRef(element);
      }
      return length;
    }
    case Returns::INET_ADDRESS:
      if (result == nullptr) return -1;
      recordInetAddress(env, result, event);
      return 1;
    case Returns::INET_ADDRESS_ARRAY: {
      // Two items per address: its host name (null when it has none) and its raw address.
      if (result == nullptr) return -1;
      auto array = static_cast<jobjectArray>(result);
      jsize length = env->GetArrayLength(array);
      for (jsize i = 0; i < length; ++i) {
        jobject element = env->GetObjectArrayElement(array, i);
        recordInetAddress(env, element, event);
        if (element != nullptr) env->DeleteLocalRef(element);
      }
      return length;
    }
    case Returns::NETWORK_INTERFACE:
    case Returns::NETWORK_INTERFACE_ARRAY:
      return NetworkInterfaces::record(env, result, returns == Returns::NETWORK_INTERFACE_ARRAY, event);
    default:
      return 0;
  }
}

void JavaAccess::recordAccepted(JNIEnv* env, jobject newDescriptor, jobject peerHolder,
                                tape::EventBuffer::Builder& event) {
  jobject peer = env->GetObjectArrayElement(static_cast<jobjectArray>(peerHolder), 0);
  jclass socketAddress = env->FindClass("java/net/InetSocketAddress");
  jobject address = nullptr;
  jint port = 0;
  if (peer != nullptr && socketAddress != nullptr) {
    address = env->CallObjectMethod(peer, env->GetMethodID(socketAddress, "getAddress", "()Ljava/net/InetAddress;"));
    port = env->CallIntMethod(peer, env->GetMethodID(socketAddress, "getPort", "()I"));
  }
  if (env->ExceptionCheck()) env->ExceptionClear();
  event.field(fdOfDescriptor(env, newDescriptor));
  event.field(port);
  recordInetAddress(env, address, event);
  for (jobject local : {peer, address, static_cast<jobject>(socketAddress)}) {
    if (local != nullptr) env->DeleteLocalRef(local);
  }
}

void JavaAccess::replayAccepted(JNIEnv* env, const tape::EventCursor& event, jobject newDescriptor, jobject peerHolder,
                                int fd) {
  setDescriptorFd(env, newDescriptor, fd);
  jobject address = inetAddressFrom(env, event, 0);
  jclass socketAddress = env->FindClass("java/net/InetSocketAddress");
  jobject peer = nullptr;
  if (socketAddress != nullptr && address != nullptr) {
    jmethodID init = env->GetMethodID(socketAddress, "<init>", "(Ljava/net/InetAddress;I)V");
    peer = env->NewObject(socketAddress, init, address, static_cast<jint>(event.field(1)));
  }
  if (env->ExceptionCheck()) env->ExceptionClear();
  env->SetObjectArrayElement(static_cast<jobjectArray>(peerHolder), 0, peer);
  for (jobject local : {peer, address, static_cast<jobject>(socketAddress)}) {
    if (local != nullptr) env->DeleteLocalRef(local);
  }
}

void JavaAccess::recordLongArrays(JNIEnv* env, const jvalue* arrays, int count, tape::EventBuffer::Builder& event) {
  for (int i = 0; i < count; ++i) {
    auto array = static_cast<jlongArray>(arrays[i].l);
    if (array == nullptr) {
      event.nullItem();
      continue;
    }
    std::vector<jlong> values(static_cast<size_t>(env->GetArrayLength(array)));
    env->GetLongArrayRegion(array, 0, static_cast<jsize>(values.size()), values.data());
    event.item(values.data(), values.size() * sizeof(jlong));
  }
}

void JavaAccess::replayLongArrays(JNIEnv* env, const jvalue* arrays, int count, const tape::EventCursor& event) {
  for (int i = 0; i < count && static_cast<size_t>(i) < event.itemCount(); ++i) {
    auto array = static_cast<jlongArray>(arrays[i].l);
    if (array == nullptr || event.itemIsNull(static_cast<size_t>(i))) continue;
    std::string_view bytes = event.item(static_cast<size_t>(i));
    std::vector<jlong> values(bytes.size() / sizeof(jlong));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(jlong));
    jsize length = std::min(env->GetArrayLength(array), static_cast<jsize>(values.size()));
    env->SetLongArrayRegion(array, 0, length, values.data());
  }
}

jobject JavaAccess::replayReturn(JNIEnv* env, Returns returns, const tape::EventCursor& event) {
  switch (returns) {
    case Returns::STRING:
      return event.itemCount() == 0 || event.itemIsNull(0) ? nullptr : stringFrom(env, event.item(0));
    case Returns::BYTES:
      return event.itemCount() == 0 || event.itemIsNull(0) ? nullptr : bytesFrom(env, event.item(0));
    case Returns::STRING_ARRAY:
    case Returns::BYTES_ARRAY: {
      if (event.value() < 0) return nullptr;
      jsize length = static_cast<jsize>(event.itemCount());
      jclass elementClass = env->FindClass(returns == Returns::STRING_ARRAY ? "java/lang/String" : "[B");
      jobjectArray array = env->NewObjectArray(length, elementClass, nullptr);
      env->DeleteLocalRef(elementClass);
      if (array == nullptr) return nullptr;
      for (jsize i = 0; i < length; ++i) {
        if (event.itemIsNull(static_cast<size_t>(i))) continue;
        jobject element = returns == Returns::STRING_ARRAY
                              ? static_cast<jobject>(stringFrom(env, event.item(static_cast<size_t>(i))))
                              : static_cast<jobject>(bytesFrom(env, event.item(static_cast<size_t>(i))));
        env->SetObjectArrayElement(array, i, element);
        env->DeleteLocalRef(element);
      }
      return array;
    }
    case Returns::INET_ADDRESS:
      return event.value() < 0 || event.itemCount() < 2 ? nullptr : inetAddressFrom(env, event, 0);
    case Returns::INET_ADDRESS_ARRAY: {
      if (event.value() < 0) return nullptr;
      auto length = static_cast<jsize>(event.itemCount() / 2);
      jclass inet = env->FindClass("java/net/InetAddress");
      jobjectArray array = env->NewObjectArray(length, inet, nullptr);
      env->DeleteLocalRef(inet);
      for (jsize i = 0; array != nullptr && i < length; ++i) {
        jobject element = inetAddressFrom(env, event, static_cast<size_t>(i) * 2);
        env->SetObjectArrayElement(array, i, element);
        if (element != nullptr) env->DeleteLocalRef(element);
      }
      return array;
    }
    case Returns::NETWORK_INTERFACE:
    case Returns::NETWORK_INTERFACE_ARRAY:
      return NetworkInterfaces::rebuild(env, event, returns == Returns::NETWORK_INTERFACE_ARRAY);
    default:
      return nullptr;
  }
}

void JavaAccess::recordFields(JNIEnv* env, uint16_t callId, jobject object, tape::EventBuffer::Builder& event) {
  if (object == nullptr) return;
  for (const auto& [id, kind] : layoutOf(jvmti_, env, callId, object).fields) {
    if (kind == kStringKind) {
      auto s = static_cast<jstring>(env->GetObjectField(object, id));
      recordString(env, s, event);
      if (s != nullptr) env->DeleteLocalRef(s);
      continue;
    }
    if (kind == kStringArrayKind) {
      auto array = static_cast<jobjectArray>(env->GetObjectField(object, id));
      if (array == nullptr) {
        event.field(-1);
        continue;
      }
      jsize length = env->GetArrayLength(array);
      event.field(length);
      for (jsize i = 0; i < length; ++i) {
        auto element = static_cast<jstring>(env->GetObjectArrayElement(array, i));
        recordString(env, element, event);
        if (element != nullptr) env->DeleteLocalRef(element);
      }
      env->DeleteLocalRef(array);
      continue;
    }
    int64_t value = 0;
    switch (kind) {
      case 'Z':
        value = env->GetBooleanField(object, id);
        break;
      case 'B':
        value = env->GetByteField(object, id);
        break;
      case 'C':
        value = env->GetCharField(object, id);
        break;
      case 'S':
        value = env->GetShortField(object, id);
        break;
      case 'I':
        value = env->GetIntField(object, id);
        break;
      case 'J':
        value = env->GetLongField(object, id);
        break;
      case 'F': {
        jfloat f = env->GetFloatField(object, id);
        std::memcpy(&value, &f, sizeof f);
        break;
      }
      case 'D': {
        jdouble d = env->GetDoubleField(object, id);
        std::memcpy(&value, &d, sizeof d);
        break;
      }
    }
    event.field(value);
  }
}

namespace {

// Whether an event's fields and items are what `layout` records, to the last one.
bool fitsLayout(const FieldLayout& layout, const tape::EventCursor& event) {
  size_t field = 0;
  size_t item = 0;
  for (const auto& [id, kind] : layout.fields) {
    if (kind == kStringKind) {
      ++item;
      continue;
    }
    if (field >= event.fieldCount()) return false;
    if (kind == kStringArrayKind) {
      int64_t length = event.field(field);
      if (length < -1) return false;
      if (length > 0) item += static_cast<size_t>(length);
    }
    ++field;
  }
  return field == event.fieldCount() && item == event.itemCount();
}

jstring recordedString(JNIEnv* env, const tape::EventCursor& event, size_t item) {
  return event.itemIsNull(item) ? nullptr : stringFrom(env, event.item(item));
}

}  // namespace

bool JavaAccess::replayFields(JNIEnv* env, uint16_t callId, jobject object, const tape::EventCursor& event) {
  if (object == nullptr || (event.fieldCount() == 0 && event.itemCount() == 0)) return true;
  const FieldLayout& layout = layoutOf(jvmti_, env, callId, object);
  if (!fitsLayout(layout, event)) return false;
  size_t i = 0;     // the next field of the event
  size_t item = 0;  // the next item
  for (const auto& [id, kind] : layout.fields) {
    if (kind == kStringKind) {
      jstring s = recordedString(env, event, item++);
      env->SetObjectField(object, id, s);
      if (s != nullptr) env->DeleteLocalRef(s);
      continue;
    }
    int64_t value = event.field(i++);
    if (kind == kStringArrayKind) {
      jobjectArray array = nullptr;
      if (value >= 0) {
        jclass stringClass = env->FindClass("java/lang/String");
        array = env->NewObjectArray(static_cast<jsize>(value), stringClass, nullptr);
        env->DeleteLocalRef(stringClass);
        for (jsize at = 0; array != nullptr && at < static_cast<jsize>(value); ++at) {
          jstring element = recordedString(env, event, item + static_cast<size_t>(at));
          env->SetObjectArrayElement(array, at, element);
          if (element != nullptr) env->DeleteLocalRef(element);
        }
        item += static_cast<size_t>(value);
      }
      env->SetObjectField(object, id, array);
      if (array != nullptr) env->DeleteLocalRef(array);
      continue;
    }
    switch (kind) {
      case 'Z':
        env->SetBooleanField(object, id, static_cast<jboolean>(value));
        break;
      case 'B':
        env->SetByteField(object, id, static_cast<jbyte>(value));
        break;
      case 'C':
        env->SetCharField(object, id, static_cast<jchar>(value));
        break;
      case 'S':
        env->SetShortField(object, id, static_cast<jshort>(value));
        break;
      case 'I':
        env->SetIntField(object, id, static_cast<jint>(value));
        break;
      case 'J':
        env->SetLongField(object, id, value);
        break;
      case 'F': {
        jfloat f;
        std::memcpy(&f, &value, sizeof f);
        env->SetFloatField(object, id, f);
        break;
      }
      case 'D': {
        jdouble d;
        std::memcpy(&d, &value, sizeof d);
        env->SetDoubleField(object, id, d);
        break;
      }
    }
  }
  return true;
}

}  // namespace retrace::agent
