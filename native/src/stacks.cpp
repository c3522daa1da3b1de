#include "stacks.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace retrace::agent {

namespace {

struct MethodNames {
  std::mutex mutex;
  std::unordered_map<jmethodID, std::string> names;
};

MethodNames& methodNames() {
  static MethodNames cache;
  return cache;
}

std::string describe(jvmtiEnv* jvmti, jmethodID method) {
  char* name = nullptr;
  char* signature = nullptr;
  jclass klass = nullptr;
  std::string out = "?";
  if (jvmti->GetMethodName(method, &name, nullptr, nullptr) != JVMTI_ERROR_NONE) return out;
  if (jvmti->GetMethodDeclaringClass(method, &klass) == JVMTI_ERROR_NONE &&
      jvmti->GetClassSignature(klass, &signature, nullptr) == JVMTI_ERROR_NONE && signature != nullptr) {
    std::string cls = signature;
    if (cls.size() > 2 && cls.front() == 'L') cls = cls.substr(1, cls.size() - 2);
    for (char& c : cls) {
      if (c == '/') c = '.';
    }
    out = cls + "." + name;
    char* source = nullptr;
    if (jvmti->GetSourceFileName(klass, &source) == JVMTI_ERROR_NONE && source != nullptr) {
      out += std::string("(") + source + ")";
      jvmti->Deallocate(reinterpret_cast<unsigned char*>(source));
    } else {
      out += "()";
    }
  }
  if (signature != nullptr) jvmti->Deallocate(reinterpret_cast<unsigned char*>(signature));
  jvmti->Deallocate(reinterpret_cast<unsigned char*>(name));
  return out;
}

}  // namespace

int lineOf(jvmtiEnv* jvmti, jmethodID method, jlocation location) {
  jint count = 0;
  jvmtiLineNumberEntry* table = nullptr;
  if (location < 0 || jvmti->GetLineNumberTable(method, &count, &table) != JVMTI_ERROR_NONE) return -1;
  int line = -1;
  for (jint i = 0; i < count; ++i) {
    if (table[i].start_location > location) break;
    line = table[i].line_number;
  }
  jvmti->Deallocate(reinterpret_cast<unsigned char*>(table));
  return line;
}

std::string nameOf(jvmtiEnv* jvmti, jmethodID method) {
  MethodNames& cache = methodNames();
  {
    std::lock_guard<std::mutex> guard(cache.mutex);
    auto it = cache.names.find(method);
    if (it != cache.names.end()) return it->second;
  }
  std::string name = describe(jvmti, method);
  std::lock_guard<std::mutex> guard(cache.mutex);
  cache.names.emplace(method, name);
  return name;
}

JavaStack currentJavaStack(jvmtiEnv* jvmti, int maxDepth) {
  JavaStack out;
  std::vector<jvmtiFrameInfo> frames(static_cast<size_t>(maxDepth));
  jint count = 0;
  if (jvmti == nullptr || jvmti->GetStackTrace(nullptr, 0, maxDepth, frames.data(), &count) != JVMTI_ERROR_NONE) {
    return out;
  }
  for (jint i = 0; i < count; ++i) {
    // The renamed clock natives (system_class_rewrite.h) are ours, not the program's.
    std::string name = nameOf(jvmti, frames[i].method);
    if (name.find(".retrace$") != std::string::npos) continue;
    out.emplace_back(name, lineOf(jvmti, frames[i].method, frames[i].location));
  }
  return out;
}

bool calledFrom(jvmtiEnv* jvmti, const char* classPrefix, int maxDepth) {
  std::vector<jvmtiFrameInfo> frames(static_cast<size_t>(maxDepth));
  jint count = 0;
  if (jvmti == nullptr || jvmti->GetStackTrace(nullptr, 0, maxDepth, frames.data(), &count) != JVMTI_ERROR_NONE) {
    return false;
  }
  size_t prefixLength = std::strlen(classPrefix);
  for (jint i = 0; i < count; ++i) {
    if (nameOf(jvmti, frames[i].method).compare(0, prefixLength, classPrefix) == 0) return true;
  }
  return false;
}

std::string formatStack(const JavaStack& stack, const char* indent) {
  std::string out;
  for (const auto& [method, line] : stack) {
    // Like Throwable.printStackTrace: at pkg.Class.method(File.java:12)
    std::string text = method;
    if (line >= 0 && !text.empty() && text.back() == ')') {
      text.insert(text.size() - 1, ":" + std::to_string(line));
    }
    out += indent;
    out += "at " + text + "\n";
  }
  return out;
}

std::string withoutAddresses(const std::string& name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    if (name.compare(i, 2, "0x") == 0 && i + 2 < name.size() &&
        std::isxdigit(static_cast<unsigned char>(name[i + 2]))) {
      i += 2;
      while (i < name.size() && std::isxdigit(static_cast<unsigned char>(name[i]))) ++i;
      out += "0x*";
    } else {
      out += name[i++];
    }
  }
  return out;
}

bool sameFrames(const JavaStack& recorded, const JavaStack& now) {
  size_t depth = std::min(recorded.size(), now.size());
  for (size_t i = 0; i < depth; ++i) {
    if (recorded[i].second != now[i].second) return false;
    if (withoutAddresses(recorded[i].first) != withoutAddresses(now[i].first)) return false;
  }
  return true;
}

}  // namespace retrace::agent
