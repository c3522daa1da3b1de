// The agent's side of the thread demultiplexer (demux/): where application threads meet the baton.
//
// Scheduling points, all on the calling application thread:
//   - every recorded boundary call, Thread.start0, yield, unpark, notify/notifyAll, interrupt: point()
//   - sleep, park, reads and writes of stdin/stdout/stderr, Object.wait: the baton is given up before
//     the call may block and taken back after (beforeBlocking / afterBlocking)
//   - monitor contention: a thread that finds a monitor owned releases the baton and only returns to
//     the VM when it holds the baton again AND the monitor is free, so that the VM's acquisition cannot
//     race another thread (the same after Object.wait, before the monitor is re-entered)
//   - thread start (arrive) and end (exit)
// JDK system threads, threads started outside Thread.start0 by the program, and the agent's own threads
// never take the baton.
#pragma once

#include <jni.h>
#include <jvmti.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "preemption.h"
#include "retrace/demux/demux.h"
#include "thread_registry.h"

namespace retrace::agent {

class Agent;

class Scheduler {
 public:
  explicit Scheduler(Agent& agent);
  ~Scheduler();

  /** Record: every hand-over goes to `sink`, in hand-over order, from under the demux lock. */
  void startRecord(ThreadState& main, std::function<void(const demux::Handover&)> sink);
  /** Replay: follows `schedule`; `complete` says whether the recording holds all of it. */
  void startReplay(ThreadState& main, std::vector<demux::Handover> schedule, bool complete);

  /** `what` names the point in the RETRACE_TRACE_SCHEDULER trace (a boundary call's display name...). */
  void point(ThreadState& thread, const char* what = "point");
  void beforeBlocking(ThreadState& thread);
  void afterBlocking(ThreadState& thread);

  /** At Thread.start0, before the real call: a point, then the id the new thread will have. */
  uint32_t reserveChild(ThreadState& parent);
  /** The new thread's first act (JVMTI ThreadStart): waits for the baton. */
  void arrive(ThreadState& thread);
  /** Main has come back as DestroyJavaVM: it gives the baton up, and takes it at its next point (a shutdown hook). */
  void mainEnded(ThreadState& thread);
  /** A thread's last act, when its OS thread ends (see scheduler.cpp). */
  void exitThread(uint32_t id);

  // JVMTI monitor events.
  void monitorContendedEnter(JNIEnv* env, jthread self, ThreadState& thread, jobject object);
  void monitorWait(ThreadState& thread);
  void monitorWaited(JNIEnv* env, jthread self, ThreadState& thread, jobject object);

  /**
   * At VMInit, on the main thread holding the baton: from here the holder counts ticks and can be
   * preempted between scheduling points (preemption.h). False when System was not prepared for it.
   */
  bool startPreemption(JNIEnv* env, ThreadState& main);
  /** System.retrace$preempt: the holder reached the tick it was to stop at. */
  void preempted(JNIEnv* env, uint64_t tick);
  /**
   * At VMInit, before the program runs, in record and replay alike: starts the watchdog and attaches
   * it to the JVM. Attaching makes a java.lang.Thread, which takes the next thread id: done lazily,
   * at the watchdog's first look, it shifted the ids (and ThreadLocalRandom's sequences, which add
   * the thread id) of every thread started after it, at a moment that timing decided.
   */
  void startWatchdog();
  /** At VM death: the watchdog detaches itself from the JVM and goes on watching (Agent::detachOwnThread). */
  void leaveVm();
  /** Preemption::pause and resume, around a method a debugger invoked (debugger_calls.h). */
  jobject pauseTicks(JNIEnv* env) { return preemption_.pause(env); }
  void resumeTicks(JNIEnv* env, jobject holder) { preemption_.resume(env, holder); }

  /** Process exit: no order is enforced any more; counts for the log. */
  void shutdown();
  demux::Stats stats() const;
  /** RETRACE_TRACE_SCHEDULER: prints what was traced so far. */
  void dumpTrace();
  bool started() const { return demux_ != nullptr; }

 private:
  demux::Options baseOptions();
  /**
   * Whether the holder of the baton may go on into the VM to take the monitor of `object`: it is free
   * or ours, or its owner is on its way into Object.wait (it gave up the baton at MonitorWait, but
   * the VM lets go of the monitor a moment later, without needing the baton: waiting for that keeps
   * the baton where it is, in record and replay alike).
   */
  bool mayTakeMonitor(JNIEnv* env, jthread self, jobject object);
  /** Called without the baton: returns holding it, once mayTakeMonitor. */
  void untilMonitorFree(JNIEnv* env, jthread self, ThreadState& thread, jobject object);
  bool isBlocked(uint32_t id);
  /** Asleep in the kernel, whatever the JVM says (demux::Options::isAsleep: replay stall detection). */
  bool isAsleep(uint32_t id);
  /** The kernel's account of thread `id`'s time (schedstat): how long it ran, how long it waited for a CPU. */
  demux::ThreadTimes threadTimes(uint32_t id);
  /**
   * The calling thread runs a static initialiser: it must not yield there, or a thread that needs
   * the class would block inside the VM, holding the baton (the watchdog would have to force it).
   */
  bool inStaticInitializer();
  void onStall(const demux::StallReport& report);
  /** The calling thread holds the baton after a demux call: its ticks count from 0 again. */
  void tookBaton(ThreadState& thread);

  std::string label(uint32_t id);

  Agent& agent_;
  std::unique_ptr<demux::Demux> demux_;
  bool replay_ = false;
  bool chaos_ = false;  // record --chaos: slices in ticks come from the demux (demux/src/chaos.h)
  bool scheduleComplete_ = true;
  Preemption preemption_;
};

}  // namespace retrace::agent
