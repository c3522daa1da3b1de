// Class.getDeclaredMethods0 and getDeclaredConstructors0 in an order that is the same in every run.
//
// HotSpot keeps a class's methods sorted by the address of their name's Symbol (the sort
// ClassFileParser does so that lookups can bisect). Without CDS, which the agent's early class
// hooks turn off, those addresses come from malloc and from the symbol arena, and with address
// space randomisation their relative order changes from one run to the next. The reflection
// natives walk that array: they return Method objects in that order, and they resolve each
// method's parameter, return and exception types through the class's loader in that order. A
// type the loader has not seen yet is a call into the loader's Java code (ClassLoader.loadClass:
// clock readings, class path lookups), so the recorded boundary calls came in another order than
// the replay asks for them (seen with Maven: plexus-classworlds' ClassRealm, MavenCli's methods).
//
// The hook resolves the types first, method by method in the order of (name, descriptor), with
// JNI ToReflectedMethod (the same HotSpot code the natives use), then runs the native, which then
// finds every type already known to the loader, and sorts the array it returns the same way. A
// class that is not linked yet is linked by the native itself before it resolves anything (and
// linking may load classes too, for the verifier): its types are resolved at JVMTI ClassPrepare,
// which HotSpot posts at the end of linking, on the same thread, before the native goes on.
// Nothing is recorded: record and replay do the same.
#pragma once

#include <jni.h>
#include <jvmti.h>

#include "boundary.h"
#include "thread_registry.h"

namespace retrace::agent::declared_members {

/** The hook of Class.getDeclaredMethods0 / getDeclaredConstructors0 (Effect::DECLARED_MEMBERS). */
jvalue call(jvmtiEnv* jvmti, CallFrame& frame, ThreadState& thread);

/** At ClassPrepare: resolves the types of the class the calling thread's hook is waiting to see linked. */
void onClassPrepare(jvmtiEnv* jvmti, JNIEnv* env, jclass klass);

}  // namespace retrace::agent::declared_members
