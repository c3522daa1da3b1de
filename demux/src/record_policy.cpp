// Record: hand the baton over as rarely as fairness allows, and write down every hand-over.
//
// - At a scheduling point the holder yields only to a thread that has waited `quantum` (FIFO), so a
//   thread that does many boundary calls does not ping-pong with every waiter.
// - Before a blocking call or at its end, the holder gives the baton to the longest waiter; with nobody
//   waiting the baton becomes free, and the hand-over is written when another thread takes it. A thread
//   that takes back the baton it freed writes nothing (replay infers it, see replay_policy.cpp).
// - The watchdog takes the baton from a holder stuck without scheduling points: kForced when it is
//   blocked in the VM, kEscape when it is not and has been stuck for `escapeAfter`.
#include <algorithm>
#include <memory>

#include "core.h"
#include "policy.h"

namespace retrace::demux {
namespace {

// Floor for the watchdog's re-polling of isBlocked, so that forcedAfter = 0 does not busy-loop.
constexpr auto kMinPoll = std::chrono::microseconds(100);

class RecordPolicy final : public Policy {
 public:
  explicit RecordPolicy(Core& core) : core_(core) {}

  void started(Lock&) override {}

  void point(Lock& lock, Slot& t) override {
    if (core_.holder != t.id) {  // lost the baton to kForced/kEscape: queue up again
      acquire(lock, t);
      return;
    }
    if (core_.queue.empty()) return;  // the common case: nobody waits, no clock read
    Clock::time_point now = Clock::now();
    core_.holderSince = now;  // progress, for the watchdog
    if (now - core_.front().waitSince < core_.options.quantum) return;
    if (core_.options.mayYield && !core_.options.mayYield(t.id)) return;
    handOver(t, core_.front(), HandoverKind::kYield, SlotState::kWaiting);
    core_.enqueue(t);
    core_.waitForBaton(lock, t);
  }

  void release(Lock&, Slot& t, bool exiting) override {
    SlotState next = exiting ? SlotState::kExited : SlotState::kDetached;
    if (core_.holder != t.id) {  // already lost it (kForced/kEscape): nothing to give
      t.state = next;
      return;
    }
    if (!core_.queue.empty()) {
      handOver(t, core_.front(), HandoverKind::kBlock, next);
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
    // Stuck = no progress of the holder while somebody waited.
    Clock::time_point since = std::max(core_.holderSince, core_.front().waitSince);
    Clock::time_point now = Clock::now();
    if (now < since + o.forcedAfter) return since + o.forcedAfter;

    uint32_t holder = core_.holder;
    uint64_t points = core_.slot(holder).points;
    Clock::time_point holderSince = core_.holderSince;
    bool blocked = false;
    if (o.isBlocked) {
      lock.unlock();  // the agent asks JVMTI; it must be free to take its own locks
      blocked = o.isBlocked(holder);
      lock.lock();
      core_.closeFast();  // the holder may have counted points without the lock meanwhile
    }
    if (core_.abandoned || core_.stalled || core_.holder != holder || core_.slot(holder).points != points ||
        core_.holderSince != holderSince || core_.queue.empty()) {
      return now;  // it moved meanwhile: look again
    }
    if (blocked) {
      handOver(core_.slot(holder), core_.front(), HandoverKind::kForced, SlotState::kDetached);
      return now;
    }
    if (o.escapeAfter.count() > 0 && now >= since + o.escapeAfter) {
      handOver(core_.slot(holder), core_.front(), HandoverKind::kEscape, SlotState::kDetached);
      return now;
    }
    // Not blocked yet: it may block later (ask again), or turn out to be spinning (escape).
    Clock::time_point poll = now + std::max<std::chrono::nanoseconds>(o.forcedAfter, kMinPoll);
    if (o.escapeAfter.count() > 0) poll = std::min(poll, since + o.escapeAfter);
    return poll;
  }

  size_t position() const override { return position_; }
  const Handover* next() const override { return nullptr; }

 private:
  /** `t` takes the free baton; written as a hand-over unless `t` freed it itself. */
  void take(Slot& t) {
    if (core_.lastReleaser != kNoThread && core_.lastReleaser != t.id) {
      write({core_.lastReleaser, core_.lastReleasePoint, t.id, HandoverKind::kBlock});
    }
    core_.grant(t);
  }

  void handOver(Slot& from, Slot& to, HandoverKind kind, SlotState fromNext) {
    write({from.id, from.points, to.id, kind});
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
};

}  // namespace

std::unique_ptr<Policy> makeRecordPolicy(Core& core) {
  return std::make_unique<RecordPolicy>(core);
}

}  // namespace retrace::demux
