// The watchdog thread: started by the first thread that has to wait, asleep whenever nobody waits (and
// no recorded kForced hand-over is pending). What it looks for is the policy's business (policy.h).
#include <cstdint>

#include "core.h"
#include "policy.h"

namespace retrace::demux {

void Core::watchdogLoop() {
  if (options.onWatchdogStart) options.onWatchdogStart();
  Lock lock(mu);
  watchdogStarted_ = true;
  watchdogCv_.notify_all();  // startWatchdog() waits for this
  while (!stopping_) {
    if (watchdogTask_) {
      std::function<void()> task = std::move(watchdogTask_);
      watchdogTask_ = nullptr;
      lock.unlock();
      task();
      lock.lock();
      continue;
    }
    uint64_t kicks = kicks_;
    closeFast();
    Clock::time_point next = abandoned || stalled ? Clock::time_point::max() : policy->watch(lock);
    openFast();
    if (stopping_) break;
    // A kick during watch() (it unlocks around isBlocked) means the answer may be stale: look again.
    if (kicks != kicks_) continue;
    if (next == Clock::time_point::max()) {
      watchdogCv_.wait(lock);
    } else {
      watchdogCv_.wait_until(lock, next);
    }
  }
}

}  // namespace retrace::demux
