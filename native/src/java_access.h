// Reading and writing the Java side of a boundary call through JNI: file descriptors inside
// stream objects, path arguments, returned strings and arrays, object fields, exceptions.
// Nothing here calls Java code, so hooks stay safe in every VM phase.
#pragma once

#include <jni.h>
#include <jvmti.h>

#include <cstdint>
#include <string>

#include "boundary.h"
#include "retrace/tape/event_buffer.h"
#include "retrace/tape/reader.h"

namespace retrace::agent {

class JavaAccess {
 public:
  static void init(jvmtiEnv* jvmti) { jvmti_ = jvmti; }

  /** The FileDescriptor object the call works on (THIS_FD, THIS_FDOBJ, ARG_FDOBJ), or null. */
  static jobject descriptorObject(CallFrame& frame);
  /** The fd number of the call's source, or -1 when it has none. */
  static int fdOf(CallFrame& frame);
  static int fdOfDescriptor(JNIEnv* env, jobject descriptor);
  static void setDescriptorFd(JNIEnv* env, jobject descriptor, int fd);
  /** For OPEN_FD_*: the FileDescriptor inside the stream that is being opened. */
  static jobject streamDescriptor(CallFrame& frame);

  /** The call's path argument (ARG_STRING, ARG_FILE, ARG_CSTR); false when it has none. */
  static bool pathOf(CallFrame& frame, std::string& out);

  /** Records a thrown exception (the caller has taken it out of the pending state). */
  static void recordException(JNIEnv* env, jthrowable thrown, tape::EventBuffer::Builder& event);
  /** Throws the exception an event recorded. */
  static void throwRecorded(JNIEnv* env, const tape::EventCursor& event);

  /** Records an object result; returns the number stored as the event value. */
  static int64_t recordReturn(JNIEnv* env, Returns returns, jobject result, tape::EventBuffer::Builder& event);
  /** Rebuilds an object result from its event. */
  static jobject replayReturn(JNIEnv* env, Returns returns, const tape::EventCursor& event);

  /**
   * Net.accept's answer: the accepted descriptor's number and the peer's port as fields, the
   * peer's address as two items (host, raw bytes).
   */
  static void recordAccepted(JNIEnv* env, jobject newDescriptor, jobject peerHolder, tape::EventBuffer::Builder& event);
  /** Gives `newDescriptor` the number `fd` and puts the recorded peer into `peerHolder`[0]. */
  static void replayAccepted(JNIEnv* env, const tape::EventCursor& event, jobject newDescriptor, jobject peerHolder,
                             int fd);

  /** `count` long[] arguments (null or not), each as one item of its raw contents. */
  static void recordLongArrays(JNIEnv* env, const jvalue* arrays, int count, tape::EventBuffer::Builder& event);
  static void replayLongArrays(JNIEnv* env, const jvalue* arrays, int count, const tape::EventCursor& event);

  /**
   * The instance fields of `object` that are primitives, Strings or String[]s (stat results,
   * ProcessHandle.Info), in a fixed order per call. replayFields is false when the event does not
   * fit the class's fields on this JVM.
   */
  static void recordFields(JNIEnv* env, uint16_t callId, jobject object, tape::EventBuffer::Builder& event);
  static bool replayFields(JNIEnv* env, uint16_t callId, jobject object, const tape::EventCursor& event);

 private:
  static jvmtiEnv* jvmti_;
};

}  // namespace retrace::agent
