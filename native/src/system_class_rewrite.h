// java.lang.System's clocks are JIT intrinsics: compiled code reads the clock directly and never
// reaches a bound native. HotSpot matches the intrinsics only to *native* methods named nanoTime
// and currentTimeMillis, so at System's (early) load we turn each into a Java method that calls
// the renamed native retrace$nanoTime, which binds to the original entry point through
// SetNativeMethodPrefix and then to our trampoline. No JVM flag is needed.
#pragma once

#include <jvmti.h>

#include <string>

namespace retrace::agent {

bool rewriteSystemClass(jvmtiEnv* jvmti, const char* prefix, const unsigned char* data, jint length,
                        unsigned char** newData, jint* newLength, std::string& error);

}  // namespace retrace::agent
