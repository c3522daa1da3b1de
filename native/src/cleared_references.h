// What the collector cleared while the process ran: weak, soft and phantom references and objects
// queued for finalisation. The collector is outside the recording (Reference.get is a JIT
// intrinsic: what it returned cannot be an event), so a program whose course depends on what was
// cleared may take another course on replay. The counts say, at record time, whether that could
// be the case: `retrace record` warns, `summary` shows them, a divergence report compares them.
//
// The Reference Handler thread calls Reference.enqueueFromPending() for every reference the
// collector cleared and pended (noteClearedReferences in classfile_rewriter.h puts a call to
// Reference.retrace$cleared at its entry); vm_entry.cpp binds that native to note().
#pragma once

#include <jni.h>

#include <atomic>
#include <cstdint>
#include <mutex>

#include "retrace/tape/process_info.h"

namespace retrace::agent {

class ClearedReferences {
 public:
  /**
   * At VMInit: binds Reference.retrace$cleared by calling it once with null (binding a native runs
   * Java code, ClassLoader.findNative: here it happens at the same moment in record and replay, not
   * on the Reference Handler thread at the first collection) and finds the reference classes. Until
   * it succeeded, counts() says not counted: the rewrite may have failed.
   */
  void bind(JNIEnv* env);
  /** One reference the collector cleared; from the Reference Handler thread (any thread is fine). */
  void note(JNIEnv* env, jobject reference);
  /** The counts so far; not `counted` when bind() did not succeed. */
  tape::ClearedReferences counts() const;

 private:
  bool resolveKinds(JNIEnv* env);

  std::atomic<uint64_t> weak_{0}, soft_{0}, phantom_{0}, finalized_{0};
  std::mutex resolveMutex_;
  std::atomic<bool> resolved_{false};
  std::atomic<bool> bound_{false};
  // Global references, made once and never deleted: the classes live as long as the VM.
  jclass weakClass_ = nullptr, softClass_ = nullptr, phantomClass_ = nullptr, finalClass_ = nullptr;
};

}  // namespace retrace::agent
