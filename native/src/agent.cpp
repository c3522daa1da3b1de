#include "agent.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "boundary.h"
#include "debugger_calls.h"
#include "declared_members.h"
#include "identity_hash.h"
#include "java_access.h"
#include "record_session.h"
#include "replay_session.h"
#include "stacks.h"
#include "system_class_rewrite.h"
#include "test_runs.h"

namespace retrace::agent {

bool wireCallbacks(jvmtiEnv* jvmti);  // vm_entry.cpp

namespace {

constexpr const char* kNativePrefix = "retrace$";

std::string pathOfThisLibrary() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&Agent::get), &info) == 0 || info.dli_fname == nullptr) return "";
  char resolved[PATH_MAX];
  return realpath(info.dli_fname, resolved) != nullptr ? resolved : info.dli_fname;
}

std::string currentDirectory() {
  char buffer[PATH_MAX];
  return getcwd(buffer, sizeof buffer) != nullptr ? buffer : "/";
}

}  // namespace

Agent& Agent::get() {
  // Intentionally leaked: daemon threads and exit handlers may use it until the process is gone.
  static Agent* agent = new Agent();
  return *agent;
}

Agent::Agent() = default;
Agent::~Agent() = default;

void Agent::fail(int exitCode, const std::string& message) {
  std::string line = "retrace: " + message + "\n";
  (void)!write(STDERR_FILENO, line.data(), line.size());
  _exit(exitCode);
}

void Agent::log(const char* format, ...) const {
  if (!options_.verbose) return;
  char buffer[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  fprintf(stderr, "retrace: %s\n", buffer);
}

std::string Agent::systemProperty(const char* name) const {
  char* value = nullptr;
  if (jvmti_ == nullptr || jvmti_->GetSystemProperty(name, &value) != JVMTI_ERROR_NONE || value == nullptr) return "";
  std::string out = value;
  jvmti_->Deallocate(reinterpret_cast<unsigned char*>(value));
  return out;
}

bool Agent::setUpJvmti(JavaVM* vm) {
  vm_ = vm;
  if (vm->GetEnv(reinterpret_cast<void**>(&jvmti_), JVMTI_VERSION_11) != JNI_OK) return false;
  jvmtiCapabilities caps;
  std::memset(&caps, 0, sizeof caps);
  caps.can_generate_native_method_bind_events = 1;
  caps.can_set_native_method_prefix = 1;
  caps.can_generate_all_class_hook_events = 1;
  caps.can_generate_early_class_hook_events = 1;
  caps.can_get_source_file_name = 1;
  caps.can_get_line_numbers = 1;
  caps.can_generate_monitor_events = 1;
  caps.can_get_monitor_info = 1;
  if (jvmti_->AddCapabilities(&caps) != JVMTI_ERROR_NONE) return false;
  // JDK 21+: with this, a virtual thread's start is an event of its own (refused when recording,
  // see onVirtualThreadStart). JDK 17 has no virtual threads and does not know the capability.
  std::memset(&caps, 0, sizeof caps);
  caps.can_support_virtual_threads = 1;
  jvmti_->AddCapabilities(&caps);
  if (jvmti_->SetNativeMethodPrefix(kNativePrefix) != JVMTI_ERROR_NONE) return false;
  if (!options_.why.empty() && !FailureReport::addCapabilities(jvmti_)) return false;
  return wireCallbacks(jvmti_);
}

jint Agent::load(JavaVM* vm, const char* optionText) {
  if (const char* link = getenv(kSpawnLinkVariable)) {
    spawnLink_ = link;
    unsetenv(kSpawnLinkVariable);
  }
  std::string error;
  std::string fromEnvironment;
  if (optionText == nullptr || *optionText == '\0') {
    // Installed (`retrace install`: the agent without options in JAVA_TOOL_OPTIONS): every JVM
    // loads it, and it records only when asked to through the environment.
    const char* recording = getenv("RETRACE_RECORDING");
    if (recording == nullptr || *recording == '\0') return JNI_OK;
    std::string path = recording;
    if (path.find(',') != std::string::npos) {
      fprintf(stderr, "retrace: RETRACE_RECORDING may not contain a comma: %s\n", recording);
      return JNI_ERR;
    }
    if (path[0] != '/') {
      // Child JVMs inherit the variable and may run elsewhere: they must find the same file.
      path = currentDirectory() + "/" + path;
      setenv("RETRACE_RECORDING", path.c_str(), 1);
    }
    fromEnvironment = "record,tape=" + path;
    if (const char* saveOn = getenv("RETRACE_SAVE_ON"); saveOn != nullptr && *saveOn != '\0') {
      fromEnvironment += std::string(",save_on=") + saveOn;
    }
    if (const char* redact = getenv("RETRACE_REDACT"); redact != nullptr && *redact != '\0') {
      fromEnvironment += std::string(",redact=") + redact;
    }
    if (const char* off = getenv("RETRACE_NO_DEFAULT_REDACT"); off != nullptr && std::strcmp(off, "1") == 0) {
      fromEnvironment += ",no_default_redact";
    }
    optionText = fromEnvironment.c_str();
  }
  if (!parseOptions(optionText, options_, error)) {
    fprintf(stderr, "retrace: %s\nretrace: %s\n", error.c_str(), optionsUsage());
    return JNI_ERR;
  }
  threads_.init();
  if (!setUpJvmti(vm)) {
    fprintf(stderr, "retrace: this JVM does not offer what the agent needs (JVMTI 11 with native method prefixes)\n");
    return JNI_ERR;
  }
  if (options_.mode == Mode::kRecord) {
    // Now, in the OnLoad phase: before any Java code reads the environment or the properties, and
    // while JVMTI may still change the properties the JVM hands to java.lang.System.
    redaction_ = Redaction(effectiveRedactPatterns(options_));
    int variables = redaction_.applyToEnvironment();
    applyPropertyRedaction();
    log("redaction: %d environment variables changed (patterns %s)", variables, redaction_.joined().c_str());
  }
  JavaAccess::init(jvmti_);
  if (options_.mode == Mode::kReplay && options_.debug && !progressPoints_.enable()) {
    log("progress points: the pause signal's handler cannot be installed: %s", std::strerror(errno));
  }
  if (options_.mode == Mode::kReplay && !options_.codeMap.empty()) {
    if (!localCode_.load(options_.codeMap, error)) {
      fprintf(stderr, "retrace: cannot replay: %s\n", error.c_str());
      return JNI_ERR;
    }
  }
  cwd_ = currentDirectory();
  agentPath_ = pathOfThisLibrary();
  code_.init(cwd_, systemProperty("java.home"), systemProperty("java.class.path"), systemProperty("jdk.module.path"),
             agentPath_);
  if (options_.mode == Mode::kRecord) {
    // -javaagent jars are code the program runs: their checksums let a replay pass the option on
    // (go-style-replay-launcher/trust.h) and check that the jar is the recorded one.
    for (const std::string& jar : CodeIdentity::javaAgentJars()) code_.addAgentFile(jar);
  }
  tapePath_ = options_.tape.empty() ? "retrace-" + std::to_string(getpid()) + ".retrace" : options_.tape;
  if (options_.mode == Mode::kRecord &&
      (options_.saveOn == SaveOn::kFailure || test_runs::isSurefireFork(systemProperty("sun.java.command")))) {
    // A Surefire fork exits with 0 when its tests fail: the listener tells the agent instead. And
    // its output is Surefire's channel to Maven: the listener's reports are what replay shows.
    std::string jar = test_runs::listenerJar(agentPath_);
    if (access(jar.c_str(), R_OK) == 0) {
      testListenerJar_ = jar;
      code_.addAgentFile(jar);
    } else {
      fprintf(stderr, "retrace: %s is missing: a failed test that does not fail the JVM will not keep the recording\n",
              jar.c_str());
    }
  }
  if (options_.mode == Mode::kRecord) {
    recorder_ = std::make_unique<RecordSession>(*this);
    if (!recorder_->start(error)) {
      fprintf(stderr, "retrace: %s\n", error.c_str());
      return JNI_ERR;
    }
    scheduler_.startRecord(*threads_.current(),
                           [this](const demux::Handover& handover) { recorder_->noteHandover(handover); });
  } else {
    replayer_ = std::make_unique<ReplaySession>(*this);
    replayer_->start();  // ends the process with a clear message when it cannot replay
    if (!options_.codeMap.empty()) {
      // The launcher named local copies where the java launcher reads code itself (-jar): the
      // program sees the recorded class path and command (still the OnLoad phase, where JVMTI may
      // set them). It may run elsewhere (the code map's directory): its relative paths are the
      // recorded directory's, and so are the code roots.
      for (const char* name : {"java.class.path", "sun.java.command"}) {
        std::string recorded = replayer_->recordedProperty(name);
        if (recorded != systemProperty(name)) jvmti_->SetSystemProperty(name, recorded.c_str());
      }
      cwd_ = replayer_->recordedCwd();
      code_.init(cwd_, systemProperty("java.home"), systemProperty("java.class.path"),
                 systemProperty("jdk.module.path"), agentPath_);
    }
    for (const std::string& copy : localCode_.localRoots()) code_.addLocalCopy(copy);
    // The replayed command line has the placeholders already; this covers -D options that come
    // from elsewhere (an @argfile read again), so that the program sees what it saw when recorded.
    if (Options recorded = replayer_->recordedOptions(); recorded.redactedSeen) {
      redaction_ = Redaction(recorded.redacted);
      applyPropertyRedaction();
    }
    // The recording had the test listener when its code has the jar (checked to be the same one).
    // JVMTI opens it itself, so it is this installation's copy (ReplaySession::start checked
    // that it is the recorded one; the class loader's reads of the recorded path are mapped to it).
    for (const tape::CodeEntry& entry : replayer_->recordedCode()) {
      if (entry.role == tape::CodeRole::kAgent && test_runs::isListenerJar(entry.path)) {
        testListenerJar_ = test_runs::listenerJar(agentPath_);
        code_.addAgentFile(testListenerJar_);
        code_.addAgentFile(entry.path);
      }
    }
    scheduler_.startReplay(*threads_.current(), replayer_->schedule(), replayer_->scheduleComplete());
  }
  // Replay must execute the ticks the recording executed: they decide where its hand-overs were.
  const Options& made = recording() ? options_ : replayer_->recordedOptions();
  preempt_ = made.preempt;
  preemptFields_ = made.preemptFields;
  keepReferences_ = made.keepReferences;
  threads_.current()->tid = static_cast<pid_t>(gettid());
  on_exit(&Agent::onExit, nullptr);
  active_.store(true, std::memory_order_release);
  return JNI_OK;
}

void Agent::applyPropertyRedaction() {
  std::vector<std::string> refused;
  int set = redaction_.applyToProperties(jvmti_, refused);
  log("redaction: %d system properties set to %s", set, Redaction::kPlaceholder);
  for (const std::string& name : refused) {
    fprintf(stderr, "retrace: warning: the JVM does not let the system property %s be redacted for the program\n",
            name.c_str());
  }
}

void JNICALL Agent::onNativeMethodBind(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jmethodID method, void* address,
                                       void** newAddress) {
  char* name = nullptr;
  char* descriptor = nullptr;
  char* classSignature = nullptr;
  jclass klass = nullptr;
  std::string className;
  const char* methodName = nullptr;
  // In the primordial phase these calls fail; Boundary::bind then recognises the address.
  if (jvmti->GetMethodName(method, &name, &descriptor, nullptr) == JVMTI_ERROR_NONE &&
      jvmti->GetMethodDeclaringClass(method, &klass) == JVMTI_ERROR_NONE &&
      jvmti->GetClassSignature(klass, &classSignature, nullptr) == JVMTI_ERROR_NONE) {
    className.assign(classSignature + 1, std::strlen(classSignature) - 2);
    methodName = name;
    if (std::strncmp(methodName, kNativePrefix, std::strlen(kNativePrefix)) == 0)
      methodName += std::strlen(kNativePrefix);
  }
  void* trampoline = Boundary::bind(methodName != nullptr ? className.c_str() : nullptr, methodName,
                                    methodName != nullptr ? descriptor : nullptr, address);
  if (trampoline != nullptr) *newAddress = trampoline;
  if (trampoline == nullptr && methodName == nullptr) Boundary::notePrimordial(method, address);
  for (char* p : {name, descriptor, classSignature}) {
    if (p != nullptr) jvmti->Deallocate(reinterpret_cast<unsigned char*>(p));
  }
  if (klass != nullptr && env != nullptr) env->DeleteLocalRef(klass);
}

void JNICALL Agent::onClassFileLoad(jvmtiEnv* jvmti, JNIEnv* env, jclass redefined, jobject loader, const char* name,
                                    jobject domain, jint length, const unsigned char* data, jint* newLength,
                                    unsigned char** newData) {
  Agent& agent = get();
  if (agent.heldStdout_ >= 0) {
    // The next class is loading: System has been parsed; give the program its stdout back.
    dup2(agent.heldStdout_, STDOUT_FILENO);
    close(agent.heldStdout_);
    agent.heldStdout_ = -1;
  }
  if (name == nullptr) return;
  std::string error;
  if (loader != nullptr) {
    if (agent.preempt_ && !isJdkClass(name) &&
        !addTicks(jvmti, data, length, agent.preemptFields_, newData, newLength, error)) {
      agent.log("%s loads without ticks: %s", name, error.c_str());
    }
    return;
  }
  if (std::strcmp(name, "java/lang/ref/Reference") == 0) {
    // Record and replay alike, so that Reference has the same methods in both.
    if (!noteClearedReferencesOf(jvmti, data, length, newData, newLength, error)) {
      agent.log("cleared references are not counted: %s", error.c_str());
    }
    return;
  }
  if (redefined == nullptr && std::strcmp(name, "java/lang/ref/Finalizer") == 0) {
    // Record and replay alike: the start-up's hash sequence on main must not depend on a race.
    if (!initVmBeforeFinalizerOf(jvmti, data, length, newData, newLength, error)) {
      agent.log("java.lang.ref.Finalizer loads unchanged (start-up hashes may differ on replay): %s", error.c_str());
    }
    return;
  }
  if (agent.keepReferences_ && (std::strcmp(name, "java/lang/ref/WeakReference") == 0 ||
                                std::strcmp(name, "java/lang/ref/SoftReference") == 0)) {
    if (!keepReferentsOf(jvmti, data, length, newData, newLength, error)) {
      fail(kExitUnreadable, std::string("cannot make ") + name + " keep its referent: " + error);
    }
    return;
  }
  if (isPerfClockClass(name)) {
    if (!zeroPerfClocks(jvmti, data, length, newData, newLength, error)) {
      agent.log("%s loads unchanged: %s", name, error.c_str());
    }
    // Once System and every perf clock class are done (in a run that loads them all: most never
    // load ModulePath), the hook is switched off. A redefinition is not a first load.
    if (redefined == nullptr && agent.perfClassesLeft_.fetch_sub(1, std::memory_order_acq_rel) == 1 &&
        !agent.preempt_) {
      jvmti->SetEventNotificationMode(JVMTI_DISABLE, JVMTI_EVENT_CLASS_FILE_LOAD_HOOK, nullptr);
    }
    return;
  }
  if (agent.systemRewritten_.load(std::memory_order_relaxed) || std::strcmp(name, "java/lang/System") != 0) return;
  if (!rewriteSystemClass(jvmti, kNativePrefix, agent.preempt_, agent.progressPoints_.enabled(), data, length, newData,
                          newLength, error)) {
    fail(kExitUnreadable, "cannot prepare java.lang.System for recording clocks: " + error);
  }
  agent.systemRewritten_.store(true, std::memory_order_relaxed);
  // JDK 17's CheckIntrinsics prints "Compiler intrinsic is defined for method [...nanoTime()J],
  // but the method is not annotated" to stdout while it parses the rewritten class: exactly the
  // refusal to intrinsify we want, but not output of the program. Nothing else runs in the
  // primordial phase, so stdout goes to /dev/null until the next class loads.
  int quiet = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (quiet >= 0) {
    agent.heldStdout_ = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (agent.heldStdout_ >= 0) dup2(quiet, STDOUT_FILENO);
    close(quiet);
  }
}

bool Agent::isApplicationThread(JNIEnv* env, jthread thread, std::string& name) {
  jvmtiThreadInfo info;
  std::memset(&info, 0, sizeof info);
  if (jvmti_->GetThreadInfo(thread, &info) != JVMTI_ERROR_NONE) return false;
  if (info.name != nullptr) {
    name = info.name;
    jvmti_->Deallocate(reinterpret_cast<unsigned char*>(info.name));
  }
  // JDK system threads (Reference Handler, Finalizer, Signal Dispatcher, Notification Thread,
  // Attach Listener...) live in the "system" thread group, Common-Cleaner in an innocuous group
  // below it. Every other thread is the program's, whatever its group: pool workers and virtual
  // thread carriers on JDK 25 are not under "main", and must not slip past the recording.
  std::string group;
  if (info.thread_group != nullptr) {
    jvmtiThreadGroupInfo groupInfo;
    std::memset(&groupInfo, 0, sizeof groupInfo);
    if (jvmti_->GetThreadGroupInfo(info.thread_group, &groupInfo) == JVMTI_ERROR_NONE) {
      if (groupInfo.name != nullptr) {
        group = groupInfo.name;
        jvmti_->Deallocate(reinterpret_cast<unsigned char*>(groupInfo.name));
      }
      if (groupInfo.parent != nullptr) env->DeleteLocalRef(groupInfo.parent);
    }
    env->DeleteLocalRef(info.thread_group);
  }
  if (info.context_class_loader != nullptr) env->DeleteLocalRef(info.context_class_loader);
  // The one JDK system thread that works for the program: "process reaper" waits for the
  // program's child processes and hands their exit status and the rest of their output over.
  if (name == "process reaper") return true;
  return group != "system" && name != "Common-Cleaner";
}

void JNICALL Agent::onThreadStart(jvmtiEnv* jvmti, JNIEnv* env, jthread thread) {
  Agent& agent = get();
  std::string name;
  bool application = !ThreadRegistry::isOwnThread() && agent.isApplicationThread(env, thread, name);
  uint32_t parent = 0;
  uint32_t childIndex = 0;
  uint32_t reserved = demux::kNoThread;
  bool started = agent.threads_.takeLineage(env, thread, parent, childIndex, reserved);
  bool scheduled = application && reserved != demux::kNoThread;
  // A thread started by a scheduled thread takes the id the scheduler reserved when it was started:
  // the same in record and replay, since starts happen in schedule order. Any other application
  // thread runs outside the baton; on replay it takes the id of the recorded thread of its lineage.
  uint32_t id = reserved;
  bool haveId = scheduled;
  if (!scheduled && application && !agent.recording() && agent.replayer_ != nullptr) {
    haveId = agent.replayer_->threadIdFor(started, parent, childIndex, id);
  }
  bool isNew = false;
  ThreadState* state = agent.threads_.attachStarted(application, name, isNew, haveId ? &id : nullptr);
  if (!isNew) {
    // The main thread again, as DestroyJavaVM at exit: its java.lang.Thread is in main's group now,
    // so the baton may go to the threads DestroyJavaVM waits for (see onThreadEnd).
    if (state->serialized && state->id == 0 && state->detaching) {
      if (state->ref != nullptr) env->DeleteGlobalRef(state->ref);
      state->ref = env->NewGlobalRef(thread);
      state->detaching = false;
      agent.scheduler_.mainEnded(*state);
    }
    return;
  }
  state->started = started;
  state->parent = parent;
  state->childIndex = childIndex;
  if (!state->recorded) return;
  state->tid = static_cast<pid_t>(gettid());
  state->ref = env->NewGlobalRef(thread);
  state->serialized = scheduled;
  if (agent.recording() && agent.active()) agent.recorder_->threadStarted(*state);
  agent.scheduler_.arrive(*state);
}

void JNICALL Agent::onThreadEnd(jvmtiEnv* jvmti, JNIEnv* env, jthread thread) {
  Agent& agent = get();
  ThreadState* state = agent.threads_.current();
  if (state->recorded && agent.recording() && agent.active()) agent.recorder_->threadEnded(*state);
  // Main keeps the baton until it comes back as DestroyJavaVM: that thread joins main's group as it
  // attaches (Java code), and a thread of that group that ends meanwhile notifies the group's
  // waiters only if it finds the group empty. Done without the baton, that would race.
  if (state->serialized && state->id == 0) state->detaching = true;
}

void JNICALL Agent::onVmInit(jvmtiEnv* jvmti, JNIEnv* env, jthread thread) {
  Agent& agent = get();
  jint groupCount = 0;
  jthreadGroup* groups = nullptr;
  if (jvmti->GetTopThreadGroups(&groupCount, &groups) == JVMTI_ERROR_NONE) {
    if (groupCount > 0) agent.systemGroup_ = static_cast<jthreadGroup>(env->NewGlobalRef(groups[0]));
    for (jint i = 0; i < groupCount; ++i) env->DeleteLocalRef(groups[i]);
    jvmti->Deallocate(reinterpret_cast<unsigned char*>(groups));
  }
  Boundary::bindLate(jvmti, env);
  IdentityHash::init(jvmti, env);
  agent.cleared_.bind(env);
  if (!agent.testListenerJar_.empty() && !test_runs::addListener(jvmti, agent.testListenerJar_)) {
    agent.log("cannot put %s on the class path: failed tests are known by the exit status only",
              agent.testListenerJar_.c_str());
  }
  ThreadState* main = agent.threads_.current();
  if (main->recorded && main->ref == nullptr) main->ref = env->NewGlobalRef(thread);
  if (agent.preempt_ && main->serialized && !agent.scheduler_.startPreemption(env, *main)) {
    agent.log("java.lang.System has no preemption hooks: threads keep the baton between scheduling points");
  }
  agent.live_.store(true, std::memory_order_release);
  if (main->serialized) agent.scheduler_.startWatchdog();
  if (agent.options_.debug && !DebuggerCalls::install(jvmti)) {
    agent.log("cannot wrap JNI's method calls: a debugger's evaluations will disturb the replay");
  }
  if (!agent.recording() && !agent.options_.why.empty()) agent.failures_.start(jvmti, env, agent.options_.why);
}

ThreadState* Agent::scheduledThread() {
  if (!active()) return nullptr;
  ThreadState* state = threads_.current();
  // A hook's own JNI calls may take monitors (class loading): they are not the program's, nor are a
  // debugger's calls.
  return state->serialized && !state->inHook && !DebuggerCalls::active(*state) ? state : nullptr;
}

void JNICALL Agent::onMonitorContendedEnter(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jobject object) {
  Agent& agent = get();
  if (ThreadState* state = agent.scheduledThread()) agent.scheduler_.monitorContendedEnter(env, thread, *state, object);
}

void JNICALL Agent::onMonitorWait(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jobject object, jlong timeout) {
  Agent& agent = get();
  if (ThreadState* state = agent.scheduledThread()) agent.scheduler_.monitorWait(*state);
}

void JNICALL Agent::onMonitorWaited(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jobject object, jboolean timedOut) {
  Agent& agent = get();
  if (ThreadState* state = agent.scheduledThread()) agent.scheduler_.monitorWaited(env, thread, *state, object);
}

void JNICALL Agent::onException(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jmethodID method, jlocation location,
                                jobject exception, jmethodID catchMethod, jlocation catchLocation) {
  Agent& agent = get();
  ThreadState* state = agent.threads().current();
  // The agent's own JNI calls throw and catch too; so do a debugger's.
  if (state == nullptr || state->inHook || DebuggerCalls::active(*state)) return;
  agent.failures_.onThrow(env, thread, *state, exception, catchMethod);
}

void JNICALL Agent::onBreakpoint(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jmethodID method, jlocation location) {
  Agent& agent = get();
  ThreadState* state = agent.threads().current();
  if (state == nullptr || state->inHook || DebuggerCalls::active(*state)) return;
  agent.failures_.onExit(env, thread, *state);
}

void JNICALL Agent::onClassPrepare(jvmtiEnv* jvmti, JNIEnv* env, jthread thread, jclass klass) {
  Agent& agent = get();
  if (!agent.active()) return;
  agent.failures_.onClassPrepare(klass);  // whichever thread links it
  ThreadState* state = agent.threads().current();
  // Hooks link classes of their own, and JDK threads are outside the recording; so are a debugger's.
  if (state->inHook || DebuggerCalls::active(*state)) return;
  int32_t hash = 0;
  char* signature = nullptr;
  // JDK 25 links without hashing the mirror.
  if (state->recorded && IdentityHash::peek(env, klass, hash) &&
      jvmti->GetClassSignature(klass, &signature, nullptr) == JVMTI_ERROR_NONE) {
    // FNV-1a: tells one class's event from another's, in the two runs (a hidden class's address not)
    uint32_t nameSum = 2166136261u;
    for (char c : withoutAddresses(signature)) nameSum = (nameSum ^ static_cast<uint8_t>(c)) * 16777619u;
    jvmti->Deallocate(reinterpret_cast<unsigned char*>(signature));
    if (agent.recording()) {
      agent.recorder().noteMirrorHash(*state, hash, nameSum);
    } else {
      agent.replayer().restoreMirrorHash(env, *state, klass, nameSum);
    }
  }
  // Linked by Class.getDeclaredMethods0 or getDeclaredConstructors0: its member types are resolved
  // now, after the mirror has its hash, before the native resolves them in its own order.
  declared_members::onClassPrepare(jvmti, env, klass);
}

void JNICALL Agent::onVirtualThreadStart(jvmtiEnv* jvmti, JNIEnv* env, jthread thread) {
  Agent& agent = get();
  if (!agent.active() || !agent.recording()) return;
  // A virtual thread's calls would be made on whichever carrier runs it, outside the baton: its
  // replay could differ without a word. Better no recording than a wrong one.
  fail(kExitUnsupported,
       "the program started a virtual thread; recording virtual threads is not supported yet, so the "
       "recording stops here (docs/threads.md). Use platform threads, e.g. "
       "Executors.newFixedThreadPool instead of newVirtualThreadPerTaskExecutor, to record this program.");
}

namespace {
thread_local JNIEnv* ownThreadEnv = nullptr;  // set while attachOwnThread has this thread attached
}  // namespace

JNIEnv* Agent::attachOwnThread(const char* name) {
  if (ownThreadEnv != nullptr) return ownThreadEnv;
  if (!live_.load(std::memory_order_acquire)) return nullptr;
  ThreadRegistry::markOwnThread();
  // In the system group, not main's: a ThreadGroup notifies its waiters when its last thread ends
  // (ThreadGroup.threadTerminated), and whether the agent's thread was there would decide that.
  JavaVMAttachArgs args{JNI_VERSION_1_8, const_cast<char*>(name), systemGroup_};
  JNIEnv* env = nullptr;
  if (vm_->AttachCurrentThreadAsDaemon(reinterpret_cast<void**>(&env), &args) == JNI_OK) ownThreadEnv = env;
  return ownThreadEnv;
}

void Agent::detachOwnThread() {
  if (ownThreadEnv == nullptr) return;
  ownThreadEnv = nullptr;
  vm_->DetachCurrentThread();
}

void JNICALL Agent::onVmDeath(jvmtiEnv* jvmti, JNIEnv* env) {
  Agent& agent = get();
  // No JVMTI call the watchdog makes works after this event (the dead phase), so it loses nothing by
  // leaving the VM now; attached, it would hold the VM's exit up by 300 ms.
  agent.live_.store(false, std::memory_order_release);
  agent.scheduler_.leaveVm();
}

void Agent::onExit(int status, void* unused) {
  Agent& agent = get();
  if (!agent.active_.exchange(false)) return;
  // From here threads run as they come: nobody may wait for the baton while the process ends.
  agent.scheduler_.shutdown();
  if (agent.recording()) {
    agent.recorder_->finish(status);
  } else {
    agent.replayer_->finish(status);
  }
}

}  // namespace retrace::agent
