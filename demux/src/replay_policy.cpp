// Replay: grant the baton in exactly the recorded order.
//
// The schedule is a chain: each entry's `from` is the previous entry's `to` (the first one's is thread
// 0), because only the holder gives the baton away. So the next entry always names the current holder,
// and it fires when the holder's point count reaches its `fromPoint`:
// - kYield: in the holder's schedulingPoint() making that count; kBlock: in its releaseForBlocking()
//   or exit(); kEscape: once the holder has run on past that point for `escapeAfter`, as record
//   judged it (not counting time it waited for a CPU), or at its next point or release if that comes
//   first; from then on the holder runs on without the baton. kForced: as soon as the watchdog
//   sees the holder blocked in the VM, as record judges it (BlockedWatch), or, if it never blocks
//   here, at its next point (lateForced).
// - A release with no entry is a take-back the recording left out: the baton is kept for the releaser.
// - Past the end of a schedule that is not whole, the holder's next point or release while any other
//   thread lives is the cut: the recording may have handed the baton over there, and what the other
//   thread then did (an identity hash, a class it initialised) the holder's events already count on.
// - Anything else (the holder is not the entry's `from`, or passed the point) is a divergence, reported
//   at once; a thread that does not come for a baton kept for it is reported after `replayWait`.
#include <algorithm>
#include <memory>
#include <string>

#include "core.h"
#include "policy.h"

namespace retrace::demux {
namespace {

constexpr auto kMinPoll = std::chrono::microseconds(100);
// Past the end of a schedule that is not whole, a thread waiting for the free baton can never get it
// (only the thread it is kept for takes its own back): the wait only lets that one end the program.
constexpr auto kPastTheEndWait = std::chrono::seconds(2);

std::string thread(uint32_t id) {
  return id == kNoThread ? "no thread" : "thread " + std::to_string(id);
}

std::string handoverText(const Handover& e) {
  std::string tick = e.kind == HandoverKind::kPreempt ? " tick " + std::to_string(e.fromTick) : "";
  return thread(e.from) + " handing the baton to " + thread(e.to) + " at its point " + std::to_string(e.fromPoint) +
         tick + " (" + toString(e.kind) + ")";
}

std::string milliseconds(std::chrono::nanoseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

class ReplayPolicy final : public Policy {
 public:
  explicit ReplayPolicy(Core& core) : core_(core), schedule_(core.options.schedule) {}

  void started(Lock& lock) override { settle(lock); }

  void point(Lock& lock, Slot& t) override {
    if (core_.holder != t.id) {  // lost the baton to kForced/kEscape: wait for the recorded return
      acquire(lock, t);
      return;
    }
    const Handover* e = next();
    if (e == nullptr && cutHere(lock, t, "reached its point " + std::to_string(t.points))) return;
    if (e != nullptr && e->from == t.id) {
      if (isLateForced(*e, t)) {
        handOverAndWait(lock, t);
        return;
      }
      if (isLateEscape(*e, t) || (e->fromPoint == t.points && e->kind == HandoverKind::kYield)) {
        handOverAndWait(lock, t);
        return;
      }
      if (e->fromPoint == t.points && e->kind == HandoverKind::kBlock) {
        diverge(lock, t.id,
                thread(t.id) + " reached a plain scheduling point where the recording has " + handoverText(*e) +
                    " before a blocking call");
        return;
      }
    }
    settle(lock);  // an escape at this point, or a point passed without its hand-over
  }

  bool preempt(Lock& lock, Slot& t, uint64_t tick) override {
    const Handover* e = next();
    if (e != nullptr && e->from == t.id && e->fromPoint == t.points && e->kind == HandoverKind::kPreempt &&
        e->fromTick == tick) {
      handOverAndWait(lock, t);
      return true;
    }
    diverge(lock, t.id,
            thread(t.id) + " stopped at tick " + std::to_string(tick) + " after its point " + std::to_string(t.points) +
                " where the recording continues with " + (e != nullptr ? handoverText(*e) : "no further hand-over"));
    return false;
  }

  void release(Lock& lock, Slot& t, bool exiting) override {
    SlotState next = exiting ? SlotState::kExited : SlotState::kDetached;
    if (core_.holder != t.id) {  // already lost it (kForced/kEscape): nothing to give
      t.state = next;
      return;
    }
    const Handover* e = this->next();
    core_.release(t, next);
    if (e == nullptr && cutHere(lock, t,
                                "released the baton at its point " + std::to_string(t.points) +
                                    (exiting ? " (thread end)" : " (blocking call)"))) {
      return;
    }
    if (e != nullptr && e->from == t.id) {
      if (isLateForced(*e, t) || (e->fromPoint == t.points && e->kind == HandoverKind::kBlock) ||
          (e->fromPoint == t.points && e->kind == HandoverKind::kEscape)) {
        consume();
        reserve(e->to);
        settle(lock);
        return;
      }
      if (e->fromPoint < t.points || (e->fromPoint == t.points && e->kind == HandoverKind::kYield)) {
        diverge(lock, t.id,
                thread(t.id) + " released the baton at its point " + std::to_string(t.points) +
                    (exiting ? " (thread end)" : " (blocking call)") + " where the recording has " + handoverText(*e));
        return;
      }
    }
    // No entry here: in the recording nobody else took the baton before this thread took it back.
    reserve(exiting ? kNoThread : t.id);
    settle(lock);
  }

  void acquire(Lock& lock, Slot& t) override {
    core_.enqueue(t);
    settle(lock);
    core_.waitForBaton(lock, t);
  }

  Clock::time_point watch(Lock& lock) override {
    const Options& o = core_.options;
    Clock::time_point now = Clock::now();
    if (const Handover* e = pendingForced()) return watchForced(lock, *e, now);
    if (const Handover* e = pendingEscape()) return watchEscape(lock, *e, now);
    if (core_.queue.empty() || o.replayWait.count() == 0) return Clock::time_point::max();

    if (core_.holder == kNoThread) {
      std::chrono::nanoseconds wait = o.replayWait;
      if (next() == nullptr && !o.scheduleWhole) wait = std::min<std::chrono::nanoseconds>(wait, kPastTheEndWait);
      Clock::time_point deadline = freeSince_ + wait;
      if (now < deadline) return deadline;
      core_.stall(lock, StallReason::kTimeout, reserved_,
                  thread(reserved_) + " did not come for the baton within " + milliseconds(wait) +
                      " (the recording gives it the baton after " + thread(core_.lastReleaser) + "'s point " +
                      std::to_string(core_.lastReleasePoint) + ")");
      return Clock::time_point::max();
    }
    // A running holder may be computing: only a holder asleep in the VM is known to be stuck.
    const std::function<bool(uint32_t)>& asleep = o.isAsleep ? o.isAsleep : o.isBlocked;
    if (!asleep) return Clock::time_point::max();
    uint32_t holder = core_.holder;
    uint64_t points = core_.slot(holder).points;
    lock.unlock();
    bool blocked = asleep(holder);
    lock.lock();
    if (core_.stalled || core_.abandoned || core_.holder != holder || core_.slot(holder).points != points) return now;
    Clock::time_point poll = now + std::clamp<std::chrono::nanoseconds>(o.replayWait / 20, std::chrono::milliseconds(1),
                                                                        std::chrono::milliseconds(500));
    if (!blocked) {
      blockedHolder_ = kNoThread;
      return poll;
    }
    if (blockedHolder_ != holder || blockedPoints_ != points) {
      blockedHolder_ = holder;
      blockedPoints_ = points;
      blockedSince_ = now;
    }
    if (now - blockedSince_ < o.replayWait) return poll;
    const Handover* e = next();
    core_.stall(lock, StallReason::kTimeout, holder,
                thread(holder) + " holds the baton and has been blocked in the VM for " + milliseconds(o.replayWait) +
                    " at its point " + std::to_string(points) + "; the recording continues with " +
                    (e != nullptr ? handoverText(*e) : std::string("no further hand-over")));
    return Clock::time_point::max();
  }

  size_t position() const override { return next_; }
  const Handover* next() const override { return next_ < schedule_.size() ? &schedule_[next_] : nullptr; }

 private:
  /**
   * Past the end of a schedule that is not whole, `t` at a point or release while another thread
   * lives: what happened here when recorded is not known, so the replay stops (kScheduleEnded).
   */
  bool cutHere(Lock& lock, const Slot& t, const std::string& what) {
    if (core_.options.scheduleWhole) return false;
    const Slot* other = nullptr;
    for (const auto& slot : core_.slots) {
      if (slot->id != t.id && slot->state != SlotState::kExited) {
        other = slot.get();
        break;
      }
    }
    if (other == nullptr) return false;
    bool waits = !core_.queue.empty();
    core_.stall(lock, StallReason::kScheduleEnded, t.id,
                thread(t.id) + " " + what + " while " + thread(waits ? core_.queue.front() : other->id) +
                    (waits ? " waits for it" : " has not ended"));
    return true;
  }

  /** The holder passed a kForced hand-over's point without being seen blocked: hand over now. */
  bool isLateForced(const Handover& e, const Slot& t) {
    if (e.kind != HandoverKind::kForced || e.fromPoint >= t.points) return false;
    ++core_.stats.lateForced;
    return true;
  }

  /**
   * The holder reached its next point before a kEscape hand-over at its previous one fired: it hands
   * over here and waits, as it did when recorded (an escaped holder queues up at its next point).
   */
  bool isLateEscape(const Handover& e, const Slot& t) {
    if (e.kind != HandoverKind::kEscape || e.fromPoint >= t.points) return false;
    ++core_.stats.lateEscapes;
    return true;
  }

  /** The next entry when it is a kEscape hand-over away from the holder at its current point. */
  const Handover* pendingEscape() const {
    const Handover* e = next();
    if (e == nullptr || e->kind != HandoverKind::kEscape || core_.holder == kNoThread || e->from != core_.holder) {
      return nullptr;
    }
    return e->fromPoint == core_.slot(core_.holder).points && escapeHolder_ == e->from && escapePoints_ == e->fromPoint
               ? e
               : nullptr;
  }

  /** Fires a pending kEscape once the holder has run past its point for escapeAfter (record's measure). */
  Clock::time_point watchEscape(Lock& lock, const Handover& e, Clock::time_point now) {
    const Options& o = core_.options;
    uint32_t holder = core_.holder;
    size_t position = next_;
    std::chrono::nanoseconds runnable{-1};
    if (o.threadTimes) {
      lock.unlock();
      runnable = o.threadTimes(holder).runnable;
      lock.lock();
      if (core_.stalled || core_.abandoned || core_.holder != holder || next_ != position || pendingEscape() != &e) {
        return now;
      }
    }
    if (escapeRunnableAtStart_.count() < 0) escapeRunnableAtStart_ = runnable;
    std::chrono::nanoseconds ranFor = now - escapeSince_;
    if (escapeRunnableAtStart_.count() >= 0 && runnable >= escapeRunnableAtStart_) {
      ranFor -= runnable - escapeRunnableAtStart_;
    }
    if (ranFor < o.escapeAfter) {
      return now +
             std::clamp<std::chrono::nanoseconds>(o.escapeAfter - ranFor, kMinPoll, std::chrono::milliseconds(20));
    }
    consume();
    core_.release(core_.slot(holder), SlotState::kDetached);
    reserve(e.to);
    settle(lock);
    return now;
  }

  /** The holder `t` gives the baton to the next entry's `to` and waits to get it back. */
  void handOverAndWait(Lock& lock, Slot& t) {
    const Handover& e = consume();
    core_.release(t, SlotState::kWaiting);
    reserve(e.to);
    core_.enqueue(t);
    settle(lock);
    core_.waitForBaton(lock, t);
  }

  const Handover& consume() {
    const Handover& e = schedule_[next_++];
    core_.count(e);
    return e;
  }

  /** The free baton may only be taken by `id` (kNoThread: by nobody). */
  void reserve(uint32_t id) {
    reserved_ = id;
    freeSince_ = Clock::now();
  }

  /** The next entry when it is a kForced hand-over away from the holder at its current point. */
  const Handover* pendingForced() const {
    const Handover* e = next();
    if (e == nullptr || e->kind != HandoverKind::kForced || core_.holder == kNoThread || e->from != core_.holder) {
      return nullptr;
    }
    return e->fromPoint == core_.slot(core_.holder).points ? e : nullptr;
  }

  Clock::time_point watchForced(Lock& lock, const Handover& e, Clock::time_point now) {
    const Options& o = core_.options;
    uint32_t holder = core_.holder;
    Clock::time_point poll = now + std::max<std::chrono::nanoseconds>(o.replayPoll, kMinPoll);
    // Granted, not awake yet: it has not run to where it blocked when recorded.
    if (core_.slot(holder).asleep) return poll;
    size_t position = next_;
    uint64_t points = core_.slot(holder).points;
    if (o.isBlocked) {  // without it, nothing better than granting it at once
      lock.unlock();
      bool blocked = o.isBlocked(holder);
      ThreadTimes times = o.threadTimes ? o.threadTimes(holder) : ThreadTimes{};
      lock.lock();
      if (core_.stalled || core_.abandoned || core_.holder != holder || next_ != position || pendingForced() != &e) {
        return now;
      }
      // Blocked as record means it (BlockedWatch), not asleep for a moment.
      if (!forcedWatch_.look(holder, points, blocked, times, now, o.forcedAfter)) return poll;
    }
    forcedWatch_.reset();
    consume();
    core_.release(core_.slot(holder), SlotState::kDetached);
    reserve(e.to);
    settle(lock);
    return now;
  }

  /** After any change: grant a reserved baton, fire an escape, or report a divergence. */
  void settle(Lock& lock) {
    for (;;) {
      if (core_.stalled || core_.abandoned) return;
      if (core_.holder == kNoThread) {
        if (reserved_ == kNoThread) {
          if (!core_.queue.empty()) reportNoHandover(lock);
          return;
        }
        if (reserved_ >= core_.slots.size()) return;  // not started yet: the timeout covers it
        Slot& r = core_.slot(reserved_);
        if (r.state == SlotState::kExited) {
          diverge(lock, r.id, "the recording gives the baton to " + thread(r.id) + ", which has ended");
          return;
        }
        if (r.state != SlotState::kWaiting) return;  // on its way
        reserved_ = kNoThread;
        core_.grant(r);
        continue;  // the new holder may have an escape or a divergence right here
      }
      const Handover* e = next();
      if (e == nullptr) return;
      Slot& h = core_.slot(core_.holder);
      if (e->from != h.id) {
        diverge(lock, e->from, thread(h.id) + " holds the baton, but the recording continues with " + handoverText(*e));
        return;
      }
      if (e->fromPoint < h.points) {
        diverge(lock, h.id,
                thread(h.id) + " passed its point " + std::to_string(e->fromPoint) + " without the recorded " +
                    handoverText(*e) + "; it is at point " + std::to_string(h.points));
        return;
      }
      if (e->fromPoint > h.points) return;
      if (e->kind == HandoverKind::kEscape) {
        // Not at once: when recorded, the holder ran on alone for escapeAfter before the watchdog let
        // `to` run beside it, and what it did then (an identity hash it gave an object, a class it
        // initialised) came before anything `to` did. watchEscape lets it run as long.
        if (escapeHolder_ != h.id || escapePoints_ != h.points) {
          escapeHolder_ = h.id;
          escapePoints_ = h.points;
          escapeSince_ = Clock::now();
          escapeRunnableAtStart_ = std::chrono::nanoseconds(-1);
          core_.kickWatchdog();
        }
        return;
      }
      if (e->kind == HandoverKind::kForced) core_.kickWatchdog();  // poll isBlocked until it blocks
      return;
    }
  }

  /** A thread waits, the baton is free, and the schedule gives it to nobody. */
  void reportNoHandover(Lock& lock) {
    const Handover* e = next();
    std::string message = thread(core_.lastReleaser) + " ended at its point " + std::to_string(core_.lastReleasePoint) +
                          " and the recording has no hand-over there, but " + thread(core_.queue.front()) +
                          " waits for the baton";
    if (e == nullptr) {
      core_.stall(lock, StallReason::kScheduleEnded, kNoThread, message + " (end of the recorded schedule)");
    } else {
      core_.stall(lock, StallReason::kDiverged, e->from,
                  message + "; the recording continues with " + handoverText(*e));
    }
  }

  void diverge(Lock& lock, uint32_t expected, std::string message) {
    core_.stall(lock, StallReason::kDiverged, expected, std::move(message));
  }

  Core& core_;
  const std::vector<Handover>& schedule_;
  size_t next_ = 0;
  uint32_t reserved_ = kNoThread;
  // A kEscape hand-over armed at the holder's point, waiting for it to have run on long enough.
  uint32_t escapeHolder_ = kNoThread;
  uint64_t escapePoints_ = 0;
  Clock::time_point escapeSince_{};
  std::chrono::nanoseconds escapeRunnableAtStart_{-1};
  Clock::time_point freeSince_{};
  // The holder the watchdog last saw blocked, at which point, since when.
  uint32_t blockedHolder_ = kNoThread;
  uint64_t blockedPoints_ = 0;
  Clock::time_point blockedSince_{};
  // The holder of a pending kForced hand-over, as the watchdog has seen it.
  BlockedWatch forcedWatch_;
};

}  // namespace

std::unique_ptr<Policy> makeReplayPolicy(Core& core) {
  return std::make_unique<ReplayPolicy>(core);
}

}  // namespace retrace::demux
