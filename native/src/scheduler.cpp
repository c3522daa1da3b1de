#include "scheduler.h"

#include <sys/types.h>
#include <unistd.h>

#include <cstring>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "agent.h"
#include "proc_stat.h"
#include "replay_session.h"

namespace retrace::agent {

namespace {

// The name of the agent's one Java thread (the watchdog, attached at VMInit).
constexpr const char* kWatchdogName = "retrace watchdog";

using demux::kNoThread;

// Ends a thread's turn when its OS thread goes away, not at JVMTI ThreadEnd: between the two,
// HotSpot marks the thread terminated and wakes its joiners. Holding the baton until then means a
// joiner never sees the thread alive in one run and dead in another.
struct ExitWhenThreadGoes {
  uint32_t id = kNoThread;
  Scheduler* scheduler = nullptr;
  ~ExitWhenThreadGoes();
};

thread_local ExitWhenThreadGoes exitWhenThreadGoes;

// The kernel's view of a thread: 'R' running, 'S' sleeping, 'D' in uninterruptible I/O... '?' when
// it is gone.
char kernelState(pid_t tid) {
  std::string fields = procStatFields("/proc/self/task/" + std::to_string(tid) + "/stat");
  return fields.empty() ? '?' : fields[0];
}

// RETRACE_TRACE_SCHEDULER=1: every scheduling call, for debugging the agent itself. The lines go
// to memory and out to stderr when the process ends or a replay stalls: printing them as they come
// would change the timing it is meant to show.
bool tracing() {
  static const bool on = getenv("RETRACE_TRACE_SCHEDULER") != nullptr;
  return on;
}

std::mutex traceMutex;
std::string traceLines;

void traceLine(const char* format, ...) __attribute__((format(printf, 1, 2)));
void traceLine(const char* format, ...) {
  char line[256];
  va_list args;
  va_start(args, format);
  vsnprintf(line, sizeof line, format, args);
  va_end(args);
  std::lock_guard<std::mutex> guard(traceMutex);
  traceLines += line;
}

void trace(const char* what, uint32_t id, demux::Demux& d) {
  if (tracing())
    traceLine("[sched] %-10s thread %u points %llu holder %u\n", what, id,
              static_cast<unsigned long long>(d.points(id)), d.holder());
}

/** Marks a thread as inside the monitor protocol for the watchdog (see isBlocked). */
class MonitorProtocol {
 public:
  explicit MonitorProtocol(ThreadState& thread) : thread_(thread) {
    thread_.inMonitorProtocol.store(true, std::memory_order_release);
  }
  ~MonitorProtocol() { thread_.inMonitorProtocol.store(false, std::memory_order_release); }
  MonitorProtocol(const MonitorProtocol&) = delete;
  MonitorProtocol& operator=(const MonitorProtocol&) = delete;

 private:
  ThreadState& thread_;
};

}  // namespace

Scheduler::Scheduler(Agent& agent) : agent_(agent) {}
Scheduler::~Scheduler() = default;

void Scheduler::startWatchdog() {
  if (demux_ != nullptr && !demux_->startWatchdog()) agent_.log("no thread for the watchdog yet");
}

void Scheduler::leaveVm() {
  if (demux_ != nullptr) demux_->runOnWatchdog([this] { agent_.detachOwnThread(); });
}

demux::Options Scheduler::baseOptions() {
  demux::Options options;
  options.isBlocked = [this](uint32_t id) { return isBlocked(id); };
  options.isAsleep = [this](uint32_t id) { return isAsleep(id); };
  options.threadTimes = [this](uint32_t id) { return threadTimes(id); };
  options.mayYield = [this](uint32_t) { return !inStaticInitializer(); };
  options.onWatchdogStart = [this] { agent_.attachOwnThread(kWatchdogName); };
  return options;
}

bool Scheduler::inStaticInitializer() {
  jvmtiEnv* jvmti = agent_.jvmti();
  jvmtiFrameInfo frames[128];
  jint count = 0;
  if (jvmti->GetStackTrace(nullptr, 0, 128, frames, &count) != JVMTI_ERROR_NONE) return false;
  for (jint i = 0; i < count; ++i) {
    char* name = nullptr;
    if (jvmti->GetMethodName(frames[i].method, &name, nullptr, nullptr) != JVMTI_ERROR_NONE) continue;
    bool clinit = std::strcmp(name, "<clinit>") == 0;
    jvmti->Deallocate(reinterpret_cast<unsigned char*>(name));
    if (clinit) return true;
  }
  return false;
}

void Scheduler::startRecord(ThreadState& main, std::function<void(const demux::Handover&)> sink) {
  demux::Options options = baseOptions();
  options.mode = demux::Mode::kRecord;
  options.onHandover = std::move(sink);
  options.escapeAfter = std::chrono::milliseconds(agent_.options().escapeAfterMillis);
  if (agent_.options().preempt) {
    options.requestPreempt = [this](uint32_t) {
      if (preemption_.ready()) preemption_.request(agent_.attachOwnThread(kWatchdogName));
    };
  }
  if (agent_.options().chaos) {
    std::random_device device;
    options.chaosSeed = ((static_cast<uint64_t>(device()) << 32) ^ device()) | 1;
    chaos_ = true;
  }
  demux_ = std::make_unique<demux::Demux>(std::move(options));
  main.id = demux_->startMain();
  main.serialized = true;
}

void Scheduler::startReplay(ThreadState& main, std::vector<demux::Handover> schedule, bool complete) {
  demux::Options options = baseOptions();
  options.mode = demux::Mode::kReplay;
  options.schedule = std::move(schedule);
  options.scheduleWhole = complete;
  options.onStall = [this](const demux::StallReport& report) { onStall(report); };
  // A debugger holds threads at breakpoints for as long as the user looks: no waiting is a stall.
  if (agent_.options().debug) options.replayWait = std::chrono::nanoseconds(0);
  replay_ = true;
  scheduleComplete_ = complete;
  demux_ = std::make_unique<demux::Demux>(std::move(options));
  main.id = demux_->startMain();
  main.serialized = true;
}

void Scheduler::point(ThreadState& thread, const char* what) {
  if (!thread.serialized) return;
  if (tracing())
    traceLine("[sched] point      thread %u points %llu %s\n", thread.id,
              static_cast<unsigned long long>(demux_->points(thread.id)), what);
  demux_->schedulingPoint(thread.id);
  tookBaton(thread);
}

void Scheduler::tookBaton(ThreadState& thread) {
  if (!preemption_.ready()) return;
  int64_t limit = Preemption::kNever;
  std::optional<uint64_t> tick = replay_  ? demux_->preemptTick(thread.id)
                                 : chaos_ ? demux_->chaosTicks(thread.id)
                                          : std::nullopt;
  if (tick) limit = static_cast<int64_t>(*tick);
  JNIEnv* env = agent_.currentEnv();
  if (tracing())
    traceLine("[sched] ticks      thread %u points %llu ticks %lld\n", thread.id,
              static_cast<unsigned long long>(demux_->points(thread.id)),
              static_cast<long long>(preemption_.ticks(env)));
  preemption_.arm(env, thread, limit);
}

bool Scheduler::startPreemption(JNIEnv* env, ThreadState& main) {
  if (demux_ == nullptr || !preemption_.init(env)) return false;
  if (demux_->holds(main.id)) tookBaton(main);
  return true;
}

void Scheduler::preempted(JNIEnv* env, uint64_t tick) {
  ThreadState* thread = agent_.scheduledThread();
  if (thread == nullptr || demux_ == nullptr) {
    preemption_.disarm(env);
    return;
  }
  if (tracing())
    traceLine("[sched] preempt    thread %u points %llu tick %llu\n", thread->id,
              static_cast<unsigned long long>(demux_->points(thread->id)), static_cast<unsigned long long>(tick));
  if (demux_->preempt(thread->id, tick)) {
    tookBaton(*thread);
  } else if (std::optional<uint64_t> more = chaos_ ? demux_->chaosTicks(thread->id) : std::nullopt) {
    preemption_.extend(env, static_cast<int64_t>(tick + *more));  // nobody waited: a new slice, same count
  } else {
    preemption_.disarm(env);
  }
}

void Scheduler::beforeBlocking(ThreadState& thread) {
  if (!thread.serialized) return;
  trace("release", thread.id, *demux_);
  demux_->releaseForBlocking(thread.id);
}

void Scheduler::afterBlocking(ThreadState& thread) {
  if (!thread.serialized) return;
  trace("reacquire", thread.id, *demux_);
  demux_->reacquire(thread.id);
  trace("got", thread.id, *demux_);
  tookBaton(thread);
}

uint32_t Scheduler::reserveChild(ThreadState& parent) {
  if (!parent.serialized) return kNoThread;
  trace("start", parent.id, *demux_);
  demux_->schedulingPoint(parent.id);
  tookBaton(parent);
  return demux_->reserveChild(parent.id);
}

void Scheduler::arrive(ThreadState& thread) {
  if (!thread.serialized) return;
  exitWhenThreadGoes.id = thread.id;
  exitWhenThreadGoes.scheduler = this;
  trace("arrive", thread.id, *demux_);
  demux_->arrive(thread.id);
  trace("arrived", thread.id, *demux_);
  tookBaton(thread);
}

ExitWhenThreadGoes::~ExitWhenThreadGoes() {
  if (id != kNoThread && scheduler != nullptr) scheduler->exitThread(id);
}

void Scheduler::exitThread(uint32_t id) {
  trace("exit", id, *demux_);
  demux_->exit(id);
}

void Scheduler::mainEnded(ThreadState& thread) {
  // Not exit(): the same thread comes back as DestroyJavaVM to run shutdown hooks, and takes the
  // baton again at its next point.
  preemption_.forget(thread);
  beforeBlocking(thread);
}

bool Scheduler::mayTakeMonitor(JNIEnv* env, jthread self, jobject object) {
  jvmtiEnv* jvmti = agent_.jvmti();
  for (unsigned round = 0;; ++round) {
    jvmtiMonitorUsage usage{};
    if (jvmti->GetObjectMonitorUsage(object, &usage) != JVMTI_ERROR_NONE) return true;
    // Free, ours, or owned by a thread that needs the baton to let go of it (waiting for the baton,
    // or away in a blocking call): then the answer is the same in every run.
    enum { kMay, kMayNot, kSoon } verdict = kMay;
    if (usage.owner != nullptr && !env->IsSameObject(usage.owner, self)) {
      ThreadState* owner = agent_.threads().find(env, usage.owner);
      bool leaving = owner == nullptr || !owner->serialized || owner->waitReleased.load(std::memory_order_acquire);
      verdict = leaving ? kSoon : kMayNot;
    }
    if (usage.owner != nullptr) env->DeleteLocalRef(usage.owner);
    for (jthread* list : {usage.waiters, usage.notify_waiters}) {
      if (list != nullptr) jvmti->Deallocate(reinterpret_cast<unsigned char*>(list));
    }
    if (verdict != kSoon) return verdict == kMay;
    // The owner lets go without the baton: it is on its way into Object.wait (the VM posts
    // MonitorWait before it releases the monitor), or it is not scheduled. Keep the baton and look
    // again: the VM must never park this thread on the monitor, as it could stay parked after the
    // monitor is free (HotSpot wakes one successor, which may be a thread waiting for the baton).
    usleep(std::min(200u, 5u << std::min(round, 6u)));
  }
}

void Scheduler::untilMonitorFree(JNIEnv* env, jthread self, ThreadState& thread, jobject object) {
  for (unsigned round = 0;; ++round) {
    trace("reacquire", thread.id, *demux_);
    if (!demux_->reacquire(thread.id)) return;  // abandoned: no order to keep
    bool may = mayTakeMonitor(env, self, object);
    trace(may ? "free" : "owned", thread.id, *demux_);
    if (may) {
      tookBaton(thread);
      return;
    }
    // The owner waits for the baton, or is away in a blocking call: let it run, and look again the
    // next time this thread holds the baton. Which of the two it was is the same in every run, so
    // the number of rounds is too.
    demux_->releaseForBlocking(thread.id);
    if (!replay_) usleep(std::min(1000u, 20u << std::min(round, 6u)));  // an owner away in a real call
  }
}

void Scheduler::monitorContendedEnter(JNIEnv* env, jthread self, ThreadState& thread, jobject object) {
  // A thread that runs without the baton (after an escape or a forced hand-over) meets contention
  // by timing alone: it waits in the VM, and takes the baton back at its next point.
  if (!thread.serialized || !demux_->holds(thread.id)) return;
  MonitorProtocol protocol(thread);
  trace("contended", thread.id, *demux_);
  if (mayTakeMonitor(env, self, object)) return;
  demux_->releaseForBlocking(thread.id);
  untilMonitorFree(env, self, thread, object);
}

void Scheduler::monitorWait(ThreadState& thread) {
  if (!thread.serialized || !demux_->holds(thread.id)) return;
  trace("wait", thread.id, *demux_);
  thread.waitReleased.store(true, std::memory_order_release);
  demux_->releaseForBlocking(thread.id);
}

void Scheduler::monitorWaited(JNIEnv* env, jthread self, ThreadState& thread, jobject object) {
  // Class initialisation waits inside the VM post MonitorWaited without MonitorWait: those keep the
  // baton, and the watchdog hands it over if they block for long.
  if (!thread.serialized || !thread.waitReleased.load(std::memory_order_acquire)) return;
  trace("waited", thread.id, *demux_);
  thread.waitReleased.store(false, std::memory_order_release);
  MonitorProtocol protocol(thread);
  untilMonitorFree(env, self, thread, object);
}

bool Scheduler::isAsleep(uint32_t id) {
  ThreadState* thread = agent_.threads().find(id);
  if (thread == nullptr || thread->tid == 0 || thread->inMonitorProtocol.load(std::memory_order_acquire)) return false;
  char state = kernelState(thread->tid);
  return state == 'S' || state == 'D';
}

bool Scheduler::isBlocked(uint32_t id) {
  ThreadState* thread = agent_.threads().find(id);
  if (thread == nullptr || thread->tid == 0) return false;
  // Waiting for a monitor's owner in the scheduler's own protocol: the JVM says "blocked on monitor
  // enter", but the thread gives the baton up itself when it has to.
  if (thread->inMonitorProtocol.load(std::memory_order_acquire)) return false;
  char state = kernelState(thread->tid);
  if (state != 'S' && state != 'D') return false;
  // Asleep in the kernel. Blocked for our purposes unless it is Java code stopped for a safepoint
  // (a GC pause): that one goes on by itself, and handing over there would break the guarantee.
  JNIEnv* env = agent_.attachOwnThread(kWatchdogName);
  if (env == nullptr || thread->ref == nullptr) return true;
  jint jvmState = 0;
  if (agent_.jvmti()->GetThreadState(thread->ref, &jvmState) != JVMTI_ERROR_NONE) return true;
  constexpr jint kBlockedStates =
      JVMTI_THREAD_STATE_BLOCKED_ON_MONITOR_ENTER | JVMTI_THREAD_STATE_WAITING | JVMTI_THREAD_STATE_IN_NATIVE;
  bool blocked = (jvmState & kBlockedStates) != 0;
  if (tracing()) traceLine("[sched] blocked?   thread %u kernel %c jvmti %x -> %d\n", id, state, jvmState, blocked);
  return blocked;
}

demux::ThreadTimes Scheduler::threadTimes(uint32_t id) {
  demux::ThreadTimes times;
  ThreadState* thread = agent_.threads().find(id);
  unsigned long long running = 0;
  unsigned long long runnable = 0;
  if (thread == nullptr || thread->tid == 0 || !procSchedStat(thread->tid, running, runnable)) return times;
  times.running = std::chrono::nanoseconds(running);
  times.runnable = std::chrono::nanoseconds(runnable);
  if (tracing()) traceLine("[sched] times     thread %u running %llu runnable %llu\n", id, running, runnable);
  return times;
}

std::string Scheduler::label(uint32_t id) {
  if (id == kNoThread) return "no thread";
  ThreadState* thread = agent_.threads().find(id);
  std::string out = "thread " + std::to_string(id);
  if (thread != nullptr && !thread->name.empty()) out += " \"" + thread->name + "\"";
  return out;
}

void Scheduler::dumpTrace() {
  if (!tracing()) return;
  std::lock_guard<std::mutex> guard(traceMutex);
  (void)!write(STDERR_FILENO, traceLines.data(), traceLines.size());
  traceLines.clear();
}

void Scheduler::onStall(const demux::StallReport& report) {
  dumpTrace();
  if (!scheduleComplete_ && report.reason != demux::StallReason::kDiverged) {
    // Not a divergence: the recording stops here, and what the program waits for was never recorded.
    Agent::fail(kExitIncomplete, "the replay reached the end of an incomplete recording at hand-over " +
                                     std::to_string(report.position) + " of its thread schedule: " + report.message +
                                     " (" + agent_.replayer().incompleteReason() +
                                     "); everything up to here was replayed");
  }
  std::string message = "replay diverged: the threads did not follow the recorded interleaving\n";
  std::istringstream lines(demux::describe(report));
  for (std::string line; std::getline(lines, line);) message += "  " + line + "\n";
  std::set<uint32_t> involved;
  for (uint32_t id : {report.expected, report.holder, report.lastReleaser}) {
    if (id != kNoThread) involved.insert(id);
  }
  for (const demux::WaitingThread& waiting : report.waiting) involved.insert(waiting.id);
  if (!involved.empty()) {
    message += "  threads:";
    const char* separator = " ";
    for (uint32_t id : involved) {
      message += separator + label(id);
      separator = ", ";
    }
    message += "\n";
  }
  message += "retrace: the replay stops here (exit " + std::to_string(kExitDivergence) + ")";
  Agent::fail(kExitDivergence, message);
}

void Scheduler::shutdown() {
  if (demux_ != nullptr) demux_->shutdown();
  dumpTrace();
}

demux::Stats Scheduler::stats() const {
  return demux_ != nullptr ? demux_->stats() : demux::Stats{};
}

}  // namespace retrace::agent
