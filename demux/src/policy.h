// Who gets the baton, and when: the one place where record and replay differ. Every method is called
// with Core::mu held (through `lock`), by the thread whose slot it takes, or by the watchdog (watch).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include "core.h"

namespace retrace::demux {

class Policy {
 public:
  virtual ~Policy() = default;

  /** Thread 0 was just granted the baton. */
  virtual void started(Lock& lock) = 0;
  /** `t` passed a scheduling point (already counted). Returns once `t` may run on. */
  virtual void point(Lock& lock, Slot& t) = 0;
  /** `t` passed its releasing point (already counted) before blocking, or at its end (`exiting`). */
  virtual void release(Lock& lock, Slot& t, bool exiting) = 0;
  /**
   * The holder `t` stopped at tick `tick` between two points (Demux::preempt). Returns once it holds
   * the baton again; true when it handed the baton over meanwhile.
   */
  virtual bool preempt(Lock& lock, Slot& t, uint64_t tick) = 0;
  /** `t`, not holding the baton, wants it: returns once it holds it or the demux is abandoned. */
  virtual void acquire(Lock& lock, Slot& t) = 0;
  /**
   * One round of the watchdog: acts on a stuck holder (record) or a pending kForced hand-over and
   * stalls (replay). Returns when it wants the next round; Clock::time_point::max() means "when kicked".
   * May unlock while it calls isBlocked.
   */
  virtual Clock::time_point watch(Lock& lock) = 0;
  /** Record in chaos mode: a random slice in ticks for the holder (Demux::chaosTicks). */
  virtual std::optional<uint64_t> chaosTicks(Lock&) { return std::nullopt; }
  /** Hand-overs recorded or replayed so far. */
  virtual size_t position() const = 0;
  /** Replay: the next schedule entry, or null (always null in record). */
  virtual const Handover* next() const = 0;
};

std::unique_ptr<Policy> makeRecordPolicy(Core& core);
std::unique_ptr<Policy> makeReplayPolicy(Core& core);

}  // namespace retrace::demux
