#include "local_code.h"

#include <atomic>

#include "code_identity.h"
#include "java_access.h"

namespace retrace::agent {
namespace {

std::atomic<jfieldID> gFilePathField{nullptr};

jfieldID filePathField(JNIEnv* env) {
  jfieldID id = gFilePathField.load(std::memory_order_acquire);
  if (id != nullptr) return id;
  jclass file = env->FindClass("java/io/File");
  if (file == nullptr) {
    env->ExceptionClear();
    return nullptr;
  }
  id = env->GetFieldID(file, "path", "Ljava/lang/String;");
  env->DeleteLocalRef(file);
  if (id == nullptr) env->ExceptionClear();
  gFilePathField.store(id, std::memory_order_release);
  return id;
}

}  // namespace

bool LocalCode::load(const std::string& mapPath, std::string& error) {
  std::optional<tape::CodeMap> map = tape::CodeMap::load(mapPath, error);
  if (!map) return false;
  map_ = std::move(*map);
  return true;
}

void LocalCode::mapOwnFile(const std::string& recorded, const std::string& local) {
  if (!recorded.empty() && recorded[0] == '/' && recorded != local) map_.add(recorded, local);
}

std::string LocalCode::absolute(const std::string& path) const {
  return CodeIdentity::normalize(recordedCwd_.empty() ? "/" : recordedCwd_, path);
}

std::string LocalCode::localOf(const std::string& path) const {
  if (map_.empty() || path.empty()) return "";
  return map_.local(absolute(path));
}

LocalPathArgument::LocalPathArgument(CallFrame& frame, const LocalCode& code) : frame_(frame) {
  if (code.empty()) return;
  std::string path;
  if (!JavaAccess::pathOf(frame, path)) return;
  std::string local = code.localOf(path);
  if (local.empty()) return;
  recorded_ = code.absolute(path);
  local_ = local;
  JNIEnv* env = frame.env;
  jvalue& argument = frame.args[frame.call.s];
  switch (frame.call.source) {
    case Source::ARG_STRING:
      if (jstring replacement = env->NewStringUTF(local.c_str())) argument.l = replacement;
      break;
    case Source::ARG_FILE: {
      jfieldID field = filePathField(env);
      jstring replacement = field != nullptr ? env->NewStringUTF(local.c_str()) : nullptr;
      if (replacement == nullptr) break;
      file_ = argument.l;
      recordedPath_ = static_cast<jstring>(env->GetObjectField(file_, field));
      env->SetObjectField(file_, field, replacement);
      env->DeleteLocalRef(replacement);
      break;
    }
    case Source::ARG_CSTR:
      localBytes_ = local;
      argument.j = static_cast<jlong>(reinterpret_cast<intptr_t>(localBytes_.c_str()));
      break;
    default:
      break;
  }
  if (env->ExceptionCheck()) env->ExceptionClear();
}

void LocalPathArgument::answerRecordedPath(jvalue& result) {
  if (local_.empty() || result.l == nullptr) return;
  JNIEnv* env = frame_.env;
  if (frame_.call.returns == Returns::STRING) {
    const char* chars = env->GetStringUTFChars(static_cast<jstring>(result.l), nullptr);
    bool same = chars != nullptr && local_ == chars;
    if (chars != nullptr) env->ReleaseStringUTFChars(static_cast<jstring>(result.l), chars);
    if (!same) return;
    if (jstring recorded = env->NewStringUTF(recorded_.c_str())) {
      env->DeleteLocalRef(result.l);
      result.l = recorded;
    }
  } else if (frame_.call.returns == Returns::BYTES) {
    auto bytes = static_cast<jbyteArray>(result.l);
    jsize length = env->GetArrayLength(bytes);
    std::string text(static_cast<size_t>(length), '\0');
    env->GetByteArrayRegion(bytes, 0, length, reinterpret_cast<jbyte*>(text.data()));
    if (text != local_) return;
    jbyteArray recorded = env->NewByteArray(static_cast<jsize>(recorded_.size()));
    if (recorded == nullptr) return;
    env->SetByteArrayRegion(recorded, 0, static_cast<jsize>(recorded_.size()),
                            reinterpret_cast<const jbyte*>(recorded_.data()));
    env->DeleteLocalRef(result.l);
    result.l = recorded;
  }
  if (env->ExceptionCheck()) env->ExceptionClear();
}

LocalPathArgument::~LocalPathArgument() {
  if (file_ == nullptr) return;
  JNIEnv* env = frame_.env;
  // The call's own exception (FileNotFoundException...) stays pending: set the field around it.
  jthrowable pending = env->ExceptionOccurred();
  if (pending != nullptr) env->ExceptionClear();
  env->SetObjectField(file_, filePathField(env), recordedPath_);
  env->DeleteLocalRef(recordedPath_);
  if (pending != nullptr) {
    env->Throw(pending);
    env->DeleteLocalRef(pending);
  }
}

}  // namespace retrace::agent
