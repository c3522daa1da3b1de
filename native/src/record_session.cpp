#include "record_session.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "agent.h"
#include "identity_hash.h"
#include "java_access.h"
#include "proc_stat.h"
#include "retrace/tape/frame.h"
#include "routing.h"
#include "scheduler.h"
#include "stacks.h"

extern char** environ;

namespace retrace::agent {

namespace {

constexpr size_t kFlushBytes = 256 * 1024;
constexpr auto kFlushInterval = std::chrono::milliseconds(200);
constexpr int kStackDepth = 32;

int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> commandLine() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> out;
  std::string arg;
  while (std::getline(in, arg, '\0')) out.push_back(arg);
  return out;
}

std::string launcherPath(const std::string& agentPath) {
  std::string dir = agentPath.substr(0, agentPath.rfind('/'));
  std::string launcher = dir + "/../bin/retrace-replay";
  char resolved[4096];
  if (realpath(launcher.c_str(), resolved) != nullptr) return resolved;
  return "/usr/bin/env -S retrace-replay";
}

// The first `length` bytes spread over iovecs (what a readv filled).
std::string gatherPrefix(jlong address, jint count, int64_t length) {
  std::string out;
  const struct iovec* iov = reinterpret_cast<const struct iovec*>(static_cast<intptr_t>(address));
  for (jint i = 0; i < count && static_cast<int64_t>(out.size()) < length; ++i) {
    size_t take = std::min<size_t>(iov[i].iov_len, static_cast<size_t>(length) - out.size());
    out.append(static_cast<const char*>(iov[i].iov_base), take);
  }
  return out;
}

// FileChannel.map: how many bytes of the new mapping to record, the file's from the mapped position
// on (a mapping past the end of its file has no bytes: reading there raises SIGBUS); -1, with a
// warning, when they are more than a recording keeps or the file's size cannot be told.
int64_t snapshotLength(CallFrame& frame) {
  const BoundaryCall& call = frame.call;
  jlong position = frame.args[call.a + 1].j;
  jlong length = frame.args[call.a + 2].j;
  struct stat file;
  if (fstat(JavaAccess::fdOf(frame), &file) != 0) {
    fprintf(stderr, "retrace: warning: a mapped file's size cannot be told (%s); its replay stops there\n",
            strerror(errno));
    return -1;
  }
  int64_t bytes = std::clamp<int64_t>(static_cast<int64_t>(file.st_size) - position, 0, length);
  if (bytes > kMaxMappedSnapshot) {
    fprintf(stderr,
            "retrace: warning: a mapping of %lld bytes of a file is not recorded (a recording keeps at most %lld "
            "bytes of a mapping); its replay stops there (docs/limitations.md#files)\n",
            static_cast<long long>(bytes), static_cast<long long>(kMaxMappedSnapshot));
    return -1;
  }
  return bytes;
}

// The variable through which a recorded JVM tells a child JVM that records too where it was
// started: "pid:thread:index" of the forkAndExec event. The child's agent reads and removes it
// before the program can see its environment.
constexpr const char* kSpawnLink = Agent::kSpawnLinkVariable;

// The environment forkAndExec gives the child, as "K=V\0" entries: `envBlock`, or ours when it
// is null (the child inherits it), `envc` then set to our count.
std::string childEnvironment(JNIEnv* env, jbyteArray envBlock, jint& envc) {
  std::string block;
  if (envBlock != nullptr) {
    block.resize(static_cast<size_t>(env->GetArrayLength(envBlock)));
    env->GetByteArrayRegion(envBlock, 0, static_cast<jsize>(block.size()), reinterpret_cast<jbyte*>(block.data()));
    return block;
  }
  envc = 0;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e, ++envc) block.append(*e).push_back('\0');
  return block;
}

// Whether a child with this environment records into the same recording: its JAVA_TOOL_OPTIONS
// loads the agent with options, or without (`retrace install`) while RETRACE_RECORDING names a file.
bool loadsAgent(std::string_view block) {
  static constexpr std::string_view kOptions = "JAVA_TOOL_OPTIONS=", kRecording = "RETRACE_RECORDING=";
  std::string_view options;
  bool recordingNamed = false;
  for (size_t at = 0; at < block.size();) {
    size_t end = std::min(block.find('\0', at), block.size());
    std::string_view entry = block.substr(at, end - at);
    at = end + 1;
    if (entry.rfind(kOptions, 0) == 0) options = entry.substr(kOptions.size());
    if (entry.rfind(kRecording, 0) == 0 && entry.size() > kRecording.size()) recordingNamed = true;
  }
  bool bare = false;
  for (size_t at = 0; at < options.size();) {
    size_t end = std::min(options.find_first_of(" \t\n\r\f\v", at), options.size());
    std::string_view token = options.substr(at, end - at);
    at = end + 1;
    std::string_view library, agentOptions;
    bool ours = false;
    if (token.rfind("-agentpath:", 0) == 0) {
      std::string_view rest = token.substr(11);
      size_t eq = rest.find('=');
      library = rest.substr(0, eq);
      ours =
          library.substr(library.rfind('/') == std::string_view::npos ? 0 : library.rfind('/') + 1) == "libretrace.so";
      agentOptions = eq == std::string_view::npos ? std::string_view() : rest.substr(eq + 1);
    } else if (token.rfind("-agentlib:", 0) == 0) {
      std::string_view rest = token.substr(10);
      size_t eq = rest.find('=');
      ours = rest.substr(0, eq) == "retrace";
      agentOptions = eq == std::string_view::npos ? std::string_view() : rest.substr(eq + 1);
    }
    if (!ours) continue;
    if (!agentOptions.empty()) return true;
    bare = true;
  }
  return bare && recordingNamed;
}

// Whether `argument` (a JVM option) can go into JAVA_TOOL_OPTIONS, which the JVM splits at white
// space (JDK 17 knows no quotes).
bool fitsJavaToolOptions(const std::string& argument) {
  return argument.find_first_of(" \t\n\r\f\v") == std::string::npos;
}

// Whether the program a child execs is a `java` launcher, which takes the agent on its command line.
bool isJavaLauncher(std::string_view program) {
  program = program.substr(0, program.find('\0'));
  size_t slash = program.rfind('/');
  return (slash == std::string_view::npos ? program : program.substr(slash + 1)) == "java";
}

std::string bytesOf(JNIEnv* env, jbyteArray array) {
  std::string bytes;
  if (array == nullptr) return bytes;
  bytes.resize(static_cast<size_t>(env->GetArrayLength(array)));
  env->GetByteArrayRegion(array, 0, static_cast<jsize>(bytes.size()), reinterpret_cast<jbyte*>(bytes.data()));
  return bytes;
}

jbyteArray byteArrayOf(JNIEnv* env, const std::string& bytes) {
  jbyteArray array = env->NewByteArray(static_cast<jsize>(bytes.size()));
  if (array != nullptr) {
    env->SetByteArrayRegion(array, 0, static_cast<jsize>(bytes.size()), reinterpret_cast<const jbyte*>(bytes.data()));
  }
  return array;
}

// `block` with `agent` appended to its JAVA_TOOL_OPTIONS (the user's options first, as given), or
// with JAVA_TOOL_OPTIONS=agent added (`envc` counts it).
std::string withAgentInJavaToolOptions(std::string_view block, const std::string& agent, jint& envc) {
  static constexpr std::string_view kName = "JAVA_TOOL_OPTIONS=";
  std::string out;
  bool found = false;
  for (size_t at = 0; at < block.size();) {
    size_t end = std::min(block.find('\0', at), block.size());
    std::string_view entry = block.substr(at, end - at);
    at = end + 1;
    out.append(entry);
    if (!found && entry.rfind(kName, 0) == 0) {
      found = true;
      if (entry.size() > kName.size()) out.push_back(' ');
      out.append(agent);
    }
    out.push_back('\0');
  }
  if (!found) {
    out.append(kName).append(agent).push_back('\0');
    ++envc;
  }
  return out;
}

}  // namespace

// forkAndExec(mode, helperpath, prog, argBlock, argc, envBlock, envc, dir, fds, redirectErrorStream).
// A child that does not load the agent already (JAVA_TOOL_OPTIONS) gets it, unless no_children: a
// `java` as its first argument, which the JVM takes without a word; anything else (a shell, a
// script, another launcher) in JAVA_TOOL_OPTIONS, which its own children inherit. Then, when the
// child records into this recording, tells it which of our events started it (kSpawnLink in its
// environment). That event is the one about to be written: this thread's next.
void RecordSession::linkChild(CallFrame& frame, const ThreadState& thread) {
  constexpr int kProgram = 2, kArgBlock = 3, kArgCount = 4, kEnvBlock = 5;  // envc follows envBlock
  jint envc = frame.args[kEnvBlock + 1].i;
  std::string block = childEnvironment(frame.env, static_cast<jbyteArray>(frame.args[kEnvBlock].l), envc);
  bool records = loadsAgent(block);
  if (!records && !childAgent_.empty()) {
    if (isJavaLauncher(bytesOf(frame.env, static_cast<jbyteArray>(frame.args[kProgram].l)))) {
      // argBlock holds the arguments after argv[0], each followed by a NUL.
      std::string arguments = childAgent_ + '\0' + bytesOf(frame.env, static_cast<jbyteArray>(frame.args[kArgBlock].l));
      jbyteArray withAgent = byteArrayOf(frame.env, arguments);
      if (withAgent == nullptr) return;
      frame.args[kArgBlock].l = withAgent;
      frame.args[kArgCount].i += 1;
      records = true;
    } else if (fitsJavaToolOptions(childAgent_)) {
      block = withAgentInJavaToolOptions(block, childAgent_, envc);
      records = true;
    } else if (!childAgentWarned_.exchange(true)) {
      fprintf(stderr,
              "retrace: warning: JVMs started through a program other than java (a shell, a script) are not "
              "recorded: %s holds white space, which JAVA_TOOL_OPTIONS cannot carry\n",
              childAgent_.c_str());
    }
  }
  if (!records) return;
  block.append(kSpawnLink)
      .append("=" + std::to_string(getpid()) + ":" + std::to_string(thread.id) + ":" +
              std::to_string(thread.nextIndex));
  block.push_back('\0');
  jbyteArray linked = byteArrayOf(frame.env, block);
  if (linked == nullptr) return;
  frame.args[kEnvBlock].l = linked;
  frame.args[kEnvBlock + 1].i = envc + 1;
}

namespace {

// The parent of `pid`, from /proc; 0 when unknown.
uint32_t parentOf(uint32_t pid) {
  std::istringstream rest(procStatFields("/proc/" + std::to_string(pid) + "/stat"));
  std::string state;
  uint32_t parent = 0;
  rest >> state >> parent;
  return parent;
}

// A JVM started by a recorded JVM inherits its agent options (JAVA_TOOL_OPTIONS) and so its tape
// path: it must add its frames to the recording of its ancestor, never truncate it.
bool isAncestorsRecording(const std::string& path) {
  struct stat st = {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;  // a FIFO would block the read
  std::ifstream in(path, std::ios::binary);
  std::string shebang;
  if (!std::getline(in, shebang) || shebang.rfind("#!", 0) != 0) return false;
  uint8_t header[tape::kFrameHeaderSize];
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return false;
  tape::FrameHeader frame;
  if (!tape::decodeFrameHeader(header, frame)) return false;
  for (uint32_t pid = static_cast<uint32_t>(getppid()); pid > 1; pid = parentOf(pid)) {
    if (pid == frame.pid) return true;
  }
  return false;
}

}  // namespace

RecordSession::~RecordSession() = default;

tape::ProcessStartInfo RecordSession::describeProcess() const {
  tape::ProcessStartInfo info;
  info.formatVersion = tape::kFormatVersion;
  info.pid = static_cast<uint32_t>(getpid());
  const Redaction& redaction = agent_.redaction();
  info.argv = redaction.commandLine(commandLine());
  info.javaHome = agent_.systemProperty("java.home");
  info.jvmVersion = agent_.systemProperty("java.vm.name") + " " + agent_.systemProperty("java.vm.version");
  info.cwd = agent_.cwd();
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) info.env.emplace_back(*e);
  jint count = 0;
  char** keys = nullptr;
  jvmtiEnv* jvmti = agent_.jvmti();
  if (jvmti->GetSystemProperties(&count, &keys) == JVMTI_ERROR_NONE) {
    for (jint i = 0; i < count; ++i) {
      std::string value = agent_.systemProperty(keys[i]);
      // The JVM may have refused to change it (a warning said so): the recording still must not hold it.
      if (!value.empty() && redaction.matches(keys[i])) value = Redaction::kPlaceholder;
      info.systemProperties.emplace_back(keys[i], value);
      jvmti->Deallocate(reinterpret_cast<unsigned char*>(keys[i]));
    }
    jvmti->Deallocate(reinterpret_cast<unsigned char*>(keys));
  }
  info.code = agent_.code().fingerprint();
  info.startTimeMillis = nowMillis();
  // Replay redacts what this run did (agent.cpp), whatever defaults its own build has.
  info.agentOptions = agent_.options().raw + ",redacted=" + redaction.joined();
  for (size_t i = 0; i < Boundary::callCount(); ++i) {
    const BoundaryCall& call = Boundary::calls()[i];
    std::string className = call.className;
    for (char& c : className) {
      if (c == '/') c = '.';
    }
    info.calls.push_back({call.id, className, call.method, call.descriptor});
  }
  return info;
}

bool RecordSession::start(std::string& error) {
  const std::string& path = agent_.tapePath();
  bool child = isAncestorsRecording(path);
  appending_ = child;
  const Options& options = agent_.options();
  if (options.children) {
    std::string tape = path[0] == '/' ? path : agent_.cwd() + "/" + path;
    childAgent_ = "-agentpath:" + agent_.agentPath() + "=" + childAgentOptions(options.raw, tape);
  }
  writer_ = tape::TapeWriter::open(path, child ? tape::TapeWriter::Mode::kAppend : tape::TapeWriter::Mode::kCreate,
                                   tape::shebangLine(launcherPath(agent_.agentPath())), error);
  if (writer_ == nullptr) {
    error = "cannot record to " + path + ": " + error;
    return false;
  }
  tape::ProcessStartInfo start = describeProcess();
  if (child) start.parentPid = static_cast<uint32_t>(getppid());
  // Started by a recorded JVM that said where (kSpawnLink): a shell in between does not matter.
  if (const std::string& link = agent_.spawnLink(); child && !link.empty()) {
    unsigned parentPid = 0;
    unsigned thread = 0;
    unsigned long long index = 0;
    if (sscanf(link.c_str(), "%u:%u:%llu", &parentPid, &thread, &index) == 3) {
      start.parentPid = parentPid;
      start.parentThread = thread;
      start.parentEventIndex = index;
    }
  }
  writer_->writeProcessStart(start);
  flusher_ = std::thread([this] { runFlusher(); });
  agent_.log("recording to %s", path.c_str());
  return true;
}

void RecordSession::runFlusher() {
  // Threads hand their buffers over when full; this makes a quiet thread hand over what it has
  // at its next event, so a killed process loses at most a moment of history.
  std::unique_lock<std::mutex> lock(flusherMutex_);
  while (!flusherWake_.wait_for(lock, kFlushInterval, [this] { return stopping_; })) {
    flushEpoch_.fetch_add(1, std::memory_order_relaxed);
    // A thread that waits (for the baton, in join, in a blocking read) makes no event that would
    // hand its buffer over: take it from here, so that a killed process keeps its events too.
    agent_.threads().forEach([this](ThreadState& thread) {
      if (!thread.recorded || !thread.lock.tryLock()) return;
      if (!thread.closed) submit(thread);
      thread.lock.unlock();
    });
    submitHandovers();
  }
}

void RecordSession::submit(ThreadState& thread) {
  if (thread.buffer.empty()) return;
  thread.buffer = writer_->submit(thread.id, thread.bufferFirstIndex, std::move(thread.buffer));
  thread.bufferFirstIndex = thread.nextIndex;
}

void RecordSession::threadStarted(ThreadState& thread) {
  writer_->submitThreadStart({thread.id, thread.name, thread.started, thread.parent, thread.childIndex});
}

void RecordSession::threadEnded(ThreadState& thread) {
  std::lock_guard<SpinLock> guard(thread.lock);
  if (thread.closed) return;
  submit(thread);
  // A program may start many short threads: an ended one keeps its state, not its buffer.
  thread.buffer = tape::EventBuffer(0);
}

jvalue RecordSession::onCall(CallFrame& frame, ThreadState& thread) {
  const BoundaryCall& call = frame.call;
  if (call.effect == Effect::IDENTITY_HASH) {
    // Only a generation is an event (identity_hash.h): it happens at the same place in every run.
    jobject object = IdentityHash::objectOf(call.id, frame.self, frame.args);
    if (object == nullptr || IdentityHash::hasHash(frame.env, object) || IdentityHash::isUnrecorded(frame.env, object))
      return frame.original();
  }
  // A hash generation is a scheduling point like a clock reading: a computation that hashes objects
  // but calls nothing else (building a large toString, filling an IdentityHashMap) can hand over
  // there, where otherwise it would escape (docs/threads.md). Many hashes are taken in static
  // initialisers, where a yield would leave the next user of the class blocked in the VM holding
  // the baton: the demux asks mayYield, which says no there.
  // The fast path: clocks and other calls whose whole answer is one number (isOneNumberCall).
  if (!agent_.options().stacktraces && (isOneNumberCall(call) || call.effect == Effect::IDENTITY_HASH)) {
    agent_.scheduler().point(thread, call.method);
    jvalue result = frame.original();
    // A number that came with an exception (NetworkInterface.isUp0 of an interface that is gone):
    // the exception is the answer, which replay throws again.
    if (frame.env->ExceptionCheck()) {
      appendEvent(frame, thread, result);
      return result;
    }
    std::lock_guard<SpinLock> guard(thread.lock);
    if (thread.closed) return result;
    thread.buffer.appendValue(call.id, primitiveValue(call, result));
    ++thread.nextIndex;
    if (thread.buffer.size() >= kFlushBytes || thread.flushEpoch != flushEpoch_.load(std::memory_order_relaxed)) {
      thread.flushEpoch = flushEpoch_.load(std::memory_order_relaxed);
      submit(thread);
    }
    return result;
  }
  if (call.effect == Effect::NOT_FOLLOWED) {
    if (!notFollowedWarned_[call.id].exchange(true)) {
      fprintf(stderr,
              "retrace: warning: %s is not recorded; its network traffic is not in the recording, and "
              "its replay stops there (docs/limitations.md#network)\n",
              call.displayName().c_str());
    }
    return frame.original();
  }
  if (call.effect == Effect::CLOSE) {
    int fd = JavaAccess::fdOf(frame);  // before the call: close0 resets the descriptor to -1
    jvalue result = frame.original();
    agent_.fds().setPassThrough(fd, false);
    return result;
  }
  if (call.effect == Effect::DIR_CLOSE) {
    jlong handle = frame.args[call.s].j;
    jvalue result = frame.original();
    agent_.fds().setPassThroughDir(handle, false);
    return result;
  }
  if (routeOf(frame, agent_.fds(), agent_.code(), agent_.jvmti()) == Route::kPassThrough) {
    jvalue result = frame.original();
    notePassThroughOpen(frame, result, agent_.fds());
    return result;
  }
  jvalue result;
  if (call.effect == Effect::SPAWN) linkChild(frame, thread);
  if (mayBlock(frame, agent_.fds())) {
    agent_.scheduler().beforeBlocking(thread);
    result = frame.original();
    agent_.scheduler().afterBlocking(thread);
  } else {
    agent_.scheduler().point(thread, call.method);
    result = frame.original();
  }
  appendEvent(frame, thread, result);
  return result;
}

void RecordSession::noteMirrorHash(ThreadState& thread, int32_t hash, uint32_t nameSum) {
  std::lock_guard<SpinLock> guard(thread.lock);
  if (thread.closed) return;
  thread.buffer.begin(IdentityHash::kMirrorHash, hash).field(nameSum).finish();
  ++thread.nextIndex;
}

void RecordSession::noteHandover(const demux::Handover& handover) {
  std::lock_guard<SpinLock> guard(handoverLock_);
  handovers_.push_back(
      {handover.from, handover.fromPoint, handover.to, static_cast<uint8_t>(handover.kind), handover.fromTick});
}

void RecordSession::submitHandovers() {
  std::vector<tape::HandoverRecord> batch;
  {
    std::lock_guard<SpinLock> guard(handoverLock_);
    batch.swap(handovers_);
  }
  if (!batch.empty()) writer_->submitHandovers(std::move(batch));
}

void RecordSession::appendEvent(CallFrame& frame, ThreadState& thread, jvalue result) {
  const BoundaryCall& call = frame.call;
  JNIEnv* env = frame.env;
  // JNI may not be used with an exception pending: hold it aside and throw it again at the end.
  jthrowable thrown = env->ExceptionOccurred();
  bool threw = thrown != nullptr;
  if (threw) env->ExceptionClear();
  const jvalue* args = frame.args;
  JavaStack stack;
  if (agent_.options().stacktraces) stack = currentJavaStack(agent_.jvmti(), kStackDepth);

  int64_t value = primitiveValue(call, result);
  if (!threw && (call.returns == Returns::STRING_ARRAY || call.returns == Returns::BYTES_ARRAY ||
                 call.returns == Returns::INET_ADDRESS_ARRAY || call.returns == Returns::NETWORK_INTERFACE_ARRAY)) {
    value = result.l == nullptr ? -1 : env->GetArrayLength(static_cast<jarray>(result.l));
  }
  if (!threw && (call.returns == Returns::INET_ADDRESS || call.returns == Returns::NETWORK_INTERFACE)) {
    value = result.l == nullptr ? -1 : 1;
  }
  bool opensStream =
      call.effect == Effect::OPEN_FD_READ || call.effect == Effect::OPEN_FD_WRITE || call.effect == Effect::OPEN_FD_RAF;
  if (!threw && opensStream) {
    jobject descriptor = JavaAccess::streamDescriptor(frame);
    value = JavaAccess::fdOfDescriptor(env, descriptor);
    env->DeleteLocalRef(descriptor);
  }
  // A reused number is no longer code.
  if (!threw && (opensStream || call.effect == Effect::OPEN_RESULT || call.effect == Effect::DUP_RESULT)) {
    agent_.fds().setPassThrough(static_cast<int>(value), false);
  }
  if (!threw && call.effect == Effect::PIPE_RESULT) {
    agent_.fds().setPassThrough(static_cast<int>(value >> 32), false);
    agent_.fds().setPassThrough(static_cast<int>(value & 0xffffffff), false);
  }
  if (!threw && call.effect == Effect::ACCEPT && value > 0) {
    agent_.fds().setPassThrough(JavaAccess::fdOfDescriptor(env, args[call.a].l), false);
  }
  // MAP: the event's value is the number of bytes recorded, not the address (which replay chooses).
  if (!threw && call.effect == Effect::MAP) value = snapshotLength(frame);
  jint pipes[3] = {-1, -1, -1};  // SPAWN: the parent's ends of the child's stdin, stdout, stderr
  if (!threw && call.effect == Effect::SPAWN) {
    env->GetIntArrayRegion(static_cast<jintArray>(args[call.a].l), 0, 3, pipes);
    if (env->ExceptionCheck()) env->ExceptionClear();
    for (jint fd : pipes) {
      agent_.fds().setPassThrough(fd, false);
      agent_.fds().setChildPipe(fd);
    }
  }

  std::lock_guard<SpinLock> guard(thread.lock);
  if (thread.closed) {
    if (threw) env->Throw(thrown);
    return;
  }
  tape::EventBuffer::Builder event = thread.buffer.begin(call.id, value);
  switch (call.effect) {
    case Effect::READ_ARRAY:
      if (!threw && result.i > 0) {
        // Straight from the Java array into the event: reads are the hot path of file I/O.
        env->GetByteArrayRegion(static_cast<jbyteArray>(args[call.a].l), args[call.b].i, result.i,
                                reinterpret_cast<jbyte*>(event.dataSpace(static_cast<size_t>(result.i))));
      }
      break;
    case Effect::READ_NATIVE:
      if (!threw && value > 0)
        event.data(reinterpret_cast<const void*>(static_cast<intptr_t>(args[call.a].j)), static_cast<size_t>(value));
      break;
    case Effect::READ_IOVEC:
      if (!threw && value > 0) {
        std::string bytes = gatherPrefix(args[call.a].j, args[call.b].i, value);
        event.data(bytes.data(), bytes.size());
      }
      break;
    case Effect::FIELDS:
      if (!threw) JavaAccess::recordFields(env, call.id, args[call.a].l, event);
      break;
    case Effect::THIS_FIELDS:
      if (!threw) JavaAccess::recordFields(env, call.id, frame.self, event);
      break;
    case Effect::ACCEPT:
      if (!threw && value > 0) JavaAccess::recordAccepted(env, args[call.a].l, args[call.b].l, event);
      break;
    case Effect::SPAWN:
      if (!threw) {
        for (jint fd : pipes) event.field(fd);
      }
      break;
    case Effect::LONG_ARRAYS:
      if (!threw) JavaAccess::recordLongArrays(env, args + call.a, call.b, event);
      break;
    case Effect::EPOLL_EVENTS:
      if (!threw && value > 0) {
        event.data(reinterpret_cast<const void*>(static_cast<intptr_t>(args[call.a].j)),
                   static_cast<size_t>(value) * sizeof(struct epoll_event));
      }
      break;
    case Effect::RECEIVE:
      // An empty datagram still has a sender.
      if (!threw && value >= 0) {
        event.data(reinterpret_cast<const void*>(static_cast<intptr_t>(args[call.a].j)), static_cast<size_t>(value));
        event.item(reinterpret_cast<const void*>(static_cast<intptr_t>(args[call.b].j)), sizeof(struct sockaddr_in6));
      }
      break;
    case Effect::MAP:
      // Read from the mapping itself: these are the bytes the program reads through it.
      if (!threw && value > 0)
        event.data(reinterpret_cast<const void*>(static_cast<intptr_t>(result.j)), static_cast<size_t>(value));
      break;
    case Effect::WRITE_ARRAY:
    case Effect::WRITE_NATIVE:
    case Effect::WRITE_IOVEC:
    case Effect::WRITE_BYTE: {
      std::string bytes = bytesWritten(frame);
      if (!bytes.empty()) event.data(bytes.data(), bytes.size());
      break;
    }
    default:
      break;
  }
  if (!threw && call.returns != Returns::VOID && call.returns != Returns::PRIMITIVE) {
    JavaAccess::recordReturn(env, call.returns, result.l, event);
  }
  if (threw) JavaAccess::recordException(env, thrown, event);
  for (const auto& [method, line] : stack) event.frame(method, line);
  event.finish();
  ++thread.nextIndex;
  if (threw) {
    env->Throw(thrown);
    env->DeleteLocalRef(thrown);
  }
  if (thread.buffer.size() >= kFlushBytes || thread.flushEpoch != flushEpoch_.load(std::memory_order_relaxed)) {
    thread.flushEpoch = flushEpoch_.load(std::memory_order_relaxed);
    submit(thread);
  }
}

void RecordSession::finish(int exitStatus) {
  {
    std::lock_guard<std::mutex> lock(flusherMutex_);
    stopping_ = true;
  }
  flusherWake_.notify_all();
  if (flusher_.joinable()) flusher_.join();

  submitHandovers();
  tape::ProcessEndInfo end;
  end.exitStatus = exitStatus;
  end.endTimeMillis = nowMillis();
  end.code = agent_.code().foundCode();
  end.cleared = agent_.clearedReferences().counts();
  agent_.threads().forEach([&](ThreadState& thread) {
    if (!thread.recorded) return;
    // A thread stopped by the exiting VM inside a hook would hold its lock forever: wait briefly.
    bool locked = false;
    for (int attempt = 0; attempt < 1000 && !locked; ++attempt) {
      locked = thread.lock.tryLock();
      if (!locked) usleep(100);
    }
    if (!locked) {
      end.complete = false;
      end.truncatedReason = "thread " + std::to_string(thread.id) + " was inside a boundary call at exit";
      return;
    }
    submit(thread);
    thread.closed = true;
    end.eventCount += thread.nextIndex;
    end.threads.push_back({thread.id, thread.name});
    thread.lock.unlock();
  });
  writer_->finish(end);
  bool testFailed = testFailed_.load(std::memory_order_relaxed);
  // A child JVM that exits 0 must not delete its ancestors' recording: the root decides.
  bool keep = appending_ || agent_.options().saveOn == SaveOn::kAlways || exitStatus != 0 || testFailed;
  if (!keep) {
    unlink(agent_.tapePath().c_str());
    agent_.log("the run succeeded: no recording kept (save_on=failure)");
  } else {
    if (testFailed && exitStatus == 0) agent_.log("a test failed: the recording is kept (save_on=failure)");
    agent_.log("%llu events, %llu bytes in %s", static_cast<unsigned long long>(end.eventCount),
               static_cast<unsigned long long>(writer_->bytesWritten()), agent_.tapePath().c_str());
  }
}

}  // namespace retrace::agent
