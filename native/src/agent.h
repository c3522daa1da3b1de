// The agent's one state object: options, the JVMTI environment, the thread registry, the fd
// table, the code identity, and the active session (record or replay). Everything else is a
// stateless helper or belongs to one of these.
#pragma once

#include <jni.h>
#include <jvmti.h>

#include <atomic>
#include <iterator>
#include <memory>
#include <string>

#include "cleared_references.h"
#include "code_identity.h"
#include "failure_report.h"
#include "fd_table.h"
#include "local_code.h"
#include "options.h"
#include "progress_points.h"
#include "redaction.h"
#include "scheduler.h"
#include "system_class_rewrite.h"
#include "thread_registry.h"

namespace retrace::agent {

class RecordSession;
class ReplaySession;

/** Exit codes of a replay that cannot go on (docs/cli.md). */
enum ExitCode : int {
  kExitDivergence = 120,
  kExitCodeMismatch = 121,
  kExitUnreadable = 122,
  kExitIncomplete = 123,
  /** Record: the program did something the recorder cannot record faithfully (a virtual thread). */
  kExitUnsupported = 125,
};

class Agent {
 public:
  /** The process-wide agent. Never destroyed: JVM threads may call hooks until the very end. */
  static Agent& get();

  jint load(JavaVM* vm, const char* options);

  const Options& options() const { return options_; }
  jvmtiEnv* jvmti() const { return jvmti_; }
  /** The calling thread's JNIEnv, or null when it is not attached to the JVM. */
  JNIEnv* currentEnv() const {
    JNIEnv* env = nullptr;
    return vm_ != nullptr && vm_->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) == JNI_OK ? env : nullptr;
  }
  ThreadRegistry& threads() { return threads_; }
  FdTable& fds() { return fds_; }
  const CodeIdentity& code() const { return code_; }
  CodeIdentity& code() { return code_; }
  const LocalCode& localCode() const { return localCode_; }
  LocalCode& localCode() { return localCode_; }
  const std::string& cwd() const { return cwd_; }
  /** What is redacted: record, from the options; replay, what the recording says it redacted. */
  const Redaction& redaction() const { return redaction_; }
  const std::string& agentPath() const { return agentPath_; }
  const std::string& tapePath() const { return tapePath_; }
  /**
   * Set by a recorded parent JVM in a child's environment: "pid:thread:index" of the forkAndExec
   * event that started it. Taken out of the environment at load, before anyone can see it.
   */
  static constexpr const char* kSpawnLinkVariable = "RETRACE_PARENT_EVENT";
  const std::string& spawnLink() const { return spawnLink_; }
  std::string systemProperty(const char* name) const;

  bool active() const { return active_.load(std::memory_order_acquire); }
  bool recording() const { return options_.mode == Mode::kRecord; }
  RecordSession& recorder() { return *recorder_; }
  ReplaySession& replayer() { return *replayer_; }
  Scheduler& scheduler() { return scheduler_; }
  ClearedReferences& clearedReferences() { return cleared_; }
  FailureReport& failures() { return failures_; }
  ProgressPoints& progressPoints() { return progressPoints_; }

  /**
   * Attaches the calling native thread to the VM as one of the agent's own (a daemon, never an
   * application thread) and returns its JNIEnv; null before the VM is live. Idempotent per thread.
   */
  JNIEnv* attachOwnThread(const char* name);
  /**
   * Detaches the calling thread if attachOwnThread attached it. At VM death: HotSpot's exit waits up
   * to 300 ms for each attached thread that sits in native code (VM_Exit::wait_for_threads_in_native_to_block).
   */
  void detachOwnThread();

  /** Prints `retrace: <message>` and ends the process at once with `exitCode`. */
  [[noreturn]] static void fail(int exitCode, const std::string& message);
  void log(const char* format, ...) const __attribute__((format(printf, 2, 3)));

  // JVMTI callbacks, wired in one place (vm_entry.cpp).
  static void JNICALL onNativeMethodBind(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jmethodID method, void* address,
                                         void** newAddress);
  static void JNICALL onClassFileLoad(jvmtiEnv* jvmti, JNIEnv* env, jclass redefined, jobject loader, const char* name,
                                      jobject domain, jint length, const unsigned char* data, jint* newLength,
                                      unsigned char** newData);
  static void JNICALL onThreadStart(jvmtiEnv* jvmti, JNIEnv* env, jthread thread);
  static void JNICALL onThreadEnd(jvmtiEnv* jvmti, JNIEnv* env, jthread thread);
  static void JNICALL onVmInit(jvmtiEnv* jvmti, JNIEnv* env, jthread thread);
  static void JNICALL onVmDeath(jvmtiEnv* jvmti, JNIEnv* env);
  static void JNICALL onMonitorContendedEnter(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jobject object);
  static void JNICALL onMonitorWait(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jobject object, jlong timeout);
  static void JNICALL onMonitorWaited(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jobject object, jboolean timedOut);
  static void JNICALL onClassPrepare(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jclass klass);
  static void JNICALL onException(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jmethodID method, jlocation location,
                                  jobject exception, jmethodID catchMethod, jlocation catchLocation);
  static void JNICALL onBreakpoint(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jmethodID method, jlocation location);
  static void JNICALL onVirtualThreadStart(jvmtiEnv* jvmti, JNIEnv* env, jthread thread);
  static void onExit(int status, void* unused);

  /** The calling thread's state when it is a scheduled application thread, else null. */
  ThreadState* scheduledThread();

 private:
  Agent();
  ~Agent();
  bool setUpJvmti(JavaVM* vm);
  void applyPropertyRedaction();
  bool isApplicationThread(JNIEnv* env, jthread thread, std::string& name);

  Options options_;
  JavaVM* vm_ = nullptr;
  jvmtiEnv* jvmti_ = nullptr;
  std::atomic<bool> live_{false};       // VMInit has happened, VMDeath not yet: threads may attach
  jthreadGroup systemGroup_ = nullptr;  // where the agent's own threads attach (global reference)
  Scheduler scheduler_{*this};
  ThreadRegistry threads_;
  FdTable fds_;
  CodeIdentity code_;
  LocalCode localCode_;  // replay: where recorded code is here (codemap=, Retrace's own files)
  Redaction redaction_;
  ClearedReferences cleared_;
  FailureReport failures_;         // replay with why=PATH
  ProgressPoints progressPoints_;  // replay with a debugger (debug)
  std::string cwd_;
  std::string agentPath_;
  std::string tapePath_;
  std::string spawnLink_;
  std::unique_ptr<RecordSession> recorder_;
  std::unique_ptr<ReplaySession> replayer_;
  std::atomic<bool> active_{false};
  std::atomic<bool> systemRewritten_{false};
  bool preempt_ = false;         // classes get ticks, the holder can be preempted (preemption.h)
  bool preemptFields_ = false;   // and ticks before their field and array accesses too
  bool keepReferences_ = false;  // weak and soft references keep their referents (keepReferents)
  std::atomic<int> perfClassesLeft_{static_cast<int>(std::size(kPerfClockClasses))};  // system_class_rewrite.h
  int heldStdout_ = -1;          // stdout while java.lang.System is parsed (see onClassFileLoad)
  std::string testListenerJar_;  // put on the class path at VMInit when not empty (test_runs.h)
};

}  // namespace retrace::agent
