// Java stacks for divergence reports and the `stacktraces` option.
#pragma once

#include <jvmti.h>

#include <string>
#include <utility>
#include <vector>

namespace retrace::agent {

using JavaStack = std::vector<std::pair<std::string, int>>;  // "pkg.Class.method(File.java)", line

/** The calling thread's Java stack, innermost first; empty when the VM cannot say yet. */
JavaStack currentJavaStack(jvmtiEnv* jvmti, int maxDepth);

std::string formatStack(const JavaStack& stack, const char* indent);

/**
 * Whether a method whose name (as in a JavaStack) starts with `classPrefix`, for example
 * "jdk.internal.loader.URLClassPath", is on the calling thread's stack within `maxDepth` frames.
 */
bool calledFrom(jvmtiEnv* jvmti, const char* classPrefix, int maxDepth);

}  // namespace retrace::agent
