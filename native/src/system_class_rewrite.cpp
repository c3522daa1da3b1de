#include "system_class_rewrite.h"

#include <cstring>
#include <vector>

#include "classfile_rewriter.h"

namespace retrace::agent {

bool rewriteSystemClass(jvmtiEnv* jvmti, const char* prefix, const unsigned char* data, jint length,
                        unsigned char** newData, jint* newLength, std::string& error) {
  std::vector<NativeWrap> clocks = {{"nanoTime", "()J"}, {"currentTimeMillis", "()J"}};
  std::vector<uint8_t> rewritten;
  if (!wrapNativeMethods(data, static_cast<size_t>(length), prefix, clocks, rewritten, error)) return false;
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

}  // namespace retrace::agent
