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

/** "pkg.Class.method(File.java)", looked up once per method. */
std::string nameOf(jvmtiEnv* jvmti, jmethodID method);

/** The source line of `location` in `method`, -1 when the class has no line numbers. */
int lineOf(jvmtiEnv* jvmti, jmethodID method, jlocation location);

/**
 * Whether a method whose name (as in a JavaStack) starts with `classPrefix`, for example
 * "jdk.internal.loader.URLClassPath", is on the calling thread's stack within `maxDepth` frames.
 */
bool calledFrom(jvmtiEnv* jvmti, const char* classPrefix, int maxDepth);

/**
 * A class or method name without what differs between two runs of the same code: the address
 * HotSpot puts in the name of a hidden class (a lambda's "Foo$$Lambda.0x0000000800c0b000", JDK
 * 17's "Foo$$Lambda$14/0x0000000800c0b000", a method-handle form's). Each "0x" and the hex digits
 * after it become "0x*".
 */
std::string withoutAddresses(const std::string& name);

/** Whether `recorded` (innermost first) and `now` agree frame by frame as deep as both go. */
bool sameFrames(const JavaStack& recorded, const JavaStack& now);

}  // namespace retrace::agent
