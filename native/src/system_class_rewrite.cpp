#include "system_class_rewrite.h"

#include <cstring>
#include <vector>

#include "classfile_rewriter.h"

namespace retrace::agent {

namespace {

bool handOver(jvmtiEnv* jvmti, const std::vector<uint8_t>& rewritten, unsigned char** newData, jint* newLength,
              std::string& error) {
  unsigned char* out = nullptr;
  if (jvmti->Allocate(static_cast<jlong>(rewritten.size()), &out) != JVMTI_ERROR_NONE) {
    error = "out of memory";
    return false;
  }
  std::memcpy(out, rewritten.data(), rewritten.size());
  *newData = out;
  *newLength = static_cast<jint>(rewritten.size());
  return true;
}

}  // namespace

bool rewriteSystemClass(jvmtiEnv* jvmti, const char* prefix, bool preemption, bool progressHooks,
                        const unsigned char* data, jint length, unsigned char** newData, jint* newLength,
                        std::string& error) {
  std::vector<NativeWrap> clocks = {{"nanoTime", "()J"}, {"currentTimeMillis", "()J"}};
  std::vector<uint8_t> rewritten;
  if (!wrapNativeMethods(data, static_cast<size_t>(length), prefix, clocks, rewritten, error)) return false;
  if (preemption) {
    std::vector<uint8_t> hooked;
    if (!addPreemptionHooks(rewritten.data(), rewritten.size(), hooked, error)) return false;
    rewritten.swap(hooked);
  }
  if (progressHooks) {
    std::vector<uint8_t> hooked;
    if (!addProgressHooks(rewritten.data(), rewritten.size(), hooked, error)) return false;
    rewritten.swap(hooked);
  }
  return handOver(jvmti, rewritten, newData, newLength, error);
}

bool isJdkClass(const char* name) {
  for (const char* prefix : {"java/", "javax/", "jdk/", "sun/", "com/sun/"}) {
    if (std::strncmp(name, prefix, std::strlen(prefix)) == 0) return true;
  }
  return false;
}

bool addTicks(jvmtiEnv* jvmti, const unsigned char* data, jint length, bool fieldAccesses, unsigned char** newData,
              jint* newLength, std::string& error) {
  std::vector<uint8_t> rewritten;
  int changed =
      insertTickCalls(data, static_cast<size_t>(length), {"java/lang/System", "retrace$tick", "()V"}, rewritten, error,
                      fieldAccesses ? TickPlaces::kMethodEntriesAndFieldAccesses : TickPlaces::kMethodEntries);
  if (changed < 0) return false;
  return changed == 0 || handOver(jvmti, rewritten, newData, newLength, error);
}

bool keepReferentsOf(jvmtiEnv* jvmti, const unsigned char* data, jint length, unsigned char** newData, jint* newLength,
                     std::string& error) {
  std::vector<uint8_t> rewritten;
  return keepReferents(data, static_cast<size_t>(length), rewritten, error) &&
         handOver(jvmti, rewritten, newData, newLength, error);
}

bool noteClearedReferencesOf(jvmtiEnv* jvmti, const unsigned char* data, jint length, unsigned char** newData,
                             jint* newLength, std::string& error) {
  std::vector<uint8_t> rewritten;
  return noteClearedReferences(data, static_cast<size_t>(length), rewritten, error) &&
         handOver(jvmti, rewritten, newData, newLength, error);
}

bool initVmBeforeFinalizerOf(jvmtiEnv* jvmti, const unsigned char* data, jint length, unsigned char** newData,
                             jint* newLength, std::string& error) {
  std::vector<uint8_t> rewritten;
  return callFirstInStaticInitializer(data, static_cast<size_t>(length), {"jdk/internal/misc/VM", "initLevel", "()I"},
                                      rewritten, error) &&
         handOver(jvmti, rewritten, newData, newLength, error);
}

bool isPerfClockClass(const char* name) {
  for (const char* perf : kPerfClockClasses) {
    if (std::strcmp(name, perf) == 0) return true;
  }
  return false;
}

bool zeroPerfClocks(jvmtiEnv* jvmti, const unsigned char* data, jint length, unsigned char** newData, jint* newLength,
                    std::string& error) {
  std::vector<uint8_t> rewritten;
  int replaced =
      zeroLongStaticCalls(data, static_cast<size_t>(length), {"java/lang/System", "nanoTime", "()J"}, rewritten, error);
  if (replaced < 0) return false;
  return replaced == 0 || handOver(jvmti, rewritten, newData, newLength, error);
}

}  // namespace retrace::agent
