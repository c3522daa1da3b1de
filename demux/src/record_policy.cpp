// Record: hand the baton over as rarely as fairness allows, and write down every hand-over.
//
// - At a scheduling point the holder yields only to a thread that has waited `quantum` (FIFO), so a
//   thread that does many boundary calls does not ping-pong with every waiter.
// - Before a blocking call or at its end, the holder gives the baton to the longest waiter; with nobody
//   waiting the baton becomes free, and the hand-over is written when another thread takes it. A thread
//   that takes back the baton it freed writes nothing (replay infers it, see replay_policy.cpp).
// - The watchdog takes the baton from a holder stuck without scheduling points: kForced when it is
//   blocked in the VM (seen so twice, forcedAfter apart, asleep in between: BlockedWatch), kEscape when it
//   is not and has been stuck for `escapeAfter` (not counting time it waited for a CPU).
#include <algorithm>
#include <memory>
#include <optional>

#include "chaos.h"
#include "core.h"
#include "policy.h"

namespace retrace::demux {
namespace {

// Floor for the watchdog's re-polling of isBlocked, so that forcedAfter = 0 does not busy-loop.
constexpr auto kMinPoll = std::chrono::microseconds(100);

class RecordPolicy final : public Policy {
 public:
  explicit RecordPolicy(Core& core) : core_(core), random_(core.options.chaosSeed == 0 ? 0 : ~core.options.chaosSeed) {
    if (core.options.chaosSeed != 0) chaos_.emplace(core.options.chaosSeed);
  }

  void started(Lock&) override {}

  void point(Lock& lock, Slot& t) override {
    if (core_.holder != t.id) {  // lost the baton to kForced/kEscape: queue up again
      acquire(lock, t);
      return;
    }
    if (core_.queue.empty()) return;  // the common case: nobody waits, no clock read
    Clock::time_point now = Clock::now();
    core_.holderSince = now;  // progress, for the watchdog
    if (now - core_.front().waitSince < core_.options.quantum && !(chaos_ && chaos_->outranked(t.id, core_.queue))) {
      return;
    }
    if (core_.options.mayYield && !core_.options.mayYield(t.id)) return;
    handOver(t, successor(), HandoverKind::kYield, SlotState::kWaiting);
    core_.enqueue(t);
    core_.waitForBaton(lock, t);
  }

  bool preempt(Lock& lock, Slot& t, uint64_t tick) override {
    if (core_.queue.empty()) return false;
    if (core_.options.mayYield && !core_.options.mayYield(t.id)) return false;
    handOver(t, successor(), HandoverKind::kPreempt, SlotState::kWaiting, tick);
    if (chaos_) chaos_->changePoint(t.id);
    core_.enqueue(t);
    core_.waitForBaton(lock, t);
    return true;
  }

  void release(Lock&, Slot& t, bool exiting) override {
    SlotState next = exiting ? SlotState::kExited : SlotState::kDetached;
    if (core_.holder != t.id) {  // already lost it (kForced/kEscape): nothing to give
      t.state = next;
      return;
    }
    if (!core_.queue.empty()) {
      handOver(t, successor(), HandoverKind::kBlock, next);
    } else {
      core_.release(t, next);  // free; written by take() if another thread takes it
    }
  }

  void acquire(Lock& lock, Slot& t) override {
    if (core_.holder == kNoThread) {
      take(t);
      return;
    }
    core_.enqueue(t);
    core_.waitForBaton(lock, t);
  }

  Clock::time_point watch(Lock& lock) override {
    if (core_.queue.empty() || core_.holder == kNoThread) return Clock::time_point::max();
    const Options& o = core_.options;
    Clock::time_point now = Clock::now();
    Clock::time_point poll = now + std::max<std::chrono::nanoseconds>(o.forcedAfter, kMinPoll);
    uint32_t holder = core_.holder;
    // Granted, not awake yet: it has not run a single instruction with the baton (waitForBaton starts
    // its clock when it wakes).
    if (core_.slot(holder).asleep) return poll;
    // Stuck = no progress of the holder while somebody waited.
    Clock::time_point since = std::max(core_.holderSince, core_.front().waitSince);
    // The time slice is over: the holder stops at its next tick, if it runs code that ticks.
    if (sliceHolder_ != holder || sliceSince_ != since) {
      sliceHolder_ = holder;
      sliceSince_ = since;
      slice_ = jittered(random_, o.preemptAfter);
    }
    if (o.requestPreempt && (preemptHolder_ != holder || preemptSince_ != since)) {
      if (now < since + slice_) return since + slice_;
      preemptHolder_ = holder;
      preemptSince_ = since;
      lock.unlock();
      o.requestPreempt(holder);
      lock.lock();
      core_.closeFast();
      return std::min(since + o.forcedAfter, now + slice_);
    }
    if (now < since + o.forcedAfter) return since + o.forcedAfter;

    uint64_t points = core_.slot(holder).points;
    Clock::time_point holderSince = core_.holderSince;
    bool blocked = false;
    ThreadTimes times;
    if (o.isBlocked || o.threadTimes || o.requestPreempt) {
      lock.unlock();  // the agent asks JVMTI and the kernel; it must be free to take its own locks
      // Asked again: a request that crossed the holder taking the baton may have been lost.
      if (o.requestPreempt) o.requestPreempt(holder);
      if (o.isBlocked) blocked = o.isBlocked(holder);
      if (o.threadTimes) times = o.threadTimes(holder);
      lock.lock();
      core_.closeFast();  // the holder may have counted points without the lock meanwhile
    }
    if (core_.abandoned || core_.stalled || core_.holder != holder || core_.slot(holder).points != points ||
        core_.holderSince != holderSince || core_.queue.empty()) {
      return now;  // it moved meanwhile: look again
    }
    if (stuckHolder_ != holder || stuckPoints_ != points || stuckSince_ != since) {
      // A new stretch without a point: its first look.
      stuckHolder_ = holder;
      stuckPoints_ = points;
      stuckSince_ = since;
      firstLook_ = now;
      runnableAtFirstLook_ = times.runnable;
      blockedWatch_.reset();
    }
    if (blockedWatch_.look(holder, points, blocked, times, now, o.forcedAfter)) {
      handOver(core_.slot(holder), core_.front(), HandoverKind::kForced, SlotState::kDetached);
      return now;
    }
    if (o.escapeAfter.count() > 0) {
      // How long it has been stuck, less the time it waited for a CPU (counted from the first look;
      // before it, at most forcedAfter counts, however late the watchdog looked).
      std::chrono::nanoseconds stuckFor = now - since;
      if (runnableAtFirstLook_.count() >= 0 && times.runnable >= runnableAtFirstLook_) {
        stuckFor = std::min<std::chrono::nanoseconds>(firstLook_ - since, o.forcedAfter) + (now - firstLook_) -
                   (times.runnable - runnableAtFirstLook_);
      }
      if (stuckFor >= o.escapeAfter) {
        handOver(core_.slot(holder), core_.front(), HandoverKind::kEscape, SlotState::kDetached);
        return now;
      }
      // Not blocked yet: it may block later (ask again), or turn out to be spinning (escape).
      poll = std::min(poll, now + std::max<std::chrono::nanoseconds>(o.escapeAfter - stuckFor, kMinPoll));
    }
    return poll;
  }

  size_t position() const override { return position_; }
  const Handover* next() const override { return nullptr; }
  std::optional<uint64_t> chaosTicks(Lock&) override {
    if (!chaos_) return std::nullopt;
    return chaos_->sliceTicks();
  }

 private:
  /** Who gets the baton at a hand-over: the longest waiter, or in chaos mode the highest priority. */
  Slot& successor() { return chaos_ ? core_.slot(chaos_->pick(core_.queue)) : core_.front(); }

  /** `t` takes the free baton; written as a hand-over unless `t` freed it itself. */
  void take(Slot& t) {
    if (core_.lastReleaser != kNoThread && core_.lastReleaser != t.id) {
      write({core_.lastReleaser, core_.lastReleasePoint, t.id, HandoverKind::kBlock});
    }
    core_.grant(t);
  }

  void handOver(Slot& from, Slot& to, HandoverKind kind, SlotState fromNext, uint64_t tick = 0) {
    write({from.id, from.points, to.id, kind, tick});
    core_.release(from, fromNext);
    core_.grant(to);
  }

  void write(const Handover& handover) {
    core_.count(handover);
    ++position_;
    if (core_.options.onHandover) core_.options.onHandover(handover);
  }

  Core& core_;
  size_t position_ = 0;
  Random random_;
  std::optional<Chaos> chaos_;
  // The time slice of the holder's current stretch, drawn when the watchdog first sees it.
  uint32_t sliceHolder_ = kNoThread;
  Clock::time_point sliceSince_{};
  std::chrono::nanoseconds slice_{0};
  // The stretch the watchdog last asked to preempt.
  uint32_t preemptHolder_ = kNoThread;
  Clock::time_point preemptSince_{};
  // The holder's current stretch without a point, as the watchdog has seen it.
  uint32_t stuckHolder_ = kNoThread;
  uint64_t stuckPoints_ = 0;
  Clock::time_point stuckSince_{};
  Clock::time_point firstLook_{};
  std::chrono::nanoseconds runnableAtFirstLook_{-1};
  BlockedWatch blockedWatch_;
};

}  // namespace

std::unique_ptr<Policy> makeRecordPolicy(Core& core) {
  return std::make_unique<RecordPolicy>(core);
}

}  // namespace retrace::demux
