#include "failure_report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "retrace/tape/json_writer.h"
#include "stacks.h"
#include "thread_registry.h"

namespace retrace::agent {
namespace {

using tape::detail::JsonWriter;

constexpr size_t kMaxFailures = 8;
constexpr jint kMaxFrames = 64;
constexpr jint kMaxLocals = 32;
constexpr jint kMaxFields = 12;
constexpr jsize kMaxElements = 10;
constexpr size_t kMaxText = 200;

/** Frees what JVMTI allocated, on every path out. */
template <typename T>
class JvmtiMemory {
 public:
  explicit JvmtiMemory(jvmtiEnv* jvmti) : jvmti_(jvmti) {}
  JvmtiMemory(const JvmtiMemory&) = delete;
  JvmtiMemory& operator=(const JvmtiMemory&) = delete;
  ~JvmtiMemory() {
    if (pointer != nullptr) jvmti_->Deallocate(reinterpret_cast<unsigned char*>(pointer));
  }
  T* pointer = nullptr;

 private:
  jvmtiEnv* jvmti_;
};

std::string signatureOf(jvmtiEnv* jvmti, jclass klass) {
  JvmtiMemory<char> signature(jvmti);
  if (klass == nullptr || jvmti->GetClassSignature(klass, &signature.pointer, nullptr) != JVMTI_ERROR_NONE) return "";
  return signature.pointer;
}

/** "I" -> "int", "Ljava/lang/String;" -> "java.lang.String", "[J" -> "long[]". */
std::string typeName(const std::string& signature) {
  if (signature.empty()) return "?";
  switch (signature[0]) {
    case 'Z':
      return "boolean";
    case 'B':
      return "byte";
    case 'C':
      return "char";
    case 'S':
      return "short";
    case 'I':
      return "int";
    case 'J':
      return "long";
    case 'F':
      return "float";
    case 'D':
      return "double";
    case 'V':
      return "void";
    case '[':
      return typeName(signature.substr(1)) + "[]";
    case 'L': {
      std::string name = signature.substr(1, signature.size() - 2);
      for (char& c : name) {
        if (c == '/') c = '.';
      }
      return name;
    }
    default:
      return signature;
  }
}

/** Whether `klass` is `signature` or extends it (superclasses only: no class is loaded or run). */
bool extends(JNIEnv* env, jvmtiEnv* jvmti, jclass klass, const char* signature) {
  for (jclass at = klass; at != nullptr;) {
    if (signatureOf(jvmti, at) == signature) return true;
    at = env->GetSuperclass(at);
  }
  return false;
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text.substr(0, kMaxText)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += text.size() > kMaxText ? "...\"" : "\"";
  return out;
}

std::string stringValue(JNIEnv* env, jstring string) {
  const char* chars = env->GetStringUTFChars(string, nullptr);
  if (chars == nullptr) {
    env->ExceptionClear();
    return "";
  }
  std::string out = chars;
  env->ReleaseStringUTFChars(string, chars);
  return out;
}

std::string primitive(char type, jvalue value) {
  char buffer[64];
  switch (type) {
    case 'Z':
      return value.z ? "true" : "false";
    case 'B':
      return std::to_string(value.b);
    case 'C':
      if (value.c >= 32 && value.c < 127) return std::string("'") + static_cast<char>(value.c) + "'";
      return "'\\u" + std::to_string(value.c) + "'";
    case 'S':
      return std::to_string(value.s);
    case 'I':
      return std::to_string(value.i);
    case 'J':
      return std::to_string(value.j);
    case 'F':
      snprintf(buffer, sizeof buffer, "%g", static_cast<double>(value.f));
      return buffer;
    case 'D':
      snprintf(buffer, sizeof buffer, "%g", value.d);
      return buffer;
    default:
      return "?";
  }
}

jvalue readField(JNIEnv* env, jobject object, jfieldID field, char type) {
  jvalue value{};
  switch (type) {
    case 'Z':
      value.z = env->GetBooleanField(object, field);
      break;
    case 'B':
      value.b = env->GetByteField(object, field);
      break;
    case 'C':
      value.c = env->GetCharField(object, field);
      break;
    case 'S':
      value.s = env->GetShortField(object, field);
      break;
    case 'I':
      value.i = env->GetIntField(object, field);
      break;
    case 'J':
      value.j = env->GetLongField(object, field);
      break;
    case 'F':
      value.f = env->GetFloatField(object, field);
      break;
    case 'D':
      value.d = env->GetDoubleField(object, field);
      break;
    default:
      value.l = env->GetObjectField(object, field);
      break;
  }
  return value;
}

class ValueText {
 public:
  ValueText(JNIEnv* env, jvmtiEnv* jvmti) : env_(env), jvmti_(jvmti) {}

  std::string of(char type, jvalue value, int depth) {
    if (type != 'L' && type != '[') return primitive(type, value);
    return object(value.l, depth);
  }

  /** A string, a box, an enum constant, an array, or an object's fields one level deep. */
  std::string object(jobject object, int depth) {
    if (object == nullptr) return "null";
    jclass klass = env_->GetObjectClass(object);
    std::string signature = signatureOf(jvmti_, klass);
    if (signature == "Ljava/lang/String;") return quoted(stringValue(env_, static_cast<jstring>(object)));
    if (const char* primitiveType = boxedType(signature)) {  // Integer, Long, ...: `value` is the number
      jfieldID field = env_->GetFieldID(klass, "value", primitiveType);
      if (field == nullptr) {
        env_->ExceptionClear();
        return typeName(signature);
      }
      return primitive(primitiveType[0], readField(env_, object, field, primitiveType[0]));
    }
    if (signature[0] == '[') return array(object, signature, depth);
    if (extends(env_, jvmti_, klass, "Ljava/lang/Enum;")) {
      jfieldID name = env_->GetFieldID(klass, "name", "Ljava/lang/String;");
      if (name != nullptr) {
        jobject constant = env_->GetObjectField(object, name);
        if (constant != nullptr) return typeName(signature) + "." + stringValue(env_, static_cast<jstring>(constant));
      }
      env_->ExceptionClear();
    }
    if (depth > 0) return typeName(signature);
    return typeName(signature) + " {" + fields(object, klass) + "}";
  }

 private:
  static const char* boxedType(const std::string& signature) {
    static const char* const kBoxes[][2] = {{"Ljava/lang/Integer;", "I"},   {"Ljava/lang/Long;", "J"},
                                            {"Ljava/lang/Short;", "S"},     {"Ljava/lang/Byte;", "B"},
                                            {"Ljava/lang/Character;", "C"}, {"Ljava/lang/Boolean;", "Z"},
                                            {"Ljava/lang/Float;", "F"},     {"Ljava/lang/Double;", "D"}};
    for (const auto& box : kBoxes) {
      if (signature == box[0]) return box[1];
    }
    return nullptr;
  }

  std::string array(jobject object, const std::string& signature, int depth) {
    jsize length = env_->GetArrayLength(static_cast<jarray>(object));
    std::string out = typeName(signature.substr(1)) + "[" + std::to_string(length) + "]";
    if (depth > 0) return out;
    char element = signature[1];
    out += " {";
    for (jsize i = 0; i < length && i < kMaxElements; ++i) {
      if (i > 0) out += ", ";
      jvalue value{};
      switch (element) {
        case 'Z':
          env_->GetBooleanArrayRegion(static_cast<jbooleanArray>(object), i, 1, &value.z);
          break;
        case 'B':
          env_->GetByteArrayRegion(static_cast<jbyteArray>(object), i, 1, &value.b);
          break;
        case 'C':
          env_->GetCharArrayRegion(static_cast<jcharArray>(object), i, 1, &value.c);
          break;
        case 'S':
          env_->GetShortArrayRegion(static_cast<jshortArray>(object), i, 1, &value.s);
          break;
        case 'I':
          env_->GetIntArrayRegion(static_cast<jintArray>(object), i, 1, &value.i);
          break;
        case 'J':
          env_->GetLongArrayRegion(static_cast<jlongArray>(object), i, 1, &value.j);
          break;
        case 'F':
          env_->GetFloatArrayRegion(static_cast<jfloatArray>(object), i, 1, &value.f);
          break;
        case 'D':
          env_->GetDoubleArrayRegion(static_cast<jdoubleArray>(object), i, 1, &value.d);
          break;
        default:
          value.l = env_->GetObjectArrayElement(static_cast<jobjectArray>(object), i);
          break;
      }
      out += of(element == '[' ? '[' : element, value, depth + 1);
    }
    if (length > kMaxElements) out += ", ...";
    return out + "}";
  }

  /** The instance fields of `object`, its class's first, then its superclasses' (not Object's). */
  std::string fields(jobject object, jclass klass) {
    std::string out;
    jint shown = 0;
    for (jclass at = klass; at != nullptr && shown < kMaxFields; at = env_->GetSuperclass(at)) {
      if (signatureOf(jvmti_, at) == "Ljava/lang/Object;") break;
      jint count = 0;
      JvmtiMemory<jfieldID> ids(jvmti_);
      if (jvmti_->GetClassFields(at, &count, &ids.pointer) != JVMTI_ERROR_NONE) break;
      for (jint i = 0; i < count && shown < kMaxFields; ++i) {
        jint modifiers = 0;
        JvmtiMemory<char> name(jvmti_);
        JvmtiMemory<char> signature(jvmti_);
        if (jvmti_->GetFieldModifiers(at, ids.pointer[i], &modifiers) != JVMTI_ERROR_NONE || (modifiers & 0x0008) != 0)
          continue;  // static
        if (jvmti_->GetFieldName(at, ids.pointer[i], &name.pointer, &signature.pointer, nullptr) != JVMTI_ERROR_NONE)
          continue;
        char type = signature.pointer[0];
        out += (shown++ > 0 ? ", " : "") + std::string(name.pointer) + "=" +
               of(type, readField(env_, object, ids.pointer[i], type), 1);
      }
    }
    return out;
  }

  JNIEnv* env_;
  jvmtiEnv* jvmti_;
};

jvalue readLocal(jvmtiEnv* jvmti, jthread thread, jint depth, jint slot, char type, bool& ok) {
  jvalue value{};
  jvmtiError error = JVMTI_ERROR_NONE;
  switch (type) {
    case 'J':
      error = jvmti->GetLocalLong(thread, depth, slot, &value.j);
      break;
    case 'F':
      error = jvmti->GetLocalFloat(thread, depth, slot, &value.f);
      break;
    case 'D':
      error = jvmti->GetLocalDouble(thread, depth, slot, &value.d);
      break;
    case 'L':
    case '[':
      error = jvmti->GetLocalObject(thread, depth, slot, &value.l);
      break;
    default: {
      jint i = 0;
      error = jvmti->GetLocalInt(thread, depth, slot, &i);
      switch (type) {
        case 'Z':
          value.z = static_cast<jboolean>(i);
          break;
        case 'B':
          value.b = static_cast<jbyte>(i);
          break;
        case 'C':
          value.c = static_cast<jchar>(i);
          break;
        case 'S':
          value.s = static_cast<jshort>(i);
          break;
        default:
          value.i = i;
      }
    }
  }
  ok = error == JVMTI_ERROR_NONE;
  return value;
}

void writeFrame(JsonWriter& json, JNIEnv* env, jvmtiEnv* jvmti, jthread thread, jint depth, jmethodID method,
                jlocation location) {
  json.beginObject().key("method").string(nameOf(jvmti, method)).key("line").number(lineOf(jvmti, method, location));
  jint count = 0;
  JvmtiMemory<jvmtiLocalVariableEntry> table(jvmti);
  jvmtiError error = jvmti->GetLocalVariableTable(method, &count, &table.pointer);
  // Without a table (compiled without -g, or native) nothing says which slot is what.
  json.key("localsKnown").boolean(error == JVMTI_ERROR_NONE);
  json.key("locals").beginArray();
  ValueText text(env, jvmti);
  jint shown = 0;
  for (jint i = 0; error == JVMTI_ERROR_NONE && i < count; ++i) {
    jvmtiLocalVariableEntry& entry = table.pointer[i];
    bool live = location >= entry.start_location && location < entry.start_location + entry.length;
    if (live && shown < kMaxLocals) {
      bool ok = false;
      char type = entry.signature[0];
      jvalue value = readLocal(jvmti, thread, depth, entry.slot, type, ok);
      if (ok) {
        ++shown;
        json.beginObject().key("name").string(entry.name).key("type").string(typeName(entry.signature));
        json.key("value").string(text.of(type, value, 0)).endObject();
      }
    }
    jvmti->Deallocate(reinterpret_cast<unsigned char*>(entry.name));
    jvmti->Deallocate(reinterpret_cast<unsigned char*>(entry.signature));
    if (entry.generic_signature != nullptr)
      jvmti->Deallocate(reinterpret_cast<unsigned char*>(entry.generic_signature));
  }
  json.endArray().endObject();
}

/** The frames from `first` to `count`, innermost first, as a JSON array. */
void writeFrames(JsonWriter& json, JNIEnv* env, jvmtiEnv* jvmti, jthread thread, const jvmtiFrameInfo* frames,
                 jint first, jint count) {
  json.beginArray();
  for (jint depth = first; depth < count; ++depth) {
    writeFrame(json, env, jvmti, thread, depth, frames[depth].method, frames[depth].location);
  }
  json.endArray();
}

}  // namespace

bool FailureReport::addCapabilities(jvmtiEnv* jvmti) {
  jvmtiCapabilities caps;
  std::memset(&caps, 0, sizeof caps);
  caps.can_generate_exception_events = 1;
  caps.can_access_local_variables = 1;
  caps.can_generate_breakpoint_events = 1;  // System.exit with a non-zero status (onExit)
  return jvmti->AddCapabilities(&caps) == JVMTI_ERROR_NONE;
}

void FailureReport::start(jvmtiEnv* jvmti, JNIEnv* env, std::string path) {
  jvmti_ = jvmti;
  path_ = std::move(path);
  write();  // an empty report: the replay got this far
  jvmti->SetEventNotificationMode(JVMTI_ENABLE, JVMTI_EVENT_EXCEPTION, nullptr);
  jvmti->SetEventNotificationMode(JVMTI_ENABLE, JVMTI_EVENT_BREAKPOINT, nullptr);
  jint count = 0;
  JvmtiMemory<jclass> classes(jvmti);
  if (jvmti->GetLoadedClasses(&count, &classes.pointer) != JVMTI_ERROR_NONE) return;
  for (jint i = 0; i < count; ++i) {
    watchExit(classes.pointer[i]);
    env->DeleteLocalRef(classes.pointer[i]);
  }
}

void FailureReport::onClassPrepare(jclass klass) {
  if (active()) watchExit(klass);
}

void FailureReport::watchExit(jclass klass) {
  if (exitWatched_ || signatureOf(jvmti_, klass) != "Ljava/lang/Shutdown;") return;
  exitWatched_ = true;
  jint count = 0;
  JvmtiMemory<jmethodID> methods(jvmti_);
  if (jvmti_->GetClassMethods(klass, &count, &methods.pointer) != JVMTI_ERROR_NONE) return;
  for (jint i = 0; i < count; ++i) {
    JvmtiMemory<char> name(jvmti_);
    JvmtiMemory<char> descriptor(jvmti_);
    if (jvmti_->GetMethodName(methods.pointer[i], &name.pointer, &descriptor.pointer, nullptr) == JVMTI_ERROR_NONE &&
        std::strcmp(name.pointer, "exit") == 0 && std::strcmp(descriptor.pointer, "(I)V") == 0) {
      jvmti_->SetBreakpoint(methods.pointer[i], 0);
    }
  }
}

void FailureReport::onExit(JNIEnv* env, jthread thread, const ThreadState& state) {
  jint status = 0;
  // Slot 0 of the static exit(int) is the status, with or without a local variable table.
  if (!active() || !state.recorded || jvmti_->GetLocalInt(thread, 0, 0, &status) != JVMTI_ERROR_NONE || status == 0) {
    return;
  }
  jvmtiFrameInfo frames[kMaxFrames];
  jint count = 0;
  if (jvmti_->GetStackTrace(thread, 0, kMaxFrames, frames, &count) != JVMTI_ERROR_NONE) return;
  // Shutdown.exit, Runtime.exit, System.exit: the failure is where the program called them.
  jint first = 0;
  while (first < count) {
    std::string method = nameOf(jvmti_, frames[first].method);
    if (method.rfind("java.lang.Shutdown.", 0) != 0 && method.rfind("java.lang.Runtime.", 0) != 0 &&
        method.rfind("java.lang.System.", 0) != 0) {
      break;
    }
    ++first;
  }
  if (env->PushLocalFrame(512) != JNI_OK) return;
  JsonWriter json;
  json.beginObject().key("kind").string("exit").key("status").number(status);
  json.key("thread").unsignedNumber(state.id).key("threadName").string(state.name);
  json.key("eventIndex").unsignedNumber(state.nextIndex);
  json.key("exception").null();
  json.key("frames");
  writeFrames(json, env, jvmti_, thread, frames, first, count);
  json.endObject();
  env->ExceptionClear();
  env->PopLocalFrame(nullptr);
  std::lock_guard<std::mutex> guard(mutex_);
  if (failures_.size() >= kMaxFailures) return;
  failures_.push_back(json.text());
  write();
}

void FailureReport::onThrow(JNIEnv* env, jthread thread, const ThreadState& state, jobject exception,
                            jmethodID catchMethod) {
  if (!active() || !state.recorded) return;
  if (env->PushLocalFrame(512) != JNI_OK) return;
  jclass klass = env->GetObjectClass(exception);
  bool uncaught = catchMethod == nullptr;
  if (!uncaught && !extends(env, jvmti_, klass, "Ljava/lang/AssertionError;")) {
    env->PopLocalFrame(nullptr);
    return;
  }
  {
    // Test runners catch and rethrow the same exception several times: its first throw is the one.
    std::lock_guard<std::mutex> guard(mutex_);
    bool seen = failures_.size() >= kMaxFailures;
    for (jobject earlier : thrown_) seen = seen || env->IsSameObject(earlier, exception);
    if (seen) {
      env->PopLocalFrame(nullptr);
      return;
    }
  }
  JsonWriter json;
  json.beginObject().key("kind").string(uncaught ? "uncaught" : "assertion");
  json.key("thread").unsignedNumber(state.id).key("threadName").string(state.name);
  json.key("eventIndex").unsignedNumber(state.nextIndex);
  json.key("exception").beginObject().key("className").string(typeName(signatureOf(jvmti_, klass)));
  jfieldID detail = env->GetFieldID(klass, "detailMessage", "Ljava/lang/String;");
  jobject message = detail != nullptr ? env->GetObjectField(exception, detail) : nullptr;
  env->ExceptionClear();
  json.key("message");
  if (message != nullptr) {
    json.string(stringValue(env, static_cast<jstring>(message)));
  } else {
    json.null();
  }
  json.endObject().key("frames");
  jvmtiFrameInfo frames[kMaxFrames];
  jint count = 0;
  if (jvmti_->GetStackTrace(thread, 0, kMaxFrames, frames, &count) != JVMTI_ERROR_NONE) count = 0;
  writeFrames(json, env, jvmti_, thread, frames, 0, count);
  json.endObject();
  env->ExceptionClear();
  env->PopLocalFrame(nullptr);
  std::lock_guard<std::mutex> guard(mutex_);
  if (failures_.size() >= kMaxFailures) return;
  failures_.push_back(json.text());
  thrown_.push_back(env->NewGlobalRef(exception));
  write();
}

void FailureReport::onTestFailed(const std::string& report) {
  if (!active()) return;
  std::lock_guard<std::mutex> guard(mutex_);
  if (tests_.size() >= kMaxFailures) return;
  tests_.push_back(report);
  write();
}

void FailureReport::write() {
  std::string out = "{\"failures\":[";
  for (size_t i = 0; i < failures_.size(); ++i) out += (i > 0 ? "," : "") + failures_[i];
  out += "],\"failedTests\":[";
  for (size_t i = 0; i < tests_.size(); ++i) {
    std::string quotedReport;
    tape::detail::appendJsonString(quotedReport, tests_[i]);
    out += (i > 0 ? "," : "") + quotedReport;
  }
  out += "]}\n";
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  for (size_t done = 0; done < out.size();) {
    ssize_t n = ::write(fd, out.data() + done, out.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

}  // namespace retrace::agent
