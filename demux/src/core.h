// The state every part of the demux shares: threads, the baton, the waiters, one lock. The record and
// replay policies (policy.h) decide who gets the baton; Core only knows how to hand it and wait for it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "retrace/demux/demux.h"

namespace retrace::demux {

using Clock = std::chrono::steady_clock;
using Lock = std::unique_lock<std::mutex>;

enum class SlotState : uint8_t {
  kReserved,  // reserveChild done, arrive not yet
  kWaiting,   // in the queue, waiting for the baton
  kHolding,   // holds the baton
  kDetached,  // runs without the baton: in a blocking call, or after kForced/kEscape
  kExited,
};

/** One logical thread. Touched only under Core::mu. */
struct Slot {
  explicit Slot(uint32_t threadId) : id(threadId) {}
  const uint32_t id;
  SlotState state = SlotState::kReserved;
  uint64_t points = 0;
  Clock::time_point waitSince{};  // when it joined the queue (FIFO order, quantum, reports)
  bool asleep = false;            // in waitForBaton: granted or not, it has not woken up yet
  std::condition_variable cv;     // one per thread: a grant wakes exactly the grantee
};

/**
 * The watchdog's judgement of "blocked": two looks at least `window` apart that both saw the holder
 * blocked, at the same point, and between them the kernel had it asleep: it ran, or waited for a CPU,
 * for at most a tenth of the time (ThreadTimes; without them, the two looks decide). One look is a
 * snapshot: a thread that sleeps for a moment (a lock whose owner was preempted, a page fault) looks
 * blocked in it, and a hand-over made then is one that another run, or the replay, does not make. A
 * tenth, not nothing, so that a thread blocked in a wait that wakes up now and then to look again is
 * blocked too.
 */
class BlockedWatch {
 public:
  /** True when this look confirms the holder blocked. */
  bool look(uint32_t id, uint64_t points, bool blocked, const ThreadTimes& times, Clock::time_point now,
            std::chrono::nanoseconds window) {
    if (!blocked) {
      seen_ = false;
      return false;
    }
    if (seen_ && id_ == id && points_ == points) {
      std::chrono::nanoseconds elapsed = now - since_;
      std::chrono::nanoseconds awake{0};
      if (times.running.count() >= 0 && times_.running.count() >= 0) awake += times.running - times_.running;
      if (times.runnable.count() >= 0 && times_.runnable.count() >= 0) awake += times.runnable - times_.runnable;
      if (awake * 10 <= elapsed) return elapsed >= window;
    }
    // The first look, or it was awake too much since the last one: count from here.
    seen_ = true;
    id_ = id;
    points_ = points;
    times_ = times;
    since_ = now;
    return false;
  }
  void reset() { seen_ = false; }

 private:
  bool seen_ = false;
  uint32_t id_ = kNoThread;
  uint64_t points_ = 0;
  ThreadTimes times_;
  Clock::time_point since_{};
};

class Policy;

class Core {
 public:
  explicit Core(Options options);
  ~Core();

  const Options options;
  mutable std::mutex mu;
  std::vector<std::unique_ptr<Slot>> slots;
  uint32_t holder = kNoThread;
  Clock::time_point holderSince{};  // the holder woke with the baton, or passed a point while others waited
  std::deque<uint32_t> queue;       // waiting thread ids, longest waiter first
  uint32_t lastReleaser = kNoThread;
  uint64_t lastReleasePoint = 0;
  bool stalled = false;    // a stall is being reported: the schedule is frozen
  bool abandoned = false;  // no order is enforced any more
  Stats stats;
  std::unique_ptr<Policy> policy;

  // The record fast path (Demux::schedulingPoint without the lock). While it is open, the holder's
  // point count lives here, packed with its id, and the holder counts a point with one CAS; every
  // locked call closes it first (folding the count back into the slot) and reopens it on the way
  // out when the holder may run on alone: record mode, nobody waiting, no stall. A waiter closes it
  // by enqueueing under the lock, so the holder's next point takes the slow path and sees it.
  static constexpr uint64_t kFastClosed = UINT64_MAX;
  static constexpr int kFastIdShift = 40;
  static constexpr uint64_t kFastPointsMask = (uint64_t{1} << kFastIdShift) - 1;
  std::atomic<uint64_t> fast{kFastClosed};
  void closeFast();
  void openFast();
  /** Points of `id`, wherever they live now. Under the lock. */
  uint64_t pointsOf(uint32_t id) const;

  /** The slot of `id`, or null (counted as a misuse) when `id` was never given out. */
  Slot* find(uint32_t id);
  Slot& slot(uint32_t id) { return *slots[id]; }
  Slot& front() { return slot(queue.front()); }

  /** `t` starts waiting for the baton, behind every thread already waiting. */
  void enqueue(Slot& t);
  /** Makes `t` the holder and wakes it. */
  void grant(Slot& t);
  /** The holder `t` gives up the baton; `next` is the new state of `t`. Nobody holds it after. */
  void release(Slot& t, SlotState next);
  /** Blocks until `t` holds the baton or the demux is abandoned. True when it holds. */
  bool waitForBaton(Lock& lock, Slot& t);
  /** Counts a hand-over in the stats (both modes). */
  void count(const Handover& handover);

  /**
   * Reports a stall once (later calls do nothing): freezes the schedule, calls onStall without the lock,
   * then abandons. Returns with the lock held again.
   */
  void stall(Lock& lock, StallReason reason, uint32_t expected, std::string message);
  /** Stops enforcing an order and wakes everybody (waiters and the watchdog). */
  void abandon();

  /** Wakes the watchdog (starting it on first use): something it watches has changed. */
  void kickWatchdog();
  /** Starts the watchdog if it is not running and waits until its onWatchdogStart has returned. */
  bool startWatchdog(Lock& lock);
  /** Hands `task` to the running watchdog and wakes it (Demux::runOnWatchdog). */
  void runOnWatchdog(std::function<void()> task);

 private:
  StallReport snapshot(StallReason reason, uint32_t expected, std::string message) const;
  void watchdogLoop();

  std::thread watchdog_;
  std::condition_variable watchdogCv_;
  uint64_t kicks_ = 0;  // a kick that lands while the watchdog is unlocked (in isBlocked) is not lost
  bool stopping_ = false;
  bool watchdogStarted_ = false;        // its onWatchdogStart has returned
  std::function<void()> watchdogTask_;  // runOnWatchdog's, run at the watchdog's next wake
};

}  // namespace retrace::demux
