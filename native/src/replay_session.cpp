#include "replay_session.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "agent.h"
#include "divergence_hint.h"
#include "identity_hash.h"
#include "java_access.h"
#include "retrace/tape/frame.h"
#include "routing.h"
#include "scheduler.h"
#include "stacks.h"
#include "test_runs.h"

namespace retrace::agent {

namespace {

// "a java.lang.Class (sun.management.ManagementFactoryHelper)", "an org.acme.Foo": for reports.
std::string describeObject(JNIEnv* env, jobject object) {
  if (object == nullptr) return "null";
  std::string out = "an object";
  jclass klass = env->GetObjectClass(object);
  jclass classClass = env->FindClass("java/lang/Class");
  jmethodID getName = classClass != nullptr ? env->GetMethodID(classClass, "getName", "()Ljava/lang/String;") : nullptr;
  auto nameOf = [&](jobject c) {
    std::string name;
    auto text = getName != nullptr ? static_cast<jstring>(env->CallObjectMethod(c, getName)) : nullptr;
    if (text != nullptr) {
      const char* chars = env->GetStringUTFChars(text, nullptr);
      if (chars != nullptr) name = chars;
      env->ReleaseStringUTFChars(text, chars);
      env->DeleteLocalRef(text);
    }
    return name;
  };
  std::string name = klass != nullptr ? nameOf(klass) : "";
  if (!name.empty()) out = std::string(std::strchr("aeiouAEIOU", name[0]) ? "an " : "a ") + name;
  if (name == "java.lang.Class") out += " (" + nameOf(object) + ")";
  if (env->ExceptionCheck()) env->ExceptionClear();
  for (jobject local : {static_cast<jobject>(klass), static_cast<jobject>(classClass)}) {
    if (local != nullptr) env->DeleteLocalRef(local);
  }
  return out;
}

constexpr int kStackDepth = 32;

JavaStack recordedStack(const tape::EventCursor& event) {
  JavaStack stack;
  for (size_t i = 0; i < event.frameCount(); ++i)
    stack.emplace_back(std::string(event.frameMethod(i)), event.frameLine(i));
  return stack;
}

// How long a thread that was blocked at the recorded process's end waits for this one's end.
constexpr int kBlockedAtExitSeconds = 10;

std::string threadLabel(const ThreadState& thread) {
  return "thread " + std::to_string(thread.id) + (thread.name.empty() ? "" : " \"" + thread.name + "\"");
}

}  // namespace

ReplaySession::~ReplaySession() = default;

void ReplaySession::start() {
  const std::string& path = agent_.tapePath();
  std::string error;
  reader_ = tape::TapeReader::open(path, error);
  if (reader_ == nullptr) Agent::fail(kExitUnreadable, "cannot replay: " + error);
  if (reader_->stop().tampered) {
    // Not a cut or a damaged tail: frames were added to it, copied in it or taken from another.
    Agent::fail(kExitUnreadable,
                "cannot replay " + path + ": it was changed after it was recorded (" + reader_->stop().reason + ")");
  }
  std::vector<uint32_t> pids = reader_->pids();
  if (pids.empty()) {
    Agent::fail(kExitUnreadable,
                "cannot replay " + path + ": it holds no whole process start (" + reader_->stop().reason + ")");
  }
  pid_ = agent_.options().pid != 0 ? agent_.options().pid : pids.front();
  start_ = reader_->processStart(pid_);
  if (start_ == nullptr)
    Agent::fail(kExitUnreadable, "cannot replay: " + path + " has no process " + std::to_string(pid_));
  end_ = reader_->processEnd(pid_);
  recordedThreads_ = reader_->threads(pid_);

  std::string jvm = agent_.systemProperty("java.vm.name") + " " + agent_.systemProperty("java.vm.version");
  // --any-build: another build of the recorded feature release, chosen by the user; where it
  // behaves differently the divergence check stops the replay.
  const bool anyBuild = agent_.options().anyBuild;
  if (jvm != start_->jvmVersion && !anyBuild) {
    Agent::fail(kExitCodeMismatch, "cannot replay: recorded on " + start_->jvmVersion + ", this JVM is " + jvm);
  }
  // The launcher picks the JDK on this machine that is the recorded build (go-style-replay-launcher/
  // trust.h), wherever it is installed: its files are compared where they are now.
  // The rest where the code map (a packed recording) and this installation of Retrace put it.
  std::vector<tape::CodeEntry> code = start_->code;
  std::vector<tape::CodeEntry> found = end_ != nullptr ? end_->code : std::vector<tape::CodeEntry>();
  LocalCode& local = agent_.localCode();
  local.setRecordedCwd(start_->cwd);
  for (const tape::CodeEntry& entry : code) {
    if (entry.role != tape::CodeRole::kAgent) continue;
    std::string name = entry.path.substr(entry.path.rfind('/') + 1);
    if (name == "libretrace.so") local.mapOwnFile(entry.path, agent_.agentPath());
    if (test_runs::isListenerJar(entry.path)) local.mapOwnFile(entry.path, test_runs::listenerJar(agent_.agentPath()));
  }
  std::string javaHome = agent_.systemProperty("java.home");
  for (std::vector<tape::CodeEntry>* list : {&code, &found}) {
    for (tape::CodeEntry& entry : *list) {
      if (entry.role == tape::CodeRole::kJavaHome) {
        if (entry.path.compare(0, start_->javaHome.size() + 1, start_->javaHome + "/") == 0) {
          entry.path = javaHome + entry.path.substr(start_->javaHome.size());
        }
      } else if (std::string here = local.localOf(entry.path); !here.empty()) {
        entry.path = here;
      }
    }
  }
  if (anyBuild) {
    code.erase(std::remove_if(code.begin(), code.end(),
                              [](const tape::CodeEntry& entry) { return entry.role == tape::CodeRole::kJavaHome; }),
               code.end());
  }
  std::string codeChange = CodeIdentity::compare(code);
  if (codeChange.empty()) codeChange = CodeIdentity::compare(found);
  if (!codeChange.empty()) Agent::fail(kExitCodeMismatch, "cannot replay: " + codeChange);

  // Answers for files the recording opened need real descriptors that the Java objects can hold
  // and close: duplicates of /dev/null, opened read-only so nothing can be written through them.
  devNull_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devNull_ < 0) Agent::fail(kExitUnreadable, "cannot replay: /dev/null cannot be opened");
  // With stdin closed, the JVM's first open would take fd 0 and System.in would read program code.
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) < 0) dup2(devNull_, fd);
  }
  agent_.log("replaying process %u of %s (%llu events)", pid_, path.c_str(),
             static_cast<unsigned long long>(reader_->eventCount(pid_)));
  if (test_runs::isSurefireFork(agent_.systemProperty("sun.java.command"))) {
    echoStdout_ = false;
    fprintf(stderr,
            "retrace: a Maven Surefire fork: its standard output was Surefire's channel to Maven and is not shown\n");
  }
}

std::string ReplaySession::callName(uint16_t id) const {
  for (const tape::CallInfo& call : start_->calls) {
    if (call.id == id) return call.className + "." + call.method + call.descriptor;
  }
  const BoundaryCall* call = Boundary::byId(id);
  return call != nullptr ? call->displayName() : "boundary call #" + std::to_string(id);
}

bool ReplaySession::recordingComplete() const {
  return end_ != nullptr && end_->complete && reader_->stop().clean;
}

void ReplaySession::diverge(ThreadState& thread, uint64_t index, const std::string& expected, const std::string& actual,
                            const tape::EventCursor* recorded, const std::string& detail) {
  std::string message = "replay diverged at event " + std::to_string(index) + " of " + threadLabel(thread) + "\n";
  message += "  the recording expected: " + expected + "\n";
  message += "  the program asked for:  " + actual + "\n";
  if (!detail.empty()) message += "  " + detail + "\n";
  Divergence divergence{expected, actual, detail, currentJavaStack(agent_.jvmti(), kStackDepth), {}};
  if (recorded != nullptr) divergence.then = recordedStack(*recorded);
  if (end_ != nullptr) divergence.recordedClears = end_->cleared;
  divergence.replayedClears = agent_.clearedReferences().counts();
  message += usualCause(divergence);
  if (divergence.now.empty()) {
    message += "  Java stack now:\n    (not available yet in this VM phase)\n";
  } else if (!divergence.then.empty()) {
    message += "  Java stacks, where they part:\n" + stacksSideBySide(divergence.now, divergence.then, "    ", 72);
  } else {
    message += "  Java stack now:\n" + formatStack(divergence.now, "    ");
  }
  if (recorded != nullptr && divergence.then.empty()) {
    message += "  (record with --stacktraces to see the recorded Java stack beside it)\n";
  }
  message += "retrace: the replay stops here (exit " + std::to_string(kExitDivergence) + ")";
  agent_.scheduler().dumpTrace();
  Agent::fail(kExitDivergence, message);
}

const tape::EventCursor& ReplaySession::expect(CallFrame& frame, ThreadState& thread) {
  if (thread.cursor == nullptr) thread.cursor = reader_->events(pid_, thread.id);
  tape::EventCursor& cursor = *thread.cursor;
  bool more = nextEvent(thread, false);
  uint64_t index = thread.nextIndex;
  if (!more) {
    if (!recordingComplete()) {
      Agent::fail(kExitIncomplete, "the replay reached the end of an incomplete recording at event " +
                                       std::to_string(index) + " of " + threadLabel(thread) + " (" +
                                       incompleteReason() + "); everything up to here was replayed");
    }
    jvmtiPhase phase = JVMTI_PHASE_LIVE;
    bool vmDying = agent_.jvmti()->GetPhase(&phase) == JVMTI_ERROR_NONE && phase == JVMTI_PHASE_DEAD;
    if (mayBlock(frame, agent_.fds()) || vmDying) {
      // The recorded thread was blocked in this call when the process ended (a daemon sleeping or
      // reading), or the JVM is shutting down and a daemon still at work asks for more than it had
      // asked when the recorded JVM stopped it (a pool worker finishing a task): the recorded
      // process ended here, so it ends here too. If the process does not end soon, this was not
      // that, and it is reported: a replay never hangs.
      agent_.log("%s waits in %s until the process ends, as when recorded", threadLabel(thread).c_str(),
                 frame.call.method);
      for (int waited = 0; waited < kBlockedAtExitSeconds * 10; ++waited) usleep(100 * 1000);
      diverge(thread, index, "no more events: the recorded thread ended its boundary calls here",
              frame.call.displayName(), nullptr,
              "the thread waits here, as if the recorded process ended while the thread was at this point, but the "
              "process did not end within " +
                  std::to_string(kBlockedAtExitSeconds) + " s");
    }
    diverge(thread, index, "no more events: the recorded thread ended its boundary calls here",
            frame.call.displayName(), nullptr, "");
  }
  ++thread.nextIndex;
  while (cursor.call() != frame.call.id && agent_.options().debug && isHashCall(cursor.call()) &&
         frame.call.effect != Effect::IDENTITY_HASH) {
    // A debugger's evaluation ran code the program had not run yet (the first toString() of a
    // record links its call site, which hashes), and the program now skips what it did then: the
    // hash the recording generated there was generated during the evaluation. It is passed over,
    // with the scheduling point the recorded run made before it, so that hand-overs stay in step.
    if (!skippedHashNoted_) {
      skippedHashNoted_ = true;
      agent_.log("event %llu of %s: an identity hash a debugger's evaluation made earlier is passed over",
                 static_cast<unsigned long long>(index), threadLabel(thread).c_str());
    }
    agent_.scheduler().point(thread, callName(cursor.call()).c_str());
    if (!nextEvent(thread, false)) {
      diverge(thread, thread.nextIndex, "no more events: the recorded thread ended its boundary calls here",
              frame.call.displayName(), nullptr, "");
    }
    index = thread.nextIndex++;
  }
  if (cursor.call() != frame.call.id) {
    std::string hint;
    if (frame.call.effect == Effect::IDENTITY_HASH) {
      jobject object = IdentityHash::objectOf(frame.call.id, frame.self, frame.args);
      hint = "the recorded run found " + describeObject(frame.env, object) +
             " hashed already, the replay does not (its header: " + IdentityHash::describeHeader(frame.env, object) +
             "); see docs/limitations.md#identity-hash-codes";
    }
    diverge(thread, index, callName(cursor.call()), frame.call.displayName(), &cursor, hint);
  }
  if (agent_.options().checkStacks && cursor.frameCount() > 0 &&
      !sameFrames(recordedStack(cursor), currentJavaStack(agent_.jvmti(), kStackDepth))) {
    diverge(thread, index, callName(cursor.call()), frame.call.displayName(), &cursor,
            "the call is the recorded one, but the Java stack that makes it is not (replay --check-stacks)");
  }
  return cursor;
}

bool ReplaySession::isHashCall(uint16_t callId) {
  return callId == IdentityHash::kObjectHashCode || callId == IdentityHash::kIdentityHashCode;
}

bool ReplaySession::nextEvent(ThreadState& thread, bool mirrorHash) {
  for (;;) {
    if (thread.cursorAhead) {
      thread.cursorAhead = false;
    } else if (!thread.cursor->next()) {
      return false;
    }
    if (mirrorHash || thread.cursor->call() != IdentityHash::kMirrorHash) return true;
    ++thread.nextIndex;  // a class the recording linked here and the replay elsewhere
  }
}

void ReplaySession::restoreMirrorHash(JNIEnv* env, ThreadState& thread, jclass klass, uint32_t nameSum) {
  if (thread.cursor == nullptr) thread.cursor = reader_->events(pid_, thread.id);
  if (!nextEvent(thread, true)) return;
  tape::EventCursor& cursor = *thread.cursor;
  if (cursor.call() != IdentityHash::kMirrorHash || cursor.fieldCount() < 1 ||
      static_cast<uint32_t>(cursor.field(0)) != nameSum) {
    thread.cursorAhead = true;  // not this class's: the event stays for whoever it belongs to
    return;
  }
  ++thread.nextIndex;
  IdentityHash::replace(env, klass, static_cast<int32_t>(cursor.value()));
}

void ReplaySession::checkWritten(CallFrame& frame, ThreadState& thread, const tape::EventCursor& event) {
  std::string now = bytesWritten(frame);
  std::string_view then = event.data();
  if (now == then) return;
  size_t at = 0;
  while (at < now.size() && at < then.size() && now[at] == then[at]) ++at;
  diverge(thread, thread.nextIndex - 1, callName(event.call()) + " writing " + std::to_string(then.size()) + " bytes",
          frame.call.displayName() + " writing " + std::to_string(now.size()) + " bytes", &event,
          "the bytes written differ first at offset " + std::to_string(at));
}

int ReplaySession::standInFor(int64_t recorded) {
  int fd = fcntl(devNull_, F_DUPFD_CLOEXEC, 3);
  agent_.fds().setPassThrough(fd, false);
  std::lock_guard<std::mutex> guard(fdMapMutex_);
  replayedFds_[static_cast<int>(recorded)] = fd;
  return fd;
}

int ReplaySession::replayedFd(int recorded) {
  std::lock_guard<std::mutex> guard(fdMapMutex_);
  auto found = replayedFds_.find(recorded);
  return found != replayedFds_.end() ? found->second : recorded;
}

void ReplaySession::translateReadyEvents(char* events, size_t count) {
  // EPoll.ctl registers every descriptor with its number as the event's data (epoll_event.data.fd).
  for (size_t i = 0; i < count; ++i) {
    char* data = events + i * sizeof(struct epoll_event) + offsetof(struct epoll_event, data);
    int fd = 0;
    std::memcpy(&fd, data, sizeof fd);
    fd = replayedFd(fd);
    std::memcpy(data, &fd, sizeof fd);
  }
}

jvalue ReplaySession::onCall(CallFrame& frame, ThreadState& thread) {
  const BoundaryCall& call = frame.call;
  if (call.effect == Effect::NOT_FOLLOWED) {
    agent_.scheduler().point(thread, call.method);
    diverge(thread, thread.nextIndex, "no call that reaches the network outside the agent's boundary",
            call.displayName(), nullptr,
            "the recording let this call through without recording it, so it cannot be answered offline; see "
            "docs/limitations.md#network");
  }
  if (call.effect == Effect::CLOSE) {
    // Descriptors answered from the tape are real duplicates of /dev/null: closing them is safe.
    int fd = JavaAccess::fdOf(frame);
    jvalue result = frame.original();
    agent_.fds().setPassThrough(fd, false);
    return result;
  }
  if (call.effect == Effect::DIR_CLOSE) {
    jlong handle = frame.args[call.s].j;
    if (!agent_.fds().isPassThroughDir(handle)) return primitiveResult(call, 0);  // a replayed handle
    jvalue result = frame.original();
    agent_.fds().setPassThroughDir(handle, false);
    return result;
  }
  if (call.effect == Effect::IDENTITY_HASH) {
    // Only a generation is an event (identity_hash.h); a hash already in the header is the JVM's
    // answer, which replay put there.
    jobject object = IdentityHash::objectOf(call.id, frame.self, frame.args);
    if (object == nullptr || IdentityHash::isUnrecorded(frame.env, object)) return frame.original();
    if (IdentityHash::hasHash(frame.env, object)) return frame.original();
    agent_.scheduler().point(thread, call.method);  // a point, as when recorded (record_session.cpp)
    return replayIdentityHash(frame, thread, expect(frame, thread));
  }
  // The fast path: clocks and other calls whose whole answer is one number.
  if (isOneNumberCall(call)) {
    agent_.scheduler().point(thread, call.method);
    const tape::EventCursor& event = expect(frame, thread);
    if (!event.hasThrown()) return primitiveResult(call, event.value());
    return answer(frame, thread, event);
  }
  Route route =
      call.source == Source::NONE ? Route::kTape : routeOf(frame, agent_.fds(), agent_.code(), agent_.jvmti());
  if (route == Route::kPassThrough) {
    LocalPathArgument localCopy(frame, agent_.localCode());  // a packed recording's code
    jvalue result = frame.original();
    localCopy.answerRecordedPath(result);
    notePassThroughOpen(frame, result, agent_.fds());
    return result;
  }
  if (mayBlock(frame, agent_.fds())) {
    // The same release and return as when recorded; the real call is not made.
    agent_.scheduler().beforeBlocking(thread);
    agent_.scheduler().afterBlocking(thread);
    if (call.id == kCallSleep || call.id == kCallSleepNanos) return replaySleep(frame, thread);
  } else {
    agent_.scheduler().point(thread, call.method);
  }
  const tape::EventCursor& event = expect(frame, thread);
  if (call.effect == Effect::ALSO_REPLAYED) {
    jvalue discarded = frame.original();
    if (call.returns != Returns::PRIMITIVE && call.returns != Returns::VOID && discarded.l != nullptr) {
      frame.env->DeleteLocalRef(discarded.l);
    }
    if (frame.env->ExceptionCheck()) frame.env->ExceptionClear();
  }
  if (isWrite(call.effect)) {
    checkWritten(frame, thread, event);
    if (route == Route::kEcho && !event.hasThrown() && (echoStdout_ || JavaAccess::fdOf(frame) != STDOUT_FILENO)) {
      // The user sees the output again; its outcome is the recorded one. A write that failed when
      // recorded (a closed pipe) wrote nothing then, and writes nothing now.
      frame.original();
      if (frame.env->ExceptionCheck()) frame.env->ExceptionClear();
    }
  }
  return answer(frame, thread, event);
}

jvalue ReplaySession::replayIdentityHash(CallFrame& frame, ThreadState& thread, const tape::EventCursor& event) {
  jobject object = IdentityHash::objectOf(frame.call.id, frame.self, frame.args);
  auto recorded = static_cast<int32_t>(event.value());
  jvalue result = primitiveResult(frame.call, recorded);
  int32_t actual = 0;
  switch (IdentityHash::install(frame.env, object, recorded, actual)) {
    case IdentityHash::Outcome::kInstalled:
      return result;
    case IdentityHash::Outcome::kAlreadySet:
      // Hashed where no hook sees it (inside the JVM): the recorded hash is lost for this object.
      if (actual == recorded) return result;
      // Unless a debugger is attached: JDWP keeps its object ids in JVMTI tags, which JDK 21 and
      // later file by identity hash, so every object a debugger has shown has one. The recording
      // says the program's call generated this hash, so no Java code has seen the debugger's: the
      // recorded one replaces it (JDWP may then give the object a second id, which is harmless).
      if (agent_.options().debug && IdentityHash::replace(frame.env, object, recorded)) {
        if (!debuggerHashNoted_) {
          debuggerHashNoted_ = true;
          agent_.log("a debugger had hashed %s: its recorded hash replaces that one",
                     describeObject(frame.env, object).c_str());
        }
        return result;
      }
      break;
    case IdentityHash::Outcome::kUnavailable:
      actual = static_cast<int32_t>(frame.original().i);
      if (actual == recorded) return result;
      break;
  }
  diverge(thread, thread.nextIndex - 1, "identity hash " + std::to_string(recorded),
          "identity hash " + std::to_string(actual), &event,
          "the identity hash of " + describeObject(frame.env, object) +
              " could not be set to the recorded one (it was locked, or hashed inside the JVM); see "
              "docs/limitations.md#identity-hash-codes");
}

jvalue ReplaySession::replaySleep(CallFrame& frame, ThreadState& thread) {
  const tape::EventCursor& event = expect(frame, thread);
  jvalue none = zeroValue();
  if (!event.hasThrown()) return none;
  // Interrupted when recorded. A sleep of zero throws the real InterruptedException when the
  // interrupt is pending, and clears it as the recorded sleep did: Thread.interrupted() afterwards
  // answers as it did when recorded.
  frame.args[0].j = 0;
  frame.original();
  if (frame.env->ExceptionCheck()) return none;
  return answer(frame, thread, event);
}

jvalue ReplaySession::replayMapping(CallFrame& frame, ThreadState& thread, const tape::EventCursor& event) {
  const BoundaryCall& call = frame.call;
  jint mode = frame.args[call.a].i;
  jlong length = frame.args[call.a + 2].j;
  std::string_view bytes = event.data();
  if (event.value() < 0) {
    diverge(thread, thread.nextIndex - 1, "a mapping whose bytes are not in the recording", call.displayName(), &event,
            "the recording kept no copy of this mapped file (too large, see its warning); see "
            "docs/limitations.md#files");
  }
  if (length <= 0 || bytes.size() > static_cast<size_t>(length)) {
    diverge(thread, thread.nextIndex - 1, "a mapping holding " + std::to_string(bytes.size()) + " bytes",
            "a mapping of " + std::to_string(length) + " bytes", &event, "");
  }
  // The file is not mapped: an anonymous region of the same size holds the recorded bytes (zeros
  // past the end of the file), and unmap0 unmaps it as it would the file's. Writes through it stay
  // in memory: a READ_WRITE mapping's reached the file when recorded, and are not checked.
  void* region = mmap(nullptr, static_cast<size_t>(length), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) {
    Agent::fail(kExitUnreadable, "cannot replay: no memory for the copy of a mapped file (" + std::to_string(length) +
                                     " bytes): " + std::strerror(errno));
  }
  std::memcpy(region, bytes.data(), bytes.size());
  if (mode == kMapReadOnly) mprotect(region, static_cast<size_t>(length), PROT_READ);
  jvalue address = zeroValue();
  address.j = static_cast<jlong>(reinterpret_cast<intptr_t>(region));
  return address;
}

jvalue ReplaySession::answer(CallFrame& frame, ThreadState& thread, const tape::EventCursor& event) {
  const BoundaryCall& call = frame.call;
  JNIEnv* env = frame.env;
  jvalue none = zeroValue();
  if (event.hasThrown()) {
    JavaAccess::throwRecorded(env, event);
    return none;
  }
  const jvalue* args = frame.args;
  std::string_view data = event.data();
  switch (call.effect) {
    case Effect::READ_ARRAY: {
      if (data.size() > static_cast<size_t>(args[call.b + 1].i)) {
        diverge(thread, thread.nextIndex - 1, "a read of " + std::to_string(data.size()) + " bytes",
                "a read of at most " + std::to_string(args[call.b + 1].i) + " bytes", &event, "");
      }
      if (!data.empty()) {
        env->SetByteArrayRegion(static_cast<jbyteArray>(args[call.a].l), args[call.b].i,
                                static_cast<jsize>(data.size()), reinterpret_cast<const jbyte*>(data.data()));
      }
      break;
    }
    case Effect::READ_NATIVE:
      if (data.size() > static_cast<size_t>(args[call.a + 1].i)) {
        diverge(thread, thread.nextIndex - 1, "a read of " + std::to_string(data.size()) + " bytes",
                "a read of at most " + std::to_string(args[call.a + 1].i) + " bytes", &event, "");
      }
      std::memcpy(reinterpret_cast<void*>(static_cast<intptr_t>(args[call.a].j)), data.data(), data.size());
      break;
    case Effect::READ_IOVEC: {
      const struct iovec* iov = reinterpret_cast<const struct iovec*>(static_cast<intptr_t>(args[call.a].j));
      size_t at = 0;
      for (jint i = 0; i < args[call.b].i && at < data.size(); ++i) {
        size_t take = std::min(iov[i].iov_len, data.size() - at);
        std::memcpy(iov[i].iov_base, data.data() + at, take);
        at += take;
      }
      break;
    }
    case Effect::FIELDS:
    case Effect::THIS_FIELDS: {
      jobject object = call.effect == Effect::FIELDS ? args[call.a].l : frame.self;
      if (!JavaAccess::replayFields(env, call.id, object, event)) {
        diverge(thread, thread.nextIndex - 1,
                std::to_string(event.fieldCount()) + " fields and " + std::to_string(event.itemCount()) + " strings",
                "another field layout", &event, "the recorded object has a different shape on this JVM");
      }
      break;
    }
    case Effect::OPEN_FD_READ:
    case Effect::OPEN_FD_WRITE:
    case Effect::OPEN_FD_RAF: {
      jobject descriptor = JavaAccess::streamDescriptor(frame);
      JavaAccess::setDescriptorFd(env, descriptor, standInFor(event.value()));
      env->DeleteLocalRef(descriptor);
      return none;
    }
    case Effect::OPEN_RESULT:
    case Effect::DUP_RESULT: {
      jvalue fd = none;
      fd.i = standInFor(event.value());
      return fd;
    }
    case Effect::PIPE_RESULT: {
      int readEnd = standInFor(event.value() >> 32);
      int writeEnd = standInFor(event.value() & 0xffffffff);
      jvalue fds = none;
      fds.j = (static_cast<jlong>(readEnd) << 32) | static_cast<jlong>(writeEnd);
      return fds;
    }
    case Effect::ACCEPT:
      if (event.value() > 0) {
        JavaAccess::replayAccepted(env, event, args[call.a].l, args[call.b].l, standInFor(event.field(0)));
      }
      break;
    case Effect::SPAWN: {
      // Nothing is started: the parent gets stand-ins for its ends of the pipes it had.
      jint pipes[3] = {-1, -1, -1};
      for (size_t i = 0; i < 3 && i < event.fieldCount(); ++i) {
        if (event.field(i) < 0) continue;
        pipes[i] = standInFor(event.field(i));
        agent_.fds().setChildPipe(pipes[i]);
      }
      env->SetIntArrayRegion(static_cast<jintArray>(args[call.a].l), 0, 3, pipes);
      break;
    }
    case Effect::LONG_ARRAYS:
      JavaAccess::replayLongArrays(env, args + call.a, call.b, event);
      break;
    case Effect::EPOLL_EVENTS: {
      size_t count = data.size() / sizeof(struct epoll_event);
      if (count > static_cast<size_t>(args[call.a + 1].i)) {
        diverge(thread, thread.nextIndex - 1, std::to_string(count) + " ready events",
                "room for " + std::to_string(args[call.a + 1].i) + " events", &event, "");
      }
      char* events = reinterpret_cast<char*>(static_cast<intptr_t>(args[call.a].j));
      std::memcpy(events, data.data(), data.size());
      translateReadyEvents(events, count);
      break;
    }
    case Effect::RECEIVE:
      if (event.value() >= 0) {
        if (data.size() > static_cast<size_t>(args[call.a + 1].i)) {
          diverge(thread, thread.nextIndex - 1, "a datagram of " + std::to_string(data.size()) + " bytes",
                  "a receive of at most " + std::to_string(args[call.a + 1].i) + " bytes", &event, "");
        }
        std::memcpy(reinterpret_cast<void*>(static_cast<intptr_t>(args[call.a].j)), data.data(), data.size());
        std::string_view sender = event.itemCount() > 0 ? event.item(0) : std::string_view();
        std::memcpy(reinterpret_cast<void*>(static_cast<intptr_t>(args[call.b].j)), sender.data(),
                    std::min(sender.size(), sizeof(struct sockaddr_in6)));
      }
      break;
    case Effect::MAP:
      return replayMapping(frame, thread, event);
    case Effect::DIR_OPEN: {
      jvalue handle = none;
      handle.j = nextDirHandle_.fetch_add(1);
      return handle;
    }
    default:
      break;
  }
  if (call.returns == Returns::PRIMITIVE) return primitiveResult(call, event.value());
  if (call.returns != Returns::VOID) {
    jvalue object = none;
    object.l = JavaAccess::replayReturn(env, call.returns, event);
    return object;
  }
  return none;
}

Options ReplaySession::recordedOptions() const {
  Options recorded;
  std::string error;
  if (!parseOptions(start_->agentOptions.c_str(), recorded, error)) return Options{};
  return recorded;
}

std::vector<demux::Handover> ReplaySession::schedule() const {
  std::vector<demux::Handover> out;
  for (const tape::HandoverRecord& h : reader_->handovers(pid_)) {
    out.push_back({h.from, h.fromPoint, h.to, static_cast<demux::HandoverKind>(h.kind), h.fromTick});
  }
  return out;
}

bool ReplaySession::scheduleComplete() const {
  return reader_->handoversComplete(pid_);
}

std::string ReplaySession::incompleteReason() const {
  if (end_ == nullptr) return "the recorded process was killed or is still running";
  if (!reader_->stop().clean) return reader_->stop().reason;
  if (!end_->complete) return end_->truncatedReason;
  if (!scheduleComplete()) return "its thread schedule has a hole";
  return "";
}

bool ReplaySession::threadIdFor(bool started, uint32_t parent, uint32_t childIndex, uint32_t& id) {
  if (started) {
    for (const tape::ThreadInfo& thread : recordedThreads_) {
      if (thread.started && thread.parent == parent && thread.childIndex == childIndex) {
        id = thread.thread;
        return true;
      }
    }
  }
  id = nextUnknownThread_.fetch_add(1);
  return true;
}

void ReplaySession::finish(int exitStatus) {
  if (end_ == nullptr) return;  // an incomplete recording: nothing to compare against
  ThreadState* main = nullptr;
  agent_.threads().forEach([&](ThreadState& thread) {
    if (thread.recorded && thread.id == 0) main = &thread;
  });
  if (main != nullptr) {
    if (main->cursor == nullptr) main->cursor = reader_->events(pid_, 0);
    if (nextEvent(*main, false)) {
      std::string line = "replay diverged: the program ended, but the recording has more events for " +
                         threadLabel(*main) + ", starting with event " + std::to_string(main->nextIndex) + ": " +
                         callName(main->cursor->call());
      Agent::fail(kExitDivergence, line);
    }
  }
  if (exitStatus != end_->exitStatus) {
    Agent::fail(kExitDivergence, "replay diverged: the program exits with status " + std::to_string(exitStatus) +
                                     ", the recording exited with " + std::to_string(end_->exitStatus));
  }
  agent_.log("replay complete: exit status %d as recorded", exitStatus);
}

std::string ReplaySession::recordedProperty(const std::string& name) const {
  for (const auto& [key, value] : start_->systemProperties) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace retrace::agent
