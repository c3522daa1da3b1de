// Agent entry points and the one place where JVMTI callbacks are wired.
#include <jvmti.h>

#include <cstring>

#include "agent.h"
#include "test_runs.h"

namespace retrace::agent {

bool wireCallbacks(jvmtiEnv* jvmti) {
  jvmtiEventCallbacks callbacks;
  std::memset(&callbacks, 0, sizeof callbacks);
  callbacks.NativeMethodBind = &Agent::onNativeMethodBind;
  callbacks.ClassFileLoadHook = &Agent::onClassFileLoad;
  callbacks.ThreadStart = &Agent::onThreadStart;
  callbacks.ThreadEnd = &Agent::onThreadEnd;
  callbacks.VMInit = &Agent::onVmInit;
  callbacks.VMDeath = &Agent::onVmDeath;
  callbacks.MonitorContendedEnter = &Agent::onMonitorContendedEnter;
  callbacks.MonitorWait = &Agent::onMonitorWait;
  callbacks.MonitorWaited = &Agent::onMonitorWaited;
  callbacks.ClassPrepare = &Agent::onClassPrepare;
  callbacks.VirtualThreadStart = &Agent::onVirtualThreadStart;
  callbacks.Exception = &Agent::onException;    // enabled only by FailureReport::start (why=)
  callbacks.Breakpoint = &Agent::onBreakpoint;  // likewise: System.exit's status
  if (jvmti->SetEventCallbacks(&callbacks, sizeof callbacks) != JVMTI_ERROR_NONE) return false;
  for (jvmtiEvent event :
       {JVMTI_EVENT_NATIVE_METHOD_BIND, JVMTI_EVENT_CLASS_FILE_LOAD_HOOK, JVMTI_EVENT_THREAD_START,
        JVMTI_EVENT_THREAD_END, JVMTI_EVENT_VM_INIT, JVMTI_EVENT_VM_DEATH, JVMTI_EVENT_MONITOR_CONTENDED_ENTER,
        JVMTI_EVENT_MONITOR_WAIT, JVMTI_EVENT_MONITOR_WAITED, JVMTI_EVENT_CLASS_PREPARE}) {
    if (jvmti->SetEventNotificationMode(JVMTI_ENABLE, event, nullptr) != JVMTI_ERROR_NONE) return false;
  }
  // JDK 21+ only; JDK 17 has no virtual threads to refuse.
  jvmti->SetEventNotificationMode(JVMTI_ENABLE, JVMTI_EVENT_VIRTUAL_THREAD_START, nullptr);
  return true;
}

}  // namespace retrace::agent

extern "C" JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM* vm, char* options, void* reserved) {
  return retrace::agent::Agent::get().load(vm, options);
}

// dev.retrace.junit.TestOutcomeListener.report0 (lib/retrace-junit.jar): the JVM finds it here
// because it searches agent libraries for natives that no class loader's libraries have.
extern "C" JNIEXPORT void JNICALL Java_dev_retrace_junit_TestOutcomeListener_report0(JNIEnv* env, jclass, jstring text,
                                                                                     jboolean failed) {
  retrace::agent::test_runs::onTestReport(env, text, failed);
}

// java.lang.System.retrace$preempt, added by addPreemptionHooks (preemption.h): found the same way.
// RegisterNatives would do, but HotSpot warns on stdout when an agent registers a boot class's
// native from outside the boot loader.
extern "C" JNIEXPORT void JNICALL Java_java_lang_System_retrace_00024preempt(JNIEnv* env, jclass, jlong ticks) {
  if (ticks == retrace::agent::Preemption::kBindOnly) return;
  retrace::agent::Agent::get().scheduler().preempted(env, static_cast<uint64_t>(ticks));
}

// java.lang.ref.Reference.retrace$cleared, added by noteClearedReferences (cleared_references.h).
extern "C" JNIEXPORT void JNICALL Java_java_lang_ref_Reference_retrace_00024cleared(JNIEnv* env, jclass,
                                                                                    jobject reference) {
  retrace::agent::Agent::get().clearedReferences().note(env, reference);
}

// java.lang.System.retrace$progress, retrace$previousProgress and retrace$seek, added by
// addProgressHooks (progress_points.h).
extern "C" JNIEXPORT jlong JNICALL Java_java_lang_System_retrace_00024progress(JNIEnv* env, jclass, jobject thread) {
  return retrace::agent::ProgressPoints::progressOf(retrace::agent::Agent::get().threads(), env, thread, false);
}

extern "C" JNIEXPORT jlong JNICALL Java_java_lang_System_retrace_00024previousProgress(JNIEnv* env, jclass,
                                                                                       jobject thread) {
  return retrace::agent::ProgressPoints::progressOf(retrace::agent::Agent::get().threads(), env, thread, true);
}

extern "C" JNIEXPORT jboolean JNICALL Java_java_lang_System_retrace_00024seek(JNIEnv* env, jclass, jobject thread,
                                                                              jlong progress) {
  return retrace::agent::ProgressPoints::seek(retrace::agent::Agent::get().threads(), env, thread, progress);
}

extern "C" JNIEXPORT jint JNICALL Agent_OnAttach(JavaVM* vm, char* options, void* reserved) {
  // Recording must start before the first class loads (clock salts, the System rewrite).
  fprintf(stderr, "retrace: the agent cannot be attached to a running JVM; start the JVM with -agentpath\n");
  return JNI_ERR;
}
