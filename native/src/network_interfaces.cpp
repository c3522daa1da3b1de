#include "network_interfaces.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace retrace::agent {

namespace {

// Fields are read and set through JNI, not through the classes' methods: the native builds the
// objects the same way, and the holders' scope fields have no setter.
struct Ids {
  jclass interfaceClass = nullptr;
  jclass inetAddressClass = nullptr;
  jclass inet4Class = nullptr;
  jclass inet6Class = nullptr;
  jclass bindingClass = nullptr;
  jmethodID interfaceInit = nullptr;  // NetworkInterface()
  jmethodID inet4Init = nullptr;      // Inet4Address(String, byte[])
  jmethodID inet6Init = nullptr;      // Inet6Address(String, byte[], int)
  jmethodID bindingInit = nullptr;    // InterfaceAddress()
  jfieldID name = nullptr;
  jfieldID displayName = nullptr;
  jfieldID index = nullptr;
  jfieldID isVirtual = nullptr;
  jfieldID addrs = nullptr;
  jfieldID bindings = nullptr;
  jfieldID childs = nullptr;
  jfieldID parent = nullptr;
  jfieldID holder = nullptr;         // InetAddress.holder
  jfieldID holderAddress = nullptr;  // InetAddressHolder.address: an IPv4 address as an int
  jfieldID holder6 = nullptr;        // Inet6Address.holder6
  jfieldID ipaddress = nullptr;
  jfieldID scopeId = nullptr;
  jfieldID scopeIdSet = nullptr;
  jfieldID scopeIfname = nullptr;
  jfieldID scopeIfnameSet = nullptr;
  jfieldID bindingAddress = nullptr;
  jfieldID broadcast = nullptr;
  jfieldID maskLength = nullptr;
  bool ready = false;
};

jclass globalClass(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) return nullptr;
  auto global = static_cast<jclass>(env->NewGlobalRef(local));
  env->DeleteLocalRef(local);
  return global;
}

// Bootstrap classes, never unloaded: looked up once, on the first answer of either direction.
Ids load(JNIEnv* env) {
  Ids ids;
  ids.interfaceClass = globalClass(env, "java/net/NetworkInterface");
  ids.inetAddressClass = globalClass(env, "java/net/InetAddress");
  ids.inet4Class = globalClass(env, "java/net/Inet4Address");
  ids.inet6Class = globalClass(env, "java/net/Inet6Address");
  ids.bindingClass = globalClass(env, "java/net/InterfaceAddress");
  jclass holderClass = env->FindClass("java/net/InetAddress$InetAddressHolder");
  jclass holder6Class = env->FindClass("java/net/Inet6Address$Inet6AddressHolder");
  if (ids.interfaceClass == nullptr || ids.inetAddressClass == nullptr || ids.inet4Class == nullptr ||
      ids.inet6Class == nullptr || ids.bindingClass == nullptr || holderClass == nullptr || holder6Class == nullptr) {
    env->ExceptionClear();
    for (jclass local : {holderClass, holder6Class}) {
      if (local != nullptr) env->DeleteLocalRef(local);
    }
    return ids;
  }
  ids.interfaceInit = env->GetMethodID(ids.interfaceClass, "<init>", "()V");
  ids.inet4Init = env->GetMethodID(ids.inet4Class, "<init>", "(Ljava/lang/String;[B)V");
  ids.inet6Init = env->GetMethodID(ids.inet6Class, "<init>", "(Ljava/lang/String;[BI)V");
  ids.bindingInit = env->GetMethodID(ids.bindingClass, "<init>", "()V");
  ids.name = env->GetFieldID(ids.interfaceClass, "name", "Ljava/lang/String;");
  ids.displayName = env->GetFieldID(ids.interfaceClass, "displayName", "Ljava/lang/String;");
  ids.index = env->GetFieldID(ids.interfaceClass, "index", "I");
  ids.isVirtual = env->GetFieldID(ids.interfaceClass, "virtual", "Z");
  ids.addrs = env->GetFieldID(ids.interfaceClass, "addrs", "[Ljava/net/InetAddress;");
  ids.bindings = env->GetFieldID(ids.interfaceClass, "bindings", "[Ljava/net/InterfaceAddress;");
  ids.childs = env->GetFieldID(ids.interfaceClass, "childs", "[Ljava/net/NetworkInterface;");
  ids.parent = env->GetFieldID(ids.interfaceClass, "parent", "Ljava/net/NetworkInterface;");
  ids.holder = env->GetFieldID(ids.inetAddressClass, "holder", "Ljava/net/InetAddress$InetAddressHolder;");
  ids.holderAddress = env->GetFieldID(holderClass, "address", "I");
  ids.holder6 = env->GetFieldID(ids.inet6Class, "holder6", "Ljava/net/Inet6Address$Inet6AddressHolder;");
  ids.ipaddress = env->GetFieldID(holder6Class, "ipaddress", "[B");
  ids.scopeId = env->GetFieldID(holder6Class, "scope_id", "I");
  ids.scopeIdSet = env->GetFieldID(holder6Class, "scope_id_set", "Z");
  ids.scopeIfname = env->GetFieldID(holder6Class, "scope_ifname", "Ljava/net/NetworkInterface;");
  ids.scopeIfnameSet = env->GetFieldID(holder6Class, "scope_ifname_set", "Z");
  ids.bindingAddress = env->GetFieldID(ids.bindingClass, "address", "Ljava/net/InetAddress;");
  ids.broadcast = env->GetFieldID(ids.bindingClass, "broadcast", "Ljava/net/Inet4Address;");
  ids.maskLength = env->GetFieldID(ids.bindingClass, "maskLength", "S");
  env->DeleteLocalRef(holderClass);
  env->DeleteLocalRef(holder6Class);
  // A JDK with another layout: every lookup above left NoSuchFieldError or NoSuchMethodError.
  ids.ready = !env->ExceptionCheck();
  env->ExceptionClear();
  return ids;
}

const Ids& idsOf(JNIEnv* env) {
  static const Ids ids = load(env);
  return ids;
}

constexpr size_t kInet4Size = 4;
constexpr size_t kInet6Size = 16;
constexpr int64_t kNullArray = -1;
constexpr int64_t kNullAddress = -1;
constexpr int64_t kNullBinding = -2;
// Room for the local references of one interface, children aside (each has its own frame).
constexpr jint kLocalsPerInterface = 32;

void recordString(JNIEnv* env, jstring s, tape::EventBuffer::Builder& event) {
  if (s == nullptr) {
    event.nullItem();
    return;
  }
  const char* chars = env->GetStringUTFChars(s, nullptr);
  event.item(chars, static_cast<size_t>(env->GetStringUTFLength(s)));
  env->ReleaseStringUTFChars(s, chars);
}

class Writer {
 public:
  Writer(JNIEnv* env, const Ids& ids, tape::EventBuffer::Builder& event) : env_(env), ids_(ids), event_(event) {}

  void interface(jobject ni) {
    if (ni == nullptr) {
      event_.nullItem();
      return;
    }
    env_->PushLocalFrame(kLocalsPerInterface);
    recordString(env_, static_cast<jstring>(env_->GetObjectField(ni, ids_.name)), event_);
    recordString(env_, static_cast<jstring>(env_->GetObjectField(ni, ids_.displayName)), event_);
    event_.field(env_->GetIntField(ni, ids_.index));
    event_.field(env_->GetBooleanField(ni, ids_.isVirtual));
    auto addrs = static_cast<jobjectArray>(env_->GetObjectField(ni, ids_.addrs));
    jsize addressCount = addrs != nullptr ? env_->GetArrayLength(addrs) : 0;
    event_.field(addrs != nullptr ? addressCount : kNullArray);
    for (jsize i = 0; i < addressCount; ++i) {
      jobject address = env_->GetObjectArrayElement(addrs, i);
      this->address(address, ni);
      if (address != nullptr) env_->DeleteLocalRef(address);
    }
    auto bindings = static_cast<jobjectArray>(env_->GetObjectField(ni, ids_.bindings));
    jsize bindingCount = bindings != nullptr ? env_->GetArrayLength(bindings) : 0;
    event_.field(bindings != nullptr ? bindingCount : kNullArray);
    for (jsize i = 0; i < bindingCount; ++i) {
      jobject binding = env_->GetObjectArrayElement(bindings, i);
      this->binding(binding, addrs, addressCount);
      if (binding != nullptr) env_->DeleteLocalRef(binding);
    }
    auto childs = static_cast<jobjectArray>(env_->GetObjectField(ni, ids_.childs));
    jsize childCount = childs != nullptr ? env_->GetArrayLength(childs) : 0;
    event_.field(childs != nullptr ? childCount : kNullArray);
    for (jsize i = 0; i < childCount; ++i) {
      jobject child = env_->GetObjectArrayElement(childs, i);
      interface(child);
      if (child != nullptr) env_->DeleteLocalRef(child);
    }
    env_->PopLocalFrame(nullptr);
  }

 private:
  void inet4(jobject address) {
    jobject holder = env_->GetObjectField(address, ids_.holder);
    auto value = static_cast<uint32_t>(holder != nullptr ? env_->GetIntField(holder, ids_.holderAddress) : 0);
    const uint8_t bytes[kInet4Size] = {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
                                       static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
    event_.item(bytes, sizeof bytes);
    if (holder != nullptr) env_->DeleteLocalRef(holder);
  }

  void address(jobject address, jobject owner) {
    if (address == nullptr) {
      event_.nullItem();
      return;
    }
    if (!env_->IsInstanceOf(address, ids_.inet6Class)) {
      inet4(address);
      return;
    }
    jobject holder6 = env_->GetObjectField(address, ids_.holder6);
    auto bytes = static_cast<jbyteArray>(env_->GetObjectField(holder6, ids_.ipaddress));
    jbyte raw[kInet6Size] = {};
    if (bytes != nullptr) env_->GetByteArrayRegion(bytes, 0, kInet6Size, raw);
    event_.item(raw, sizeof raw);
    event_.field(env_->GetIntField(holder6, ids_.scopeId));
    event_.field(env_->GetBooleanField(holder6, ids_.scopeIdSet));
    event_.field(env_->GetBooleanField(holder6, ids_.scopeIfnameSet));
    jobject scoped = env_->GetObjectField(holder6, ids_.scopeIfname);
    event_.field(scoped != nullptr && env_->IsSameObject(scoped, owner) ? 1 : 0);
    for (jobject local : {holder6, static_cast<jobject>(bytes), scoped}) {
      if (local != nullptr) env_->DeleteLocalRef(local);
    }
  }

  void binding(jobject binding, jobjectArray addrs, jsize addressCount) {
    if (binding == nullptr) {
      event_.field(kNullBinding);
      return;
    }
    jobject address = env_->GetObjectField(binding, ids_.bindingAddress);
    int64_t at = kNullAddress;
    for (jsize i = 0; address != nullptr && i < addressCount && at == kNullAddress; ++i) {
      jobject candidate = env_->GetObjectArrayElement(addrs, i);
      if (env_->IsSameObject(candidate, address)) at = i;
      if (candidate != nullptr) env_->DeleteLocalRef(candidate);
    }
    event_.field(at);
    event_.field(env_->GetShortField(binding, ids_.maskLength));
    jobject broadcast = env_->GetObjectField(binding, ids_.broadcast);
    if (broadcast != nullptr) {
      inet4(broadcast);
      env_->DeleteLocalRef(broadcast);
    } else {
      event_.nullItem();
    }
    if (address != nullptr) env_->DeleteLocalRef(address);
  }

  JNIEnv* env_;
  const Ids& ids_;
  tape::EventBuffer::Builder& event_;
};

class Builder {
 public:
  Builder(JNIEnv* env, const Ids& ids, const tape::EventCursor& event) : env_(env), ids_(ids), event_(event) {}

  bool ok() const { return ok_ && !env_->ExceptionCheck(); }

  /** The next interface of the event, with `parent` as its parent (null for a top-level one). */
  jobject interface(jobject parent) {
    std::string_view name;
    if (!nextItem(name)) return nullptr;
    env_->PushLocalFrame(kLocalsPerInterface);
    jobject ni = env_->NewObject(ids_.interfaceClass, ids_.interfaceInit);
    if (ni == nullptr) return fail();
    std::string_view displayName;
    bool hasDisplayName = nextItem(displayName);
    env_->SetObjectField(ni, ids_.name, stringFrom(name));
    env_->SetObjectField(ni, ids_.displayName, hasDisplayName ? stringFrom(displayName) : nullptr);
    env_->SetIntField(ni, ids_.index, static_cast<jint>(nextField()));
    env_->SetBooleanField(ni, ids_.isVirtual, nextField() != 0 ? JNI_TRUE : JNI_FALSE);
    int64_t addressCount = nextCount();
    jobjectArray addrs = nullptr;
    if (!arrayOf(addressCount, ids_.inetAddressClass, addrs, [&] { return this->address(ni); })) return fail();
    env_->SetObjectField(ni, ids_.addrs, addrs);
    jobjectArray bindings = nullptr;
    if (!arrayOf(nextCount(), ids_.bindingClass, bindings, [&] { return this->binding(addrs, addressCount); })) {
      return fail();
    }
    env_->SetObjectField(ni, ids_.bindings, bindings);
    jobjectArray childs = nullptr;
    if (!arrayOf(nextCount(), ids_.interfaceClass, childs, [&] { return interface(ni); })) return fail();
    env_->SetObjectField(ni, ids_.childs, childs);
    if (parent != nullptr) env_->SetObjectField(ni, ids_.parent, parent);
    return env_->PopLocalFrame(ni);
  }

 private:
  /**
   * A recorded array of `count` elements (-1: null), each rebuilt by `make`, in `out`. False when
   * the array cannot be allocated; an element that cannot be rebuilt clears ok_ and stops the loop.
   */
  template <typename Make>
  bool arrayOf(int64_t count, jclass elementClass, jobjectArray& out, Make make) {
    out = nullptr;
    if (count < 0) return true;
    out = env_->NewObjectArray(static_cast<jsize>(count), elementClass, nullptr);
    if (out == nullptr) return false;
    for (jsize i = 0; ok_ && i < count; ++i) {
      jobject element = make();
      env_->SetObjectArrayElement(out, i, element);
      if (element != nullptr) env_->DeleteLocalRef(element);
    }
    return true;
  }

  jobject fail() {
    ok_ = false;
    env_->PopLocalFrame(nullptr);
    return nullptr;
  }

  int64_t nextField() {
    if (field_ >= event_.fieldCount()) {
      ok_ = false;
      return 0;
    }
    return event_.field(field_++);
  }

  /** An array's length, or -1 for a null array; each element takes at least one more field or item. */
  int64_t nextCount() {
    int64_t count = nextField();
    size_t left = (event_.fieldCount() - field_) + (event_.itemCount() - item_);
    if (count < kNullArray || (count > 0 && static_cast<size_t>(count) > left)) {
      ok_ = false;
      return kNullArray;
    }
    return count;
  }

  /** False for a null item, and at the end of the items. */
  bool nextItem(std::string_view& out) {
    if (item_ >= event_.itemCount()) {
      ok_ = false;
      return false;
    }
    size_t at = item_++;
    if (event_.itemIsNull(at)) return false;
    out = event_.item(at);
    return true;
  }

  jstring stringFrom(std::string_view utf) {
    std::string copy(utf);  // NewStringUTF needs the terminating NUL
    return env_->NewStringUTF(copy.c_str());
  }

  jbyteArray bytesFrom(std::string_view bytes) {
    jbyteArray array = env_->NewByteArray(static_cast<jsize>(bytes.size()));
    if (array != nullptr) {
      env_->SetByteArrayRegion(array, 0, static_cast<jsize>(bytes.size()),
                               reinterpret_cast<const jbyte*>(bytes.data()));
    }
    return array;
  }

  jobject inet4(std::string_view bytes) {
    jbyteArray raw = bytesFrom(bytes);
    jobject address = env_->NewObject(ids_.inet4Class, ids_.inet4Init, nullptr, raw);
    if (raw != nullptr) env_->DeleteLocalRef(raw);
    return address;
  }

  jobject address(jobject owner) {
    std::string_view bytes;
    if (!nextItem(bytes)) return nullptr;
    if (bytes.size() == kInet4Size) return inet4(bytes);
    if (bytes.size() != kInet6Size) {
      ok_ = false;
      return nullptr;
    }
    jbyteArray raw = bytesFrom(bytes);
    jobject address = env_->NewObject(ids_.inet6Class, ids_.inet6Init, nullptr, raw, static_cast<jint>(-1));
    if (raw != nullptr) env_->DeleteLocalRef(raw);
    jint scopeId = static_cast<jint>(nextField());
    jboolean scopeIdSet = nextField() != 0 ? JNI_TRUE : JNI_FALSE;
    jboolean scopeIfnameSet = nextField() != 0 ? JNI_TRUE : JNI_FALSE;
    bool scopedHere = nextField() != 0;
    if (address == nullptr) return nullptr;
    jobject holder6 = env_->GetObjectField(address, ids_.holder6);
    env_->SetIntField(holder6, ids_.scopeId, scopeId);
    env_->SetBooleanField(holder6, ids_.scopeIdSet, scopeIdSet);
    env_->SetBooleanField(holder6, ids_.scopeIfnameSet, scopeIfnameSet);
    env_->SetObjectField(holder6, ids_.scopeIfname, scopedHere ? owner : nullptr);
    env_->DeleteLocalRef(holder6);
    return address;
  }

  jobject binding(jobjectArray addrs, int64_t addressCount) {
    int64_t at = nextField();
    if (at == kNullBinding) return nullptr;
    jobject binding = env_->NewObject(ids_.bindingClass, ids_.bindingInit);
    jshort maskLength = static_cast<jshort>(nextField());
    std::string_view broadcastBytes;
    jobject broadcast = nextItem(broadcastBytes) ? inet4(broadcastBytes) : nullptr;
    if (binding == nullptr) return nullptr;
    jobject address =
        at >= 0 && at < addressCount ? env_->GetObjectArrayElement(addrs, static_cast<jsize>(at)) : nullptr;
    env_->SetObjectField(binding, ids_.bindingAddress, address);
    env_->SetObjectField(binding, ids_.broadcast, broadcast);
    env_->SetShortField(binding, ids_.maskLength, maskLength);
    for (jobject local : {address, broadcast}) {
      if (local != nullptr) env_->DeleteLocalRef(local);
    }
    return binding;
  }

  JNIEnv* env_;
  const Ids& ids_;
  const tape::EventCursor& event_;
  size_t field_ = 0;
  size_t item_ = 0;
  bool ok_ = true;
};

}  // namespace

int64_t NetworkInterfaces::record(JNIEnv* env, jobject result, bool array, tape::EventBuffer::Builder& event) {
  if (result == nullptr) return -1;
  const Ids& ids = idsOf(env);
  if (!ids.ready) return array ? env->GetArrayLength(static_cast<jarray>(result)) : 1;
  Writer writer(env, ids, event);
  if (!array) {
    writer.interface(result);
    return 1;
  }
  auto interfaces = static_cast<jobjectArray>(result);
  jsize length = env->GetArrayLength(interfaces);
  for (jsize i = 0; i < length; ++i) {
    jobject ni = env->GetObjectArrayElement(interfaces, i);
    writer.interface(ni);
    if (ni != nullptr) env->DeleteLocalRef(ni);
  }
  return length;
}

jobject NetworkInterfaces::rebuild(JNIEnv* env, const tape::EventCursor& event, bool array) {
  if (event.value() < 0) return nullptr;
  const Ids& ids = idsOf(env);
  if (!ids.ready) return nullptr;
  Builder builder(env, ids, event);
  if (!array) {
    jobject ni = builder.interface(nullptr);
    if (builder.ok()) return ni;
    env->ExceptionClear();
    return nullptr;
  }
  auto length = static_cast<jsize>(event.value());
  jobjectArray interfaces = env->NewObjectArray(length, ids.interfaceClass, nullptr);
  for (jsize i = 0; interfaces != nullptr && builder.ok() && i < length; ++i) {
    jobject ni = builder.interface(nullptr);
    env->SetObjectArrayElement(interfaces, i, ni);
    if (ni != nullptr) env->DeleteLocalRef(ni);
  }
  if (builder.ok()) return interfaces;
  env->ExceptionClear();
  return nullptr;
}

}  // namespace retrace::agent
